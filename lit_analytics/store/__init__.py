"""The store: the only code that opens a database.

Two kinds of system of record, one query engine (DuckDB): an embedded DuckDB file (the default; no process keeps it
open) or PostgreSQL (`postgresql://…`, for several app replicas) — see `backends`. Reads are served from an
in-memory DuckDB copy, the snapshot (`snapshot`), refreshed when the database changes (a `stat` of the file, or one
indexed read in PostgreSQL); `one_view()` makes a page run read one state of it. Writes go through
`transaction(writes=...)`, which declares the tables it writes and moves the versions readers and caches key on
(`versions`); inside a transaction the writing thread reads its own uncommitted state. The schema is built by the
numbered SQL migrations of `migrations/` (`schema`): opening an older database upgrades it, opening an up-to-date one
changes nothing. Where the database is: `location`.

    store = Store(locate())                       # --db / LIT_DB / data/lit.duckdb
    with store.transaction(writes=("regions",)) as cur:
        cur.execute("INSERT INTO regions VALUES ('53', 'Bretagne', false)")
    store.query_df("SELECT * FROM regions")
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from lit_analytics import config
from lit_analytics.store import stats
from lit_analytics.store.backends import FileBackend, PostgresBackend
from lit_analytics.store.errors import (ConcurrentWriteError, StoreError, UndeclaredWriteError, disk_full_message,
                                        first_line, is_disk_full)
from lit_analytics.store.location import (PostgresLocation, database_location, drop_all_tables, is_postgres_url,
                                          locate)
from lit_analytics.store.schema import SCHEMA_MIGRATIONS_DDL, base_tables, latest_schema_version, migrations
from lit_analytics.store.snapshot import Snapshot, View, copy_into_snapshot
from lit_analytics.store.versions import FIGURE_FREE_TABLES, Fingerprints, WriteCursor, bump_versions, declared

__all__ = ["FIGURE_FREE_TABLES", "ConcurrentWriteError", "PostgresLocation", "Store", "StoreError",
           "UndeclaredWriteError", "database_location", "drop_all_tables", "is_postgres_url", "latest_schema_version",
           "locate", "migrations"]


class Store:
    """A handle on the database. Safe to share between threads (one cursor per thread)."""

    previous_copy: Path | None = None   # set by `bootstrap.init_database(force=True)`: the database it replaced

    def __init__(self, path: str | os.PathLike, *, read_only: bool = False, migrate: bool = True,
                 target_version: int | None = None, lock_timeout: float | None = None):
        location = database_location(path)
        self.location = location          # what to give another process (`--db`, LIT_DB) to open the same database
        self.read_only = read_only
        self.lock_timeout = config.lock_timeout() if lock_timeout is None else lock_timeout
        if isinstance(location, PostgresLocation):
            self._backend = PostgresBackend(location)
            self.path = location.display
        else:
            self._backend = FileBackend(location)
            self.path = location
            if read_only and not location.exists():
                raise StoreError(f"Base de données introuvable : {location}")
        self.is_postgres = self._backend.kind == "postgres"
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._refresh_lock = threading.Lock()
        self._snapshot = Snapshot(postgres=self.is_postgres)
        self._closed = False
        self.refresh(force=True)
        if migrate and not read_only and self.schema_version() != (target_version or latest_schema_version()):
            try:
                self.migrate(target_version)
            except BaseException:
                self.close()
                raise

    # -- connections ---------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor: inside its own write transaction, the transaction's; inside `one_view`, the
        view's; otherwise one on the snapshot, freshened first (checked at every call: a `stat` of the file, or
        one indexed read in PostgreSQL)."""
        tx = getattr(self._local, "tx", None)
        if tx is not None:
            return tx
        view = getattr(self._local, "view", None)
        if view is not None:
            return view.cursor
        self.refresh()
        return self._thread_cursor()

    def _thread_cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._local.cursor = self._snapshot.conn.cursor()
            cur.execute("USE app")
        return cur

    @contextmanager
    def one_view(self) -> Iterator[None]:
        """Inside the block, every read of this thread sees one state of the snapshot (a read transaction),
        checked for freshness once on entry: a page run's figures agree with each other, and one check replaces
        one per query. A write of this thread inside the block, or a `refresh(wait=True)`, moves the view to the
        state that follows it. Nested blocks share the outer one."""
        if getattr(self._local, "view", None) is not None or getattr(self._local, "tx", None) is not None:
            yield
            return
        self.refresh()
        view = self._local.view = View(self._snapshot)   # no statement until the first read
        try:
            yield
        finally:
            self._local.view = None
            view.end()

    def _move_view(self) -> None:
        """This thread's view (if any) now sees the snapshot's latest state."""
        view = getattr(self._local, "view", None)
        if view is not None:
            view.end()
            view.begin()

    def _versions(self) -> dict[str, str]:
        view = getattr(self._local, "view", None)
        if view is not None:
            return view.versions
        self.refresh()
        return self._snapshot.versions

    def refresh(self, force: bool = False, wait: bool = False) -> bool:
        """Bring the in-memory snapshot up to date if the database changed (or `force`). Returns whether it did.
        Readers keep reading (the previous state of the tables) while a thread updates it; a reader that finds
        another thread updating does not wait (unless `wait`, for a read that must be current, e.g. before
        publishing); when another process holds the file for writing, the current state is served and the check
        is made again at the next read. Inside `one_view`, a forced or waited refresh moves this thread's view."""
        rebuilt = self._refresh(force, wait)
        if force or wait:
            self._move_view()
        return rebuilt

    def _refresh(self, force: bool, wait: bool) -> bool:
        if self._closed:
            raise StoreError("La base est fermée.")
        snapshot = self._snapshot
        first = snapshot.token is None
        if not force and not first and self._backend.token() == snapshot.token:
            return False
        # While another thread updates it, serve the current state rather than wait (it is the next click's).
        if not self._refresh_lock.acquire(blocking=force or wait or first):
            return False
        try:
            if not force and snapshot.token is not None and self._backend.token() == snapshot.token:
                return False
            try:
                self._update_snapshot()
            except ConcurrentWriteError:
                if snapshot.token is None:
                    raise
                stats.SNAPSHOT_DEFERRED.inc()
                return False
        finally:
            self._refresh_lock.release()
        return True

    def _update_snapshot(self, after_write: bool = False) -> None:
        """Copy into the snapshot what changed in the database. A read that finds the file busy keeps serving
        the current state (no wait); the first copy, and the one that follows this process's own write (so the
        writer reads its write), wait for it."""
        backend = self._backend
        snapshot = self._snapshot
        patient = snapshot.token is None or after_write
        wait = self.lock_timeout if patient else 0
        # A reader does not wait for this process's own write either (it serves the current state meanwhile).
        if not backend.lock.acquire(blocking=patient):
            raise ConcurrentWriteError("une écriture est en cours : l'instantané actuel sert encore")
        started = time.perf_counter()
        try:
            token = backend.token()
            target = snapshot.conn.cursor()
            try:
                target.execute("USE app")
                if backend.kind == "file":
                    if snapshot.token is not None and not after_write and backend.writer_waiting():
                        raise ConcurrentWriteError("une écriture attend : l'instantané actuel sert encore")
                    if not backend.path.exists():
                        versions = copy_into_snapshot(target, None, snapshot.versions)
                    else:
                        reader = duckdb.connect(":memory:")   # a connection of its own: see copy_into_snapshot
                        try:
                            backend.attach(reader, "src", write=False, timeout=wait)
                            versions = copy_into_snapshot(target, "src", snapshot.versions, reader=reader)
                        finally:
                            reader.close()
                else:
                    # Attached for the copy only: between copies, catalog look-ups of the page runs (e.g. a
                    # view's `meta` check) would otherwise reach PostgreSQL's catalog (~3 ms each).
                    backend.attach_reader(target, "src")
                    try:
                        versions = copy_into_snapshot(target, "src", snapshot.versions)
                    finally:
                        target.execute("DETACH src")
            finally:
                target.close()
            snapshot.versions, snapshot.token = versions, token
            stats.SNAPSHOT_REFRESHES.observe(time.perf_counter() - started)
        finally:
            backend.lock.release()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._snapshot.close()
        self._local = threading.local()
        if self.is_postgres:
            self._backend.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------------
    def _execute(self, sql: str, params: Sequence[Any] | dict | None):
        try:
            return self.cursor().execute(sql, params or [])
        except duckdb.Error:
            view = getattr(self._local, "view", None)
            if view is not None and getattr(self._local, "tx", None) is None:
                view.restart()   # a failed statement aborts the read transaction: the rest of the run reads on
            raise

    def query_df(self, sql: str, params: Sequence[Any] | dict | None = None) -> pd.DataFrame:
        return self._execute(sql, params).df()

    def query(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[tuple]:
        return self._execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
        row = self._execute(sql, params).fetchone()
        return row[0] if row else None

    def table_exists(self, name: str) -> bool:
        return name in base_tables(self.cursor(), views=True)

    # -- writing -------------------------------------------------------------------------------
    def transaction(self, *, writes: Iterable[str] | str) -> AbstractContextManager[WriteCursor]:
        """One write transaction: all or nothing. `writes` names the tables it writes (where it is written: the
        store takes no guess from the SQL): on commit their versions move, and the figures' data version moves
        unless they are all figure-free (`versions.FIGURE_FREE_TABLES`: accounts, sessions, the audit log). Waits
        (at most `lock_timeout` seconds) for another process's write to end, then raises
        `ConcurrentWriteError`."""
        return self._transaction(declared(writes))

    @contextmanager
    def _transaction(self, writes: frozenset[str], schema_changed: bool = False) -> Iterator[WriteCursor]:
        if self.read_only:
            raise StoreError("La base est ouverte en lecture seule.")
        with stats.waited_for_write(self._write_lock, self._writing()) as conn:   # timed, conflicts counted
            cur = WriteCursor(conn.cursor(), writes, schema_changed)
            cur.execute("USE app")
            cur.execute("BEGIN TRANSACTION")
            self._local.tx = cur
            try:
                tables = base_tables(cur)
                unknown = writes - {t.lower() for t in tables}
                if unknown and not schema_changed:
                    raise ValueError(f"declared writes to unknown tables: {sorted(unknown)}")
                check = (Fingerprints(cur, tables) if not schema_changed and self._backend.kind == "file"
                         and config.check_writes() else None)
                yield cur
                if not getattr(self._local, "unchanged", False) and "meta" in base_tables(cur):
                    if check is not None:
                        check.check(cur)
                    bump_versions(cur)
                cur.execute("COMMIT")
            except BaseException as exc:
                try:
                    cur.execute("ROLLBACK")
                except duckdb.Error:
                    pass
                if isinstance(exc, duckdb.Error) and is_disk_full(exc):
                    raise StoreError(disk_full_message(self.path)) from exc
                raise
            finally:
                self._local.tx = None
                self._local.unchanged = False

    @contextmanager
    def _writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The database open for writing, then (after the write) the snapshot rebuilt."""
        backend = self._backend
        with backend.lock:
            if backend.kind == "file":
                backend.path.parent.mkdir(parents=True, exist_ok=True)
                backend.intent_path.touch()
                try:
                    conn = backend.open(write=True, timeout=self.lock_timeout)
                finally:
                    backend.intent_path.unlink(missing_ok=True)
                try:
                    yield conn
                finally:
                    try:
                        conn.close()   # checkpoints and lets other processes in
                    except duckdb.Error as exc:
                        if is_disk_full(exc):
                            raise StoreError(disk_full_message(self.path)) from exc
                        raise
                    backend.restrict_permissions()
            else:
                backend.acquire(self.lock_timeout)
                try:
                    conn = backend.open(write=True, timeout=self.lock_timeout)
                    conn.execute("CALL pg_clear_cache()")  # another process may have changed the schema
                    yield conn
                finally:
                    backend.release()
            if not self._closed:
                try:
                    self._update_snapshot(after_write=True)
                    self._move_view()   # this thread reads its own write
                except ConcurrentWriteError:
                    # Committed all the same; the next read brings the snapshot up to date (this thread's view, if
                    # any, is dropped: the rest of its block checks at every read).
                    view, self._local.view = getattr(self._local, "view", None), None
                    if view is not None:
                        view.end()

    def next_id(self, cur: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
        """Next integer key of a table (inside a transaction, under the write lock)."""
        return int(cur.execute(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}").fetchone()[0])

    def data_version(self) -> int:
        """A number that moves whenever a table the figures read is written (`meta` of the state this thread reads)."""
        return int(self._versions().get("data_version", 0))

    def cache_key(self, *tables: str) -> tuple:
        """What cached queries and figures are keyed on: the database, its instance (a database replaced by
        `init --force` at the same place is another one), the data version, then the version of each of `tables`."""
        versions = self._versions()
        return (str(self.path), versions.get("instance", ""), int(versions.get("data_version", 0)),
                *(versions.get(f"table:{t.lower()}", "") for t in tables))

    def get_meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", [key])

    @staticmethod
    def set_meta(cur: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
        updated = cur.execute("UPDATE meta SET value = ? WHERE key = ?", [value, key]).fetchone()
        if not updated or not updated[0]:
            cur.execute("INSERT INTO meta VALUES (?, ?)", [key, value])

    # -- schema --------------------------------------------------------------------------------
    def schema_version(self) -> int:
        if not self.table_exists("schema_migrations"):
            return 0
        return int(self.scalar("SELECT coalesce(max(version), 0) FROM schema_migrations"))

    def migrate(self, target_version: int | None = None) -> list[int]:
        """Apply the missing migrations in one transaction under the write lock (processes starting together: once)."""
        applied = []
        known = migrations()
        with self._transaction(frozenset({"schema_migrations"}), schema_changed=True) as cur:
            cur.execute(SCHEMA_MIGRATIONS_DDL)
            current = int(cur.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0])
            done = {int(v) for (v,) in cur.execute("SELECT version FROM schema_migrations").fetchall()}
            unknown = done - {v for v, _, _ in known}
            if unknown:
                raise StoreError(
                    f"La base {self.path} a été créée par une version plus récente de l'outil "
                    f"(schéma {current}, cette version connaît {latest_schema_version()}).")
            for version, name, sql in known:
                if version in done or (target_version is not None and version > target_version):
                    continue
                try:
                    for statement in cur.extract_statements(sql):
                        cur.execute(statement.query)
                except duckdb.Error as exc:   # the transaction is rolled back: the database stays as it was
                    raise StoreError(f"La mise à jour du schéma de la base {self.path} a échoué (migration "
                                     f"{version:03d} {name} : {first_line(exc)}) : la base est restée telle quelle "
                                     f"(schéma {current}), rien n'a été modifié.") from exc
                cur.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, datetime.now()])
                applied.append(version)
            self._local.unchanged = not applied
        if applied and self.is_postgres:
            self._backend.index_natively()   # PostgreSQL's own indexes (backends.NATIVE_INDEXES)
        return applied

    def row_counts(self) -> dict[str, int]:
        """Rows per base table, for `info` and tests."""
        return {t: int(self.scalar(f'SELECT count(*) FROM "{t}"')) for t in sorted(base_tables(self.cursor()))}
