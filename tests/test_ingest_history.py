"""History import (issue 21, point 4): one file of many labs and quarters, verified as a whole with the French
messages of a quarterly upload, previewed per lab and quarter, published in one transaction as one version per
lab and quarter, each restorable; administrators only; the command line's `--history` and `--dry-run`."""

from __future__ import annotations

import contextlib
import io

import pytest

from conftest import ADMIN, PORTEUR, snapshot
from lit_analytics import ingest
from lit_analytics.cli import main
from lit_analytics.formats import quarter_range
from lit_analytics.ingest.history_file import CHANGED, NEW, UNCHANGED, verify_history
from lit_analytics.ingest.history_publish import publish_history
from lit_analytics.permissions import PermissionDenied

LABS = {"siilab": "Siilab", "lab-zero": "Lab Zéro (Lab0)", "liric": "LIRIC"}   # by id, name, and a name's case
QUARTERS = quarter_range("2021-T1", "2022-T4")
DATES = {"T1": "15/02/{}", "T2": "15/05/{}", "T3": "15/08/{}", "T4": "15/11/{}"}
HEAD = "laboratoire;trimestre;id_session;date;intitule;format;duree_heures;participants_agents;participants_autres"


def sessions_history(agents: int = 8, quarters=QUARTERS, extra: str = "") -> bytes:
    """3 labs × 8 quarters, two sessions each, French Excel style (Windows-1252, `;`, decimal commas)."""
    lines = [HEAD]
    for lab, shown in LABS.items():
        for quarter in quarters:
            year, q = quarter.split("-")
            day = DATES[q].format(year)
            lines.append(f"{shown};{q} {year};S-1;{day};Atelier usagers;atelier;2,5;{agents};")
            lines.append(f"{shown};{quarter};S-2;{day};Formation à l'écoute;formation;3;12;4")
    return ("\r\n".join(lines) + extra + "\r\n").encode("cp1252")


def cli(ref_store, *args) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["import", "--db", str(ref_store.location), *args])
    return code, out.getvalue()


DATA_TABLES = ("report_versions", "training_sessions", "project_snapshots", "funding_tranches", "imports",
               "import_errors", "audit_log")


def test_three_labs_by_eight_quarters_publish_24_versions_in_one_go_any_one_restorable(ref_store):
    report = verify_history(ref_store, sessions_history(), "historique.csv", kind="sessions", actor=ADMIN)
    assert report.ok, report.errors
    assert len(report.batches) == 24 and {b.status for b in report.batches} == {NEW}
    assert report.preview().iloc[0].to_dict() == {"Laboratoire": "lab-zero", "Trimestre": "T1 2021", "Lignes": 2,
                                                   "État": "nouveau", "Ajoutées": 2, "Modifiées": 0,
                                                   "Supprimées": 0, "Inchangées": 0}
    result = publish_history(ref_store, sessions_history(), "historique.csv", kind="sessions", actor=ADMIN)
    assert len(result.versions) == 24 and "24 version(s)" in result.message()
    assert ref_store.scalar("SELECT count(*) FROM report_versions WHERE is_current") == 24
    assert ref_store.query("SELECT lab_id, count(DISTINCT quarter), count(*) FROM current_training_sessions "
                           "GROUP BY 1 ORDER BY 1") == [("lab-zero", 8, 16), ("liric", 8, 16), ("siilab", 8, 16)]
    assert ref_store.query("SELECT DISTINCT file_name, outcome FROM imports") == [("historique.csv", "publié")]
    actions = ref_store.query("SELECT action, count(*) FROM audit_log GROUP BY 1 ORDER BY 1")
    assert actions == [("import d'historique", 1), ("publication", 24)]

    # The same file again: every (lab, quarter) unchanged, nothing new.
    again = publish_history(ref_store, sessions_history(), "historique.csv", kind="sessions", actor=ADMIN)
    assert again.versions == {} and again.unchanged == 24 and "Rien à publier" in again.message()
    # One quarter of one lab changed: the preview says so, publishing makes one new version only.
    changed = sessions_history(agents=9, quarters=QUARTERS[:1])
    preview = verify_history(ref_store, changed, "correction.csv", kind="sessions", actor=ADMIN)
    assert [b.status for b in preview.batches] == [CHANGED] * 3
    assert preview.batches[0].diff.changed == {"S-1": [("participants_agents", 8, 9)]}
    assert {b.status for b in verify_history(ref_store, sessions_history(), "h.csv", kind="sessions").batches} \
        == {UNCHANGED}
    fix = publish_history(ref_store, changed, "correction.csv", kind="sessions", actor=ADMIN)
    assert len(fix.versions) == 3
    first = result.versions[("siilab", "2021-T1")]
    assert not ref_store.scalar("SELECT is_current FROM report_versions WHERE version_id = ?", [first])
    # Any version of the history is restorable like any version.
    restored = ingest.restore(ref_store, first, ADMIN)
    assert restored.changed and restored.replaced_version_id == fix.versions[("siilab", "2021-T1")]
    assert ref_store.query("SELECT session_id, participants_agents FROM current_training_sessions "
                           "WHERE lab_id = 'siilab' AND quarter = '2021-T1' ORDER BY 1") == [("S-1", 8), ("S-2", 12)]


