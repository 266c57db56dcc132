"""Publishing: versions, restore, the same file twice, who may publish, the audit trail, and a crash in the middle
of a publication leaving nothing half-written."""

import sys

import pytest

from conftest import ADMIN, ANALYSTE, PORTEUR, read, snapshot
from lit_analytics import audit, ingest
import lit_analytics.ingest.publish  # noqa: E402  (the module, not the function)
publish_module = sys.modules["lit_analytics.ingest.publish"]
from lit_analytics.permissions import PermissionDenied

HEAD = "id_session;date;intitule;format;duree_heures;participants_agents;participants_autres\n"
V1 = (HEAD + "S-01;05/07/2021;Atelier;atelier;2;8;\nS-02;16/09/2021;Formation;formation;3,5;12;4\n").encode()
V2 = (HEAD + "S-01;05/07/2021;Atelier;atelier;2;10;\nS-03;20/09/2021;Webinaire;webinaire;1;30;\n").encode()


def up(store, data, actor=ADMIN, lab="siilab", quarter="2021-T3", name="rapport.csv"):
    return ingest.publish(store, data, name, kind="sessions", lab_id=lab, quarter=quarter, actor=actor)


def current_sessions(store, lab="siilab", quarter="2021-T3"):
    return store.query("SELECT session_id, participants_agents FROM current_training_sessions "
                       "WHERE lab_id = ? AND quarter = ? ORDER BY 1", [lab, quarter])


def test_verify_shows_the_diff_and_writes_nothing(ref_store):
    up(ref_store, V1)
    before = snapshot(ref_store)
    report = ingest.verify(ref_store, V2, "v2.csv", kind="sessions", lab_id="siilab", quarter="T3 2021")
    assert snapshot(ref_store) == before
    assert report.ok and report.current_version_id == 1 and not report.already_published
    assert (report.diff.added, list(report.diff.changed), report.diff.removed) == (["S-03"], ["S-01"], ["S-02"])
    assert report.diff.changed["S-01"] == [("participants_agents", 8, 10)]
    frame = report.diff.frame("id_session")
    assert frame.to_dict("records") == [
        {"id_session": "S-03", "Changement": "ajoutée", "Détail": ""},
        {"id_session": "S-01", "Changement": "modifiée", "Détail": "participants_agents : 8 → 10"},
        {"id_session": "S-02", "Changement": "supprimée", "Détail": ""},
    ]


def test_publishing_again_supersedes_and_keeps_the_old_version_then_restore(ref_store):
    first = up(ref_store, V1)
    second = up(ref_store, V2, name="v2.csv")
    assert (first.version_id, second.version_id, second.replaced_version_id) == (1, 2, 1)
    assert current_sessions(ref_store) == [("S-01", 10), ("S-03", 30)]
    # nothing deleted: version 1's rows are still there
    assert ref_store.scalar("SELECT count(*) FROM training_sessions WHERE version_id = 1") == 2
    versions = ingest.versions(ref_store, "sessions", "siilab", "2021-T3")
    assert list(zip(versions.version_id, versions.is_current, versions.file_name)) == [
        (2, True, "v2.csv"), (1, False, "rapport.csv")]
    (row,) = ref_store.query("SELECT rows_added, rows_changed, rows_removed FROM imports WHERE import_id = ?",
                             [second.import_id])
    assert row == (1, 1, 1)

    restored = ingest.restore(ref_store, 1, ADMIN)
    assert restored.changed and restored.replaced_version_id == 2
    assert current_sessions(ref_store) == [("S-01", 8), ("S-02", 12)]
    assert ref_store.scalar("SELECT count(*) FROM report_versions WHERE is_current AND kind = 'sessions'") == 1
    assert not ingest.restore(ref_store, 1, ADMIN).changed
    events = ref_store.query("SELECT action, outcome, actor FROM audit_log ORDER BY event_id")
    assert events == [("publication", "succès", ADMIN.email), ("publication", "succès", ADMIN.email),
                      ("restauration", "succès", ADMIN.email)]


