"""The store: migrations, idempotence, transactions, concurrent reads, database location."""

import threading

import pytest

from lit_analytics import config
from lit_analytics.store import (FIGURE_FREE_TABLES, Store, StoreError, UndeclaredWriteError, latest_schema_version,
                                  locate, migrations)


def test_new_database_gets_every_migration(tmp_path):
    with Store(tmp_path / "new.duckdb") as store:
        assert store.schema_version() == latest_schema_version() >= 2
        assert store.table_exists("labs") and store.table_exists("funding_tranches")


def test_opening_an_older_file_upgrades_it_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.duckdb"
    with Store(path, target_version=1) as old:
        assert old.schema_version() == 1
        assert not old.table_exists("training_sessions")
        with old.transaction(writes="regions") as cur:
            cur.execute("INSERT INTO regions VALUES ('53', 'Bretagne', false)")
    with Store(path) as upgraded:
        assert upgraded.schema_version() == latest_schema_version()
        assert upgraded.table_exists("training_sessions")
        assert upgraded.query("SELECT name FROM regions") == [("Bretagne",)]
        applied = [v for (v,) in upgraded.query("SELECT version FROM schema_migrations ORDER BY 1")]
        assert applied == [v for v, _, _ in migrations()]   # 1..n once every reserved number has landed


def test_opening_twice_changes_nothing(tmp_path):
    path = tmp_path / "twice.duckdb"
    with Store(path) as first:
        rows_before = first.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY 1")
        version_before = first.data_version()
    with Store(path) as second:
        assert second.migrate() == []
        assert second.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY 1") == rows_before
        assert second.data_version() == version_before


def test_a_failed_transaction_writes_nothing(empty_store):
    with empty_store.transaction(writes="regions") as cur:
        cur.execute("INSERT INTO regions VALUES ('11', 'Île-de-France', false)")
    version = empty_store.data_version()
    with pytest.raises(RuntimeError):
        with empty_store.transaction(writes="regions") as cur:
            cur.execute("INSERT INTO regions VALUES ('24', 'Centre-Val de Loire', false)")
            raise RuntimeError("boom")
    assert empty_store.query("SELECT region_code FROM regions") == [("11",)]
    assert empty_store.data_version() == version


def test_each_write_moves_the_data_version(empty_store):
    before = empty_store.data_version()
    with empty_store.transaction(writes="regions") as cur:
        cur.execute("INSERT INTO regions VALUES ('11', 'Île-de-France', false)")
    assert empty_store.data_version() == before + 1


def test_readers_in_other_threads_see_the_last_committed_state_during_a_write(empty_store):
    with empty_store.transaction(writes="regions") as cur:
        cur.execute("INSERT INTO regions VALUES ('11', 'Île-de-France', false)")
    inside_write = threading.Event()
    release = threading.Event()
    seen = {}

    def writer():
        with empty_store.transaction(writes="regions") as cur:
            cur.execute("INSERT INTO regions VALUES ('24', 'Centre-Val de Loire', false)")
            inside_write.set()
            release.wait(10)

    def reader(key):
        seen[key] = empty_store.scalar("SELECT count(*) FROM regions")

    w = threading.Thread(target=writer)
    w.start()
    assert inside_write.wait(10)
    readers = [threading.Thread(target=reader, args=(f"during-{i}",)) for i in range(4)]
    for r in readers:
        r.start()
    for r in readers:
        r.join(10)
    release.set()
    w.join(10)
    reader("after")
    assert [seen[f"during-{i}"] for i in range(4)] == [1, 1, 1, 1]
    assert seen["after"] == 2


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.duckdb"
    with Store(path) as store:
        with store.transaction(writes="schema_migrations") as cur:
            cur.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    with pytest.raises(StoreError, match="plus récente"):
        Store(path)