def test_a_wrong_cell_names_its_line_and_column_in_french_and_nothing_is_published(ref_store):
    bad = sessions_history(extra="\r\nSiilab;T3 2021;S-9;15/08/2021;Atelier;atelier;deux;8;"
                                 "\r\nSiilab;T3 2021;S-10;15/12/2021;Atelier;atelier;2;8;"
                                 "\r\nLab inconnu;T3 2021;S-11;15/08/2021;Atelier;atelier;2;8;"
                                 "\r\nSiilab;T5 2021;S-12;15/08/2021;Atelier;atelier;2;8;"
                                 "\r\nSiilab;T3 2021;S-1;15/08/2021;Atelier;atelier;2;8;")
    before = snapshot(ref_store)
    result = publish_history(ref_store, bad, "historique.csv", kind="sessions", actor=ADMIN)
    assert result.outcome == ingest.REJECTED
    found = {(e.line, e.column, e.code) for e in result.report.errors}
    assert found == {(50, "duree_heures", "type"), (51, "date", "outside-quarter"), (52, "laboratoire", "unknown-lab"),
                     (53, "trimestre", "type"), (54, "id_session", "unique")}
    messages = {e.line: e.message for e in result.report.errors}
    assert messages[50] == "« deux » n'est pas un nombre : attendu un nombre comme 1 234,5 (virgule décimale, € facultatif)."
    assert messages[51].startswith("Le 15/12/2021 est hors du trimestre déposé (T3 2021) : attendu une date du "
                                   "01/07/2021 au 30/09/2021")
    assert messages[52].startswith("Laboratoire « Lab inconnu » inconnu : attendu l'identifiant d'un laboratoire")
    assert messages[54].startswith("Identifiant « S-1 » en double (déjà ligne 6)")
    after = snapshot(ref_store)
    for table in ("report_versions", "training_sessions"):
        assert after[table] == before[table]
    assert ref_store.query("SELECT outcome, lab_id, quarter, error_count FROM imports") == [("rejeté", None, None, 5)]
    assert ("import d'historique", "échec") in ref_store.query("SELECT action, outcome FROM audit_log")


def test_rows_of_another_lab_or_of_a_closed_lab_are_refused(ref_store):
    only = verify_history(ref_store, sessions_history(), "h.csv", kind="sessions", only_lab="siilab")
    assert {e.code for e in only.errors} == {"other-lab"} and len(only.errors) == 32
    assert only.errors[0].message.startswith("Ligne du laboratoire « Lab Zéro (Lab0) » dans un dépôt pour « siilab »")
    closed = ("id_lab;trimestre;id_session;date;intitule;format;duree_heures;participants_agents\n"
              "inso-lab-83;T4 2019;S-1;15/11/2019;Atelier;atelier;2;8\n"
              "inso-lab-83;T1 2020;S-2;15/02/2020;Atelier;atelier;2;8\n").encode()
    report = verify_history(ref_store, closed, "h.csv", kind="sessions")
    assert [(e.line, e.column, e.code) for e in report.errors] == [(3, "id_lab", "lab-closed")]
    assert "fermé depuis le 31/12/2019" in report.errors[0].message


def test_sessions_without_a_quarter_column_take_the_quarter_of_their_date(ref_store):
    data = ("id_lab;id_session;date;intitule;format;duree_heures;participants_agents\n"
            "siilab;S-1;15/08/2021;Atelier;atelier;2;8\n"
            "siilab;S-1;15/11/2021;Atelier;atelier;2;8\n"
            "liric;S-1;2021-11-16;Atelier;atelier;2;8\n").encode("utf-8-sig")
    report = verify_history(ref_store, data, "h.csv", kind="sessions")
    assert report.ok, report.errors
    assert [(b.lab_id, b.quarter, len(b.rows)) for b in report.batches] == [
        ("liric", "2021-T4", 1), ("siilab", "2021-T3", 1), ("siilab", "2021-T4", 1)]


