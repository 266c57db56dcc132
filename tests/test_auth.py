"""Accounts (lit_analytics.accounts), password sign-in, lock, sessions, OIDC mapping (lit_analytics.auth) and the
audit log (lit_analytics.audit), on real DuckDB files."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest

from conftest import ACCOUNT_PASSWORD
from lit_analytics import accounts, audit, auth
from lit_analytics.export.journal import journal_csv
from lit_analytics.permissions import Actor, PermissionDenied, actor_for_email

PASSWORD = ACCOUNT_PASSWORD


def events(store, action=None):
    sql = "SELECT actor, action, target, outcome, detail FROM audit_log"
    rows = store.query(sql + (" WHERE action = ?" if action else "") + " ORDER BY event_id",
                       [action] if action else [])
    return rows


# --- accounts ---------------------------------------------------------------------------------

def test_a_database_without_demo_has_no_account(store):
    assert store.scalar("SELECT count(*) FROM users") == 0
    assert not accounts.has_accounts(store)


def test_hash_is_argon2id_salted_and_never_the_password(store, admin):
    accounts.add_account(store, admin, "p@lab.fr", "porteur", ["siilab"], password=PASSWORD)
    hashes = [h for (h,) in store.query("SELECT password_hash FROM users ORDER BY email")]
    assert len(hashes) == 2 and hashes[0] != hashes[1]               # same password, different salts
    for h in hashes:
        assert h.startswith("$argon2id$") and PASSWORD not in h
        assert auth.verify_password(h, PASSWORD) and not auth.verify_password(h, PASSWORD + "!")
    dump = repr(store.query("SELECT * FROM users")) + repr(store.query("SELECT * FROM audit_log"))
    assert PASSWORD not in dump


def test_bootstrap_is_only_for_the_first_admin(store, admin):
    assert admin.email == "chef@ditp.gouv.fr" and admin.is_admin
    with pytest.raises(accounts.AuthError, match="existe déjà"):
        accounts.bootstrap_admin(store, "autre@ditp.gouv.fr", PASSWORD)
    assert events(store, "création de compte")[-1][3] == "refus"


def test_only_admins_change_accounts_and_refusals_are_audited(store, admin):
    porteur = accounts.add_account(store, admin, "p@lab.fr", "porteur", ["siilab"], password=PASSWORD)
    analyste = accounts.add_account(store, admin, "a@ditp.gouv.fr", "analyste")
    for actor in (porteur, analyste):
        with pytest.raises(PermissionDenied, match="administrateurs"):
            accounts.add_account(store, actor, "x@lab.fr", "admin", password=PASSWORD)
        with pytest.raises(PermissionDenied):
            accounts.disable_account(store, actor, admin.email)
        with pytest.raises(PermissionDenied):
            accounts.set_password(store, actor, actor.email, "nouveau mot de passe sûr")
        with pytest.raises(PermissionDenied):
            accounts.update_account(store, actor, actor.email, role="admin")
    assert store.scalar("SELECT count(*) FROM users") == 3
    assert store.scalar("SELECT role FROM users WHERE email = 'p@lab.fr'") == "porteur"
    refused = [r for r in events(store) if r[3] == "refus"]
    assert len(refused) == 8 and {r[0] for r in refused} == {"p@lab.fr", "a@ditp.gouv.fr"}


def test_account_input_is_checked_in_french(store, admin):
    with pytest.raises(accounts.AuthError, match="Adresse e-mail invalide"):
        accounts.add_account(store, admin, "pas-une-adresse", "analyste")
    with pytest.raises(accounts.AuthError, match="Rôle inconnu"):
        accounts.add_account(store, admin, "x@lab.fr", "chef")
    with pytest.raises(accounts.AuthError, match="au moins un laboratoire"):
        accounts.add_account(store, admin, "x@lab.fr", "porteur")
    with pytest.raises(accounts.AuthError, match="Laboratoire inconnu"):
        accounts.add_account(store, admin, "x@lab.fr", "porteur", ["nulle-part"])
    with pytest.raises(accounts.AuthError, match="Seuls les comptes porteurs"):
        accounts.add_account(store, admin, "x@lab.fr", "analyste", ["siilab"])
    with pytest.raises(accounts.AuthError, match="12 caractères"):
        accounts.add_account(store, admin, "x@lab.fr", "analyste", password="court")
    with pytest.raises(accounts.AuthError, match="existe déjà"):
        accounts.add_account(store, admin, "CHEF@ditp.gouv.fr", "analyste")
    assert store.scalar("SELECT count(*) FROM users") == 1


def test_update_disable_enable_and_the_last_admin_stays(store, admin):
    accounts.add_account(store, admin, "p@lab.fr", "porteur", ["siilab"])
    accounts.update_account(store, admin, "p@lab.fr", labs=["siilab", "archipel"], display_name="Pat")
    assert actor_for_email(store, "p@lab.fr").labs == {"siilab", "archipel"}
    with pytest.raises(accounts.AuthError, match="propre compte"):
        accounts.disable_account(store, admin, admin.email)
    other = accounts.add_account(store, admin, "a2@ditp.gouv.fr", "admin")
    accounts.disable_account(store, other, admin.email)
    with pytest.raises(accounts.AuthError, match="dernier administrateur"):
        accounts.update_account(store, other, other.email, role="analyste")
    accounts.enable_account(store, other, admin.email)
    accounts.disable_account(store, admin, "p@lab.fr")
    assert actor_for_email(store, "p@lab.fr") is None
    table = accounts.account_table(store)
    assert table.set_index("Adresse e-mail").loc["p@lab.fr", "État"] == "désactivé"
    actions = [r[1] for r in events(store)]
    assert actions.count("désactivation de compte") == 2 and "réactivation de compte" in actions
    assert "modification de compte" in actions


# --- password sign-in -------------------------------------------------------------------------

def test_sign_in_with_the_right_password_only(store, admin):
    assert auth.authenticate(store, "  CHEF@ditp.gouv.fr ", PASSWORD).actor == actor_for_email(store, admin.email)
    bad = auth.authenticate(store, admin.email, "mauvais mot de passe")
    assert not bad.ok and bad.message == auth.BAD_CREDENTIALS
    unknown = auth.authenticate(store, "personne@ditp.gouv.fr", PASSWORD)
    assert not unknown.ok and unknown.message == auth.BAD_CREDENTIALS   # same answer: no account discovery
    assert [r[1:4] for r in events(store)][-3:] == [
        ("connexion", admin.email, "succès"), ("échec de connexion", admin.email, "échec"),
        ("échec de connexion", "personne@ditp.gouv.fr", "échec")]


def test_a_password_sign_in_opens_its_session_in_the_write_that_records_it(store, admin):
    """Sign-ins queue on the database's one writer: a password sign-in is two writes (the attempt reserved, then the
    success with its journal line and its session), not three; the session is bound to the browser's cookie."""
    from lit_analytics import sessions
    from lit_analytics.store import stats

    def writes() -> int:
        return stats.WRITE_WAITS.read()[2]

    before = writes()
    result = auth.authenticate(store, admin.email, PASSWORD, client="10.0.0.1", open_session=True, browser="b" * 20)
    assert result.ok and writes() - before == 2
    opened = result.opened
    assert store.query("SELECT email, method, client FROM sessions WHERE session_id = ?", [opened.session_id]) == [
        (admin.email, "password", "10.0.0.1")]
    assert sessions.redeem_handoff(store, opened.handoff, "autre navigateur") is None    # bound to its browser
    assert sessions.redeem_handoff(store, opened.handoff, "b" * 20) is not None
    assert auth.authenticate(store, admin.email, "mauvais", open_session=True).opened is None
    assert store.scalar("SELECT count(*) FROM sessions WHERE email = ?", [admin.email]) == 1


