"""Data alerts (`lit_analytics.alerts`): a lab with no published report for the set number of quarters, a météo at
« orage », an indicator falling against the same quarter a year earlier; thresholds set by administrators only,
bounded, audited; the French sentences the page and the national e-mail show. On both stores."""

import shutil
from datetime import date, datetime

import pytest

from conftest import ADMIN, ANALYSTE
from lit_analytics import alerts, audit, cli
from lit_analytics.indicators import alerts as queries
from lit_analytics.permissions import PermissionDenied
from lit_analytics.store import Store

TODAY = date(2026, 12, 7)           # T3 2026 is the last quarter due (deadline 30/10/2026)


def publish_version(store: Store, lab_id: str, quarter: str, kind: str = "sessions") -> None:
    """A current (empty) report version: the lab reported for that quarter."""
    with store.transaction(writes=("report_versions",)) as cur:
        version = store.next_id(cur, "report_versions", "version_id")
        cur.execute("INSERT INTO report_versions VALUES (?, ?, ?, ?, 0, false, ?, 'test', true)",
                    [version, kind, lab_id, quarter, datetime(2026, 11, 1)])


def test_the_quarter_looked_at_is_the_last_one_due():
    assert alerts.due_quarter(date(2026, 12, 7)) == "2026-T3"
    assert alerts.due_quarter(date(2026, 10, 30)) == "2026-T2"     # T3 2026 is due on 30/10/2026 itself
    assert alerts.due_quarter(date(2026, 10, 31)) == "2026-T3"


def test_labs_that_published_nothing_for_two_quarters_are_listed(ref_store):
    open_labs = {lab for (lab,) in ref_store.query(
        "SELECT lab_id FROM labs WHERE coalesce(opened_on, DATE '1900-01-01') <= DATE '2026-06-30' "
        "AND (closed_on IS NULL OR closed_on >= DATE '2026-07-01')")}
    assert "siilab" in open_labs
    silent = [a for a in alerts.data_alerts(ref_store, TODAY) if a.kind == alerts.SILENT]
    assert {a.lab_id for a in silent} == open_labs
    siilab = next(a for a in silent if a.lab_id == "siilab")
    assert siilab.text == ("Siilab : aucun rapport publié pour 2 trimestre(s) échu(s) (T2 2026 – T3 2026 ; "
                           "aucun rapport publié à ce jour).")
    publish_version(ref_store, "siilab", "2026-T2")       # one report within the two quarters: not silent
    publish_version(ref_store, "archipel", "2026-T1")     # before them: still silent, last report named
    found = {a.lab_id: a for a in alerts.data_alerts(ref_store, TODAY) if a.kind == alerts.SILENT}
    assert "siilab" not in found
    assert found["archipel"].text.endswith("(T2 2026 – T3 2026 ; dernier rapport : T1 2026).")
    assert [a.lab_id for a in alerts.data_alerts(ref_store, TODAY, labs=("archipel",))] == ["archipel"]
    lines = alerts.alert_lines(ref_store, TODAY)          # the national subscription e-mail's lines
    assert "Aucun rapport publié — " + found["archipel"].text in lines and len(lines) == len(found)


def test_a_drop_against_the_same_quarter_a_year_earlier_is_listed_above_the_thresholds(demo_store_rw):
    demo = demo_store_rw
    measures = queries.year_on_year(demo, "2026-T3")
    row = measures[(measures["before"] >= 20) & (measures["now"] <= measures["before"] * 0.4)].iloc[0]
    share = 100 * (row["before"] - row["now"]) / row["before"]
    found = [a for a in alerts.data_alerts(demo, TODAY) if a.kind == alerts.DROP and a.lab_id == row["lab_id"]]
    measure = alerts.MEASURE_LABELS[row["measure"]]
    assert any(a.text.startswith(f"{row['name']} : {measure} en baisse de ") and "en T3 2026 par rapport à T3 2025"
               in a.text for a in found)
    # a higher share, or a higher floor for the earlier value, and it is no longer news
    alerts.set_thresholds(demo, ADMIN, {"drop_share_pct": min(100, int(share) + 1)})
    assert not any(a.lab_id == row["lab_id"] and measure in a.text for a in alerts.data_alerts(demo, TODAY)
                   if a.kind == alerts.DROP)
    alerts.set_thresholds(demo, ADMIN, {"drop_share_pct": 50, "drop_min_base": int(row["before"]) + 1})
    assert not any(a.lab_id == row["lab_id"] and measure in a.text for a in alerts.data_alerts(demo, TODAY)
                   if a.kind == alerts.DROP)


