"""A scratch DuckDB: an in-memory database of its own, for computing over a file being verified (DuckDB's CSV
reader, SQL checks) without touching the application's database. The store stays the only code that opens one."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

_DATABASE: duckdb.DuckDBPyConnection | None = None
_LOCK = threading.Lock()


def _database() -> duckdb.DuckDBPyConnection:
    """This process's scratch database, made at its first use: opening an in-memory DuckDB and closing it cost
    ~20 ms, a fifteenth of verifying a 100,000-row file (docs/benchmarks.md, « Import »). One thread: the rows of a
    file come in the file's order."""
    global _DATABASE
    with _LOCK:
        if _DATABASE is None:
            _DATABASE = duckdb.connect(":memory:", config={"threads": 1, "preserve_insertion_order": True,
                                                           "enable_external_access": True})
        return _DATABASE


@contextmanager
def scratch_connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection of its own to this process's in-memory scratch database (any number at once, each thread its
    own), closed afterwards. Callers only read files and compute (`SELECT`): nothing they make is stored, so
    nothing outlives the block."""
    conn = _database().cursor()
    try:
        yield conn
    finally:
        conn.close()
