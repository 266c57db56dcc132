"""Backups and restores of the database, on both stores (`python -m lit_analytics backup|restore`).

A backup is a folder (mode 700, files 600: it holds password hashes):

    lit-sauvegarde-20261204-020000/
        manifest.json              format version, schema version and `schema_migrations` rows, date, source
        tables/<table>.parquet     every base table's rows (DuckDB's `COPY … (FORMAT parquet)`), readable by DuckDB
                                   (`SELECT * FROM 'tables/labs.parquet'`), pandas or any Parquet reader

The manifest gives each file's row count and SHA-256, the date, the source's kind (file or PostgreSQL) and where it
was (a PostgreSQL URL without its password). A backup is read in one transaction: on a DuckDB file, under the write
lock (a read-only attachment: DuckDB's lock keeps other processes' writes waiting, at most `LIT_LOCK_TIMEOUT`, and
this process's own writes wait on the file's lock); on PostgreSQL, one REPEATABLE READ transaction through DuckDB's
postgres extension (its parallel scans share that transaction's exported snapshot), so the app keeps serving.

A restore checks every file (checksum, row count) and the schema version before writing anything, refuses a backup
of a newer schema than this code knows, and writes in one transaction: the migrations the backup had recorded, then
its rows, then a new `instance` (every app process copies the restored database whole and no cached figure of the
replaced one is reused). A file is built beside its place and moved there when complete; PostgreSQL is emptied and
filled in one transaction. Migrations the backup lacks are applied when the restored database is next opened
(`Store`), as for any older database. Over an existing database (`force`), a dated copy is kept first.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from lit_analytics import config
from lit_analytics.store.backends import FileBackend, PostgresBackend, postgres_extension_connection
from lit_analytics.store.errors import ConcurrentWriteError, StoreError, first_line, sql_literal
from lit_analytics.store.location import PostgresLocation, database_location, put_in_place
from lit_analytics.store.schema import (SCHEMA_MIGRATIONS_DDL, base_tables, latest_schema_version, migrations,
                                        view_names)

FORMAT = "lit-analytics-sauvegarde"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLES_DIR = "tables"
_CREATE_TABLE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?(\w+)", re.IGNORECASE)


@dataclass
class Backup:
    folder: Path
    manifest: dict

    @property
    def schema_version(self) -> int:
        return int(self.manifest["schema_version"])

    @property
    def total_rows(self) -> int:
        return sum(int(t["rows"]) for t in self.manifest["tables"])

    @property
    def taken_at(self) -> datetime:
        return datetime.fromisoformat(self.manifest["taken_at"])


@dataclass
class Restored:
    backup: Backup
    target: str                     # where it was restored (a PostgreSQL URL without its password)
    previous: Path | None = None    # the dated copy of the database it replaced (a file, or a backup folder)


def _stamp() -> str:
    return f"{datetime.now():%Y%m%d-%H%M%S}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def backup_folder(out: Path) -> Path:
    """Where a backup asked for with `--out out` goes: `out` itself, or, when `out` is an existing folder (not a
    backup), a dated folder inside it (`lit-sauvegarde-20261204-020000`): a cron line needs no date of its own."""
    if out.is_dir() and not (out / MANIFEST).exists():
        return out / f"lit-sauvegarde-{_stamp()}"
    return out


# --- taking a backup -----------------------------------------------------------------------------------------

@contextmanager
def _source(location, timeout: float) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection with the database attached read-only as `src`, inside one read transaction."""
    if isinstance(location, PostgresLocation):
        conn = postgres_extension_connection()
        try:
            PostgresBackend(location).attach_reader(conn, "src")
            conn.execute("BEGIN TRANSACTION")   # one REPEATABLE READ, READ ONLY transaction in PostgreSQL
            yield conn
        finally:
            conn.close()
        return
    backend = FileBackend(location)
    with backend.lock:   # this process's writes and snapshot copies of the file wait for the backup
        conn = duckdb.connect(":memory:")
        try:
            backend.attach(conn, "src", write=False, timeout=timeout)   # other processes' writes wait
            conn.execute("BEGIN TRANSACTION")
            yield conn
        finally:
            conn.close()