def test_a_disabled_account_cannot_sign_in(store, admin):
    accounts.add_account(store, admin, "p@lab.fr", "porteur", ["siilab"], password=PASSWORD)
    assert auth.authenticate(store, "p@lab.fr", PASSWORD).ok
    accounts.disable_account(store, admin, "p@lab.fr")
    result = auth.authenticate(store, "p@lab.fr", PASSWORD)
    assert not result.ok and "désactivé" in result.message
    assert events(store)[-1][1:5] == ("échec de connexion", "p@lab.fr", "refus", "compte désactivé")
    assert not auth.sign_in_oidc(store, "p@lab.fr", "proconnect").ok      # nor through OIDC


def test_the_lock_triggers_after_five_failures_and_ends_after_fifteen_minutes(store, admin):
    now = datetime(2026, 3, 2, 10, 0)
    for i in range(auth.MAX_FAILED_ATTEMPTS - 1):
        assert auth.authenticate(store, admin.email, f"faux {i}", now=now).message == auth.BAD_CREDENTIALS
    last = auth.authenticate(store, admin.email, "faux encore", now=now)
    assert last.message == auth.BAD_CREDENTIALS   # the same answer as an unknown e-mail (issue 10: no enumeration)
    assert store.scalar("SELECT locked_until FROM users WHERE email = ?", [admin.email]) == datetime(2026, 3, 2, 10, 15)
    # Locked: even the right password is refused, and not even checked.
    locked = auth.authenticate(store, admin.email, PASSWORD, now=now + timedelta(minutes=14))
    assert not locked.ok and locked.message == auth.BAD_CREDENTIALS
    assert auth.authenticate(store, admin.email, PASSWORD, now=now + timedelta(minutes=16)).ok
    assert store.query("SELECT failed_attempts, locked_until FROM users WHERE email = ?", [admin.email]) == [(0, None)]
    assert len(events(store, "verrouillage de compte")) == 1


