"""PostgreSQL as the system of record: the command line and the app on a `postgresql://` URL, migrations, and what
one process writes seen by another at its next read."""

import os
import subprocess
import sys

import pytest

from conftest import DEMO_LOGINS, REPO, make_app_test
from lit_analytics.store import PostgresLocation, Store, StoreError, latest_schema_version, locate


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "lit_analytics", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


def test_the_url_is_accepted_by_db_and_lit_db_and_shown_without_its_password(monkeypatch):
    url = "postgresql://lit:s3cret@db.example:5432/lit"
    assert isinstance(locate(url), PostgresLocation)
    monkeypatch.setenv("LIT_DB", url)
    assert locate() == url
    assert locate().display == "postgresql://lit:***@db.example:5432/lit"


def test_init_info_and_users_on_postgresql(postgres):
    location = postgres.create_database("cli")
    done = cli("init", "--db", location)
    assert done.returncode == 0, done.stderr
    assert f"Version du schéma : {latest_schema_version()}" in done.stdout
    again = cli("init", "--db", location)
    assert again.returncode == 1 and "existe déjà : ajoutez --force" in again.stderr
    first = cli("users", "add", "--bootstrap", "--email", "chef@ditp.gouv.fr", "--role", "admin", "--no-password",
                env={"LIT_DB": location})
    assert first.returncode == 0, first.stderr
    info = cli("info", env={"LIT_DB": location})
    assert info.returncode == 0 and "users" in info.stdout and "Données de démonstration : non" in info.stdout
    listed = cli("users", "list", "--db", location)
    assert "chef@ditp.gouv.fr" in listed.stdout
    postgres.drop_database(location)


def test_an_unreachable_server_gives_a_french_error():
    done = cli("info", "--db", "postgresql://lit@/lit?host=/nonexistent&port=1")
    assert done.returncode == 1
    assert done.stderr.startswith("Erreur : Impossible de joindre la base PostgreSQL postgresql://lit@/lit")
    assert "Traceback" not in done.stderr


def test_migrations_on_postgresql_upgrade_and_refuse_a_newer_schema(postgres):
    location = postgres.create_database("mig")
    with Store(location, target_version=1) as old:
        assert old.schema_version() == 1 and not old.table_exists("training_sessions")
        with old.transaction(writes="regions") as cur:
            cur.execute("INSERT INTO regions VALUES ('53', 'Bretagne', false)")
    with Store(location) as upgraded:
        assert upgraded.schema_version() == latest_schema_version()
        assert upgraded.query("SELECT name FROM regions") == [("Bretagne",)]
        with upgraded.transaction(writes="schema_migrations") as cur:
            cur.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    with pytest.raises(StoreError, match="plus récente"):
        Store(location)
    postgres.drop_database(location)


def test_another_process_write_is_seen_at_the_next_read_and_by_the_app(demo_pg_template, postgres):
    from conftest import DEMO_PASSWORD
    location = postgres.create_database("seen", template=demo_pg_template)
    with Store(location) as store:
        before = int(store.get_meta("store_version") or 0)
        done = cli("users", "add", "--db", location, "--user", DEMO_LOGINS["admin"], "--email", "nouvel@agent.fr",
                   "--role", "analyste", "--no-password")
        assert done.returncode == 0, done.stderr
        assert int(store.get_meta("store_version")) > before
        assert store.scalar("SELECT role FROM users WHERE email = 'nouvel@agent.fr'") == "analyste"
    at = make_app_test(location).run()
    at.text_input(key="sign_in_email").input(DEMO_LOGINS["analyste"])
    at.text_input(key="sign_in_password").input(DEMO_PASSWORD)
    at.button[[b.label for b in at.button].index("Se connecter")].click().run()
    assert not at.exception
    assert at.session_state["actor"].email == DEMO_LOGINS["analyste"]
    postgres.drop_database(location)


def test_the_postgresql_store_opens_from_an_empty_home_without_touching_it(postgres, tmp_path):
    """The extension comes from the pinned wheel only: a fresh server (empty home, no ~/.duckdb) opens a PostgreSQL
    store, and nothing is written into the home directory (DuckDB's default extension folder is not used)."""
    home = tmp_path / "home"
    home.mkdir()
    location = postgres.create_database("home")
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_DATA_HOME": str(home / ".local/share")}
    done = cli("init", "--db", location, env=env)
    assert done.returncode == 0, done.stderr
    info = cli("info", env={**env, "LIT_DB": location})
    assert info.returncode == 0, info.stderr
    assert f"Version du schéma : {latest_schema_version()}" in info.stdout
    assert list(home.iterdir()) == []