def test_the_same_file_twice_is_already_published_and_changes_nothing(ref_store):
    up(ref_store, V1)
    data_tables = ("report_versions", "training_sessions", "project_snapshots", "funding_tranches")
    before = {t: rows for t, rows in snapshot(ref_store).items() if t in data_tables}
    again = up(ref_store, V1, name="renamed.csv")
    assert again.outcome == ingest.ALREADY and again.version_id is None
    assert "Déjà publié" in again.message()
    assert {t: rows for t, rows in snapshot(ref_store).items() if t in data_tables} == before
    assert ref_store.query("SELECT outcome, file_name FROM imports ORDER BY import_id") == [
        ("publié", "rapport.csv"), ("déjà publié", "renamed.csv")]


def test_same_bytes_for_another_quarter_is_a_new_report(ref_store):
    up(ref_store, V1)
    other = ingest.publish(ref_store, V1.replace(b"/2021", b"/2022"), "r.csv", kind="sessions", lab_id="siilab",
                           quarter="2022-T3", actor=ADMIN)
    assert other.outcome == ingest.PUBLISHED


def test_a_crash_inside_the_publish_transaction_leaves_nothing_half_written(ref_store, monkeypatch):
    up(ref_store, V1)
    before = snapshot(ref_store)
    version = ref_store.data_version()
    original = publish_module._insert_rows

    def insert_then_crash(cur, report, version_id):
        original(cur, report, version_id)      # rows written, version flipped, import registered...
        raise OSError("disque plein (simulé)")

    monkeypatch.setattr(publish_module, "_insert_rows", insert_then_crash)
    with pytest.raises(OSError):
        up(ref_store, V2)
    assert snapshot(ref_store) == before
    assert ref_store.data_version() == version
    monkeypatch.undo()
    assert up(ref_store, V2).version_id == 2   # and the store is still usable


def test_publishing_moves_the_data_version_so_every_cached_figure_is_recomputed(ref_store):
    version = ref_store.data_version()
    up(ref_store, V1)
    assert ref_store.data_version() == version + 1


def test_a_lab_lead_publishes_for_their_lab_only(ref_store):
    assert up(ref_store, V1, actor=PORTEUR).outcome == ingest.PUBLISHED
    with pytest.raises(PermissionDenied, match="rattaché"):
        up(ref_store, V1, actor=PORTEUR, lab="archipel")
    with pytest.raises(PermissionDenied, match="registre des financements"):
        ingest.publish(ref_store, read("financements_ledger.csv"), "f.csv", kind="financements", actor=PORTEUR)
    with pytest.raises(PermissionDenied, match="analyste"):
        up(ref_store, V1, actor=ANALYSTE)
    with pytest.raises(PermissionDenied, match="administrateurs"):
        ingest.restore(ref_store, 1, PORTEUR)
    refused = ref_store.query("SELECT action, outcome, actor FROM audit_log WHERE outcome = 'refus' ORDER BY event_id")
    assert refused == [("dépôt", "refus", PORTEUR.email), ("dépôt", "refus", PORTEUR.email),
                       ("dépôt", "refus", ANALYSTE.email), ("restauration", "refus", PORTEUR.email)]
    assert ref_store.scalar("SELECT count(*) FROM report_versions") == 1


def test_verify_checks_rights_and_target(ref_store):
    with pytest.raises(PermissionDenied):
        ingest.verify(ref_store, V1, "r.csv", kind="sessions", lab_id="archipel", quarter="2021-T3", actor=PORTEUR)
    with pytest.raises(ValueError, match="Laboratoire inconnu"):
        ingest.verify(ref_store, V1, "r.csv", kind="sessions", lab_id="nulle-part", quarter="2021-T3")
    with pytest.raises(ValueError, match="sans laboratoire ni trimestre"):
        ingest.verify(ref_store, V1, "r.csv", kind="financements", lab_id="siilab")
    with pytest.raises(ValueError, match="Trimestre non reconnu"):
        ingest.verify(ref_store, V1, "r.csv", kind="sessions", lab_id="siilab", quarter="2021-T5")


