"""Where things are and the settings read from the environment: the one module that reads them.

It imports nothing of the package, so every layer (the store included) may read its settings here. Settings are
read at call time (a test or a command may change the environment).

The database is chosen, in order, by an explicit argument (`--db PATH`), the `LIT_DB` environment variable, then the
default `data/lit.duckdb` (git-ignored): either a DuckDB file or a PostgreSQL URL
(`postgresql://user:password@host:port/db`), which `store.locate` turns into a location. The app builds a demo
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
                  "LIT_SMTP_SSL", "LIT_SMTP_CAFILE", "LIT_MAIL_FROM")


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


def metrics_token() -> str:
    """`LIT_METRICS_TOKEN`: with it, `/metrics` also answers a scraper on another host that sends
    `Authorization: Bearer <token>` (without it, only the host itself: 127.0.0.1 or ::1)."""
    return os.environ.get("LIT_METRICS_TOKEN", "").strip()


def log_level(default: str = "INFO") -> str:
    """`LIT_LOG_LEVEL` (DEBUG, INFO, WARNING, ERROR): the least level written to the JSON logs on stderr (the app
    writes one line per page run at INFO; a command writes none unless told: it answers in one French line)."""
    return (os.environ.get("LIT_LOG_LEVEL") or default).strip().upper()


def log_key() -> str:
    """`LIT_LOG_KEY`: the secret key of the account ids in the logs (a keyed hash of the e-mail); unset, the
    database's own random instance id is the key (stable across restarts and replicas of one database)."""
    return os.environ.get("LIT_LOG_KEY", "").strip()


def memo_bytes() -> int:
    """`LIT_MEMO_MB` (256 by default): the most memory, in megabytes, the figures and query results kept by one app
    process may take (least recently used first out)."""
    return int(float(os.environ.get("LIT_MEMO_MB", "256")) * 1024 * 1024)


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


def soffice_path() -> str | None:
    """`LIT_SOFFICE`: the LibreOffice program that converts a deck to PDF for the subscriptions (unset: `soffice` on
    the PATH, Debian's `libreoffice-impress`)."""
    return os.environ.get("LIT_SOFFICE", "").strip() or None


def mail_max_bytes() -> int:
    """`LIT_MAIL_MAX_MB` (10 by default): the largest attachment a subscription e-mail carries; a larger deck is
    left out of the e-mail, which then links to the « Note de synthèse » page instead."""
    return int(float(os.environ.get("LIT_MAIL_MAX_MB", "10")) * 1024 * 1024)
