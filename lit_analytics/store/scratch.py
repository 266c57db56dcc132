"""A scratch DuckDB: an in-memory database of its own, for computing over a file being verified (DuckDB's CSV
reader, SQL checks) without touching the application's database. The store stays the only code that opens one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb


@contextmanager
def scratch_connection(threads: int = 2) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB connection, closed afterwards; nothing it holds outlives the block."""
    conn = duckdb.connect(":memory:", config={"threads": threads, "preserve_insertion_order": True,
                                              "enable_external_access": True})
    try:
        yield conn
    finally:
        conn.close()
