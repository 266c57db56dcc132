"""Backups and restores (`python -m lit_analytics backup|restore`, `lit_analytics.store.backup`), on both stores:
the manifest, a restore giving the same rows (file → PostgreSQL → file), refusals before anything is written
(existing database, altered or newer backup), restores over a database (a dated copy first, one transaction),
consistency while another writer works, and the journal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import REPO, new_location, pg_copy, snapshot
from lit_analytics import audit
from lit_analytics.cli import main
from lit_analytics.store import PostgresLocation, Store, StoreError, latest_schema_version
from lit_analytics.store import backup as store_backup
from lit_analytics.store.backup import restore_backup, take_backup, verify_backup

# What the journal's own row moves in `meta`.
BOOKKEEPING = {"instance", "store_version", "table:audit_log", "table:audit_log:last_event"}


def run(*args):
    return subprocess.run([sys.executable, "-m", "lit_analytics", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


def empty_target(kind: str, request, tmp_path: Path, name: str = "restored"):
    """Where to restore: a file that does not exist, or an empty PostgreSQL database (dropped after the test)."""
    return new_location(kind, request, tmp_path, name)


def rows_of(location) -> dict[str, list[tuple]]:
    with Store(location, read_only=not isinstance(location, PostgresLocation), migrate=False) as store:
        return snapshot(store)


def without_bookkeeping(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    out = dict(rows)
    out["meta"] = [r for r in rows["meta"] if r[0] not in BOOKKEEPING]
    return out


def test_backup_then_restore_gives_every_row_back_and_is_journaled(store_kind, demo_copy, request, tmp_path):
    before = rows_of(demo_copy)
    result = main(["backup", "--db", str(demo_copy), "--out", str(tmp_path)])
    assert result == 0
    [folder] = [p for p in tmp_path.iterdir() if p.name.startswith("lit-sauvegarde-")]
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["schema_version"] == latest_schema_version()
    assert [m["version"] for m in manifest["schema_migrations"]] == sorted(r[0] for r in before["schema_migrations"])
    assert manifest["source"]["kind"] == ("postgresql" if store_kind == "postgresql" else "file")
    assert {t["name"]: t["rows"] for t in manifest["tables"]} == {t: len(r) for t, r in before.items()}
    assert all(len(t["sha256"]) == 64 for t in manifest["tables"])
    assert (folder.stat().st_mode & 0o777) == 0o700
    with Store(demo_copy) as source:   # the backup is in the source's journal, after it was taken
        journal = audit.events(source, actions=[audit.Action.BACKUP])
        assert list(journal["target"]) == [str(folder)] and list(journal["outcome"]) == ["succès"]

    target = empty_target(store_kind, request, tmp_path)
    assert main(["restore", "--from", str(folder), "--db", str(target)]) == 0
    after = rows_of(target)
    restored_journal = after.pop("audit_log")
    assert without_bookkeeping(after) == without_bookkeeping({t: r for t, r in before.items() if t != "audit_log"})
    new = [r for r in restored_journal if r not in before["audit_log"]]
    assert [(r[3], r[5]) for r in new] == [("restauration d'une sauvegarde", "succès")]
    assert len(restored_journal) == len(before["audit_log"]) + 1


def test_a_file_backup_restores_into_postgresql_and_back_with_identical_rows(demo_file_copy, postgres, tmp_path):
    original = rows_of(demo_file_copy)
    first = take_backup(demo_file_copy, tmp_path / "from-file")
    pg = postgres.create_database("roundtrip")
    try:
        restore_backup(first.folder, pg)
        assert without_bookkeeping(rows_of(pg)) == without_bookkeeping(original)
        with Store(pg) as restored:   # its first write makes PostgreSQL's own index of the journal
            audit.log(restored, "admin@exemple.fr", audit.Action.SIGN_IN, audit.Outcome.SUCCESS, "après restauration")
            found = restored._backend._meta_query("SELECT array_agg(indexdef) FROM pg_indexes "
                                                  "WHERE tablename = 'audit_log'")[0]
            assert found and found[0].endswith("(event_id)")
            original["audit_log"] = rows_of(pg)["audit_log"]   # the line just written, no other change
        second = take_backup(pg, tmp_path / "from-postgresql")
        assert second.manifest["source"]["kind"] == "postgresql"
    finally:
        postgres.drop_database(pg)
    back = tmp_path / "back.duckdb"
    restore_backup(second.folder, back)
    assert without_bookkeeping(rows_of(back)) == without_bookkeeping(original)
    with Store(back, read_only=True) as store:   # the views answer as on the original
        with Store(demo_file_copy, read_only=True) as orig:
            for view in ("projects", "current_training_sessions"):
                assert store.scalar(f"SELECT count(*) FROM {view}") == orig.scalar(f"SELECT count(*) FROM {view}")


def test_a_postgresql_backup_never_holds_the_password(postgres, tmp_path):
    base = postgres.create_database("secret")
    try:
        with_password = PostgresLocation(str(base).replace("postgresql://lit@", "postgresql://lit:s3cr3t-pw@"))
        Store(with_password).close()
        done = take_backup(with_password, tmp_path / "b")
        text = (done.folder / "manifest.json").read_text("utf-8")
        assert "s3cr3t-pw" not in text and "lit:***@" in text
    finally:
        postgres.drop_database(base)


def test_restore_refuses_an_existing_database_without_force(store_kind, demo_copy, tmp_path):
    done = take_backup(demo_copy, tmp_path / "b")
    before = rows_of(demo_copy)
    assert main(["restore", "--from", str(done.folder), "--db", str(demo_copy)]) == 1
    assert rows_of(demo_copy) == before


def test_restore_over_a_file_keeps_a_dated_copy(demo_file_copy, ref_db_path, tmp_path):
    old = rows_of(demo_file_copy)
    done = take_backup(ref_db_path, tmp_path / "ref-backup")
    cli = run("restore", "--from", str(done.folder), "--db", str(demo_file_copy), "--force")
    assert cli.returncode == 0, cli.stderr
    [kept] = list(demo_file_copy.parent.glob("copy.remplacee-*.duckdb"))
    assert f"Ancienne base conservée : {kept}" in cli.stdout
    assert rows_of(kept) == old
    assert without_bookkeeping(rows_of(demo_file_copy))["labs"] == rows_of(ref_db_path)["labs"]


def test_restore_over_postgresql_backs_it_up_first(request, ref_db_path, tmp_path):
    pg = pg_copy(request, "demo_pg_template", "over")
    old = rows_of(pg)
    done = take_backup(ref_db_path, tmp_path / "ref-backup")
    result = restore_backup(done.folder, pg, force=True)
    assert result.previous is not None and result.previous.parent == tmp_path
    assert result.previous.name.startswith(pg.split("/")[3].split("?")[0] + ".remplacee-")
    kept = verify_backup(result.previous)
    assert {t["name"]: t["rows"] for t in kept.manifest["tables"]} == {t: len(r) for t, r in old.items()}
    assert rows_of(pg)["labs"] == rows_of(ref_db_path)["labs"]


def _tamper(folder: Path, table: str, **changes) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text("utf-8"))
    for entry in manifest["tables"]:
        if entry["name"] == table:
            entry.update(changes)
    path.write_text(json.dumps(manifest), "utf-8")


def test_an_altered_backup_is_refused_before_anything_is_written(ref_db_path, tmp_path):
    done = take_backup(ref_db_path, tmp_path / "b")
    target = tmp_path / "target.duckdb"
    (done.folder / "tables" / "labs.parquet").write_bytes(b"PAR1 not really")
    cli = run("restore", "--from", str(done.folder), "--db", str(target))
    assert cli.returncode == 1 and cli.stderr.count("\n") == 1
    assert "somme de contrôle" in cli.stderr and "rien n'a été écrit" in cli.stderr
    assert not target.exists()

    again = take_backup(ref_db_path, tmp_path / "c")
    _tamper(again.folder, "regions", rows=17)
    with pytest.raises(StoreError, match="17"):
        restore_backup(again.folder, target)
    assert not target.exists()


def test_a_backup_of_a_newer_schema_is_refused(ref_db_path, tmp_path):
    done = take_backup(ref_db_path, tmp_path / "b")
    path = done.folder / "manifest.json"
    manifest = json.loads(path.read_text("utf-8"))
    newer = latest_schema_version() + 1
    manifest["schema_version"] = newer
    manifest["schema_migrations"].append({"version": newer, "name": "future", "applied_at": "2030-01-01T00:00:00"})
    path.write_text(json.dumps(manifest), "utf-8")
    target = tmp_path / "target.duckdb"
    cli = run("restore", "--from", str(done.folder), "--db", str(target))
    assert cli.returncode == 1
    assert f"version plus récente de l'outil (schéma {newer}" in cli.stderr and "Traceback" not in cli.stderr
    assert not target.exists()


def test_a_backup_of_an_older_schema_is_migrated_after_loading(store_kind, request, tmp_path):
    old = tmp_path / "old.duckdb"
    with Store(old, target_version=5) as store:
        with store.transaction(writes=("regions", "labs")) as cur:
            cur.execute("INSERT INTO regions VALUES ('53', 'Bretagne', false)")
            cur.execute("INSERT INTO labs (lab_id, name, region_code, cohort, identified, source) "
                        "VALUES ('lab-test', 'Lab de test', '53', 'laureat-2016', true, 'test')")
    done = take_backup(old, tmp_path / "b")
    assert done.schema_version == 5
    target = empty_target(store_kind, request, tmp_path)
    assert main(["restore", "--from", str(done.folder), "--db", str(target)]) == 0
    with Store(target, migrate=False) as store:
        assert store.schema_version() == latest_schema_version()
        assert store.query("SELECT lab_id, region_code FROM labs") == [("lab-test", "53")]
        assert store.table_exists("sessions") and store.table_exists("reminders")


def test_a_failed_load_leaves_the_database_it_replaces_untouched(demo_copy, ref_db_path, tmp_path):
    done = take_backup(ref_db_path, tmp_path / "b")
    # A table the schema does not have, with a correct checksum: found only while loading, after the drop.
    extra = done.folder / "tables" / "intrus.parquet"
    extra.write_bytes((done.folder / "tables" / "regions.parquet").read_bytes())
    manifest = json.loads((done.folder / "manifest.json").read_text("utf-8"))
    manifest["tables"].append({"name": "intrus", "file": "tables/intrus.parquet", "rows": 18,
                               "sha256": store_backup._sha256(extra), "bytes": extra.stat().st_size})
    (done.folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    before = rows_of(demo_copy)
    with pytest.raises(StoreError, match="intrus"):
        restore_backup(done.folder, demo_copy, force=True)
    assert rows_of(demo_copy) == before
    if not isinstance(demo_copy, PostgresLocation):
        assert not list(demo_copy.parent.glob("*.restauration*"))


def test_a_backup_is_one_state_while_another_writer_works(store_kind, ref_store, tmp_path, monkeypatch):
    """A write lands between two tables of the backup: on PostgreSQL the backup's snapshot does not see it; on a
    file the write waits for the backup to end. Either way the backup is the state before the write."""
    location = ref_store.location
    regions_before = ref_store.scalar("SELECT count(*) FROM regions")
    export = store_backup._export_table
    writer: list[threading.Thread] = []

    def write():
        with Store(location) as other:
            with other.transaction(writes=("regions", "labs")) as cur:
                cur.execute("INSERT INTO regions VALUES ('99', 'Région écrite pendant la sauvegarde', false)")
                cur.execute("DELETE FROM labs")

    def export_then_write(conn, table, path):
        rows = export(conn, table, path)
        if not writer:
            writer.append(threading.Thread(target=write))
            writer[0].start()
            if store_kind == "postgresql":
                writer[0].join(30)   # committed while the backup reads the other tables
        return rows

    monkeypatch.setattr(store_backup, "_export_table", export_then_write)
    done = take_backup(location, tmp_path / "b", lock_timeout=30)
    writer[0].join(30)
    counts = {t["name"]: t["rows"] for t in done.manifest["tables"]}
    assert counts["regions"] == regions_before and counts["labs"] > 0
    ref_store.refresh(wait=True)
    assert ref_store.scalar("SELECT count(*) FROM regions") == regions_before + 1   # the write landed after
    assert ref_store.scalar("SELECT count(*) FROM labs") == 0


def test_command_line_errors_are_one_french_line(tmp_path, ref_db_path):
    missing = run("restore", "--from", str(tmp_path / "nothing"), "--db", str(tmp_path / "t.duckdb"))
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1 and "n'est pas une sauvegarde" in missing.stderr
    no_db = run("backup", "--db", str(tmp_path / "absent.duckdb"), "--out", str(tmp_path / "b"))
    assert no_db.returncode == 1 and "introuvable" in no_db.stderr
    first = take_backup(ref_db_path, tmp_path / "b")
    twice = run("backup", "--db", str(ref_db_path), "--out", str(first.folder))
    assert twice.returncode == 1 and "existe déjà" in twice.stderr


def test_a_running_app_sees_the_restored_database_at_its_next_read(store_kind, demo_copy, ref_db_path, tmp_path):
    """A store open before the restore (an app process) reads the restored rows next, whole (no figure of the
    replaced database reused: another instance), and its next write lands in the restored database."""
    done = take_backup(ref_db_path, tmp_path / "ref-backup")
    with Store(demo_copy) as app:
        assert app.scalar("SELECT count(*) FROM training_sessions") > 0
        key_before = app.cache_key()
        restore_backup(done.folder, demo_copy, force=True)
        assert app.scalar("SELECT count(*) FROM training_sessions") == 0
        assert app.query("SELECT lab_id FROM labs ORDER BY 1") == rows_of_labs(ref_db_path)
        assert app.cache_key()[1] != key_before[1]
        audit.log(app, audit.SYSTEM, audit.Action.BACKUP_RESTORED, audit.Outcome.SUCCESS, "après")
    with Store(demo_copy) as reopened:
        assert list(audit.events(reopened, actions=[audit.Action.BACKUP_RESTORED])["target"]) == ["après"]


def rows_of_labs(location) -> list[tuple]:
    with Store(location, read_only=True) as store:
        return store.query("SELECT lab_id FROM labs ORDER BY 1")


WRITER = """
import sys
from lit_analytics.store import Store
with Store(sys.argv[1]) as store:
    with store.transaction(writes=("regions", "labs")) as cur:
        cur.execute("INSERT INTO regions VALUES ('99', 'Région écrite pendant la sauvegarde', false)")
        cur.execute("DELETE FROM labs")
