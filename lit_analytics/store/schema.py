"""The schema: numbered SQL migrations (`migrations/NNN_name.sql`), recorded in `schema_migrations`, and the view
definitions the in-memory snapshots make again from them."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
_VIEW_DDL = re.compile(r"^(?:\s*--[^\n]*\n)*\s*(CREATE\s+(OR\s+REPLACE\s+)?VIEW|DROP\s+VIEW)\b", re.IGNORECASE)
_VIEW_NAME = re.compile(r"VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?(\w+)", re.IGNORECASE)
_VIEW_CACHE: dict[int, list[str]] = {}
SCHEMA_MIGRATIONS_DDL = ("CREATE TABLE IF NOT EXISTS schema_migrations ("
                         "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)")


def migrations() -> list[tuple[int, str, str]]:
    """The known migrations as (version, name, sql), in order."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), match.group(2), path.read_text(encoding="utf-8")))
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"migration numbers must be unique, got {versions}")
    # Numbers are reserved per branch (e.g. 005 and 006 written in parallel): a number may be missing for a
    # while, and a migration is applied when it is not recorded in schema_migrations, whatever the maximum.
    return found


def latest_schema_version() -> int:
    return max((v for v, _, _ in migrations()), default=0)


def view_statements(version: int) -> list[str]:
    """The view definitions of migrations 1..version, in order (parsed once per process)."""
    if version not in _VIEW_CACHE:
        parser = duckdb.connect(":memory:")
        out = []
        for number, _name, sql in migrations():
            if number > version:
                break
            out.extend(st.query for st in parser.extract_statements(sql) if _VIEW_DDL.match(st.query))
        parser.close()
        _VIEW_CACHE[version] = out
    return _VIEW_CACHE[version]


def view_names() -> set[str]:
    """Every view the migrations define (lower case)."""
    return {m.group(1).lower() for st in view_statements(latest_schema_version()) if (m := _VIEW_NAME.search(st))}


def base_tables(cur, views: bool = False, catalog: str = "app") -> list[str]:
    """The tables (and views) of the database `catalog` in its main schema (`main` in DuckDB, `public` in
    PostgreSQL), without PostgreSQL's catalogs."""
    kinds = "('BASE TABLE', 'VIEW')" if views else "('BASE TABLE')"
    return [r[0] for r in cur.execute(
        f"SELECT table_name FROM information_schema.tables WHERE table_catalog = '{catalog}' "
        f"AND table_schema IN ('main', 'public') AND table_type IN {kinds} ORDER BY table_name").fetchall()]
