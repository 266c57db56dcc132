"""Dashboard queries: hand-computed values on a small fixture, and independent SQL on the demo database."""

from datetime import date

import pandas as pd
import pytest

from lit_analytics import presentation
from lit_analytics import indicators as ind
from lit_analytics.filters import Filters
from lit_analytics.presentation import map as map_words
from lit_analytics.presentation import screen_tables
from lit_analytics.reference import load_reference
from lit_analytics.store import Store


@pytest.fixture
def small(tmp_path) -> Store:
    """Reference labs plus a handful of activity rows written by hand.

    lab-zero (93): P1 conception in 2021-T1, essaimage in 2021-T2; P2 émergence in 2021-T1 (version 1 superseded
    by version 5, where P2 is 'conception'). siilab (32): two sessions in 2021-T1. Ledger: siilab PIA 300 000 €
    (over the ceiling, paid after 18 months), lab-zero PIA 85 000 € (budget 170 000 €), siilab FTAP 50 000 € unpaid.
    """
    store = Store(tmp_path / "small.duckdb")
    load_reference(store)
    with store.transaction(writes=("report_versions", "project_snapshots", "training_sessions", "funding_tranches")) as cur:
        cur.execute("""INSERT INTO report_versions VALUES
            (1, 'projets', 'lab-zero', '2021-T1', 1, false, '2021-04-02 10:00', 'a@x', false),
            (2, 'projets', 'lab-zero', '2021-T2', 2, false, '2021-07-02 10:00', 'a@x', true),
            (3, 'sessions', 'siilab', '2021-T1', 3, false, '2021-04-03 10:00', 'b@x', true),
            (4, 'financements', NULL, NULL, 4, false, '2021-07-05 10:00', 'c@x', true),
            (5, 'projets', 'lab-zero', '2021-T1', 5, false, '2021-04-05 10:00', 'a@x', true)""")
        cur.execute("""INSERT INTO project_snapshots VALUES
            (1, 'lab-zero', '2021-T1', 'P1', 'Projet 1', 'Santé', 'émergence', '2021-01-10', NULL,
             'collectivité', 10, 3, NULL),
            (5, 'lab-zero', '2021-T1', 'P1', 'Projet 1', 'Santé', 'conception', '2021-01-10', NULL,
             'collectivité, usagers', 10, 3, NULL),
            (5, 'lab-zero', '2021-T1', 'P2', 'Projet 2', 'Autre', 'émergence', '2021-02-01', NULL,
             'usagers', NULL, 2, NULL),
            (2, 'lab-zero', '2021-T2', 'P1', 'Projet 1', 'Santé', 'essaimage', '2021-01-10', NULL,
             'collectivité, usagers', 12, 4, NULL)""")
        cur.execute("""INSERT INTO training_sessions VALUES
            (3, 'siilab', '2021-T1', 'S1', '2021-02-01', 'Atelier', 'atelier', 3, 10, 5),
            (3, 'siilab', '2021-T1', 'S2', '2021-03-01', 'Formation', 'formation', 7, 8, NULL)""")
        cur.execute("""INSERT INTO funding_tranches VALUES
            (4, 'T1', 'siilab', 'PIA', 300000, '2017-02-01', '2019-01-15', 'PIA'),
            (4, 'T2', 'lab-zero', 'PIA', 85000, '2017-02-01', '2017-06-01', 'PIA'),
            (4, 'T3', 'siilab', 'FTAP', 50000, '2021-02-01', NULL, 'FTAP')""")
    yield store
    store.close()


def test_projects_by_status_uses_the_latest_current_snapshot(small):
    df = ind.projects_by_status(small)
    assert df.to_dict("records") == [{"status": "émergence", "projects": 1}, {"status": "essaimage", "projects": 1}]


def test_projects_by_stage_over_time_ignores_superseded_versions(small):
    df = ind.projects_by_stage_over_time(small)
    assert [tuple(r) for r in df.itertuples(index=False)] == [
        ("2021-T1", "émergence", 1), ("2021-T1", "conception", 1), ("2021-T2", "essaimage", 1)]
    only_t2 = ind.projects_by_stage_over_time(small, Filters(quarter_from="2021-T2"))
    assert list(only_t2["quarter"]) == ["2021-T2"]


