"""Where things are, and the settings: repository paths, the database location, and every environment variable
the app reads (README « Configuration » lists them all). The one reader of the environment besides the store's
own `LIT_LOCK_TIMEOUT`: the functions below read it when called, so a test may change the environment.

The database is chosen, in order, by an explicit argument (`--db PATH`), the `LIT_DB` environment
variable, then the default `data/lit.duckdb` (git-ignored). Either a DuckDB file or a PostgreSQL URL
(`postgresql://user:password@host:port/db`, answered as a `store.PostgresLocation`). The app builds a demo
database only when asked (`LIT_DEMO=1`); otherwise a missing database is an error.

This module imports nothing of `lit_analytics` at module level (every module may import it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
SCHEMA_DIR = DATA_DIR / "schemas"
DEFAULT_DB = DATA_DIR / "lit.duckdb"
DEFAULT_APP_URL = "http://localhost:8501"
SMTP_VARIABLES = ("LIT_SMTP_HOST", "LIT_SMTP_PORT", "LIT_SMTP_USER", "LIT_SMTP_PASSWORD", "LIT_SMTP_STARTTLS",
                  "LIT_MAIL_FROM")


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


def database_setting(explicit: str | os.PathLike | None = None) -> str | os.PathLike:
    """The database as given: `--db`, else $LIT_DB, else data/lit.duckdb (the key of the app's store cache)."""
    return explicit or os.environ.get("LIT_DB") or DEFAULT_DB


def app_url() -> str:
    """The app's public address (`LIT_APP_URL`, default `http://localhost:8501`), for links in e-mails."""
    return os.environ.get("LIT_APP_URL") or DEFAULT_APP_URL


def browser_path() -> str | None:
    """`BROWSER_PATH`: the Chromium kaleido drives for chart images (unset: the one on the PATH)."""
    return os.environ.get("BROWSER_PATH") or None


def smtp_settings(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The e-mail settings that are set (non-empty), by variable name (`SMTP_VARIABLES`); `env` instead of the
    process environment when given. `reminders.SmtpSettings.from_env` checks and types them."""
    env = os.environ if env is None else env
    return {name: env[name] for name in SMTP_VARIABLES if env.get(name)}
