"""The store: the only module that opens a database.

Two kinds of system of record, one query engine (DuckDB):

* **an embedded DuckDB file** (the default): a DuckDB file open for writing cannot be opened by another process
  at all, so no process keeps it open. A write opens it for the duration of one transaction (waiting, bounded,
  for another process's write to end, then a French message); reads are served from an in-memory DuckDB copy
  (a *snapshot*) rebuilt when the file changes (a `stat` per read). So the app, the command line and other app
  processes all work on the same file at once, and the app shows what the command line published at the next click.
* **PostgreSQL** (`postgresql://user:password@host:port/db`), for several app replicas: writes go through
  DuckDB's postgres extension (loaded from the pinned `duckdb-extension-postgres` wheel, never downloaded), one
  PostgreSQL transaction each, serialised across processes by a session advisory lock (psycopg); each process
  keeps the same in-memory snapshot, rebuilt when the data version in PostgreSQL moves (one indexed read).

The snapshot is updated in place (`_copy_into_snapshot`): one transaction replaces only the tables whose version
moved, and a reader inside a read transaction keeps the state it began with (DuckDB's MVCC), so a page run
(`one_view`) sees one state of the data, checked once, and a small write (a sign-in) costs no copy of the large
tables. In both cases the database is `app` (attached, `USE app`) and the schema is built by numbered SQL migrations in
`lit_analytics/migrations/NNN_name.sql`, recorded in `schema_migrations`: opening an older database upgrades it,
opening an up-to-date one changes nothing. Writes go through `transaction()` and bump the data version that
caches key on; inside a transaction the writing thread reads its own uncommitted state.
"""

from __future__ import annotations

import os
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
LOCK_TIMEOUT_S = float(os.environ.get("LIT_LOCK_TIMEOUT", "15"))   # how long a write waits for another one
_ADVISORY_KEY = 7_114_202_611                                        # PostgreSQL advisory lock of the app's writes


class StoreError(Exception):
    """A problem with the database that the user can act on (message in French)."""


class ConcurrentWriteError(StoreError):
    """Another process kept the database busy longer than the bounded wait."""
def migrations() -> list[tuple[int, str, str]]:
    """The known migrations as (version, name, sql), in order."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), match.group(2), path.read_text(encoding="utf-8")))
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"migration numbers must be unique, got {versions}")
    # Numbers are reserved per branch (e.g. 005 and 006 written in parallel): a number may be missing for a
    # while, and a migration is applied when it is not recorded in schema_migrations, whatever the maximum.
    return found


def latest_schema_version() -> int:
    return max((v for v, _, _ in migrations()), default=0)


# --- where the database is ----------------------------------------------------------------------------

def is_postgres_url(location: str | os.PathLike) -> bool:
    return str(location).startswith(("postgresql://", "postgres://"))


class PostgresLocation(str):
    """A PostgreSQL system of record, given as a libpq URL. Behaves like the `Path` of a file where the
    command line asks: `exists()` says whether the database has been initialised (has a schema)."""

    def exists(self) -> bool:
        return _postgres_schema_version(str(self)) > 0

    @property
    def display(self) -> str:
        """The URL without its password (for messages and `info`)."""
        parts = urllib.parse.urlsplit(str(self))
        if parts.password is None:
            return str(self)
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def database_location(location: str | os.PathLike) -> Path | PostgresLocation:
    """A file path, or a `PostgresLocation` for a `postgresql://` URL."""
    if isinstance(location, PostgresLocation):
        return location
    if is_postgres_url(location):
        return PostgresLocation(str(location))
    return Path(location)


def _postgres_schema_version(url: str) -> int:
    import psycopg
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            if conn.execute("SELECT to_regclass('schema_migrations')").fetchone()[0] is None:
                return 0
            return int(conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0])
    except psycopg.Error as exc:
        raise StoreError(f"Impossible de joindre la base PostgreSQL {PostgresLocation(url).display} : "
                         f"{_first_line(exc)}") from exc


def drop_all_tables(location: PostgresLocation) -> None:
    """Empty a PostgreSQL database for `init --force`: drop its `public` schema and create it again."""
    import psycopg
    with psycopg.connect(str(location), autocommit=True, connect_timeout=10) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


_EXTENSION_DIR: list[str] = []          # this process's private DuckDB extension directory (see below)
_EXTENSION_DIR_LOCK = threading.Lock()


def _extension_directory() -> str:
    """A private extension directory holding only the pinned wheel's postgres extension (a symbolic link, under
    the name DuckDB looks for), made once per process. DuckDB's default is `~/.duckdb/extensions`, and its
    autoloading may download: neither is used, so a fresh server behaves like the machine that ran the tests."""
    with _EXTENSION_DIR_LOCK:
        if not _EXTENSION_DIR:
            try:
                import duckdb_extension_postgres
            except ImportError as exc:
                raise StoreError("L'extension postgres de DuckDB n'est pas installée : installez les dépendances "
                                 "de requirements.txt (duckdb-extension-postgres, même version que duckdb).") from exc
            wheel = (Path(duckdb_extension_postgres.__file__).parent / "extensions" / f"v{duckdb.__version__}"
                     / "postgres.duckdb_extension")
            if not wheel.is_file():
                raise StoreError(f"Extension postgres de DuckDB introuvable pour DuckDB {duckdb.__version__} "
                                 "(installez duckdb-extension-postgres de la même version).")
            import atexit
            import shutil
            import tempfile
            root = tempfile.mkdtemp(prefix="lit-duckdb-ext-")
            atexit.register(shutil.rmtree, root, ignore_errors=True)
            probe = duckdb.connect(":memory:")
            platform = probe.execute("PRAGMA platform").fetchone()[0]
            probe.close()
            folder = Path(root) / f"v{duckdb.__version__}" / platform
            folder.mkdir(parents=True)
            (folder / "postgres_scanner.duckdb_extension").symlink_to(wheel)
            _EXTENSION_DIR.append(root)
        return _EXTENSION_DIR[0]


def _postgres_extension_connection() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the postgres extension loaded from the pinned wheel only (never from the home
    directory, never downloaded)."""
    conn = duckdb.connect(":memory:", config={"extension_directory": _extension_directory(),
                                              "autoinstall_known_extensions": False,
                                              "autoload_known_extensions": False})
    try:
        conn.execute("LOAD postgres")
    except duckdb.Error as exc:
        conn.close()
        raise StoreError(f"Impossible de charger l'extension postgres de DuckDB : {_first_line(exc)}") from exc
    return conn


