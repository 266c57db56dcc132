"""Publishing when something goes wrong: an unexpected error is rolled back, registered as failed and answered in
French; a publish refuses when the version the user reviewed is no longer current; registering a rejected file
checks rights like every other write."""

from __future__ import annotations

import importlib

import duckdb
import pytest

from conftest import ADMIN, ANALYSTE, PORTEUR, read, ref_db_path, ref_store, snapshot  # noqa: F401
from lit_analytics import ingest
from lit_analytics.permissions import PermissionDenied

publishing = importlib.import_module("lit_analytics.ingest.publish")
S = {"kind": "sessions", "lab_id": "siilab", "quarter": "2021-T3"}
ACTIVITY = ("imports", "import_errors", "audit_log", "meta")


def _good() -> bytes:
    return ("id_session;date;intitule;format;duree_heures;participants_agents;participants_autres\n"
            "S-1;16/09/2021;Atelier;atelier;2;3;1\n").encode()


def test_an_unexpected_error_during_publish_is_rolled_back_registered_and_french(ref_store, monkeypatch, caplog):
    def broken(cur, report, version_id):
        cur.execute("INSERT INTO training_sessions (version_id, lab_id, quarter, session_id, held_on, title, format, "
                    "duration_hours, participants_agents) VALUES (?, 'siilab', '2021-T3', 'X', DATE '2021-09-16', "
                    "'t', 'atelier', 1, 1)", [version_id])
        raise duckdb.OutOfRangeException("Type INT32 with value 3000000000 can't be cast")
    monkeypatch.setattr(publishing, "_insert_rows", broken)
    before = snapshot(ref_store)
    result = ingest.publish(ref_store, _good(), "s.csv", actor=ADMIN, **S)
    assert result.outcome == ingest.FAILED == "échec"
    assert result.message().startswith("La publication a échoué à cause d'une erreur inattendue : rien n'a été publié")
    assert "INT32" not in result.message()
    after = snapshot(ref_store)
    for table in before:
        if table not in ACTIVITY:
            assert after[table] == before[table], table        # the half-done insert is rolled back
    assert ref_store.query("SELECT outcome, file_name FROM imports WHERE import_id = ?", [result.import_id]) == [
        ("échec", "s.csv")]
    assert ref_store.query("SELECT action, outcome FROM audit_log ORDER BY event_id DESC LIMIT 1") == [
        ("publication", "échec")]
    assert "INT32" in caplog.text                              # the detail is in the server log


def test_the_import_command_exits_1_on_a_failed_publish(ref_store, monkeypatch, capsys, tmp_path):
    from lit_analytics.cli import main
    monkeypatch.setattr(publishing, "_insert_rows", lambda *a: (_ for _ in ()).throw(RuntimeError("boom")))
    path = tmp_path / "s.csv"
    path.write_bytes(_good())
    ref_store.close()
    code = main(["import", "--db", str(ref_store.path), "--user", ADMIN.email, "--kind", "sessions", "--lab",
                 "siilab", "--quarter", "T3 2021", str(path)])
    out = capsys.readouterr()
    assert code == 1
    assert "La publication a échoué" in out.out and "boom" not in out.out + out.err


def test_publish_refuses_when_the_reviewed_version_is_no_longer_current(ref_store):
    reviewed = ingest.verify(ref_store, _good(), "s.csv", actor=ADMIN, **S)
    assert reviewed.current_version_id is None
    other = _good().replace(b"Atelier", b"Atelier bis")
    first = ingest.publish(ref_store, other, "autre.csv", actor=ADMIN, **S)   # someone else, meanwhile
    before = snapshot(ref_store)
    with pytest.raises(ingest.ReviewOutdated, match="a changé depuis votre vérification"):
        ingest.publish(ref_store, _good(), "s.csv", actor=ADMIN, reviewed_version_id=reviewed.current_version_id,
                       **S)
    assert snapshot(ref_store) == before
    again = ingest.verify(ref_store, _good(), "s.csv", actor=ADMIN, **S)
    assert again.current_version_id == first.version_id
    result = ingest.publish(ref_store, _good(), "s.csv", actor=ADMIN, reviewed_version_id=again.current_version_id,
                            **S)
    assert result.outcome == ingest.PUBLISHED


@pytest.mark.parametrize("actor, target", [(ANALYSTE, S), (PORTEUR, {**S, "lab_id": "archipel"})])
def test_registering_a_rejected_file_checks_rights(ref_store, actor, target):
    bad = _good().replace(b";2;3;1", b";deux;3;1")
    report = ingest.verify(ref_store, bad, "bad.csv", **target)   # no actor: verification only
    assert not report.ok
    before = ref_store.scalar("SELECT count(*) FROM imports")
    with pytest.raises(PermissionDenied):
        ingest.register_rejected(ref_store, report, actor)
    assert ref_store.scalar("SELECT count(*) FROM imports") == before
    assert ref_store.query("SELECT actor, action, outcome FROM audit_log ORDER BY event_id DESC LIMIT 1") == [
        (actor.email, "dépôt", "refus")]
