"""The home page, run by Streamlit's AppTest against a demo database; figures checked by independent SQL."""

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from conftest import REPO, sign_in_app_test
from lit_analytics.formats import fmt_eur, fmt_int
from lit_analytics.permissions import Actor

ANALYST = Actor(email="demo-analyste@lit.example", role="analyste")  # the app shows only sign-in without one


@pytest.fixture
def home(demo_copy, monkeypatch):
    monkeypatch.setenv("LIT_DB", str(demo_copy))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    sign_in_app_test(at, ANALYST)
    at = at.run()
    assert not at.exception
    return at, demo_copy


def independent_figures(path):
    con = duckdb.connect(str(path), read_only=True)
    q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    figures = {
        "Laboratoires financés": q("SELECT count(*) FROM labs"),
        "Laboratoires actifs": q("SELECT count(*) FROM labs WHERE closed_on IS NULL"),
        "Projets": q("""SELECT count(DISTINCT s.lab_id || '/' || s.project_id) FROM project_snapshots s
                        JOIN report_versions v USING (version_id) WHERE v.is_current"""),
        "Sessions de formation": q("""SELECT count(*) FROM training_sessions s JOIN report_versions v
                                      USING (version_id) WHERE v.is_current"""),
        "Participants": q("""SELECT sum(participants_agents) + sum(coalesce(participants_others, 0))
                             FROM training_sessions s JOIN report_versions v USING (version_id) WHERE v.is_current"""),
    }
    money = dict(con.execute("""SELECT source, sum(amount_eur) FROM funding_tranches f JOIN report_versions v
                                USING (version_id) WHERE v.is_current GROUP BY 1""").fetchall())
    con.close()
    return figures, money


def test_home_page_figures_match_independent_sql(home, tmp_path):
    at, path = home
    shown = {m.label: m.value for m in at.metric}
    at_path_copy = tmp_path / "check.duckdb"
    import shutil
    shutil.copy(path, at_path_copy)
    figures, money = independent_figures(at_path_copy)
    for label, value in figures.items():
        assert shown[label] == fmt_int(value), label
    for source in ("PIA", "FTAP", "relance", "autre"):
        assert shown[source] == fmt_eur(money.get(source, 0))
    assert shown["Total"] == fmt_eur(sum(money.values()))


def test_home_page_shows_the_demo_notice_and_a_dated_source(home):
    at, _ = home
    assert any("Données de démonstration" in w.value for w in at.warning)
    assert any("données au 30/09/2026" in c.value for c in at.caption)


def test_first_run_without_a_database_builds_the_demo_one_when_asked(tmp_path, monkeypatch):
    db = tmp_path / "absent" / "lit.duckdb"
    monkeypatch.setenv("LIT_DB", str(db))
    monkeypatch.setenv("LIT_DEMO", "1")   # scripts/run.sh asks for it when no LIT_DB is given
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()                       # signed out: the first run builds the database
    sign_in_app_test(at, ANALYST)
    at = at.run()
    assert not at.exception
    assert db.exists()
    shipped = len((REPO / "data" / "reference" / "labs.csv").read_text("utf-8").splitlines()) - 1
    assert {m.label: m.value for m in at.metric}["Laboratoires financés"] == str(shipped)   # the shipped registry


def test_headline_figures_say_how_they_moved_in_a_year(home, tmp_path):
    """Issue 14: each headline figure has its change against the same period a year earlier, in French, and the
    page says which period that is. Checked against independent SQL for the sessions."""
    import shutil
    at, path = home
    metrics = {m.label: m for m in at.metric}
    shutil.copy(path, tmp_path / "check.duckdb")
    con = duckdb.connect(str(tmp_path / "check.duckdb"), read_only=True)
    before = con.execute("""SELECT count(*) FROM training_sessions s JOIN report_versions v USING (version_id)
                            WHERE v.is_current AND s.held_on <= DATE '2025-09-30'""").fetchone()[0]
    now = con.execute("""SELECT count(*) FROM training_sessions s JOIN report_versions v USING (version_id)
                         WHERE v.is_current""").fetchone()[0]
    con.close()
    assert metrics["Sessions de formation"].delta.startswith(f"+{fmt_int(now - before)} (+")
    assert all(m.delta for m in at.metric), [m.label for m in at.metric if not m.delta]
    captions = " ".join(c.value for c in at.caption)
    assert "Évolutions par rapport à la même période un an plus tôt (T1 2017 – T3 2025)." in captions
