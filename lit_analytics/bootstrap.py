"""Building a database from `data/` (and demo activity), and describing what a database holds."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from lit_analytics import config
from lit_analytics.demo import load_demo
from lit_analytics.reference import load_reference
from lit_analytics.store import PostgresLocation, Store, StoreError, database_location, drop_all_tables, locate
from lit_analytics.store.location import put_in_place


def init_database(path: str | Path, *, demo: bool = False, force: bool = False, seed: int = 42,
                  scale: int = 1, until: str | None = None) -> Store:
    """Create the database at `path` from the reference data; refuse to overwrite unless `force`.

    The new database is built next to the target and moved into place only when complete, so a failure
    never leaves a half-built file where the app expects a good one. With `force`, the database replaced is
    kept beside it under a dated name (`lit.duckdb` → `lit.remplacee-20211231-235959.duckdb`): its accounts
    and audit log are never lost to a mistyped command; the new store's `previous_copy` says where.
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
            from lit_analytics.accounts import create_demo_accounts
            create_demo_accounts(store)
        store.cursor().execute("CHECKPOINT")
    finally:
        store.close()
    previous = put_in_place(tmp, path)
    store = Store(path)
    store.previous_copy = previous
    return store


def _fill(store: Store, *, demo: bool, seed: int, scale: int, until: str | None) -> None:
    load_reference(store)
    if demo:
        load_demo(store, seed=seed, scale=scale, until=until)
        from lit_analytics.accounts import create_demo_accounts
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


_APP_STORES: dict[str, Store] = {}        # by database (a resolved file path, or the URL)
_BY_SETTING: dict[str, Store] = {}        # by setting as given (`LIT_DB`): the look-up of every query, no resolve
_APP_STORES_LOCK = threading.Lock()


def app_store(explicit: str | Path | None = None) -> Store:
    """The app process's one Store for its database (`explicit`, else `LIT_DB`, else data/lit.duckdb), shared by the
    Streamlit script (`ui.cache.get_store`) and the HTTP routes (`web`): the one store cache of the app. The demo
    database is built on first use only when asked (`LIT_DEMO=1`, see `ensure_database`)."""
    setting = str(config.database_setting(explicit))
    store = _BY_SETTING.get(setting)
    if store is not None and not store.closed:
        return store
    with _APP_STORES_LOCK:
        location = locate(setting)
        key = str(location) if isinstance(location, PostgresLocation) else str(Path(location).resolve())
        store = _APP_STORES.get(key)
        if store is None or store.closed:
            store = _APP_STORES[key] = ensure_database(location, build_demo=config.demo_requested())
        _BY_SETTING[setting] = store
        return store


def app_store_is_open(explicit: str | Path | None = None) -> bool:
    """Whether `app_store(explicit)` answers at once (the database is already open in this process)."""
    store = _BY_SETTING.get(str(config.database_setting(explicit)))
    return store is not None and not store.closed


def ensure_database(path: str | Path, *, build_demo: bool = False) -> Store:
    """Open the app's database. A missing one is an error (a typo or an unmounted volume must not turn into a
    demo database with published passwords); the demo database is built only when asked for (`build_demo`,
    from `LIT_DEMO=1`, which `scripts/run.sh` sets when no `LIT_DB` is given)."""
    path = database_location(path)
    if not path.exists():
        if build_demo:
            return init_database(path, demo=True)
        shown = getattr(path, "display", path)   # a PostgreSQL URL without its password
        raise StoreError(f"Base de données introuvable : {shown}. Vérifiez LIT_DB (ou --db) et le volume monté, ou "
                         f"créez la base avec « python -m lit_analytics init --db {shown} » (ajoutez --demo pour une "
                         "base de démonstration) ; rien n'a été créé.")
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
