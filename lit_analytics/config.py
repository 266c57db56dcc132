"""Where things are: repository paths and the database location.

The database path is chosen, in order, by an explicit argument (`--db PATH`), the `LIT_DB`
environment variable, then the default `data/lit.duckdb` (git-ignored).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
SCHEMA_DIR = DATA_DIR / "schemas"
DEFAULT_DB = DATA_DIR / "lit.duckdb"


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """Resolve the database file: explicit path, else $LIT_DB, else data/lit.duckdb."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("LIT_DB")
    if env:
        return Path(env)
    return DEFAULT_DB