def _export_table(conn, table: str, path: Path) -> int:
    """One table's rows into a Parquet file; returns how many."""
    return int(conn.execute(f"COPY (SELECT * FROM src.\"{table}\") TO '{sql_literal(str(path))}' "
                            "(FORMAT parquet, COMPRESSION zstd)").fetchone()[0])


def take_backup(location, out: Path, *, lock_timeout: float | None = None) -> Backup:
    """Back the database at `location` up into a new folder (`backup_folder(out)`), written beside under a
    temporary name and renamed when complete. Returns the backup (its folder and manifest)."""
    location = database_location(location)
    timeout = config.lock_timeout() if lock_timeout is None else lock_timeout
    folder = backup_folder(Path(out)).absolute()
    if folder.exists():
        raise StoreError(f"{folder} existe déjà : choisissez un autre nom, ou un dossier existant (la sauvegarde y "
                         "sera rangée dans un sous-dossier daté).")
    if not folder.parent.is_dir():
        raise StoreError(f"Dossier introuvable : {folder.parent}.")
    tmp = folder.with_name(folder.name + ".partielle")
    shutil.rmtree(tmp, ignore_errors=True)   # what an interrupted backup of the same name left
    try:
        (tmp / TABLES_DIR).mkdir(mode=0o700, parents=True)
        tmp.chmod(0o700)
        with _source(location, timeout) as conn:
            views = view_names()
            tables = [t for t in base_tables(conn, catalog="src") if t.lower() not in views]
            if "schema_migrations" not in tables:
                raise StoreError(f"La base {_display(location)} n'a pas de schéma : rien à sauvegarder.")
            migrated = [{"version": int(v), "name": n, "applied_at": a.isoformat()} for v, n, a in conn.execute(
                "SELECT version, name, applied_at FROM src.schema_migrations ORDER BY version").fetchall()]
            entries = [{"name": t, "file": f"{TABLES_DIR}/{t}.parquet",
                        "rows": _export_table(conn, t, tmp / TABLES_DIR / f"{t}.parquet")} for t in tables]
        for entry in entries:   # once the database is free again
            path = tmp / entry["file"]
            path.chmod(0o600)
            entry.update(sha256=_sha256(path), bytes=path.stat().st_size)
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "taken_at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "source": {"kind": "postgresql" if isinstance(location, PostgresLocation) else "file",
                       "database": _display(location)},
            "schema_version": max((m["version"] for m in migrated), default=0),
            "code_schema_version": latest_schema_version(),
            "schema_migrations": migrated,
            "duckdb": duckdb.__version__,
            "tables": entries,
        }
        manifest_path = tmp / MANIFEST
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        manifest_path.chmod(0o600)
        os.rename(tmp, folder)
    except duckdb.Error as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise StoreError(f"La sauvegarde de {_display(location)} a échoué : {first_line(exc)}") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Backup(folder, manifest)


def _display(location) -> str:
    return location.display if isinstance(location, PostgresLocation) else str(Path(location).resolve())


# --- checking a backup ---------------------------------------------------------------------------------------

