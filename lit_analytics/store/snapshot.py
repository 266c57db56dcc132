"""The in-memory DuckDB copy of the database that every read is served from, and a thread's read transaction on it.

The snapshot is updated in place (`copy_into_snapshot`): one transaction replaces only the tables whose version
moved, and a reader inside a read transaction (`View`, one per page run) keeps the state it began with (DuckDB's
MVCC), so a page run sees one state of the data, and a small write (a sign-in) costs no copy of the large tables.
"""

from __future__ import annotations

import duckdb

from lit_analytics.store.backends import postgres_extension_connection
from lit_analytics.store.schema import base_tables, latest_schema_version, view_names, view_statements


class Snapshot:
    """The in-memory DuckDB copy of the database, named `app`, that reads are served from. It is updated in place:
    a refresh replaces the tables that changed, in one transaction; a reader inside a transaction (`one_view`)
    keeps seeing the tables as they were when it began (DuckDB's MVCC covers tables and views), so nothing
    unchanged is ever copied again (at 100× the demo data, re-copying every table took ~0.6 s after each write)."""

    MAX_IDLE_READERS = 64

    def __init__(self, postgres: bool = False):
        # On PostgreSQL, the database is attached (read-only) to the snapshot's own DuckDB as `src` while it is
        # copied, without a round trip through Python (`_update_snapshot`).
        self.conn = postgres_extension_connection() if postgres else duckdb.connect(":memory:")
        self.conn.execute("ATTACH ':memory:' AS app")
        self.conn.execute("USE app")
        self.token: tuple | None = None    # the source's token when last copied (None: never copied)
        self.versions: dict[str, str] = {}  # the source's `meta` rows then: instance, schema, per-table versions
        self._readers: list[duckdb.DuckDBPyConnection] = []   # idle cursors of `reader()`, `USE app` done

    def reader(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the snapshot for one thread at a time, given back with `put_back`: Streamlit runs each page
        run in a new thread, and a new cursor costs a statement (`USE app`) at every run."""
        try:
            return self._readers.pop()
        except IndexError:
            cursor = self.conn.cursor()
            cursor.execute("USE app")
            return cursor

    def put_back(self, cursor: duckdb.DuckDBPyConnection) -> None:
        if len(self._readers) < self.MAX_IDLE_READERS:
            self._readers.append(cursor)
        else:
            cursor.close()

    def close(self) -> None:
        self.conn.close()


class View:
    """A thread's read of one state of the snapshot (`Store.one_view`), and the versions of that state.

    The versions are the snapshot's (`Snapshot.versions`, replaced after each copy has committed); the read
    transaction begins at the first statement of the view, on a pooled cursor: a page run whose figures are all in
    the memo runs no statement at all. A transaction begun later sees that state or a newer one, never an older
    one, so what a miss computes is never older than the versions it is kept under."""

    def __init__(self, snapshot: Snapshot):
        self._snapshot = snapshot
        self._cursor: duckdb.DuckDBPyConnection | None = None
        self.versions: dict[str, str] = snapshot.versions

    @property
    def cursor(self) -> duckdb.DuckDBPyConnection:
        if self._cursor is None:
            cursor = self._snapshot.reader()
            cursor.execute("BEGIN TRANSACTION")
            self._cursor = cursor
        return self._cursor

    def begin(self) -> None:
        """The snapshot's latest state from now on (after this thread's own write, for instance)."""
        self.versions = self._snapshot.versions

    def end(self) -> None:
        cursor, self._cursor = self._cursor, None
        if cursor is None:
            return
        try:
            cursor.execute("COMMIT")
        except duckdb.Error:
            try:
                cursor.execute("ROLLBACK")
            except duckdb.Error:
                cursor.close()
                return
        self._snapshot.put_back(cursor)

    def restart(self) -> None:
        """After a failed statement (which aborts the transaction): the rest of the run reads on."""
        self.end()
        self.begin()


# Tables the app only ever adds rows to, each under a key larger than every earlier one (written under the write
# lock, by one module: `audit.record`; tests/test_architecture.py checks no other statement touches them): a refresh
# copies only the rows above the largest key the snapshot holds. The journal gains a line at every sign-in, export
# and publication: copied whole, each of them took ~0,5 s more at 100 000 lines, 0,75 s at 400 000 (years of use;
# docs/benchmarks.md « Écritures »). A restore or another database changes the instance: copied whole.
APPEND_ONLY = {"audit_log": "event_id"}


def _copy(target, src, source: str, table: str, head: str, through_arrow: bool, where: str = "",
          params: list | None = None) -> None:
    """`head` (an SQL statement's start naming the snapshot's table) with the rows of `{source}.{table}` (`where`: a
    condition on them): straight from the attached source, or through Arrow from the reader's own attachment."""
    query = f'SELECT * FROM {source}."{table}" {where}'
    if not through_arrow:
        target.execute(f"{head} {query}", params or [])
        return
    target.register("snapshot_rows", src.execute(query, params or []).to_arrow_table())
    try:
        target.execute(f"{head} SELECT * FROM snapshot_rows")
    finally:
        target.unregister("snapshot_rows")


