"""The demo generator: consistent with the public record, deterministic, scalable, flagged."""

from datetime import date

import pandas as pd
import pytest


from lit_analytics import domain
from lit_analytics.bootstrap import init_database
from lit_analytics.config import REFERENCE_DIR
from lit_analytics.demo import generate
from lit_analytics.reference import load_reference
from lit_analytics.store import Store

UNTIL = "2026-T3"


@pytest.fixture(scope="module")
def reference_labs(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("ref") / "ref.duckdb") as store:
        load_reference(store)
        return store.query_df("SELECT * FROM labs ORDER BY lab_id")


def test_close_to_200_projects_and_500_sessions_by_end_2020(demo_store):
    projects = demo_store.scalar("SELECT count(*) FROM projects WHERE started_on <= DATE '2020-12-31'")
    sessions = demo_store.scalar("SELECT count(*) FROM current_training_sessions WHERE held_on <= DATE '2020-12-31'")
    assert 180 <= projects < 200
    assert 450 <= sessions < 500


def test_nine_labs_active_on_1_december_2020_have_activity_then(demo_store):
    active_late_2020 = demo_store.scalar(
        "SELECT count(DISTINCT lab_id) FROM current_training_sessions WHERE quarter = '2020-T4'")
    assert active_late_2020 <= 9
    reporting = demo_store.scalar(
        "SELECT count(DISTINCT lab_id) FROM report_versions WHERE quarter = '2020-T4' AND kind = 'sessions'")
    assert reporting == 9


def test_activity_only_while_a_lab_is_open(demo_store):
    outside = demo_store.scalar("""
        SELECT count(*) FROM current_training_sessions s JOIN labs l USING (lab_id)
        WHERE s.held_on < l.opened_on OR (l.closed_on IS NOT NULL AND s.held_on > l.closed_on)""")
    assert outside == 0
    snapshots_after_closure = demo_store.scalar("""
        SELECT count(*) FROM current_project_snapshots p JOIN labs l USING (lab_id)
        WHERE l.closed_on IS NOT NULL AND p.quarter > strftime(l.closed_on, '%Y') || '-T' ||
              CAST(quarter(l.closed_on) AS VARCHAR)""")
    assert snapshots_after_closure == 0
    funding_outside = demo_store.scalar("""
        SELECT count(*) FROM current_funding_tranches f JOIN labs l USING (lab_id)
        WHERE f.committed_on < l.opened_on OR (l.closed_on IS NOT NULL AND f.committed_on > l.closed_on)""")
    assert funding_outside == 0


def test_pia_rules_of_the_2016_call(demo_store):
    pia = demo_store.query_df("""
        SELECT l.lab_id, l.cohort, l.budget_eur::DOUBLE AS budget, sum(f.amount_eur)::DOUBLE AS total,
               min(f.paid_on) AS first_paid, max(f.paid_on) AS last_paid, max(l.opened_on) AS opened
        FROM current_funding_tranches f JOIN labs l USING (lab_id) WHERE f.source = 'PIA' GROUP BY ALL""")
    assert len(pia) == 12 and set(pia.cohort) == {"laureat-2016"}
    assert (pia.total <= 250_000).all()
    assert (pia.budget <= 500_000).all()
    assert (pia.total <= pia.budget / 2 + 0.01).all()
    assert (pd.to_datetime(pia.first_paid) >= "2017-01-01").all()
    assert (pd.to_datetime(pia.last_paid) <= "2018-12-31").all()
    eighteen_months = pd.to_datetime(pia.opened) + pd.DateOffset(months=18)
    assert (pd.to_datetime(pia.last_paid) <= eighteen_months).all()
    # Public facts: Lab Zéro's budget is 170 000 €, LaBase got 250 000 €, Archipel 162 000 € (sources.csv).
    assert pia.set_index("lab_id").loc["lab-zero", "total"] == 85_000
    assert pia.set_index("lab_id").loc["le-campus", "total"] == 250_000
    assert pia.set_index("lab_id").loc["archipel", "total"] == 162_000