# One lock per database file for the whole process: two `Store`s of one process on the same file (tests, the
# app's cached store and a page's) never open it at the same time (DuckDB's file lock is per process).
_FILE_LOCKS: dict[str, threading.RLock] = {}
_FILE_LOCKS_GUARD = threading.Lock()


def _file_lock(path: Path) -> threading.RLock:
    key = os.path.abspath(path)
    with _FILE_LOCKS_GUARD:
        return _FILE_LOCKS.setdefault(key, threading.RLock())


def _is_lock_conflict(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


class _FileBackend:
    kind = "file"

    def __init__(self, path: Path):
        self.path = path
        self.display = str(path)
        self.lock = _file_lock(path)

    def open(self, *, write: bool, timeout: float) -> duckdb.DuckDBPyConnection:
        """A fresh DuckDB connection with the file attached as `app`, once no other process writes it."""
        conn = duckdb.connect(":memory:")
        try:
            self.attach(conn, "app", write=write, timeout=timeout)
        except BaseException:
            conn.close()
            raise
        conn.execute("USE app")
        return conn

    @property
    def intent_path(self) -> Path:
        return Path(str(self.path) + ".write-intent")

    def writer_waiting(self) -> bool:
        """Whether a write (of any process) waits for the file: snapshot rebuilds then stand aside, so a busy
        reader never starves writers (a leftover older than a minute is ignored)."""
        try:
            return time.time() - os.stat(self.intent_path).st_mtime < 60
        except FileNotFoundError:
            return False

    def attach(self, conn, name: str, *, write: bool, timeout: float) -> None:
        """ATTACH the file to `conn` as `name`, retrying (bounded) while another process writes it."""
        if write:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        mode = "" if write else " (READ_ONLY)"
        deadline = time.monotonic() + timeout
        delay = 0.01
        while True:
            try:
                conn.execute(f"ATTACH '{_sql_literal(str(self.path))}' AS {name}{mode}")
                return
            except duckdb.Error as exc:
                if not _is_lock_conflict(exc):
                    raise StoreError(_open_error_message(self.path, exc)) from exc
                if time.monotonic() >= deadline:
                    raise ConcurrentWriteError(
                        f"La base {self.path} est occupée par une écriture d'un autre processus (l'application "
                        f"ou une commande) depuis plus de {timeout:g} s : rien n'a été écrit, réessayez.") from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def token(self) -> tuple:
        """Changes whenever the file (or its write-ahead log) changes: the cheap check of every read."""
        out = []
        for p in (self.path, Path(str(self.path) + ".wal")):
            try:
                st = os.stat(p)
                out.append((st.st_ino, st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                out.append(None)
        return tuple(out)


class _PostgresBackend:
    kind = "postgres"

    def __init__(self, url: PostgresLocation):
        self.url = str(url)
        self.display = url.display
        self.lock = threading.RLock()
        self._meta = None            # psycopg connection: version checks and the advisory lock
        self._meta_lock = threading.Lock()
        self._writer = None          # persistent DuckDB connection with PostgreSQL attached as `app`

    def _psycopg(self):
        import psycopg
        if self._meta is None or self._meta.closed:
            try:
                self._meta = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
            except psycopg.Error as exc:
                raise StoreError(f"Impossible de joindre la base PostgreSQL {self.display} : "
                                 f"{_first_line(exc)}") from exc
        return self._meta

    def _meta_query(self, sql: str, params=()):
        with self._meta_lock:
            return self._psycopg().execute(sql, params).fetchone()

    def open(self, *, write: bool, timeout: float) -> duckdb.DuckDBPyConnection:
        if write and self._writer is not None:
            return self._writer
        conn = _postgres_extension_connection()
        mode = "" if write else ", READ_ONLY"
        try:
            conn.execute(f"ATTACH '{_sql_literal(self.url)}' AS app (TYPE postgres{mode})")
        except duckdb.Error as exc:
            conn.close()
            raise StoreError(f"Impossible d'ouvrir la base PostgreSQL {self.display} : {_first_line(exc)}") from exc
        conn.execute("USE app")
        if write:
            self._writer = conn
        return conn

    def attach_reader(self, conn: duckdb.DuckDBPyConnection, name: str) -> None:
        """Attach the database read-only to `conn` (a snapshot's DuckDB, the postgres extension loaded)."""
        try:
            conn.execute(f"ATTACH '{_sql_literal(self.url)}' AS {name} (TYPE postgres, READ_ONLY)")
        except duckdb.Error as exc:
            raise StoreError(f"Impossible d'ouvrir la base PostgreSQL {self.display} : {_first_line(exc)}") from exc

    def acquire(self, timeout: float) -> None:
        """The cross-process write lock (a session advisory lock, taken before the transaction starts so its
        snapshot sees every earlier commit)."""
        deadline = time.monotonic() + timeout
        delay = 0.01
        while not self._meta_query("SELECT pg_try_advisory_lock(%s)", (_ADVISORY_KEY,))[0]:
            if time.monotonic() >= deadline:
                raise ConcurrentWriteError(
                    f"La base {self.display} est occupée par une écriture d'un autre processus depuis plus de "
                    f"{timeout:g} s : rien n'a été écrit, réessayez.")
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def release(self) -> None:
        self._meta_query("SELECT pg_advisory_unlock(%s)", (_ADVISORY_KEY,))

    def token(self) -> tuple:
        """The store version in PostgreSQL (one indexed read); before the schema exists, which tables do."""
        import psycopg
        try:
            row = self._meta_query("SELECT string_agg(key || '=' || value, ';' ORDER BY key) FROM meta "
                                   "WHERE key IN ('store_version', 'data_version', 'instance')")
            return ("version", row[0] if row else None)
        except psycopg.errors.UndefinedTable:
            return ("tables", self._meta_query("SELECT count(*) FROM information_schema.tables "
                                               "WHERE table_schema = 'public'")[0])

    def close(self) -> None:
        for conn in (self._writer, self._meta):
            try:
                if conn is not None:
                    conn.close()
            except Exception:
                pass
        self._writer = self._meta = None


# Tables no cached figure reads, declared by the modules that own them (`figures_do_not_read`): writing them (a
# sign-in, an account change, the audit log) leaves the data version, hence every cached query and figure, as it is.
UNCACHED_TABLES: set[str] = set()


def figures_do_not_read(*tables: str) -> None:
    """Declare tables that no cached query or figure reads (their writes keep `data_version`)."""
    UNCACHED_TABLES.update(t.lower() for t in tables)


_WRITE_SQL = re.compile(r"^\s*(?:--[^\n]*\n\s*)*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"
                        r"(?:\w+\.)?\"?(\w+)", re.IGNORECASE)
_DDL_SQL = re.compile(r"^\s*(?:--[^\n]*\n\s*)*(?:CREATE|ALTER|DROP)\b", re.IGNORECASE)


class _TrackingCursor:
    """The cursor of a write transaction: a DuckDB cursor that notes which tables its statements write and
    whether the schema changed (for `Store._bump_versions`). Everything else is the DuckDB cursor's."""

    def __init__(self, cur: duckdb.DuckDBPyConnection):
        self._cur = cur
        self.data = True
        self.written: set[str] = set()
        self.schema_changed = False

    def _note(self, sql: str) -> None:
        match = _WRITE_SQL.match(sql)
        if match:
            self.written.add(match.group(1).lower())
        elif _DDL_SQL.match(sql):
            self.schema_changed = True

    def execute(self, sql: str, parameters: Any = None):
        self._note(sql)
        return self._cur.execute(sql) if parameters is None else self._cur.execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any):
        self._note(sql)
        return self._cur.executemany(sql, parameters)

    def __getattr__(self, name: str):
        return getattr(self._cur, name)


class _Snapshot:
    """The in-memory DuckDB copy of the database, named `app`, that reads are served from. It is updated in place:
    a refresh replaces the tables that changed, in one transaction; a reader inside a transaction (`one_view`)
    keeps seeing the tables as they were when it began (DuckDB's MVCC covers tables and views), so nothing
    unchanged is ever copied again (at 100× the demo data, re-copying every table took ~0.6 s after each write)."""

    def __init__(self, postgres: bool = False):
        # On PostgreSQL, the database is attached (read-only) to the snapshot's own DuckDB as `src` while it is
        # copied, without a round trip through Python (`_update_snapshot`).
        self.conn = _postgres_extension_connection() if postgres else duckdb.connect(":memory:")
        self.conn.execute("ATTACH ':memory:' AS app")
        self.conn.execute("USE app")
        self.token: tuple | None = None    # the source's token when last copied (None: never copied)
        self.versions: dict[str, str] = {}  # the source's `meta` rows then: instance, schema, per-table versions

    def close(self) -> None:
        self.conn.close()


class _View:
    """A thread's read transaction on the snapshot (`Store.one_view`), and the versions it sees."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection):
        self.cursor = cursor
        self.versions: dict[str, str] = {}
        self.begin()

    def begin(self) -> None:
        self.cursor.execute("BEGIN TRANSACTION")
        has_meta = self.cursor.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'app' "
                                       "AND table_name = 'meta'").fetchone()[0]
        self.versions = (dict(self.cursor.execute("SELECT key, value FROM app.meta").fetchall())
                         if has_meta else {})   # no database yet, or one from before the versions existed

    def end(self) -> None:
        try:
            self.cursor.execute("COMMIT")
        except duckdb.Error:
            try:
                self.cursor.execute("ROLLBACK")
            except duckdb.Error:
                pass

    def restart(self) -> None:
        try:
            self.cursor.execute("ROLLBACK")
        except duckdb.Error:
            pass
        self.begin()


class Store:
    """A handle on the database. Safe to share between threads (one cursor per thread)."""

    previous_copy: Path | None = None   # set by `bootstrap.init_database(force=True)`: the database it replaced

    def __init__(self, path: str | os.PathLike, *, read_only: bool = False, migrate: bool = True,
                 target_version: int | None = None, lock_timeout: float | None = None):
        location = database_location(path)
        self.location = location          # what to give another process (`--db`, LIT_DB) to open the same database
        self.read_only = read_only
        self.lock_timeout = LOCK_TIMEOUT_S if lock_timeout is None else lock_timeout
        if isinstance(location, PostgresLocation):
            self._backend = _PostgresBackend(location)
            self.path = location.display
        else:
            self._backend = _FileBackend(location)
            self.path = location
            if read_only and not location.exists():
                raise StoreError(f"Base de données introuvable : {location}")
        self.is_postgres = self._backend.kind == "postgres"
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._refresh_lock = threading.Lock()
        self._snapshot = _Snapshot(postgres=self.is_postgres)
        self._closed = False
        self.refresh(force=True)
        if migrate and not read_only and self.schema_version() != (target_version or latest_schema_version()):
            self.migrate(target_version)

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
        view = self._local.view = _View(self._thread_cursor())
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
        try:
            token = backend.token()
            target = snapshot.conn.cursor()
            try:
                target.execute("USE app")
                if backend.kind == "file":
                    if snapshot.token is not None and not after_write and backend.writer_waiting():
                        raise ConcurrentWriteError("une écriture attend : l'instantané actuel sert encore")
                    if not backend.path.exists():
                        versions = _copy_into_snapshot(target, None, snapshot.versions)
                    else:
                        backend.attach(target, "src", write=False, timeout=wait)
                        try:
                            versions = _copy_into_snapshot(target, "src", snapshot.versions)
                        finally:
                            target.execute("DETACH src")
                else:
                    # Attached for the copy only: between copies, catalog look-ups of the page runs (e.g. a
                    # view's `meta` check) would otherwise reach PostgreSQL's catalog (~3 ms each).
                    backend.attach_reader(target, "src")
                    try:
                        versions = _copy_into_snapshot(target, "src", snapshot.versions)
                    finally:
                        target.execute("DETACH src")
            finally:
                target.close()
            snapshot.versions, snapshot.token = versions, token
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
        return name in _base_tables(self.cursor(), views=True)

    # -- writing -------------------------------------------------------------------------------
    @contextmanager
    def transaction(self, *, data: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction: all or nothing, and the versions move on commit (see `_bump_versions`; with
        `data=False`, bookkeeping that no figure shows, such as a session's last activity, leaves `data_version`,
        hence every cached figure, as it is). Waits (at most `lock_timeout` seconds) for another process's write
        to end, then raises `ConcurrentWriteError`."""
        if self.read_only:
            raise StoreError("La base est ouverte en lecture seule.")
        with self._write_lock, self._writing() as conn:
            cur = _TrackingCursor(conn.cursor())
            cur.data = data
            cur.execute("USE app")
            cur.execute("BEGIN TRANSACTION")
            self._local.tx = cur
            try:
                yield cur
                if not getattr(self._local, "unchanged", False) and "meta" in _base_tables(cur):
                    self._bump_versions(cur, data=data)
                cur.execute("COMMIT")
            except BaseException:
                try:
                    cur.execute("ROLLBACK")
                except duckdb.Error:
                    pass
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
                    conn.close()   # checkpoints and lets other processes in
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

    @staticmethod
    def _bump_versions(cur: _TrackingCursor, *, data: bool = True) -> None:
        """Record what this transaction changed, in `meta`: `store_version` moves at every write (other processes
        rebuild their snapshot), `table:<name>` names the store version that last wrote each table (the snapshot
        copies only those), `schema` the last DDL; `data_version`, the key of the cached figures, moves only when
        a table the figures read changed (not for sign-ins, accounts or the audit log)."""
        meta = dict(cur.execute("SELECT key, value FROM meta").fetchall())
        version = str(int(meta.get("store_version", "0")) + 1)
        updates = {"store_version": version}
        if "instance" not in meta:
            import uuid
            updates["instance"] = uuid.uuid4().hex
        for table in cur.written - {"meta"}:
            updates[f"table:{table}"] = version
        if cur.schema_changed:
            updates["schema"] = version
        if cur.schema_changed or (data and cur.written - {"meta"} - UNCACHED_TABLES):
            updates["data_version"] = str(int(meta.get("data_version", "0")) + 1)
        for key, value in updates.items():
            if key in meta:
                cur.execute("UPDATE meta SET value = ? WHERE key = ?", [value, key])
            else:
                cur.execute("INSERT INTO meta VALUES (?, ?)", [key, value])

    def next_id(self, cur: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
        """Next integer key of a table (inside a transaction, under the write lock)."""
        return int(cur.execute(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}").fetchone()[0])

    def data_version(self) -> int:
        """A number that moves whenever a table the figures read is written (the `meta` rows of the state this
        thread reads)."""
        return int(self._versions().get("data_version", 0))

    def cache_key(self) -> tuple[str, str, int]:
        """What cached queries and figures are keyed on: the database, its instance (a database replaced by
        `init --force` at the same place is another one) and the data version."""
        versions = self._versions()
        return str(self.path), versions.get("instance", ""), int(versions.get("data_version", 0))

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
        """Apply the migrations this database lacks, in one transaction (under the write lock, so two
        processes starting together migrate once). Returns those applied."""
        applied = []
        known = migrations()
        with self.transaction() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                        "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)")
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
                for statement in cur.extract_statements(sql):
                    cur.execute(statement.query)
                cur.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, datetime.now()])
                applied.append(version)
            self._local.unchanged = not applied
        return applied

    def row_counts(self) -> dict[str, int]:
        """Rows per base table, for `info` and tests."""
        return {t: int(self.scalar(f'SELECT count(*) FROM "{t}"')) for t in sorted(_base_tables(self.cursor()))}


def _base_tables(cur, views: bool = False, catalog: str = "app") -> list[str]:
    """The tables (and views) of the database `app` in its main schema (`main` in DuckDB, `public` in
    PostgreSQL), without PostgreSQL's catalogs."""
    kinds = "('BASE TABLE', 'VIEW')" if views else "('BASE TABLE')"
    return [r[0] for r in cur.execute(
        f"SELECT table_name FROM information_schema.tables WHERE table_catalog = '{catalog}' "
        f"AND table_schema IN ('main', 'public') AND table_type IN {kinds} ORDER BY table_name").fetchall()]


def _copy_into_snapshot(target, source: str | None, old: dict[str, str]) -> dict[str, str]:
    """Bring the snapshot's tables up to date with the database attached to it as `source` ("src": the file, or
    PostgreSQL through the extension; None: the database does not exist yet, an empty snapshot), in one
    transaction of `target` (a cursor on the snapshot): the source is read at one point in time, and readers in a
    transaction keep the previous state. A table whose version is the one already copied (same database, same
    schema) is left as it is: after a sign-in, only the sessions and the audit log travel. Views are made from the
    migrations of the source's schema version. The copies carry no keys or constraints (only read, and the copy
    is several times faster). Returns the source's `meta` rows (the versions)."""
    views = {m.group(1).lower() for st in _view_statements(latest_schema_version())
             if (m := re.search(r"VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?(\w+)", st, re.IGNORECASE))}
    target.execute("BEGIN TRANSACTION")
    try:
        # (PostgreSQL's views show as tables through the extension: the snapshot makes its own.)
        tables = [] if source is None else [t for t in _base_tables(target, catalog=source) if t.lower() not in views]
        if "schema_migrations" not in tables:
            tables, versions = [], {}
        else:
            versions = (dict(target.execute(f"SELECT key, value FROM {source}.meta").fetchall())
                        if "meta" in tables else {})
        same = ("instance" in versions and old.get("instance") == versions["instance"]
                and old.get("schema") == versions.get("schema"))
        present = set(_base_tables(target))
        if not same:   # another database, or another schema: everything is copied, views made again
            for view in [r[0] for r in target.execute(
                    "SELECT view_name FROM duckdb_views() WHERE database_name = 'app' AND NOT internal").fetchall()]:
                target.execute(f'DROP VIEW app."{view}"')
        for table in sorted(present - set(tables)):
            target.execute(f'DROP TABLE app."{table}"')
        for table in tables:
            key = f"table:{table}"
            # (A table no write has touched since the schema was made has no version: unchanged.)
            if same and table in present and table != "meta" and old.get(key) == versions.get(key):
                continue
            target.execute(f'CREATE OR REPLACE TABLE app."{table}" AS SELECT * FROM {source}."{table}"')
        if not same and tables:
            version = int(target.execute("SELECT coalesce(max(version), 0) FROM app.schema_migrations").fetchone()[0])
            for statement in _view_statements(min(version, latest_schema_version())):
                target.execute(statement)
        target.execute("COMMIT")
    except BaseException:
        target.execute("ROLLBACK")
        raise
    return versions


_VIEW_DDL = re.compile(r"^(?:\s*--[^\n]*\n)*\s*(CREATE\s+(OR\s+REPLACE\s+)?VIEW|DROP\s+VIEW)\b", re.IGNORECASE)
_VIEW_CACHE: dict[int, list[str]] = {}


def _view_statements(version: int) -> list[str]:
    """The view definitions of migrations 1..version, in order (parsed once per process)."""
    if version not in _VIEW_CACHE:
        parser = duckdb.connect(":memory:")
        out = []
        for number, _name, sql in migrations():
            if number > version:
                break
            out.extend(st.query for st in parser.extract_statements(sql) if _VIEW_DDL.match(st.query))
        parser.close()
        _VIEW_CACHE[version] = out
    return _VIEW_CACHE[version]


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