def test_projects_need_a_quarter_and_are_unique_per_lab_and_quarter(ref_store):
    head = "id_lab;trimestre;id_projet;titre;thematique;statut;date_debut\n"
    row = "siilab;{q};P-1;Accueil;Relation aux usagers;conception;01/02/2021\n"
    report = verify_history(ref_store, (head + row.format(q="T1 2021") + row.format(q="T2 2021")).encode(), "p.csv",
                            kind="projets")
    assert report.ok and [b.quarter for b in report.batches] == ["2021-T1", "2021-T2"]
    missing = verify_history(ref_store, (head.replace("trimestre;", "") + row.replace("{q};", "")).encode(),
                             "p.csv", kind="projets")
    assert [(e.line, e.column, e.code) for e in missing.errors] == [(1, "trimestre", "missing-column")]


def test_funding_history_adds_to_the_ledger_and_deletes_nothing(ref_store):
    head = "id_tranche;id_lab;source;montant_eur;date_engagement\n"
    ingest.publish(ref_store, (head + "T-1;siilab;FTAP;1000;01/02/2021\n").encode(), "registre.csv",
                   kind="financements", actor=ADMIN)
    data = (head + "T-1;siilab;FTAP;1 500;01/02/2021\nT-2;liric;PIA;2000;01/05/2021\n").encode()
    report = verify_history(ref_store, data, "hist.csv", kind="financements")
    assert [(b.lab_id, b.quarter, b.status) for b in report.batches] == [
        ("liric", "2021-T2", CHANGED), ("siilab", "2021-T1", CHANGED)]
    twice = verify_history(ref_store, data + b"T-2;siilab;PIA;10;01/02/2021\n", "hist.csv", kind="financements")
    assert [(e.line, e.column, e.code) for e in twice.errors] == [(4, "id_tranche", "unique")]
    result = publish_history(ref_store, data, "hist.csv", kind="financements", actor=ADMIN)
    assert list(result.versions) == [(None, None)]
    assert ref_store.query("SELECT tranche_id, amount_eur FROM funding_tranches f JOIN report_versions v "
                           "USING (version_id) WHERE v.is_current ORDER BY 1") == [("T-1", 1500), ("T-2", 2000)]


def test_only_administrators_import_a_history_and_a_refusal_is_audited(ref_store):
    with pytest.raises(PermissionDenied):
        publish_history(ref_store, sessions_history(), "h.csv", kind="sessions", actor=PORTEUR)
    assert ref_store.query("SELECT action, outcome FROM audit_log") == [("import d'historique", "refus")]
    assert ref_store.scalar("SELECT count(*) FROM report_versions") == 0


def test_an_unexpected_error_during_a_history_import_is_rolled_back_registered_and_french(ref_store, monkeypatch,
                                                                                           caplog, tmp_path):
    """As for one report (`test_ingest_publish_safety`): a database error half-way through the 24 versions leaves
    nothing of them, the upload is registered as failed (« échec ») and journaled, the message is French and the
    detail is in the server log only; the command line exits 1."""
    import duckdb

    from lit_analytics.ingest import history_publish
    calls = []

    def broken(cur, part, version_id):
        calls.append(version_id)
        if len(calls) == 3:   # two versions written, then the database refuses a value
            raise duckdb.OutOfRangeException("Type INT32 with value 3000000000 can't be cast")
        real(cur, part, version_id)
    real = history_publish._insert_rows
    monkeypatch.setattr(history_publish, "_insert_rows", broken)
    before = snapshot(ref_store)
    result = publish_history(ref_store, sessions_history(), "historique.csv", kind="sessions", actor=ADMIN)
    assert result.outcome == ingest.FAILED and result.versions == {}
    assert result.message().startswith("L'import de l'historique a échoué à cause d'une erreur inattendue : rien "
                                       "n'a été publié (le dépôt est enregistré en échec, n° ")
    assert "INT32" not in result.message() and "INT32" in caplog.text
    after = snapshot(ref_store)
    for table in ("report_versions", "training_sessions"):
        assert after[table] == before[table], table                # the two versions written are rolled back
    assert ref_store.query("SELECT outcome, file_name FROM imports WHERE import_id = ?", [result.import_id]) == [
        ("échec", "historique.csv")]
    assert ref_store.query("SELECT action, outcome FROM audit_log ORDER BY event_id DESC LIMIT 1") == [
        ("import d'historique", "échec")]
    path = tmp_path / "historique.csv"
    path.write_bytes(sessions_history())
    calls.clear()
    code, out = cli(ref_store, "--user", ADMIN.email, "--kind", "sessions", "--history", str(path))
    assert code == 1 and "a échoué à cause d'une erreur inattendue" in out and "INT32" not in out, out


