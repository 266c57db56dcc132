"""The registry on the command line, as an administrator runs it (issue 21): a cohort and a lab added, the lab
closed and its history listed, refusals in one French line, `reference sync --dry-run` then `reference sync`."""

import shutil
import subprocess
import sys

from conftest import ADMIN, REPO
from lit_analytics.reference import REFERENCE_DIR
from lit_analytics.store import Store


def run(*args):
    return subprocess.run([sys.executable, "-m", "lit_analytics", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


def test_labs_cohorts_and_sync_from_the_command_line(ref_db_path, tmp_path):
    db = tmp_path / "cli.duckdb"
    shutil.copy(ref_db_path, db)
    who = ("--user", ADMIN.email, "--db", str(db))
    added = run("cohorts", "add", "--code", "vague-essai", "--label", "Vague d'essai", "--starts-on", "01/01/2030",
                *who)
    assert added.returncode == 0, added.stderr
    lab = run("labs", "add", "--lab", "lab-essai-cli", "--set", "name=Laboratoire d'essai", "--set", "short_name=Essai",
              "--set", "region_code=53", "--set", "city=Rennes", "--set", "cohort=vague-essai",
              "--source-title", "Page d'essai", "--source-url", "https://example.org/essai", *who)
    assert lab.returncode == 0, lab.stderr
    assert "Laboratoire créé : lab-essai-cli. Coordonnées : coordonnées de Rennes" in lab.stdout
    closed = run("labs", "close", "--lab", "lab-essai-cli", "--on", "31/03/2031", *who)
    assert closed.stdout.strip() == "Laboratoire lab-essai-cli : fermé le 31/03/2031."
    history = run("labs", "history", "--lab", "lab-essai-cli", "--db", str(db))
    assert "Fermeture" in history.stdout and "31/03/2031" in history.stdout and "Page d'essai" in history.stdout
    refused = run("labs", "edit", "--lab", "lab-essai-cli", "--set", "cohort=inconnue", *who)
    assert refused.returncode == 1 and refused.stderr.strip().count("\n") == 0
    assert "Cohorte : « inconnue » inconnue" in refused.stderr and "Traceback" not in refused.stderr
    no_user = run("labs", "reopen", "--lab", "lab-essai-cli", "--db", str(db))
    assert no_user.returncode == 1 and "--user" in no_user.stderr

    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    labs_csv = folder / "labs.csv"
    labs_csv.write_text(labs_csv.read_text(encoding="utf-8").replace(",Rennes,48.1173,", ",Rennes (centre),48.1173,"),
                        encoding="utf-8")
    dry = run("reference", "sync", "--dry-run", "--directory", str(folder), "--db", str(db))
    assert dry.returncode == 0, dry.stderr
    assert "essai à blanc" in dry.stdout and "~ ti-lab : Ville Rennes → Rennes (centre)" in dry.stdout
    with Store(db, read_only=True) as store:
        assert store.scalar("SELECT city FROM labs WHERE lab_id = 'ti-lab'") == "Rennes"
    applied = run("reference", "sync", "--directory", str(folder), *who)
    assert applied.returncode == 0 and "Appliqué." in applied.stdout
    with Store(db, read_only=True) as store:
        assert store.scalar("SELECT city FROM labs WHERE lab_id = 'ti-lab'") == "Rennes (centre)"
        assert store.scalar("SELECT closed_on FROM labs WHERE lab_id = 'lab-essai-cli'") is not None   # kept
        assert store.scalar("SELECT actor FROM audit_log WHERE action = 'synchronisation du référentiel'") == \
            ADMIN.email
