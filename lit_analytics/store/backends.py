"""The two systems of record behind one query engine (DuckDB), and how a write gets the database to itself.

* **An embedded DuckDB file** (`FileBackend`): a DuckDB file open for writing cannot be opened by another process at
  all, so no process keeps it open: a write attaches it for one transaction, waiting (bounded) for another process's
  write to end; a snapshot copy attaches it read-only for the copy only.
* **PostgreSQL** (`PostgresBackend`), for several app replicas: writes go through DuckDB's postgres extension (loaded
  from the pinned `duckdb-extension-postgres` wheel only), serialised across processes by a session advisory lock
  (psycopg); the data version is one indexed read of `meta`.

Each backend answers `token()`: a value that changes whenever the database does (the cheap check of every read).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import duckdb

from lit_analytics.store.errors import (ConcurrentWriteError, StoreError, busy_message, first_line,
                                        open_error_message, sql_literal)
from lit_analytics.store.location import PostgresLocation

_ADVISORY_KEY = 7_114_202_611                                        # PostgreSQL advisory lock of the app's writes


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


def postgres_extension_connection() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the postgres extension loaded from the pinned wheel only (never from the home
    directory, never downloaded)."""
    conn = duckdb.connect(":memory:", config={"extension_directory": _extension_directory(),
                                              "autoinstall_known_extensions": False,
                                              "autoload_known_extensions": False})
    try:
        conn.execute("LOAD postgres")
    except duckdb.Error as exc:
        conn.close()
        raise StoreError(f"Impossible de charger l'extension postgres de DuckDB : {first_line(exc)}") from exc
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
    """Another process holds the file (its write lock), or this process still has it attached elsewhere (DuckDB
    keeps one registry of attached files per process: an `ATTACH` while a detach is deferred by a running
    transaction fails with « Unique file handle conflict »): both end soon, so both are waited for."""
    text = str(exc).lower()
    return ("lock" in text and ("conflicting" in text or "could not set" in text)) or "unique file handle" in text


class FileBackend:
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
                conn.execute(f"ATTACH '{sql_literal(str(self.path))}' AS {name}{mode}")
                if write:
                    self.restrict_permissions()
                return
            except duckdb.Error as exc:
                if not _is_lock_conflict(exc):
                    raise StoreError(open_error_message(self.path, exc)) from exc
                if time.monotonic() >= deadline:
                    raise ConcurrentWriteError(busy_message(str(self.path), timeout)) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def restrict_permissions(self) -> None:
        """The database holds password and session hashes and the journal: readable by its owner only (0600),
        whatever the umask of the process that created it (a file made by an earlier release is tightened at its
        next write)."""
        for path in (self.path, Path(str(self.path) + ".wal")):
            try:
                if os.stat(path).st_mode & 0o077:
                    os.chmod(path, 0o600)
            except FileNotFoundError:
                pass

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


# Indexes PostgreSQL keeps that the migrations (shared by both stores) leave out, because on the embedded file DuckDB
# writes a table's index again whole at each checkpoint: the journal's ids (migration 012), which the next id and
# the snapshot's copy of new lines look up (`event_id >= ?`, pushed down to PostgreSQL).
NATIVE_INDEXES = (("audit_log", "CREATE INDEX IF NOT EXISTS audit_log_by_event_id ON audit_log (event_id)"),)


class PostgresBackend:
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
                                 f"{first_line(exc)}") from exc
        return self._meta

    def _meta_query(self, sql: str, params=()):
        with self._meta_lock:
            return self._psycopg().execute(sql, params).fetchone()

    def open(self, *, write: bool, timeout: float) -> duckdb.DuckDBPyConnection:
        if write and self._writer is not None:
            return self._writer
        conn = postgres_extension_connection()
        mode = "" if write else ", READ_ONLY"
        try:
            conn.execute(f"ATTACH '{sql_literal(self.url)}' AS app (TYPE postgres{mode})")
        except duckdb.Error as exc:
            conn.close()
            raise StoreError(f"Impossible d'ouvrir la base PostgreSQL {self.display} : {first_line(exc)}") from exc
        conn.execute("USE app")
        if write:
            self._writer = conn
            self.index_natively()   # once per process: a database restored or upgraded elsewhere gets them too
        return conn

    def attach_reader(self, conn: duckdb.DuckDBPyConnection, name: str) -> None:
        """Attach the database read-only to `conn` (a snapshot's DuckDB, the postgres extension loaded)."""
        try:
            conn.execute(f"ATTACH '{sql_literal(self.url)}' AS {name} (TYPE postgres, READ_ONLY)")
        except duckdb.Error as exc:
            raise StoreError(f"Impossible d'ouvrir la base PostgreSQL {self.display} : {first_line(exc)}") from exc

    def index_natively(self) -> None:
        """PostgreSQL's own indexes that the shared migrations leave out (`NATIVE_INDEXES`), made if missing: when
        this process first writes, and after migrations."""
        with self._meta_lock:
            connection = self._psycopg()
            for table, statement in NATIVE_INDEXES:
                if connection.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is not None:
                    connection.execute(statement)

    def acquire(self, timeout: float) -> None:
        """The cross-process write lock (a session advisory lock, taken before the transaction starts so its
        snapshot sees every earlier commit)."""
        deadline = time.monotonic() + timeout
        delay = 0.01
        while not self._meta_query("SELECT pg_try_advisory_lock(%s)", (_ADVISORY_KEY,))[0]:
            if time.monotonic() >= deadline:
                raise ConcurrentWriteError(busy_message(self.display, timeout, who=""))
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