def test_themes_partners_and_essaimage(small):
    assert dict(zip(*ind.projects_by_theme(small)[["theme", "projects"]].values.T)) == {"Santé": 1, "Autre": 1}
    partners = ind.partner_types(small).set_index("partner")
    assert partners.loc["usagers", "projects"] == 2 and partners.loc["usagers", "share_pct"] == 100.0
    assert partners.loc["collectivité", "projects"] == 1 and partners.loc["collectivité", "share_pct"] == 50.0
    ess = ind.essaimage_share(small)
    assert ess.to_dict("records") == [{"year": 2021, "projects": 2, "reached": 1, "share_pct": 50.0}]


def test_sessions_and_participants(small):
    s = ind.sessions_by_quarter(small)
    assert sorted(zip(s["format"], s["sessions"], s["hours"])) == [("atelier", 1, 3.0), ("formation", 1, 7.0)]
    p = ind.participants_by_quarter(small)
    assert p.to_dict("records") == [{"quarter": "2021-T1", "agents": 18, "others": 5}]
    assert ind.participants_by_quarter(small, Filters(regions=("93",))).empty


def test_funding_by_quarter_committed_paid_and_running_totals(small):
    df = ind.funding_by_quarter(small).set_index(["quarter", "source"])
    assert df.loc[("2017-T1", "PIA"), "committed"] == 385000
    assert df.loc[("2017-T2", "PIA"), "paid"] == 85000
    assert df.loc[("2019-T1", "PIA"), "paid_cumulative"] == 385000
    assert df.loc[("2021-T1", "FTAP"), "committed_cumulative"] == 50000
    cvp = ind.committed_vs_paid(small).set_index("source")
    assert cvp.loc["PIA", "committed"] == 385000 and cvp.loc["PIA", "paid"] == 385000
    assert cvp.loc["FTAP", "paid"] == 0 and cvp.loc["FTAP", "paid_pct"] == 0
    # money paid after the period's end is not counted as paid
    early = ind.committed_vs_paid(small, Filters(quarter_to="2018-T4")).set_index("source")
    assert early.loc["PIA", "paid"] == 85000


def test_funding_by_lab_and_region(small):
    by_lab = ind.funding_by_lab(small)
    assert by_lab.iloc[0]["lab_id"] == "siilab" and by_lab.iloc[0]["lab_total"] == 350000
    by_region = ind.funding_by_region(small).groupby("region")["committed"].sum().to_dict()
    assert by_region == {"Hauts-de-France": 350000, "Provence-Alpes-Côte d'Azur": 85000}


def test_pia_rules_flag_each_breach_as_data(small):
    df = ind.pia_rule_checks(small).set_index("lab_id")
    assert df.loc["siilab", "status"] == ind.PIA_BREACH and df.loc["lab-zero", "status"] == ind.PIA_COMPLIANT
    assert df.loc["archipel", "status"] == ind.PIA_TO_CHECK


def test_pia_rules_flag_each_breach_in_words(small):
    df = presentation.pia_checks(small).set_index("lab_id")
    siilab = df.loc["siilab"]
    assert bool(siilab["ceiling_ok"]) is False and bool(siilab["window_ok"]) is False
    assert siilab["status"].startswith("Non conforme")
    assert "PIA de plus de 250" in siilab["status"] and "après 18 mois" in siilab["status"]
    assert pd_isna(siilab["share_ok"])          # siilab's budget is unknown in the reference data
    zero = df.loc["lab-zero"]
    assert zero["status"] == "Conforme" and zero["share_pct"] == 50.0
    assert df.loc["archipel", "status"].startswith("À vérifier")   # a laureate without PIA rows
    assert presentation.pia_checks(small, Filters(regions=("93",))).index.size == 3   # Lab Zéro, InSo Lab 83, Liric


def pd_isna(value) -> bool:
    import pandas as pd
    return bool(pd.isna(value))


def test_region_indicators_separate_no_lab_from_zero_and_keep_unlocated_labs(small):
    df = map_words.region_indicators(small).set_index(df_key := "region")
    assert df_key == "region"
    assert df.loc["Corse", "labs_ever"] == 0
    assert df.loc["Bretagne", "labs_ever"] == 1 and df.loc["Bretagne", "projects"] == 0
    assert df.loc["Hauts-de-France", "sessions"] == 2 and df.loc["Hauts-de-France", "committed"] == 350000
    assert df.loc["Région non connue", "labs_ever"] == 2
    # the region filter does not hide other regions on the map
    assert len(ind.region_indicators(small, Filters(regions=("53",)))) == 19


