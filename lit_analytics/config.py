"""Where things are and the settings read from the environment: the one module that reads them.

It imports nothing of the package, so every layer (the store included) may read its settings here. Settings are
read at call time (a test or a command may change the environment).

The database is chosen, in order, by an explicit argument (`--db PATH`), the `LIT_DB` environment variable, then the
default `data/lit.duckdb` (git-ignored): either a DuckDB file or a PostgreSQL URL
(`postgresql://user:password@host:port/db`), which `store.locate` turns into a location. The app builds a demo
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


def database_setting(explicit: str | os.PathLike | None = None) -> str | os.PathLike:
    """The database as given: `--db`, else $LIT_DB, else data/lit.duckdb (see `store.locate`)."""
    return explicit or os.environ.get("LIT_DB") or DEFAULT_DB


def demo_requested() -> bool:
    """`LIT_DEMO=1`: the app may build the demo database when the database file does not exist."""
    return os.environ.get("LIT_DEMO", "").strip().lower() in ("1", "oui", "true", "yes")


def lock_timeout() -> float:
    """`LIT_LOCK_TIMEOUT` (seconds, 15 by default): how long a write waits for another process's write."""
    return float(os.environ.get("LIT_LOCK_TIMEOUT", "15"))


def check_writes() -> bool:
    """`LIT_CHECK_WRITES=1` (development and tests): every write transaction on a DuckDB file verifies that the
    tables it changed are the ones it declared (`store.transaction(writes=...)`); costs a scan of every table."""
    return os.environ.get("LIT_CHECK_WRITES", "").strip() in ("1", "oui", "true", "yes")


def memo_bytes() -> int:
    """`LIT_MEMO_MB` (256 by default): the most memory, in megabytes, the figures and query results kept by one app
    process may take (least recently used first out)."""
    return int(float(os.environ.get("LIT_MEMO_MB", "256")) * 1024 * 1024)


def site_dir() -> str | None:
    """`LIT_SITE_DIR`: the folder the public site is published to by the administrators' button (the web server's
    root, e.g. /var/www/lit-site); unset: the button says how to set it. The command line takes `--out`."""
    return os.environ.get("LIT_SITE_DIR", "").strip() or None


def site_base_url() -> str | None:
    """`LIT_SITE_URL`: the public address of the site (its XML site map and data package), optional."""
    return os.environ.get("LIT_SITE_URL", "").strip() or None


def site_demo_allowed() -> bool:
    """`LIT_SITE_DEMO=1`: the button may publish a site from a demo database (every page then says so)."""
    return os.environ.get("LIT_SITE_DEMO", "").strip().lower() in ("1", "oui", "true", "yes")
