"""Shared pieces of the ingest tests: accounts, a reference-only database, a row-for-row snapshot of every table."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from lit_analytics.bootstrap import init_database
from lit_analytics.permissions import Actor
from lit_analytics.store import Store

FILES = Path(__file__).resolve().parent / "files" / "ingest"
ADMIN = Actor("admin@ditp.test", "admin", frozenset(), "Admin de test")
PORTEUR = Actor("porteur@siilab.test", "porteur", frozenset({"siilab"}), "Porteur Siilab")
ANALYSTE = Actor("analyste@ditp.test", "analyste", frozenset(), "Analyste de test")


def add_accounts(store: Store) -> None:
    """The test accounts, as rows of `users` and `user_labs` (migration 003)."""
    with store.transaction() as cur:
        for actor in (ADMIN, PORTEUR, ANALYSTE):
            cur.execute("INSERT INTO users (email, display_name, role, password_hash, disabled, is_demo, "
                        "failed_attempts, locked_until, created_at, created_by) "
                        "VALUES (?, ?, ?, NULL, false, false, 0, NULL, ?, 'test') ON CONFLICT DO NOTHING",
                        [actor.email, actor.display_name, actor.role, datetime.now()])
            for lab in actor.labs:
                cur.execute("INSERT INTO user_labs VALUES (?, ?) ON CONFLICT DO NOTHING", [actor.email, lab])


def snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: two equal snapshots mean a row-for-row identical database."""
    tables = [r[0] for r in store.query(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'app' AND table_type = 'BASE TABLE' "
        "ORDER BY 1")]
    return {t: sorted(store.query(f'SELECT * FROM "{t}"'), key=repr) for t in tables}


def counts(store: Store) -> dict[str, int]:
    return store.row_counts()


@pytest.fixture(scope="session")
def ref_db_path(tmp_path_factory) -> Path:
    """Reference data only (regions, labs) plus the test accounts; copy it before writing."""
    path = tmp_path_factory.mktemp("ingest") / "ref.duckdb"
    store = init_database(path)
    add_accounts(store)
    store.close()
    return path


@pytest.fixture
def ref_store(store_kind, request, ref_db_path, tmp_path) -> Store:
    if store_kind == "postgresql":
        from conftest import pg_copy
        store = Store(pg_copy(request, "ref_pg_template", "ref"))
    else:
        path = tmp_path / "ref-copy.duckdb"
        shutil.copy(ref_db_path, path)
        store = Store(path)
    yield store
    store.close()


@pytest.fixture
def demo_store_rw(demo_copy) -> Store:
    """A writable copy of the demo database, with the test accounts."""
    store = Store(demo_copy)
    add_accounts(store)
    yield store
    store.close()


def read(name: str, folder: str = "good") -> bytes:
    return (FILES / folder / name).read_bytes()
