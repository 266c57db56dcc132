"""`python -m lit_analytics users ...` as a real subprocess on a real database file."""

from __future__ import annotations

import io
import subprocess
import sys
from types import SimpleNamespace

import pytest

from conftest import REPO
from lit_analytics.bootstrap import init_database
from lit_analytics.cli import main
from lit_analytics.store import Store

SECRET = "mot de passe du chef"


def run(*args, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lit_analytics", *args], cwd=REPO, input=stdin,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cli.duckdb"
    init_database(path).close()
    return str(path)


def test_first_admin_then_accounts_then_disable(db):
    assert "Aucun compte" in run("users", "list", "--db", db).stdout
    first = run("users", "add", "--db", db, "--bootstrap", "--email", "Chef@DITP.gouv.fr", "--role", "admin",
                "--password-stdin", stdin=SECRET + "\n")
    assert first.returncode == 0, first.stderr
    assert SECRET not in first.stdout + first.stderr
    again = run("users", "add", "--db", db, "--bootstrap", "--email", "x@ditp.gouv.fr", "--role", "admin",
                "--password-stdin", stdin=SECRET + "\n")
    assert again.returncode == 1 and again.stderr.startswith("Erreur : Un administrateur actif existe déjà")
    porteur = run("users", "add", "--db", db, "--user", "chef@ditp.gouv.fr", "--email", "p@lab.fr",
                  "--role", "porteur", "--lab", "siilab", "--lab", "archipel", "--no-password")
    assert porteur.returncode == 0, porteur.stderr
    listing = run("users", "list", "--db", db).stdout
    assert "p@lab.fr" in listing and "archipel, siilab" in listing and "OpenID Connect uniquement" in listing
    assert run("users", "disable", "--db", db, "--user", "chef@ditp.gouv.fr", "--email", "p@lab.fr").returncode == 0
    assert "désactivé" in run("users", "list", "--db", db).stdout
    with Store(db, read_only=True) as store:
        assert store.scalar("SELECT password_hash FROM users WHERE email = 'chef@ditp.gouv.fr'").startswith(
            "$argon2id$")
        assert store.query("SELECT actor, action FROM audit_log ORDER BY event_id") == [
            ("système (premier administrateur)", "création de compte"), ("système", "création de compte"),
            ("chef@ditp.gouv.fr", "création de compte"), ("chef@ditp.gouv.fr", "désactivation de compte")]


def run_here(*args, stdin: str = "", capsys=None, monkeypatch=None):
    """The same command in this process (faster than a subprocess): exit code, stdout, stderr."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    out = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)


def test_refusals_are_one_french_line_and_change_nothing(db, capsys, monkeypatch):
    def run(*args, stdin=""):
        return run_here(*args, stdin=stdin, capsys=capsys, monkeypatch=monkeypatch)

    run("users", "add", "--db", db, "--bootstrap", "--email", "chef@ditp.gouv.fr", "--role", "admin",
        "--password-stdin", stdin=SECRET + "\n")
    run("users", "add", "--db", db, "--user", "chef@ditp.gouv.fr", "--email", "p@lab.fr", "--role", "porteur",
        "--lab", "siilab", "--no-password")
    cases = {
        ("users", "add", "--db", db, "--user", "p@lab.fr", "--email", "x@lab.fr", "--role", "admin",
         "--no-password"): "réservée aux administrateurs",
        ("users", "add", "--db", db, "--email", "x@lab.fr", "--role", "analyste", "--no-password"): "--user",
        ("users", "add", "--db", db, "--user", "chef@ditp.gouv.fr", "--email", "x@lab.fr",
         "--role", "analyste"): "--password-stdin",                           # no password, no terminal
        ("users", "add", "--db", db, "--user", "chef@ditp.gouv.fr", "--email", "x@lab.fr", "--role", "porteur",
         "--lab", "nulle-part", "--no-password"): "Laboratoire inconnu",
        ("users", "disable", "--db", db, "--user", "inconnu@ditp.gouv.fr", "--email", "p@lab.fr"):
            "Compte inconnu ou désactivé",
        ("users", "disable", "--db", db, "--user", "chef@ditp.gouv.fr", "--email", "chef@ditp.gouv.fr"):
            "propre compte",
        ("users", "list", "--db", db + ".absent"): "introuvable",
    }
    for args, message in cases.items():
        result = run(*args, stdin="")
        assert result.returncode == 1, args
        assert result.stderr.startswith("Erreur : ") and message in result.stderr, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    short = run("users", "add", "--db", db, "--user", "chef@ditp.gouv.fr", "--email", "x@lab.fr",
                "--role", "analyste", "--password-stdin", stdin="court\n")
    assert short.returncode == 1 and "12 caractères" in short.stderr and "court" not in short.stderr.split(":")[0]
    with Store(db, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM users") == 2
        assert store.scalar("SELECT count(*) FROM audit_log WHERE outcome = 'refus' AND actor = 'p@lab.fr'") == 1