def test_a_rejected_upload_seen_on_the_page_is_registered_with_its_errors(ref_store):
    report = ingest.verify(ref_store, read("bad_number.csv", "bad"), "bad.csv", kind="sessions", lab_id="siilab",
                           quarter="2021-T3", actor=PORTEUR)
    import_id = ingest.register_rejected(ref_store, report, PORTEUR)
    history = ingest.history(ref_store)
    assert list(history[["import_id", "outcome", "user_email", "error_count"]].itertuples(index=False, name=None)) == [
        (import_id, "rejeté", PORTEUR.email, 1)]
    issues = ingest.import_issues(ref_store, import_id)
    assert list(issues[["line", "column_name", "code"]].itertuples(index=False, name=None)) == [
        (3, "duree_heures", "type")]
    assert ref_store.query("SELECT action, outcome FROM audit_log") == [("dépôt", "échec")]


def test_an_upload_replaces_the_demo_version_of_that_report(demo_store_rw):
    store = demo_store_rw
    old = store.scalar("SELECT version_id FROM report_versions WHERE is_current AND kind = 'sessions' "
                       "AND lab_id = 'siilab' AND quarter = '2021-T3'")
    before_total = store.scalar("SELECT count(*) FROM current_training_sessions")
    before_lab = store.scalar("SELECT count(*) FROM current_training_sessions WHERE lab_id = 'siilab' "
                              "AND quarter = '2021-T3'")
    report = ingest.verify(store, V1, "r.csv", kind="sessions", lab_id="siilab", quarter="2021-T3")
    assert report.current_version_id == old and len(report.diff.removed) == before_lab
    result = up(store, V1)
    assert result.replaced_version_id == old
    assert store.scalar("SELECT count(*) FROM current_training_sessions") == before_total - before_lab + 2
    assert store.scalar("SELECT is_demo FROM report_versions WHERE version_id = ?", [result.version_id]) is False


def test_financements_replace_the_whole_ledger(ref_store):
    first = ingest.publish(ref_store, read("financements_ledger.csv"), "f.csv", kind="financements", actor=ADMIN)
    smaller = ("id_tranche;id_lab;source;montant_eur;date_engagement;date_versement;objet\n"
               "TR-1;siilab;PIA;150000;15/02/2017;30/04/2017;PIA\n").encode()
    second = ingest.publish(ref_store, smaller, "f2.csv", kind="financements", actor=ADMIN)
    assert second.replaced_version_id == first.version_id
    assert second.report.diff.removed == ["TR-2", "TR-3"]
    assert ref_store.scalar("SELECT count(*) FROM current_funding_tranches") == 1


def test_audit_record_is_part_of_the_publish_transaction(ref_store, monkeypatch):
    def broken_record(*args, **kwargs):
        raise RuntimeError("journal indisponible")
    before = snapshot(ref_store)
    monkeypatch.setattr(audit, "record", broken_record)
    with pytest.raises(RuntimeError):
        up(ref_store, V1)
    assert snapshot(ref_store) == before


def test_verify_registers_a_bad_file_once_per_file_and_target(ref_store):
    bad = read("bad_number.csv", "bad")

    def check(quarter="2021-T3", data=bad):
        return ingest.verify(ref_store, data, "bad.csv", kind="sessions", lab_id="siilab", quarter=quarter,
                             actor=PORTEUR)

    check()
    check()                      # a page rerun: the same file for the same report
    assert ref_store.query("SELECT outcome, quarter FROM imports") == [("rejeté", "2021-T3")]
    check(quarter="2021-T2")     # the same file for another quarter is another upload
    assert ref_store.scalar("SELECT count(*) FROM imports") == 2
    assert ref_store.query("SELECT action, outcome FROM audit_log") == [("dépôt", "échec"), ("dépôt", "échec")]
    # without an account (a check in code) or with --dry-run, verifying writes nothing
    ingest.verify(ref_store, bad, "bad.csv", kind="sessions", lab_id="siilab", quarter="2021-T4")
    ingest.verify(ref_store, bad, "bad.csv", kind="sessions", lab_id="siilab", quarter="2021-T4", actor=PORTEUR,
                  register_rejection=False)
    assert ref_store.scalar("SELECT count(*) FROM imports") == 2
