"""Deployment safety: no silent demo database, `init --force` keeps the database it replaces, uploads and error
details bounded by the server's configuration, user-supplied names shown as text."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

from conftest import REPO
from lit_analytics.bootstrap import ensure_database, init_database
from lit_analytics.ingest.display import as_text
from lit_analytics.ingest.read import MAX_FILE_BYTES
from lit_analytics.store import Store, StoreError


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "lit_analytics", *args], cwd=REPO, capture_output=True,
                          text=True, env=env, timeout=300)


def test_a_missing_database_is_a_french_error_and_nothing_is_created(tmp_path):
    db = tmp_path / "volume-not-mounted" / "lit.duckdb"
    with pytest.raises(StoreError, match="Base de données introuvable") as caught:
        ensure_database(db)
    assert "rien n'a été créé" in str(caught.value)
    assert not db.exists() and not db.parent.exists()


def test_the_app_on_a_missing_lit_db_shows_a_french_error_and_builds_no_demo(tmp_path, monkeypatch):
    db = tmp_path / "typo" / "lit.duckbd"
    monkeypatch.setenv("LIT_DB", str(db))
    monkeypatch.delenv("LIT_DEMO", raising=False)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert any("Base de données introuvable" in e.value for e in at.error)
    assert not at.text_input                       # no sign-in form, hence no demo password
    assert not db.exists() and not db.parent.exists()


def test_the_run_script_asks_for_the_demo_only_without_lit_db():
    script = (REPO / "scripts" / "run.sh").read_text()
    assert 'if [[ -z "${LIT_DB:-}" ]]; then' in script and 'export LIT_DEMO="${LIT_DEMO:-1}"' in script


def test_init_force_keeps_a_dated_copy_of_the_database_it_replaces(tmp_path):
    db = tmp_path / "lit.duckdb"
    with init_database(db) as store:
        with store.transaction(writes="audit_log") as cur:
            cur.execute("INSERT INTO audit_log (event_id, occurred_at, actor, action, outcome) "
                        "VALUES (1, now(), 'chef@ditp.test', 'connexion', 'succès')")
    rebuilt = run("init", "--db", str(db), "--force")
    assert rebuilt.returncode == 0, rebuilt.stderr
    (copy,) = [p for p in tmp_path.iterdir() if p.name.startswith("lit.remplacee-") and p.suffix == ".duckdb"]
    assert f"Ancienne base conservée : {copy}" in rebuilt.stdout
    with Store(copy, read_only=True) as old, Store(db, read_only=True) as new:
        assert old.scalar("SELECT count(*) FROM audit_log") == 1   # the audit log survives in the copy
        assert new.scalar("SELECT count(*) FROM audit_log") == 0


def test_server_configuration_bounds_uploads_and_hides_error_details():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_FILE_BYTES <= 10 * 1024 * 1024
    assert config["client"]["showErrorDetails"] == "none"


def test_a_file_name_is_shown_as_text_never_as_markdown():
    name = "[cliquez](https://phishing.example) **urgent** <img src=x>.csv"
    shown = as_text(name)
    assert "](" not in shown.replace("\\]\\(", "") and "**" not in shown.replace("\\*", "")
    assert shown == ("\\[cliquez\\]\\(https\\://phishing\\.example\\) \\*\\*urgent\\*\\* \\<img src=x\\>\\.csv")


def test_the_command_line_records_the_os_user_beside_the_account(tmp_path):
    import getpass
    db = tmp_path / "lit.duckdb"
    init_database(db).close()
    added = run("users", "add", "--bootstrap", "--db", str(db), "--email", "chef@ditp.gouv.fr", "--role", "admin",
                "--no-password")
    assert added.returncode == 0, added.stderr
    with Store(db, read_only=True) as store:
        assert store.query("SELECT actor, action, os_user FROM audit_log") == [
            ("système (premier administrateur)", "création de compte", getpass.getuser())]


def test_the_journal_shows_the_os_user_of_a_command_line_write(tmp_path):
    import getpass

    from lit_analytics import audit
    db = tmp_path / "lit.duckdb"
    init_database(db).close()
    assert run("users", "add", "--bootstrap", "--db", str(db), "--email", "chef@ditp.gouv.fr", "--role", "admin",
               "--no-password").returncode == 0
    with Store(db, read_only=True) as store:
        table = audit.journal_table(audit.events(store))
    assert list(table["Qui"]) == [f"système (premier administrateur) (ligne de commande, utilisateur système : "
                                  f"{getpass.getuser()})"]


def test_the_sign_in_page_of_a_demo_database_says_so_loudly(demo_copy):
    from conftest import make_app_test
    at = make_app_test(demo_copy).run()
    assert not at.exception, at.exception
    assert any(w.value.startswith("**BASE DE DÉMONSTRATION**") and "mot de passe sont publics" in w.value
               for w in at.warning)


def test_a_database_without_demo_accounts_shows_no_demo_warning(tmp_path):
    from conftest import make_app_test
    db = tmp_path / "prod.duckdb"
    init_database(db).close()
    at = make_app_test(db).run()
    assert not at.exception, at.exception
    assert not any("DÉMONSTRATION" in w.value for w in at.warning)


def test_settings_are_read_from_the_environment_in_config_only():
    """Every environment variable the app reads goes through `lit_analytics/config.py` (README « Configuration »);
    the store reads its own `LIT_LOCK_TIMEOUT`. Writing the environment of a child process is not reading a setting."""
    import re
    readers = []
    for path in sorted((REPO / "lit_analytics").rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        if relative == "lit_analytics/config.py" or relative.startswith("lit_analytics/store"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"os\.environ\.get|os\.environ\[[^]]+\](?!\s*=)|getenv|environ\.copy", line):
                readers.append(f"{relative}:{number}: {line.strip()}")
    assert readers == []
    import ast
    config = ast.parse((REPO / "lit_analytics" / "config.py").read_text(encoding="utf-8"))
    imported = [alias.name if isinstance(node, ast.Import) else node.module
                for node in config.body if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names]
    assert not [name for name in imported if name.startswith("lit_analytics")]   # any module may import config
