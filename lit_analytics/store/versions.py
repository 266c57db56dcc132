"""What a write changed, and the version numbers in `meta` that readers and caches key on.

Every write transaction declares the tables it writes, where it is written (`store.transaction(writes=(...))`): the
one mechanism that tells the store which tables other processes must copy again and whether the figures' data
version moves. No guessing from the SQL text: DuckDB's statement analysis does not name the table an INSERT, UPDATE
or DELETE writes, so the declaration is the source of truth, and `LIT_CHECK_WRITES=1` (set by the test suite)
verifies it against the data itself on every write to a DuckDB file (`Fingerprints`).

In `meta`: `store_version` moves at every write (other processes refresh their snapshot); `table:<name>` is the
store version that last wrote each table (the snapshot copies only those); `schema` the last migration;
`data_version`, the key of every cached query and figure, moves only when a table some figure reads was written.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import duckdb

from lit_analytics.store.errors import UndeclaredWriteError

# Tables that no cached query or figure reads: accounts, sessions and sign-in bookkeeping, the audit log. Writing
# them (a sign-in, an account change, a journal row) leaves `data_version`, hence every cached figure, as it is;
# other processes still copy them (they read them uncached). A table added to the schema is a figure table unless
# it is named here (`tests/test_store.py` checks every name exists).
FIGURE_FREE_TABLES = frozenset({"users", "user_labs", "sessions", "sign_in_throttle", "audit_log",
                                "subscriptions", "subscription_sendings"})


def declared(writes: Iterable[str] | str) -> frozenset[str]:
    """The declared tables, lower case (a single name is accepted)."""
    if isinstance(writes, str):
        writes = (writes,)
    names = frozenset(str(t).lower() for t in writes)
    if not names:
        raise ValueError("a write transaction declares at least one table it writes")
    return names


class WriteCursor:
    """The cursor of a write transaction: a DuckDB cursor that carries what the transaction declared it writes
    (`writes`, `schema_changed`); everything else is the DuckDB cursor's."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, writes: frozenset[str], schema_changed: bool = False):
        self._cur = cur
        self.writes = writes
        self.schema_changed = schema_changed

    def execute(self, sql: str, parameters: Any = None):
        return self._cur.execute(sql) if parameters is None else self._cur.execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any):
        return self._cur.executemany(sql, parameters)

    def __getattr__(self, name: str):
        return getattr(self._cur, name)


def bump_versions(cur: WriteCursor) -> None:
    """Record what this transaction changed in `meta` (see the module's docstring)."""
    meta = dict(cur.execute("SELECT key, value FROM meta").fetchall())
    version = str(int(meta.get("store_version", "0")) + 1)
    updates = {"store_version": version}
    if "instance" not in meta:
        updates["instance"] = uuid.uuid4().hex
    for table in cur.writes - {"meta"}:
        updates[f"table:{table}"] = version
    if cur.schema_changed:
        updates["schema"] = version
    if cur.schema_changed or cur.writes - {"meta"} - FIGURE_FREE_TABLES:
        updates["data_version"] = str(int(meta.get("data_version", "0")) + 1)
    for key, value in updates.items():
        if key in meta:
            cur.execute("UPDATE meta SET value = ? WHERE key = ?", [value, key])
        else:
            cur.execute("INSERT INTO meta VALUES (?, ?)", [key, value])


class Fingerprints:
    """`LIT_CHECK_WRITES`: the row count and an order-free hash of every table, taken when a write transaction
    begins and again before it commits (inside it, so both see the same database); a table that changed without
    being declared fails the transaction (nothing is written). For development and tests: it scans every table."""

    def __init__(self, cur, tables: Iterable[str]):
        self.tables = sorted(tables)
        self.before = self._take(cur)

    def _take(self, cur) -> dict[str, tuple]:
        if not self.tables:
            return {}
        sql = " UNION ALL ".join(f"SELECT '{t}', count(*), bit_xor(hash(\"{t}\")) FROM \"{t}\"" for t in self.tables)
        return {name: (count, digest) for name, count, digest in cur.execute(sql).fetchall()}

    def check(self, cur: WriteCursor) -> None:
        after = self._take(cur)
        changed = {t for t in self.tables if after.get(t) != self.before.get(t)} - {"meta"}
        undeclared = changed - cur.writes
        if undeclared:
            raise UndeclaredWriteError(f"the transaction changed {sorted(undeclared)} without declaring them "
                                       f"(declared: {sorted(cur.writes)})")
