"""Where the database is: a DuckDB file (`Path`) or a PostgreSQL URL (`PostgresLocation`), from `--db`, `LIT_DB` or
the default file (`config.database_setting`)."""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path

from lit_analytics import config
from lit_analytics.store.errors import StoreError, first_line


def is_postgres_url(location: str | os.PathLike) -> bool:
    return str(location).startswith(("postgresql://", "postgres://"))


class PostgresLocation(str):
    """A PostgreSQL system of record, given as a libpq URL. Behaves like the `Path` of a file where the
    command line asks: `exists()` says whether the database has been initialised (has a schema)."""

    def exists(self) -> bool:
        return postgres_schema_version(str(self)) > 0

    @property
    def display(self) -> str:
        """The URL without its password (for messages and `info`)."""
        parts = urllib.parse.urlsplit(str(self))
        if parts.password is None:
            return str(self)
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def database_location(location: str | os.PathLike) -> Path | PostgresLocation:
    """A file path, or a `PostgresLocation` for a `postgresql://` URL."""
    if isinstance(location, PostgresLocation):
        return location
    if is_postgres_url(location):
        return PostgresLocation(str(location))
    return Path(location)


def locate(explicit: str | os.PathLike | None = None) -> Path | PostgresLocation:
    """The database to open: explicit path or URL (`--db`), else $LIT_DB, else data/lit.duckdb."""
    return database_location(config.database_setting(explicit))


def put_in_place(built: Path, path: Path) -> Path | None:
    """Move a database file built beside its place (`built`) to `path`; a database already there is kept beside it
    under a dated name (`lit.duckdb` → `lit.remplacee-20211231-235959.duckdb`, its write-ahead log too), never lost
    to a mistyped command. Returns where the replaced one went (None: there was none)."""
    from datetime import datetime
    previous = None
    if path.exists():
        previous = path.with_name(f"{path.stem}.remplacee-{datetime.now():%Y%m%d-%H%M%S}{path.suffix}")
        os.replace(path, previous)
        wal = Path(str(path) + ".wal")
        if wal.exists():
            os.replace(wal, Path(str(previous) + ".wal"))
    os.replace(built, path)
    return previous


def postgres_schema_version(url: str) -> int:
    import psycopg
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            if conn.execute("SELECT to_regclass('schema_migrations')").fetchone()[0] is None:
                return 0
            return int(conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0])
    except psycopg.Error as exc:
        raise StoreError(f"Impossible de joindre la base PostgreSQL {PostgresLocation(url).display} : "
                         f"{first_line(exc)}") from exc


def drop_all_tables(location: PostgresLocation) -> None:
    """Empty a PostgreSQL database for `init --force`: drop its `public` schema and create it again."""
    import psycopg
    with psycopg.connect(str(location), autocommit=True, connect_timeout=10) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