def test_a_lab_without_the_report_of_either_quarter_is_not_compared(demo_store_rw):
    demo = demo_store_rw
    measures = queries.year_on_year(demo, "2026-T3")
    reported = {(lab, kind) for lab, kind, quarter in demo.query(
        "SELECT lab_id, kind, quarter FROM report_versions WHERE is_current AND quarter = '2025-T3'")}
    for row in measures.itertuples():
        assert (row.lab_id, queries.DROP_MEASURES[row.measure]) in reported


def test_a_storm_is_listed_once_the_meteo_is_recorded(ref_store):
    assert alerts.data_alerts(ref_store, TODAY, labs=("siilab",))[0].kind == alerts.SILENT   # no météo yet
    rows = [(1, "siilab", "orage", True), (2, "archipel", "orage", False), (3, "archipel", "nuage", True)]
    with ref_store.transaction(writes=("meteo_reports",)) as cur:          # what a lab lead's météo publishes
        for version, lab, level, current in rows:
            cur.execute("INSERT INTO meteo_reports (version_id, lab_id, quarter, level, highlights, difficulties, "
                        "support_needs, file_name, sha256, is_demo, published_at, published_by, is_current, "
                        "is_public) VALUES (?, ?, '2026-T3', ?, 'Faits marquants du trimestre', '', '', "
                        "'meteo.csv', ?, false, now(), 'porteur@lab.test', ?, false)",
                        [version, lab, level, f"{version:064d}", current])
    storms = [a for a in alerts.data_alerts(ref_store, TODAY) if a.kind == alerts.STORM]
    assert [a.text for a in storms] == ["Siilab : météo « orage » (objectifs compromis) en T3 2026."]


def test_thresholds_are_set_by_administrators_within_bounds_and_audited(ref_store):
    assert alerts.thresholds(ref_store) == {"quarters_without_report": 2, "drop_share_pct": 50, "drop_min_base": 5}
    with pytest.raises(PermissionDenied):
        alerts.set_thresholds(ref_store, ANALYSTE, {"drop_share_pct": 10})
    refused = audit.events(ref_store).iloc[0]
    assert (refused["actor"], refused["outcome"]) == (ANALYSTE.email, "refus")
    with pytest.raises(ValueError, match="Baisse signalée .* : entre 1 et 100"):
        alerts.set_thresholds(ref_store, ADMIN, {"drop_share_pct": 150})
    with pytest.raises(ValueError, match="Seuil inconnu"):
        alerts.set_thresholds(ref_store, ADMIN, {"autre": 1})
    assert alerts.thresholds(ref_store)["drop_share_pct"] == 50
    assert alerts.set_thresholds(ref_store, ADMIN, {"quarters_without_report": 3})["quarters_without_report"] == 3
    entry = audit.events(ref_store).iloc[0]
    assert entry["action"] == "modification des seuils d'alerte"
    assert entry["detail"] == "Trimestres consécutifs sans rapport publié : 2 → 3"
    silent = next(a for a in alerts.data_alerts(ref_store, TODAY) if a.lab_id == "siilab")
    assert "pour 3 trimestre(s) échu(s) (T1 2026 – T3 2026" in silent.text


def test_the_command_line_lists_the_alerts(ref_db_path, tmp_path, capsys):
    db = tmp_path / "ref.duckdb"
    shutil.copy(ref_db_path, db)
    assert cli.main(["alerts", "--db", str(db), "--today", "2026-12-07"]) == 0
    out = capsys.readouterr().out
    assert "[Aucun rapport publié] Siilab : aucun rapport publié pour 2 trimestre(s)" in out
