"""Where things are: repository paths and the database location.

The database is chosen, in order, by an explicit argument (`--db PATH`), the `LIT_DB` environment
variable, then the default `data/lit.duckdb` (git-ignored). Either a DuckDB file or a PostgreSQL URL
(`postgresql://user:password@host:port/db`, answered as a `store.PostgresLocation`). The app builds a demo
database only when asked (`LIT_DEMO=1`); otherwise a missing database is an error.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
SCHEMA_DIR = DATA_DIR / "schemas"
DEFAULT_DB = DATA_DIR / "lit.duckdb"


def db_path(explicit: str | os.PathLike | None = None):
    """Resolve the database: explicit path or URL, else $LIT_DB, else data/lit.duckdb. A file is a `Path`;
    a `postgresql://` URL a `PostgresLocation` (a str whose `exists()` says whether it is initialised)."""
    from lit_analytics.store import database_location
    chosen = explicit or os.environ.get("LIT_DB")
    if chosen:
        return database_location(chosen)
    return DEFAULT_DB


def demo_requested() -> bool:
    """`LIT_DEMO=1`: the app may build the demo database when the database file does not exist."""
    return os.environ.get("LIT_DEMO", "").strip().lower() in ("1", "oui", "true", "yes")