def test_scope_text_in_french(small):
    assert presentation.scope_text(small) == "T1 2021 – T2 2021 · France entière"
    text = presentation.scope_text(small, Filters(quarter_from="2021-T2", regions=("53", "93"), cohort="laureat-2016",
                                         lab_status="ouverts"))
    assert text == "T2 2021 – T2 2021 · Bretagne, Provence-Alpes-Côte d'Azur · Lauréats 2016 · laboratoires ouverts"


def test_lab_directory_search_and_profile(small):
    assert list(ind.lab_directory(small, search="rennes")["lab_id"]) == ["ti-lab"]
    assert ind.lab_directory(small, search="zzz").empty
    profile = ind.lab_profile(small, "lab-zero")
    assert profile["region_name"] == "Provence-Alpes-Côte d'Azur" and profile["budget"] == 170000
    assert ind.lab_profile(small, "nope") is None
    assert list(ind.lab_tranches(small, "siilab")["tranche_id"]) == ["T1", "T3"]


def test_latest_reports_are_current_versions_newest_first(small):
    df = ind.latest_reports(small)
    assert list(df["kind"]) == ["financements", "projets", "projets", "sessions"]
    assert screen_tables.latest_reports(small, Filters(labs=("siilab",)))["lab"].tolist() == [
        "Registre des financements (DITP)", "Siilab"]


# --- against independent SQL on the demo database -------------------------------------------------

def test_demo_projects_match_the_projects_view(demo_store):
    expected = dict(demo_store.query("SELECT status, count(*) FROM projects GROUP BY 1"))
    got = dict(zip(*ind.projects_by_status(demo_store)[["status", "projects"]].values.T))
    assert got == expected


def test_demo_region_totals_match_independent_sums(demo_store):
    df = ind.region_indicators(demo_store)
    sessions = demo_store.scalar("SELECT count(*) FROM training_sessions s JOIN report_versions v "
                                 "USING (version_id) WHERE v.is_current")
    money = demo_store.scalar("SELECT sum(amount_eur)::DOUBLE FROM funding_tranches f JOIN report_versions v "
                              "USING (version_id) WHERE v.is_current")
    assert df["sessions"].sum() == sessions
    assert df["committed"].sum() == pytest.approx(money)
    assert df["labs_ever"].sum() == demo_store.scalar("SELECT count(*) FROM labs")


def test_demo_period_filter_matches_independent_sql(demo_store):
    f = Filters(quarter_from="2019-T1", quarter_to="2020-T4", regions=("93", "75"))
    expected = demo_store.scalar("""
        SELECT count(*) FROM training_sessions s JOIN report_versions v USING (version_id)
        JOIN labs l ON l.lab_id = s.lab_id
        WHERE v.is_current AND s.held_on BETWEEN DATE '2019-01-01' AND DATE '2020-12-31'
          AND l.region_code IN ('93', '75')""")
    assert ind.sessions_by_quarter(demo_store, f)["sessions"].sum() == expected
    assert set(ind.sessions_by_quarter(demo_store, f)["quarter"]) <= {f"{y}-T{q}" for y in (2019, 2020)
                                                                    for q in range(1, 5)}


def test_reference_comparison_beside_the_ditp_figures(demo_store):
    assert list(ind.reference_comparison(demo_store)["indicator"]) == ["labs_active", "projects_2020", "sessions_2020"]
    df = presentation.reference_figures(demo_store).set_index("indicator")
    assert list(df["reference"]) == [9, 200, 500]
    assert df.loc["Laboratoires actifs au 01/12/2020", "data"] == demo_store.scalar(
        "SELECT count(*) FROM labs WHERE opened_on <= DATE '2020-12-01' "
        "AND (closed_on IS NULL OR closed_on >= DATE '2020-12-01')")
    assert df.loc["Sessions de formation fin 2020", "data"] == demo_store.scalar(
        "SELECT count(*) FROM current_training_sessions WHERE held_on <= DATE '2020-12-31'")


def test_demo_pia_is_within_the_rules(demo_store):
    df = presentation.pia_checks(demo_store)
    assert len(df) == 12
    assert set(df["status"]) == {"Conforme"}
    assert set(ind.pia_rule_checks(demo_store)["status"]) == {ind.PIA_COMPLIANT}
    # 18 months from each laureate's opening: 01/01/2017 where the day is not public, the sourced day elsewhere
    windows = dict(zip(df["lab_id"], pd.to_datetime(df["window_end"]).dt.date))
    assert windows["siilab"] == date(2018, 7, 1)
    assert windows["lab-zero"] == date(2018, 8, 1) and windows["archipel"] == date(2018, 10, 4)