def verify_backup(folder: Path) -> Backup:
    """Read a backup's manifest and check it whole: format, schema version (not newer than this code), every
    file's SHA-256 and row count. Raises StoreError (French) on the first problem; reads nothing else."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.is_file():
        raise StoreError(f"{folder} n'est pas une sauvegarde : {MANIFEST} introuvable.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise ValueError("format")
        known = {v for v, _, _ in migrations()}
        recorded = {int(m["version"]) for m in manifest["schema_migrations"]}
        schema = int(manifest["schema_version"])
        tables = manifest["tables"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{path} est illisible ou n'est pas le manifeste d'une sauvegarde de l'outil.") from exc
    if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
        raise StoreError(f"La sauvegarde {folder} a un format plus récent ({manifest['format_version']}) que cette "
                         f"version de l'outil ({FORMAT_VERSION}) : mettez l'outil à jour ; rien n'a été écrit.")
    if schema > latest_schema_version() or recorded - known:
        raise StoreError(f"La sauvegarde {folder} vient d'une version plus récente de l'outil (schéma {schema}, "
                         f"cette version connaît {latest_schema_version()}) : mettez l'outil à jour avant de la "
                         "restaurer ; rien n'a été écrit.")
    conn = duckdb.connect(":memory:")
    try:
        for table in tables:
            file = folder / table["file"]
            if not file.is_file():
                raise StoreError(f"Sauvegarde incomplète : {file} est introuvable ; rien n'a été écrit.")
            if _sha256(file) != table["sha256"]:
                raise StoreError(f"Sauvegarde altérée : {file} ne correspond pas à sa somme de contrôle SHA-256 ; "
                                 "rien n'a été écrit.")
            rows = conn.execute(f"SELECT count(*) FROM read_parquet('{sql_literal(str(file))}')").fetchone()[0]
            if int(rows) != int(table["rows"]):
                raise StoreError(f"Sauvegarde altérée : {file} contient {rows} lignes, le manifeste en annonce "
                                 f"{table['rows']} ; rien n'a été écrit.")
    except duckdb.Error as exc:
        raise StoreError(f"Sauvegarde illisible ({first_line(exc)}) ; rien n'a été écrit.") from exc
    finally:
        conn.close()
    if "schema_migrations" not in {t["name"] for t in tables}:
        raise StoreError(f"Sauvegarde incomplète : {folder} n'a pas la table schema_migrations ; "
                         "rien n'a été écrit.")
    return Backup(folder, manifest)


# --- restoring -----------------------------------------------------------------------------------------------

def _creation_order() -> dict[str, int]:
    """Each table's rank in the order the migrations create it: a table a foreign key points at comes first."""
    order = {"schema_migrations": 0}
    for _version, _name, sql in migrations():
        for name in _CREATE_TABLE.findall(sql):
            order.setdefault(name.lower(), len(order))
    return order


def _load(conn, backup: Backup, *, empty_first: bool) -> None:
    """In one transaction of `conn` (the target attached and used as `app`): the schema the backup had (its
    recorded migrations), its rows, a new instance. Nothing is left of a failed load."""
    recorded = {int(m["version"]) for m in backup.manifest["schema_migrations"]}
    order = _creation_order()
    tables = sorted(backup.manifest["tables"], key=lambda t: (order.get(t["name"], len(order)), t["name"]))
    conn.execute("BEGIN TRANSACTION")
    try:
        if empty_first:   # PostgreSQL with --force: its tables dropped in this very transaction
            conn.execute("CALL postgres_execute('app', 'DROP SCHEMA public CASCADE; CREATE SCHEMA public')")
            conn.execute("CALL pg_clear_cache()")
        conn.execute(SCHEMA_MIGRATIONS_DDL)
        for version, _name, sql in migrations():
            if version in recorded:
                for statement in conn.extract_statements(sql):
                    conn.execute(statement.query)
        present = {t.lower() for t in base_tables(conn)} - view_names()
        missing = present - {t["name"] for t in tables}
        unknown = {t["name"] for t in tables} - present
        if missing or unknown:
            raise StoreError(f"La sauvegarde ne correspond pas à son schéma (tables absentes : {sorted(missing)}, "
                             f"inconnues : {sorted(unknown)}) ; rien n'a été écrit.")
        for table in tables:
            # the backup's rows replace those a migration ships (011: the programme's milestones, the thresholds)
            conn.execute(f"DELETE FROM app.\"{table['name']}\"")
            if int(table["rows"]):
                file = sql_literal(str(backup.folder / table["file"]))
                conn.execute(f"INSERT INTO app.\"{table['name']}\" BY NAME SELECT * FROM read_parquet('{file}')")
        if "meta" in present:   # another database now: every process copies it whole, no cached figure reused
            conn.execute("DELETE FROM app.meta WHERE key = 'instance'")
            conn.execute("INSERT INTO app.meta VALUES ('instance', ?)", [uuid.uuid4().hex])
        conn.execute("COMMIT")
    except BaseException as exc:
        try:
            conn.execute("ROLLBACK")
        except duckdb.Error:
            pass
        if isinstance(exc, duckdb.Error):
            raise StoreError(f"La restauration a échoué : {first_line(exc)} ; rien n'a été écrit.") from exc
        raise


