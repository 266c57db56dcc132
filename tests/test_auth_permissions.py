"""Who may publish, with the real demo accounts of `init --demo` (signed in through lit_analytics.auth): a lab
lead cannot publish for another lab nor the funding ledger, and an analyst cannot publish at all — through the
page, the command line and a direct call alike. Nothing is written when refused; every refusal is audited."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEMO_LOGINS, DEMO_PASSWORD, REPO, make_app_test
from lit_analytics import accounts, auth, ingest
from lit_analytics.permissions import PermissionDenied
from lit_analytics.store import Store

LEDGER = (REPO / "tests" / "files" / "ingest" / "good" / "financements_ledger.csv").read_bytes()
SESSIONS = ("id_session;date;intitule;format;duree_heures;participants_agents;participants_autres\n"
            "S-01;05/07/2021;Atelier;Atelier;2;8;\nS-02;16/09/2021;Formation;formation;3,5;12;4\n").encode()


@pytest.fixture
def store(demo_copy):
    s = Store(demo_copy)
    yield s
    s.close()


def signed_in(store, role):
    result = auth.authenticate(store, DEMO_LOGINS[role], DEMO_PASSWORD)
    assert result.ok
    return result.actor


def written(store):
    return store.query("SELECT count(*) FROM report_versions UNION ALL SELECT count(*) FROM imports")


def test_refused_direct_calls_write_nothing_and_are_audited(store):
    porteur, analyste = signed_in(store, "porteur"), signed_in(store, "analyste")
    assert porteur.labs == {"archipel"}
    before = written(store)
    with pytest.raises(PermissionDenied, match="rattaché"):
        ingest.publish(store, SESSIONS, "s.csv", kind="sessions", lab_id="siilab", quarter="2021-T3", actor=porteur)
    with pytest.raises(PermissionDenied, match="registre des financements"):
        ingest.publish(store, LEDGER, "f.csv", kind="financements", actor=porteur)
    with pytest.raises(PermissionDenied, match="analyste"):
        ingest.publish(store, SESSIONS, "s.csv", kind="sessions", lab_id="archipel", quarter="2021-T3",
                       actor=analyste)
    assert written(store) == before
    refused = store.query("SELECT actor FROM audit_log WHERE action = 'dépôt' AND outcome = 'refus' ORDER BY event_id")
    assert refused == [(porteur.email,), (porteur.email,), (analyste.email,)]
    # The same lab lead publishes for their own lab.
    own = ingest.publish(store, SESSIONS, "s.csv", kind="sessions", lab_id="archipel", quarter="2021-T3",
                         actor=porteur)
    assert own.outcome == ingest.PUBLISHED


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "lit_analytics", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


def test_command_line_refuses_other_labs_the_ledger_analysts_and_disabled_accounts(demo_copy, tmp_path):
    sessions, ledger = tmp_path / "sessions.csv", tmp_path / "financements.csv"
    sessions.write_bytes(SESSIONS)
    ledger.write_bytes(LEDGER)
    db = str(demo_copy)
    with Store(db) as store:
        admin = signed_in(store, "admin")
        before = written(store)
    cases = [
        (("--user", DEMO_LOGINS["porteur"], "--kind", "sessions", "--lab", "siilab", "--quarter", "T3 2021",
          str(sessions)), "rattaché"),
        (("--user", DEMO_LOGINS["porteur"], "--kind", "financements", str(ledger)), "registre des financements"),
        (("--user", DEMO_LOGINS["analyste"], "--kind", "sessions", "--lab", "archipel", "--quarter", "T3 2021",
          str(sessions)), "analyste"),
    ]
    for args, message in cases:
        result = run_cli("import", "--db", db, *args)
        assert result.returncode == 1 and message in result.stderr, result.stderr
    with Store(db) as store:
        assert written(store) == before
        accounts.disable_account(store, admin, DEMO_LOGINS["porteur-siilab"])
    disabled = run_cli("import", "--db", db, "--user", DEMO_LOGINS["porteur-siilab"], "--kind", "sessions",
                       "--lab", "siilab", "--quarter", "T3 2021", str(sessions))
    assert disabled.returncode == 1 and "Compte inconnu ou désactivé" in disabled.stderr
    with Store(db, read_only=True) as store:
        assert written(store) == before
        assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'dépôt' AND outcome = 'refus'") == 3


def sign_in_on_page(db: Path, page: str, role: str):
    """Open `page` signed out, then sign in through the form: the page asked for opens."""
    at = make_app_test(db, page=page).run()
    assert [t.value for t in at.title] == ["Connexion"]
    at.text_input(key="sign_in_email").input(DEMO_LOGINS[role])
    at.text_input(key="sign_in_password").input(DEMO_PASSWORD)
    at.button(key="FormSubmitter:sign_in-Se connecter").click().run()
    assert not at.exception, at.exception
    return at


def test_upload_page_offers_each_role_only_the_labs_and_kinds_it_may_upload(demo_copy):
    at = sign_in_on_page(demo_copy, "pages/depot.py", "porteur")
    assert at.selectbox(key="depot_lab").options == ["Archipel"]                    # not another lab
    assert all("financement" not in o.lower() for o in at.selectbox(key="depot_kind").options)   # nor the ledger
    at = sign_in_on_page(demo_copy, "pages/depot.py", "analyste")
    assert not at.get("file_uploader")
    assert any("ne permet pas de déposer" in i.value for i in at.info)
    at = sign_in_on_page(demo_copy, "pages/depot.py", "admin")
    assert any("financement" in o.lower() for o in at.selectbox(key="depot_kind").options)