def test_ftap_and_relance_from_2019_and_end_2020(demo_store):
    first = dict(demo_store.query("SELECT source, min(committed_on) FROM current_funding_tranches GROUP BY 1"))
    assert first["FTAP"] >= date(2018, 1, 1)
    # FTAP before 2019 only where a public page dates an award: Lab'O's Incub'O, FTAP laureate in 2018.
    early_ftap = demo_store.query("SELECT lab_id, year(committed_on), purpose FROM current_funding_tranches "
                                  "WHERE source = 'FTAP' AND committed_on < DATE '2019-01-01'")
    assert [(lab, year) for lab, year, _ in early_ftap] == [("lab-o", 2018)]
    assert "montant de démonstration" in early_ftap[0][2]
    assert first["relance"] >= date(2020, 12, 1)
    relance = demo_store.query_df("""SELECT lab_id, sum(amount_eur)::DOUBLE AS total FROM current_funding_tranches
                                     WHERE source = 'relance' GROUP BY 1""")
    assert relance.total.between(150_000, 250_000).all()
    # every lab active at end 2020 and every lab created since got relance money
    expected = demo_store.scalar("SELECT count(*) FROM labs WHERE closed_on IS NULL OR closed_on >= DATE '2020-12-01'")
    assert len(relance) == expected


def test_every_row_is_flagged_as_demo(demo_store):
    assert demo_store.scalar("SELECT count(*) FROM report_versions WHERE NOT is_demo") == 0
    assert demo_store.scalar("SELECT count(*) FROM imports WHERE origin <> 'demo' OR user_email <> ?",
                             [domain.DEMO_USER]) == 0
    orphans = demo_store.scalar("""SELECT count(*) FROM training_sessions s
                                   LEFT JOIN report_versions v USING (version_id) WHERE v.version_id IS NULL""")
    assert orphans == 0


def test_values_stay_inside_the_exchange_vocabularies(demo_store):
    assert {s for (s,) in demo_store.query("SELECT DISTINCT status FROM project_snapshots")} <= set(domain.PROJECT_STATUSES)
    assert {t for (t,) in demo_store.query("SELECT DISTINCT theme FROM project_snapshots")} <= set(domain.THEMES)
    assert {f for (f,) in demo_store.query("SELECT DISTINCT format FROM training_sessions")} <= set(domain.SESSION_FORMATS)
    partners = {p.strip() for (ps,) in demo_store.query("SELECT DISTINCT partner_types FROM project_snapshots")
                for p in ps.split(",")}
    assert partners <= set(domain.PARTNER_TYPES)
    assert demo_store.scalar("SELECT count(*) FROM training_sessions WHERE quarter <> strftime(held_on, '%Y') "
                             "|| '-T' || CAST(quarter(held_on) AS VARCHAR)") == 0


def test_same_seed_same_data_other_seed_other_data(reference_labs):
    a = generate(reference_labs, seed=7, until=UNTIL)
    b = generate(reference_labs, seed=7, until=UNTIL)
    c = generate(reference_labs, seed=8, until=UNTIL)
    pd.testing.assert_frame_equal(a.sessions, b.sessions)
    pd.testing.assert_frame_equal(a.project_snapshots, b.project_snapshots)
    pd.testing.assert_frame_equal(a.tranches, b.tranches)
    assert not a.sessions.equals(c.sessions)


def test_scale_multiplies_labs_and_rows(reference_labs):
    one = generate(reference_labs, seed=3, until=UNTIL)
    five = generate(reference_labs, seed=3, scale=5, until=UNTIL)
    assert len(five.labs) == 5 * len(one.labs)
    assert 4 <= len(five.sessions) / len(one.sessions) <= 6
    assert 4 <= len(five.project_snapshots) / len(one.project_snapshots) <= 6
    end_2020 = five.sessions[five.sessions.held_on <= date(2020, 12, 31)]
    assert 5 * 450 <= len(end_2020) < 5 * 500


def test_scaled_database_loads(tmp_path):
    with init_database(tmp_path / "x3.duckdb", demo=True, scale=3, until="2021-T4") as store:
        shipped = len((REFERENCE_DIR / "labs.csv").read_text("utf-8").splitlines()) - 1   # the registry's labs
        assert store.scalar("SELECT count(*) FROM labs") == 3 * shipped
        assert store.scalar("SELECT max(quarter) FROM report_versions") == "2021-T4"
        assert store.scalar("SELECT count(*) FROM labs WHERE name LIKE 'Laboratoire fictif%' AND source = 'démo'") == 2 * shipped