def _pg_is_empty(location: PostgresLocation) -> bool:
    import psycopg
    try:
        with psycopg.connect(str(location), autocommit=True, connect_timeout=10) as conn:
            return not conn.execute("SELECT count(*) FROM information_schema.tables "
                                    "WHERE table_schema = 'public'").fetchone()[0]
    except psycopg.Error as exc:
        raise StoreError(f"Impossible de joindre la base PostgreSQL {location.display} : {first_line(exc)}") from exc


def restore_backup(folder: Path, location, *, force: bool = False, lock_timeout: float | None = None) -> Restored:
    """Restore the backup `folder` into the database at `location`: an empty one (a file that does not exist, a
    PostgreSQL database without tables), or, with `force`, over an existing one after keeping a dated copy of it
    (a file: `lit.remplacee-20261204-020000.duckdb` beside it, as `init --force`; PostgreSQL: a backup of it in a
    dated folder beside `folder`)."""
    location = database_location(location)
    timeout = config.lock_timeout() if lock_timeout is None else lock_timeout
    backup = verify_backup(folder)
    if isinstance(location, PostgresLocation):
        return _restore_postgres(backup, location, force, timeout)
    return _restore_file(backup, location, force, timeout)


def _refuse_existing(display: str) -> StoreError:
    return StoreError(f"La base {display} existe déjà : ajoutez --force pour la remplacer par la sauvegarde (une "
                      "copie datée en est gardée d'abord) ; rien n'a été écrit.")


def _restore_postgres(backup: Backup, location: PostgresLocation, force: bool, timeout: float) -> Restored:
    previous = None
    empty = _pg_is_empty(location)
    if not empty:
        if not force:
            raise _refuse_existing(location.display)
        name = urllib.parse.urlsplit(str(location)).path.strip("/") or "base"
        previous = take_backup(location, backup.folder.resolve().parent / f"{name}.remplacee-{_stamp()}",
                               lock_timeout=timeout).folder
    backend = PostgresBackend(location)
    try:
        backend.acquire(timeout)   # the app's writes wait (advisory lock), then see another database
        try:
            conn = backend.open(write=True, timeout=timeout)
            conn.execute("CALL pg_clear_cache()")
            _load(conn, backup, empty_first=not empty)
        finally:
            backend.release()
    finally:
        backend.close()
    return Restored(backup, location.display, previous)


@contextmanager
def _held(path: Path, timeout: float) -> Iterator[None]:
    """The file at `path` held against writes of every process (a read-only attachment: DuckDB's shared lock, and
    this process's lock of the file) while it is moved aside; a file DuckDB cannot open (damaged) is moved as is."""
    backend = FileBackend(path)
    with backend.lock:
        conn = duckdb.connect(":memory:")
        try:
            try:
                backend.attach(conn, "held", write=False, timeout=timeout)
            except ConcurrentWriteError:
                raise
            except StoreError:
                pass
            yield
        finally:
            conn.close()


def _restore_file(backup: Backup, path: Path, force: bool, timeout: float) -> Restored:
    if path.exists() and not force:
        raise _refuse_existing(str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".restauration")
    for leftover in (tmp, Path(str(tmp) + ".wal")):
        leftover.unlink(missing_ok=True)
    try:
        conn = duckdb.connect(":memory:")
        try:
            FileBackend(tmp).attach(conn, "app", write=True, timeout=timeout)
            conn.execute("USE app")
            _load(conn, backup, empty_first=False)
            conn.execute("CHECKPOINT")
        finally:
            conn.close()
        tmp.chmod(0o600)
        with _held(path, timeout):
            if path.exists() and not force:
                raise _refuse_existing(str(path))
            previous = put_in_place(tmp, path)
    finally:
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            leftover.unlink(missing_ok=True)
    return Restored(backup, str(path), previous)