def _add_new_rows(target, src, source: str, table: str, through_arrow: bool) -> None:
    """Copy the rows of an append-only table whose key is above the snapshot's largest (a filter PostgreSQL
    answers from the key's index)."""
    key = APPEND_ONLY[table]
    largest = target.execute(f'SELECT max("{key}") FROM app."{table}"').fetchone()[0]
    _copy(target, src, source, table, f'INSERT INTO app."{table}"', through_arrow,
          *((f'WHERE "{key}" > ?', [largest]) if largest is not None else ()))


def copy_into_snapshot(target, source: str | None, old: dict[str, str], reader=None) -> dict[str, str]:
    """Bring the snapshot's tables up to date with the database attached as `source` ("src"; None: the database
    does not exist yet, an empty snapshot), in one transaction of `target` (a cursor on the snapshot): readers in a
    transaction keep the previous state. PostgreSQL is attached to the snapshot's own DuckDB (`reader` None: the
    copy needs no round trip through Python). A DuckDB file is attached to `reader`, a short-lived connection of
    its own, and its tables travel as Arrow: the snapshot's DuckDB never attaches the file, so no page run's read
    transaction can keep it attached there and make the next write's `ATTACH` fail (DuckDB keeps one registry of
    attached files per process). A table whose version is the one already copied (same database, same
    schema) is left as it is: after a sign-in, only the sessions and the audit log's new line travel (`APPEND_ONLY`
    tables gain their new rows only). Views are made from the migrations of the source's schema version. The copies carry no keys or constraints (only read, and the copy
    is several times faster). Returns the source's `meta` rows (the versions)."""
    views = view_names()
    src = target if reader is None else reader
    if reader is not None:
        reader.execute("BEGIN TRANSACTION")   # the file read at one point in time
    target.execute("BEGIN TRANSACTION")
    try:
        # (PostgreSQL's views show as tables through the extension: the snapshot makes its own.)
        tables = [] if source is None else [t for t in base_tables(src, catalog=source) if t.lower() not in views]
        if "schema_migrations" not in tables:
            tables, versions = [], {}
        else:
            versions = (dict(src.execute(f"SELECT key, value FROM {source}.meta").fetchall())
                        if "meta" in tables else {})
        same = ("instance" in versions and old.get("instance") == versions["instance"]
                and old.get("schema") == versions.get("schema"))
        present = set(base_tables(target))
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
            if same and table in present and table in APPEND_ONLY:
                _add_new_rows(target, src, source, table, reader is not None)
                continue
            _copy(target, src, source, table, f'CREATE OR REPLACE TABLE app."{table}" AS', reader is not None)
        if not same and tables:
            version = int(target.execute("SELECT coalesce(max(version), 0) FROM app.schema_migrations").fetchone()[0])
            for statement in view_statements(min(version, latest_schema_version())):
                target.execute(statement)
        target.execute("COMMIT")
    except BaseException:
        target.execute("ROLLBACK")
        raise
    finally:
        if reader is not None:
            reader.execute("ROLLBACK")
    return versions