def test_a_file_that_is_not_a_database_gives_a_french_error(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("ceci n'est pas une base")
    with pytest.raises(StoreError, match="n'est pas une base DuckDB"):
        Store(path)


def test_database_location_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("LIT_DB", raising=False)
    assert locate() == config.DEFAULT_DB
    monkeypatch.setenv("LIT_DB", str(tmp_path / "env.duckdb"))
    assert locate() == tmp_path / "env.duckdb"
    assert locate(tmp_path / "arg.duckdb") == tmp_path / "arg.duckdb"


# --- versions: what moves the data version, and what another Store (process) copies -----------------------

def test_accounts_and_audit_writes_do_not_move_the_data_version_but_are_seen_elsewhere(empty_store):
    assert "audit_log" in FIGURE_FREE_TABLES   # no figure reads the journal
    other = Store(empty_store.location)        # another handle, as another process would have
    try:
        data_before, store_before = empty_store.data_version(), empty_store.get_meta("store_version")
        with empty_store.transaction(writes="audit_log") as cur:
            cur.execute("INSERT INTO audit_log (event_id, occurred_at, actor, action, target, outcome, detail) VALUES (1, now(), 'a@b.fr', 'connexion', NULL, 'succès', NULL)")
        assert empty_store.data_version() == data_before          # cached figures stay valid
        assert empty_store.get_meta("store_version") != store_before
        assert other.scalar("SELECT count(*) FROM audit_log") == 1  # ...and the other handle sees the row
        with empty_store.transaction(writes="regions") as cur:
            cur.execute("INSERT INTO regions VALUES ('11', 'Île-de-France', false)")
        assert empty_store.data_version() == data_before + 1
        assert other.data_version() == data_before + 1
        assert other.query("SELECT name FROM regions") == [("Île-de-France",)]
        assert empty_store.get_meta("table:regions") == empty_store.get_meta("store_version")
    finally:
        other.close()


@pytest.fixture
def reference_file_store(tmp_path):
    """A store on a file that `init` built (reference data, no demo)."""
    from lit_analytics.bootstrap import init_database
    path = tmp_path / "reference.duckdb"
    init_database(path).close()
    store = Store(path)
    yield store
    store.close()


def test_a_rebuilt_database_is_copied_whole_by_a_running_handle(reference_file_store):
    from lit_analytics.bootstrap import init_database
    running = reference_file_store
    with running.transaction(writes="regions") as cur:
        cur.execute("UPDATE regions SET name = 'Ancien nom' WHERE region_code = '53'")
    init_database(running.location, force=True).close()       # `init --force` while the app runs
    assert running.scalar("SELECT name FROM regions WHERE region_code = '53'") == "Bretagne"


def test_bookkeeping_transactions_keep_the_data_version(empty_store):
    before = empty_store.data_version()
    with empty_store.transaction(writes="sign_in_throttle") as cur:
        cur.execute("INSERT INTO sign_in_throttle (client, failures, window_start) VALUES ('127.0.0.1', 1, now())")
    assert empty_store.data_version() == before
    assert empty_store.query("SELECT client FROM sign_in_throttle") == [("127.0.0.1",)]


def test_every_figure_free_table_exists_in_the_schema(empty_store):
    assert FIGURE_FREE_TABLES <= {t.lower() for t in empty_store.row_counts()}


def test_a_write_declares_what_it_writes(empty_store):
    with pytest.raises(TypeError):
        empty_store.transaction()                    # no default: every write says what it touches
    with pytest.raises(ValueError, match="unknown tables"):
        with empty_store.transaction(writes="regoins") as cur:
            cur.execute("INSERT INTO regions VALUES ('11', 'Île-de-France', false)")
    assert empty_store.query("SELECT count(*) FROM regions") == [(0,)]   # nothing written


def test_an_undeclared_write_fails_under_the_check_and_writes_nothing(tmp_path, monkeypatch):
    """`LIT_CHECK_WRITES` (on in the whole suite, see conftest) runs on DuckDB files; the declarations are the same
    code on both stores."""
    monkeypatch.setenv("LIT_CHECK_WRITES", "1")
    with Store(tmp_path / "checked.duckdb") as store:
        before = store.data_version()
        with pytest.raises(UndeclaredWriteError, match="regions"):
            with store.transaction(writes="audit_log") as cur:
                cur.execute("INSERT INTO regions VALUES ('11', 'Île-de-France', false)")
        assert store.query("SELECT count(*) FROM regions") == [(0,)]
        assert store.data_version() == before


def test_one_view_reads_one_snapshot_until_its_own_write(empty_store):
    other = Store(empty_store.location)        # another process's handle
    try:
        with empty_store.transaction(writes="regions") as cur:
            cur.execute("INSERT INTO regions VALUES ('11', 'Île-de-France', false)")
        version = empty_store.data_version()
        with empty_store.one_view():
            with other.transaction(writes="regions") as cur:      # another process publishes during the page run
                cur.execute("INSERT INTO regions VALUES ('53', 'Bretagne', false)")
            assert empty_store.query("SELECT count(*) FROM regions") == [(1,)]   # the run's figures agree
            assert empty_store.data_version() == version
            seen_elsewhere = []                   # another thread (another session) is not held by this view
            thread = threading.Thread(target=lambda: seen_elsewhere.append(empty_store.data_version()))
            thread.start()
            thread.join()
            assert seen_elsewhere == [version + 1]
            with empty_store.transaction(writes="regions") as cur:   # this run's own write: read back at once
                cur.execute("INSERT INTO regions VALUES ('24', 'Centre-Val de Loire', false)")
            assert empty_store.query("SELECT count(*) FROM regions") == [(3,)]
            assert empty_store.data_version() == version + 2
        assert empty_store.query("SELECT count(*) FROM regions") == [(3,)]   # the next run checks again
    finally:
        other.close()


def test_cache_key_changes_with_the_data_and_with_a_rebuilt_database(reference_file_store):
    from lit_analytics.bootstrap import init_database
    store = reference_file_store
    first = store.cache_key()
    with store.transaction(writes="audit_log") as cur:      # bookkeeping: cached figures stay valid
        cur.execute("INSERT INTO audit_log (event_id, occurred_at, actor, action, outcome) "
                    "VALUES (1, now(), 'a@b.fr', 'connexion', 'succès')")
    assert store.cache_key() == first
    with store.transaction(writes="regions") as cur:
        cur.execute("INSERT INTO regions VALUES ('99', 'Essai', false)")
    second = store.cache_key()
    assert second != first and second[:2] == first[:2]
    init_database(store.location, force=True).close()   # same place, another database: never the same key
    assert store.cache_key()[1] != first[1]


def test_a_write_copies_only_the_tables_it_changed_into_the_snapshot(empty_store):
    def table_ids():
        return dict(empty_store.query("SELECT table_name, table_oid FROM duckdb_tables() "
                                      "WHERE database_name = 'app'"))
    before = table_ids()
    with empty_store.transaction(writes="regions") as cur:
        cur.execute("INSERT INTO regions VALUES ('11', 'Île-de-France', false)")
    after = table_ids()
    assert set(after) == set(before)
    replaced = {t for t in after if after[t] != before[t]}
    assert replaced == {"regions", "meta"}        # the others are not copied again (MVCC update in place)
    assert empty_store.query("SELECT name FROM regions") == [("Île-de-France",)]


def test_the_journal_gains_only_its_new_lines_in_the_snapshot(empty_store):
    """An audited write adds its journal line to the snapshot's copy of the journal without copying the journal
    again (its lines only grow: years of them); the next id is found from the last one recorded, and from the whole
    journal when that hint is missing or ahead of it (a restored copy)."""
    from lit_analytics import audit

    def journal_table():
        return empty_store.scalar("SELECT table_oid FROM duckdb_tables() WHERE database_name = 'app' "
                                  "AND table_name = 'audit_log'")

    def lines():
        return empty_store.query("SELECT event_id, target FROM audit_log ORDER BY event_id")

    for n in range(3):
        audit.log(empty_store, "a@exemple.fr", audit.Action.SIGN_IN, audit.Outcome.SUCCESS, f"ligne {n}")
    copied = journal_table()
    audit.log(empty_store, "a@exemple.fr", audit.Action.SIGN_IN, audit.Outcome.SUCCESS, "ligne 3")
    assert lines() == [(1, "ligne 0"), (2, "ligne 1"), (3, "ligne 2"), (4, "ligne 3")]
    assert journal_table() == copied   # the same table, one line more
    assert empty_store.get_meta(audit.LAST_EVENT) == "4"

    for hint in ("900", None):   # ahead of the journal (a copy restored under it), then missing
        with empty_store.transaction(writes="meta") as cur:
            cur.execute("DELETE FROM meta WHERE key = ?", [audit.LAST_EVENT])
            if hint:
                cur.execute("INSERT INTO meta VALUES (?, ?)", [audit.LAST_EVENT, hint])
        audit.log(empty_store, "a@exemple.fr", audit.Action.SIGN_IN, audit.Outcome.SUCCESS, f"après {hint}")
    assert lines()[-2:] == [(5, "après 900"), (6, "après None")]
    assert empty_store.get_meta(audit.LAST_EVENT) == "6"


def test_the_journal_is_indexed_by_postgresql_only(empty_store):
    """Migration 012 leaves the journal without an index in the migrations both stores share (DuckDB writes a
    table's index whole again at each checkpoint of the file: every audited write paid for years of lines);
    PostgreSQL keeps its own, which the next id and the snapshot's new lines are looked up with."""
    with empty_store.transaction(writes="meta") as cur:
        keys = cur.execute("SELECT count(*) FROM duckdb_constraints() WHERE database_name = 'app' "
                           "AND table_name = 'audit_log' AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')").fetchone()
        indexes = cur.execute("SELECT count(*) FROM duckdb_indexes() WHERE database_name = 'app' "
                              "AND table_name = 'audit_log'").fetchone()
    assert keys == (0,)
    if empty_store.is_postgres:
        found = empty_store._backend._meta_query("SELECT array_agg(indexdef) FROM pg_indexes "
                                                 "WHERE tablename = 'audit_log'")[0]
        assert len(found) == 1 and "UNIQUE" not in found[0] and found[0].endswith("(event_id)")
    else:
        assert indexes == (0,)