def test_a_success_resets_the_failure_count(store, admin):
    for _ in range(auth.MAX_FAILED_ATTEMPTS - 1):
        auth.authenticate(store, admin.email, "faux")
    assert auth.authenticate(store, admin.email, PASSWORD).ok
    for _ in range(auth.MAX_FAILED_ATTEMPTS - 1):
        auth.authenticate(store, admin.email, "faux")
    assert store.scalar("SELECT locked_until FROM users WHERE email = ?", [admin.email]) is None


def test_an_admin_unlocks_and_resets_a_password(store, admin):
    accounts.add_account(store, admin, "p@lab.fr", "porteur", ["siilab"], password=PASSWORD)
    for _ in range(auth.MAX_FAILED_ATTEMPTS):
        auth.authenticate(store, "p@lab.fr", "faux")
    assert not auth.authenticate(store, "p@lab.fr", PASSWORD).ok
    accounts.unlock_account(store, admin, "p@lab.fr")
    assert auth.authenticate(store, "p@lab.fr", PASSWORD).ok
    accounts.set_password(store, admin, "p@lab.fr", "un tout nouveau secret")
    assert not auth.authenticate(store, "p@lab.fr", PASSWORD).ok
    assert auth.authenticate(store, "p@lab.fr", "un tout nouveau secret").ok
    accounts.set_password(store, admin, "p@lab.fr", None)           # OIDC only from now on
    assert not auth.authenticate(store, "p@lab.fr", "un tout nouveau secret").ok


# --- sessions and OIDC ------------------------------------------------------------------------

def test_sessions_expire_after_idle_time_and_after_eight_hours():
    start = datetime(2026, 3, 2, 8, 0)
    assert auth.session_expiry(start, start + timedelta(minutes=59), start + timedelta(minutes=60)) is None
    assert "inactivité" in auth.session_expiry(start, start, start + timedelta(minutes=61))
    busy = start + timedelta(hours=8, minutes=1)
    assert "8 h" in auth.session_expiry(start, busy - timedelta(minutes=1), busy)


def test_an_oidc_email_maps_to_its_account_and_an_unknown_one_gets_nothing(store, admin):
    accounts.add_account(store, admin, "agent@lab.fr", "porteur", ["archipel"])     # no password: OIDC only
    issued = datetime(2026, 3, 2, 9, 30, 5)
    result = auth.sign_in_oidc(store, "Agent@Lab.fr", "proconnect", issued, email_verified=True)
    assert result.actor == Actor("agent@lab.fr", "porteur", frozenset({"archipel"}))
    auth.sign_in_oidc(store, "agent@lab.fr", "proconnect", issued, email_verified=True)             # same token: not a new sign-in
    assert events(store, "connexion") == [("agent@lab.fr", "connexion", "agent@lab.fr", "succès",
                                           "OpenID Connect (proconnect), jeton émis le 02/03/2026 09:30:05")]
    denied = auth.sign_in_oidc(store, "inconnu@lab.fr", "proconnect", issued, email_verified=True)
    assert not denied.ok and "Aucun compte actif pour inconnu@lab.fr" in denied.message
    assert not auth.sign_in_oidc(store, None, "proconnect").ok
    assert [r[3] for r in events(store, "échec de connexion")] == ["refus", "refus"]


def test_demo_accounts_exist_only_in_demo_databases(demo_store, store):
    demo = {r[0]: r[1:] for r in demo_store.query("SELECT email, role, is_demo FROM users")}
    assert demo == {email: (role, True) for email, _, role, _ in accounts.DEMO_ACCOUNTS}
    assert demo_store.query("SELECT lab_id FROM user_labs WHERE email = 'demo-porteur-archipel@lit.example'") == [
        ("archipel",)]
    assert not accounts.demo_accounts(store).shape[0]


# --- the audit log ----------------------------------------------------------------------------

def test_audit_events_filter_and_export_for_french_excel(store, admin, journal_day):
    accounts.add_account(store, admin, "p@lab.fr", "porteur", ["siilab"], password=PASSWORD)
    auth.authenticate(store, "p@lab.fr", "faux ; avec point-virgule")
    auth.authenticate(store, "p@lab.fr", PASSWORD)
    everything = audit.events(store)
    assert len(everything) == 4 and list(everything["event_id"]) == [4, 3, 2, 1]      # newest first
    assert list(audit.events(store, actors=["p@lab.fr"])["action"]) == ["connexion", "échec de connexion"]
    assert len(audit.events(store, outcomes=["échec"])) == 1
    assert len(audit.events(store, text="siilab")) == 1
    assert audit.events(store, start=journal_day + timedelta(days=1)).empty
    assert len(audit.events(store, start=journal_day, end=journal_day)) == 4
    data = journal_csv(everything)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Date et heure", "Qui", "Action", "Objet", "Résultat", "Détail"]
    assert len(rows) == 5 and rows[1][2] == "connexion"
    assert datetime.strptime(rows[1][0], "%d/%m/%Y %H:%M:%S").date() == journal_day
    count, first = audit.summary(store)
    assert count == 4 and first == journal_day
