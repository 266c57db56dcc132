"""The store: the only module that opens DuckDB.

One in-memory DuckDB connection per `Store` ATTACHes the database file as `app` and `USE`s it, so
nothing else in the code assumes a DuckDB file (a PostgreSQL database attached as `app` through
DuckDB's postgres extension can take its place later). Every thread gets its own cursor; writes go
through `transaction()`, serialised by a lock, and bump a data version that caches key on.

The schema is built by numbered SQL migrations in `lit_analytics/migrations/NNN_name.sql`, recorded
in `schema_migrations`: opening an older file upgrades it, opening an up-to-date one changes nothing.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


class StoreError(Exception):
    """A problem with the database that the user can act on (message in French)."""


def migrations() -> list[tuple[int, str, str]]:
    """The known migrations as (version, name, sql), in order."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), match.group(2), path.read_text(encoding="utf-8")))
    versions = [v for v, _, _ in found]
    # Numbers are unique and increasing; a gap is allowed (a number reserved by a branch not merged yet):
    # `migrate` applies every migration a file has not recorded, so one merged later is applied then.
    if len(set(versions)) != len(versions) or (versions and versions[0] != 1):
        raise RuntimeError(f"migration numbers must be unique and start at 1, got {versions}")
    return found


def latest_schema_version() -> int:
    known = migrations()
    return known[-1][0] if known else 0


class Store:
    """A handle on the database. Safe to share between threads (one cursor per thread)."""

    def __init__(self, path: str | Path, *, read_only: bool = False, migrate: bool = True,
                 target_version: int | None = None):
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise StoreError(f"Base de données introuvable : {self.path}")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._root = duckdb.connect(":memory:")
        mode = " (READ_ONLY)" if read_only else ""
        try:
            self._root.execute(f"ATTACH '{_sql_literal(str(self.path))}' AS app{mode}")
        except duckdb.Error as exc:
            self._root.close()
            raise StoreError(_open_error_message(self.path, exc)) from exc
        self._root.execute("USE app")
        self._local = threading.local()
        self._write_lock = threading.RLock()
        if migrate and not read_only:
            self.migrate(target_version)

    # -- connections ---------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the database (created on first use)."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._root.cursor()
            cur.execute("USE app")
            self._local.cursor = cur
        return cur

    def close(self) -> None:
        try:
            self._root.close()
        except duckdb.Error:
            pass

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------------
    def query_df(self, sql: str, params: Sequence[Any] | dict | None = None) -> pd.DataFrame:
        return self.cursor().execute(sql, params or []).df()

    def query(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[tuple]:
        return self.cursor().execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
        row = self.cursor().execute(sql, params or []).fetchone()
        return row[0] if row else None

    def table_exists(self, name: str) -> bool:
        return bool(self.scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'app' AND table_name = ?",
            [name]))

    # -- writing -------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction: all or nothing, and the data version moves on commit."""
        if self.read_only:
            raise StoreError("La base est ouverte en lecture seule.")
        with self._write_lock:
            cur = self.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
                if self._has_meta(cur):
                    cur.execute(
                        "INSERT INTO meta VALUES ('data_version', '1') ON CONFLICT (key) DO UPDATE "
                        "SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS VARCHAR)")
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise

    def next_id(self, cur: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
        """Next integer key of a table (inside a transaction, under the write lock)."""
        return int(cur.execute(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}").fetchone()[0])

    def data_version(self) -> int:
        """A number that changes whenever data is written: the key of every cached query."""
        if not self.table_exists("meta"):
            return 0
        value = self.scalar("SELECT value FROM meta WHERE key = 'data_version'")
        return int(value) if value is not None else 0

    def get_meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", [key])

    @staticmethod
    def set_meta(cur: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
        cur.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [key, value])

    def _has_meta(self, cur) -> bool:
        return bool(cur.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'app' AND table_name = 'meta'"
        ).fetchone()[0])

    # -- schema --------------------------------------------------------------------------------
    def schema_version(self) -> int:
        if not self.table_exists("schema_migrations"):
            return 0
        return int(self.scalar("SELECT coalesce(max(version), 0) FROM schema_migrations"))

    def migrate(self, target_version: int | None = None) -> list[int]:
        """Apply the migrations this file lacks, each in its own transaction. Returns those applied."""
        applied = []
        with self._write_lock:
            cur = self.cursor()
            cur.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                        "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)")
            current = self.schema_version()
            known = migrations()
            latest = known[-1][0] if known else 0
            if current > latest:
                raise StoreError(
                    f"La base {self.path} a été créée par une version plus récente de l'outil "
                    f"(schéma {current}, cette version connaît {latest}).")
            recorded = {v for (v,) in cur.execute("SELECT version FROM schema_migrations").fetchall()}
            for version, name, sql in known:
                if version in recorded or (target_version is not None and version > target_version):
                    continue
                cur.execute("BEGIN TRANSACTION")
                try:
                    for statement in cur.extract_statements(sql):
                        cur.execute(statement.query)
                    cur.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                                [version, name, datetime.now()])
                    cur.execute("COMMIT")
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
                applied.append(version)
        return applied

    def row_counts(self) -> dict[str, int]:
        """Rows per base table, for `info` and tests."""
        tables = [r[0] for r in self.query(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'app' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name")]
        return {t: int(self.scalar(f'SELECT count(*) FROM "{t}"')) for t in tables}


def _sql_literal(text: str) -> str:
    return text.replace("'", "''")


def _open_error_message(path: Path, exc: BaseException) -> str:
    text = str(exc)
    if "not a valid DuckDB database" in text:
        return f"Le fichier {path} n'est pas une base DuckDB."
    if "lock" in text.lower():
        return (f"La base {path} est déjà ouverte en écriture par un autre processus "
                "(l'application ou une autre commande) : réessayez quand il est arrêté.")
    return f"Impossible d'ouvrir la base {path} : {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
