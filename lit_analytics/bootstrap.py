"""Building a database from `data/` (and demo activity), and describing what a database holds."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lit_analytics.demo import load_demo
from lit_analytics.reference import load_reference
from lit_analytics.store import PostgresLocation, Store, StoreError, database_location, drop_all_tables


def init_database(path: str | Path, *, demo: bool = False, force: bool = False, seed: int = 42,
                  scale: int = 1, until: str | None = None) -> Store:
    """Create the database at `path` from the reference data; refuse to overwrite unless `force`.

    The new database is built next to the target and moved into place only when complete, so a failure
    never leaves a half-built file where the app expects a good one.
    """
    path = database_location(path)
    if isinstance(path, PostgresLocation):
        return _init_postgres(path, demo=demo, force=force, seed=seed, scale=scale, until=until)
    if path.exists() and not force:
        raise StoreError(f"La base {path} existe déjà : ajoutez --force pour la reconstruire.")
    tmp = path.with_name(path.name + ".building")
    for leftover in (tmp, Path(str(tmp) + ".wal")):
        leftover.unlink(missing_ok=True)
    store = Store(tmp)
    try:
        load_reference(store)
        if demo:
            load_demo(store, seed=seed, scale=scale, until=until)
            # Documented demonstration accounts (README), flagged is_demo; none in other databases.
            from lit_analytics.auth import create_demo_accounts
            create_demo_accounts(store)
        store.cursor().execute("CHECKPOINT")
    finally:
        store.close()
    Path(str(path) + ".wal").unlink(missing_ok=True)
    os.replace(tmp, path)
    return Store(path)


def _fill(store: Store, *, demo: bool, seed: int, scale: int, until: str | None) -> None:
    load_reference(store)
    if demo:
        load_demo(store, seed=seed, scale=scale, until=until)
        from lit_analytics.auth import create_demo_accounts
        create_demo_accounts(store)


def _init_postgres(location: PostgresLocation, *, demo: bool, force: bool, seed: int, scale: int,
                   until: str | None) -> Store:
    """PostgreSQL: the database itself is created by its administrator; `init` builds the schema and the data in
    it (with `force`, after dropping every table of its `public` schema)."""
    if location.exists() and not force:
        raise StoreError(f"La base {location.display} existe déjà : ajoutez --force pour la reconstruire.")
    if force:
        drop_all_tables(location)
    store = Store(location)
    try:
        _fill(store, demo=demo, seed=seed, scale=scale, until=until)
    except BaseException:
        store.close()
        raise
    return store


def ensure_database(path: str | Path) -> Store:
    """Open the database, building the demo one first if there is none (first run of the app)."""
    path = database_location(path)
    if not path.exists():
        return init_database(path, demo=True)
    return Store(path)


@dataclass
class DatabaseSummary:
    path: Path
    schema_version: int
    row_counts: dict[str, int]
    first_quarter: str | None
    last_quarter: str | None
    demo: bool
    demo_params: str | None
    labs_total: int
    labs_active: int


def describe(store: Store) -> DatabaseSummary:
    first, last = store.query(
        "SELECT min(quarter), max(quarter) FROM report_versions WHERE is_current AND quarter IS NOT NULL")[0]
    return DatabaseSummary(
        path=store.path,
        schema_version=store.schema_version(),
        row_counts=store.row_counts(),
        first_quarter=first,
        last_quarter=last,
        demo=bool(store.scalar("SELECT count(*) FROM report_versions WHERE is_current AND is_demo")),
        demo_params=store.get_meta("demo"),
        labs_total=int(store.scalar("SELECT count(*) FROM labs")),
        labs_active=int(store.scalar("SELECT count(*) FROM labs WHERE closed_on IS NULL")),
    )