def test_funding_ledger_for_exports(small):
    df = small_ledger = screen_tables.funding_ledger_table(small, Filters(quarter_from="2021-T1"))
    assert list(df["Tranche"]) == ["T3"] and df["Montant (€)"].iloc[0] == 50000
    assert list(small_ledger.columns)[:5] == ["Tranche", "Laboratoire", "Région", "Source", "Montant (€)"]
    assert len(ind.funding_ledger(small)) == 3


def test_lab_search_ignores_accents_and_treats_percent_and_underscore_as_text(demo_store):
    # « ile-de-france » (no circumflex, as typed on most keyboards) found nothing; « % » or « _ » found
    # every lab (SQL wildcards).
    assert "fabrique-rh" in set(ind.lab_directory(demo_store, search="ile-de-france")["lab_id"])
    assert "etat-lin" in set(ind.lab_directory(demo_store, search="ÉTAT'LIN")["lab_id"])
    assert ind.lab_directory(demo_store, search="%").empty
    assert ind.lab_directory(demo_store, search="_").empty
    assert list(ind.lab_directory(demo_store, search="rennes")["lab_id"]) == ["ti-lab"]


def test_headline_figures_compare_with_the_same_period_a_year_earlier(demo_store):
    """Issue 14: the whole period (T1 2017 – T3 2026) is compared with T1 2017 – T3 2025; a year T4 2024 – T3
    2025 with T4 2023 – T3 2024; a period with nothing a year before has no comparison."""
    assert ind.year_earlier(demo_store, Filters()) == Filters(quarter_to="2025-T3")
    assert ind.year_earlier(demo_store, Filters(quarter_from="2024-T4", quarter_to="2025-T3")) == \
        Filters(quarter_from="2023-T4", quarter_to="2024-T3")
    assert ind.year_earlier(demo_store, Filters(quarter_to="2017-T2")) is None
    earlier = ind.headline(demo_store, ind.year_earlier(demo_store, Filters()), date.today())
    now = ind.headline(demo_store, Filters(), date.today())
    assert 0 < earlier.projects <= now.projects and earlier.sessions < now.sessions


def test_what_changed_this_quarter_compares_each_project_with_last_quarter(ref_store):
    from conftest import ADMIN
    from lit_analytics import ingest
    header = "id_projet;titre;thematique;statut;date_debut\n"
    t1 = header + ("P-1;Un;Santé;conception;01/01/2021\nP-2;Deux;Santé;expérimentation;01/01/2021\n"
                   "P-3;Trois;Santé;émergence;01/01/2021\nP-4;Quatre;Santé;conception;01/01/2021\n")
    t2 = header + ("P-1;Un;Santé;conception;01/01/2021\nP-2;Deux;Santé;déploiement;01/01/2021\n"
                   "P-3;Trois;Santé;terminé;01/01/2021\nP-4;Quatre;Santé;abandonné;01/01/2021\n"
                   "P-5;Cinq;Santé;émergence;01/04/2021\n")
    sessions = ("id_session;date;intitule;format;duree_heures;participants_agents;participants_autres\n"
                "S-1;05/04/2021;Atelier;atelier;2;8;\nS-2;06/04/2021;Atelier;atelier;2;8;\n")
    for quarter, text, kind in (("2021-T1", t1, "projets"), ("2021-T2", t2, "projets"),
                                ("2021-T2", sessions, "sessions")):
        ingest.publish(ref_store, text.encode(), "r.csv", kind=kind, lab_id="siilab", quarter=quarter, actor=ADMIN)
    changes = ind.quarter_changes(ref_store, "siilab")
    assert changes["quarter"].iloc[0] == "2021-T2" and changes["previous_quarter"].iloc[0] == "2021-T1"
    assert dict(zip(changes["measure"], changes["current"])) == {
        "new": 1, "stage_changed": 1, "finished": 1, "abandoned": 1, "sessions": 2}
    assert dict(zip(changes["measure"], changes["previous"])) == {
        "new": 4, "stage_changed": 0, "finished": 0, "abandoned": 0, "sessions": 0}
    assert ind.quarter_changes(ref_store, "archipel").empty