"""


def test_a_file_backup_keeps_another_process_s_write_waiting(ref_db_path, tmp_path, monkeypatch):
    """Another process asks to write the file while the backup reads it: it waits (its write intent is seen) until
    the backup is complete, then writes; the backup is the state before."""
    path = tmp_path / "busy.duckdb"
    path.write_bytes(ref_db_path.read_bytes())
    with Store(path, read_only=True) as store:
        regions, labs = store.scalar("SELECT count(*) FROM regions"), store.scalar("SELECT count(*) FROM labs")
    export = store_backup._export_table
    writer: list[subprocess.Popen] = []

    def export_while_another_process_waits(conn, table, out):
        if not writer:
            writer.append(subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=REPO,
                                           env={**os.environ, "LIT_LOCK_TIMEOUT": "120"}))
            intent = Path(str(path) + ".write-intent")
            while not intent.exists():   # the other process now waits for the file
                assert writer[0].poll() is None, "the writer ended before the backup let it in"
                threading.Event().wait(0.05)
        return export(conn, table, out)

    monkeypatch.setattr(store_backup, "_export_table", export_while_another_process_waits)
    done = take_backup(path, tmp_path / "b")
    assert writer[0].wait(120) == 0
    counts = {t["name"]: t["rows"] for t in done.manifest["tables"]}
    assert (counts["regions"], counts["labs"]) == (regions, labs)
    with Store(path, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM regions") == regions + 1
        assert store.scalar("SELECT count(*) FROM labs") == 0