def test_the_command_line_dry_run_writes_nothing_then_imports(ref_store, tmp_path):
    path = tmp_path / "historique.csv"
    path.write_bytes(sessions_history())
    before = snapshot(ref_store)
    code, out = cli(ref_store, "--user", ADMIN.email, "--kind", "sessions", "--history", str(path), "--dry-run")
    assert code == 0, out
    assert "24 nouveau(x)" in out and "rien n'a été écrit" in out
    assert snapshot(ref_store) == before
    code, out = cli(ref_store, "--user", ADMIN.email, "--kind", "sessions", "--history", str(path))
    assert code == 0, out
    assert "24 version(s)" in out
    assert ref_store.scalar("SELECT count(*) FROM report_versions WHERE is_current") == 24
    path.write_bytes(sessions_history(extra="\r\nSiilab;T3 2021;S-9;15/08/2021;Atelier;atelier;deux;8;"))
    code, out = cli(ref_store, "--user", ADMIN.email, "--kind", "sessions", "--history", str(path))
    assert code == 1 and "Ligne 50, colonne « duree_heures » : « deux » n'est pas un nombre" in out
    code, out = cli(ref_store, "--user", PORTEUR.email, "--kind", "sessions", "--history", str(path))
    assert code == 1 and "administrateurs" in out


def test_the_upload_page_previews_and_publishes_a_history_for_administrators_only(demo_copy):
    from conftest import make_app_test
    at = make_app_test(demo_copy, page="pages/depot.py", actor=PORTEUR).run()
    assert not at.exception and not [s for s in at.subheader if "historique" in s.value]
    at = make_app_test(demo_copy, page="pages/depot.py", actor=ADMIN).run()
    at.selectbox(key="history_kind").set_value("sessions").run()
    uploader = next(u for u in at.get("file_uploader") if "historique" in u.proto.label)
    uploader.set_value(("historique.csv", sessions_history(), "text/csv")).run()
    assert not at.exception, at.exception
    assert any("Fichier valide : 48 ligne(s), 24 laboratoire(s)" in s.value for s in at.success)
    preview = next(d.value for d in at.dataframe if "État" in d.value.columns)
    assert len(preview) == 24 and set(preview["Laboratoire"]) == {"Siilab", "Lab Zéro", "Liric"}   # short names (registry)
    at.button(key="history_publish").click().run()
    assert not at.exception, at.exception
    assert any("Publié en une fois" in s.value for s in at.success), [s.value for s in at.success]


@pytest.mark.parametrize("extra", ["", "\r\nSiilab;T3 2021;S-9;15/08/2021;Atelier;atelier;deux;8;"
                                   "\r\nLab inconnu;T3 2021;S-1;15/12/2021;Atelier;atelier;2;8;"])
def test_the_duckdb_reader_of_large_files_gives_the_same_history_report(ref_store, monkeypatch, extra):
    from lit_analytics.ingest import fastcheck
    from lit_analytics.ingest import read as reader
    data = sessions_history(extra=extra)
    monkeypatch.setattr(fastcheck, "FAST_MIN_BYTES", 0)
    assert reader.read_table(data, "h.csv", ["id_session", "laboratoire"]).columns is not None
    fast = verify_history(ref_store, data, "h.csv", kind="sessions")
    monkeypatch.setattr(fastcheck, "FAST_MIN_BYTES", 10**12)
    slow = verify_history(ref_store, data, "h.csv", kind="sessions")
    assert (fast.errors, fast.warnings, fast.row_count) == (slow.errors, slow.warnings, slow.row_count)
    assert [(b.lab_id, b.quarter, b.lines) for b in fast.batches] == [(b.lab_id, b.quarter, b.lines)
                                                                       for b in slow.batches]
    assert all(f.rows.equals(s.rows) for f, s in zip(fast.batches, slow.batches))
    assert bool(extra) == bool(fast.errors)


def _hostile():
    from devtools.hostile_files import HOSTILE
    return HOSTILE


@pytest.mark.parametrize("hostile", _hostile(), ids=[h.name for h in _hostile()])
def test_a_hostile_file_sent_as_a_history_gets_the_same_french_refusal(hostile, ref_store):
    """Every cap and message of the hostile-file tests holds for history files (same reader, same validator)."""
    before = snapshot(ref_store)
    report = verify_history(ref_store, hostile.make(), hostile.name, kind=hostile.kind, only_lab="siilab")
    assert not report.ok
    assert (hostile.line, hostile.column, hostile.code) in [(e.line, e.column, e.code) for e in report.errors]
    assert snapshot(ref_store) == before
