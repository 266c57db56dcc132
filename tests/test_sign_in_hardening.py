"""Sign-in that resists guessing, and sessions that end with the rights behind them (issue 10), on real
database files: parallel attempts, one answer for every refusal, bounded inputs and logs, per-client throttling,
OpenID Connect identities, the last administrator, server-side sessions."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from conftest import ACCOUNT_PASSWORD
from lit_analytics import accounts, auth, sessions
from lit_analytics.permissions import Actor

PASSWORD = ACCOUNT_PASSWORD


@pytest.fixture
def porteur(store, admin) -> Actor:
    return accounts.add_account(store, admin, "p@lab.fr", "porteur", ["siilab"], password=PASSWORD)


# --- guessing --------------------------------------------------------------------------------------

def test_thirty_parallel_wrong_attempts_pass_at_most_five_password_checks(store, porteur, monkeypatch):
    checks = []
    real = auth.verify_password

    def counting(password_hash, password):
        checks.append(password)
        return real(password_hash, password)
    monkeypatch.setattr(auth, "verify_password", counting)
    barrier = threading.Barrier(30)

    def attempt(i):
        barrier.wait()
        auth.authenticate(store, porteur.email, f"faux {i}")
    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checks) <= auth.MAX_FAILED_ATTEMPTS
    assert store.scalar("SELECT locked_until FROM users WHERE email = ?", [porteur.email]) is not None
    assert not auth.authenticate(store, porteur.email, PASSWORD).ok   # the right password waits for the window


def test_unknown_wrong_and_locked_get_the_same_answer(store, porteur):
    unknown = auth.authenticate(store, "personne@lab.fr", PASSWORD)
    wrong = auth.authenticate(store, porteur.email, "faux")
    for _ in range(auth.MAX_FAILED_ATTEMPTS):
        auth.authenticate(store, porteur.email, "faux")
    locked = auth.authenticate(store, porteur.email, PASSWORD)
    assert unknown.message == wrong.message == locked.message == auth.BAD_CREDENTIALS
    assert not (unknown.ok or wrong.ok or locked.ok)


def test_the_refusal_states_the_lock_rule_that_applies():
    """The answer is built from the constants that lock the account, so the two cannot say different things."""
    assert (f"Après {auth.MAX_FAILED_ATTEMPTS} échecs de suite, un compte est verrouillé {auth.LOCK_MINUTES} minutes"
            in auth.BAD_CREDENTIALS)
    assert auth.BAD_CREDENTIALS.startswith("Adresse e-mail ou mot de passe incorrect. ")


def test_a_locked_account_costs_a_password_check_like_the_others(store, porteur, monkeypatch):
    """Same work either way (one argon2 check, against a dummy hash when no real one is checked)."""
    for _ in range(auth.MAX_FAILED_ATTEMPTS):
        auth.authenticate(store, porteur.email, "faux")
    calls = []
    real = auth._verify_quietly
    monkeypatch.setattr(auth, "_verify_quietly", lambda h, p: calls.append(h) or real(h, p))
    auth.authenticate(store, porteur.email, PASSWORD)                # locked
    auth.authenticate(store, "personne@lab.fr", PASSWORD)            # unknown
    assert calls == [auth._DUMMY_HASH, auth._DUMMY_HASH]


def test_inputs_are_bounded_and_the_log_truncated(store, admin):
    huge = "a" * 1_000_000 + "@lab.fr"
    result = auth.authenticate(store, huge, "x" * 1_000_000)
    assert result.message == auth.BAD_CREDENTIALS
    (actor, target, detail) = store.query("SELECT actor, target, detail FROM audit_log ORDER BY event_id DESC "
                                          "LIMIT 1")[0]
    assert len(actor) <= 200 and len(target or "") <= 200 and len(detail or "") <= 1000
    written = sum(len(str(v or "")) for row in store.query("SELECT * FROM audit_log") for v in row)
    assert written < 5_000


def test_failed_attempts_are_throttled_per_client(store, admin):
    now = datetime(2026, 3, 2, 10, 0)
    for n in range(auth.CLIENT_MAX_FAILURES):   # one client trying many accounts: no account locks
        auth.authenticate(store, f"inconnu{n}@lab.fr", "faux", now=now, client="203.0.113.9")
    blocked = auth.authenticate(store, admin.email, PASSWORD, now=now, client="203.0.113.9")
    assert not blocked.ok and blocked.message == auth.BAD_CREDENTIALS
    assert auth.authenticate(store, admin.email, PASSWORD, now=now, client="198.51.100.7").ok   # another client
    later = now + auth.CLIENT_WINDOW + timedelta(seconds=1)
    assert auth.authenticate(store, admin.email, PASSWORD, now=later, client="203.0.113.9").ok


# --- OpenID Connect ----------------------------------------------------------------------------------

def test_oidc_refuses_an_unverified_email(store, porteur):
    refused = auth.sign_in_oidc(store, porteur.email, "proconnect", email_verified=False, issuer="https://idp",
                                subject="abc")
    assert not refused.ok and "n'a pas vérifié l'adresse" in refused.message
    assert auth.sign_in_oidc(store, porteur.email, "proconnect", email_verified=True, issuer="https://idp",
                             subject="abc").ok


def test_oidc_binds_the_account_to_the_first_issuer_and_subject(store, porteur):
    assert auth.sign_in_oidc(store, porteur.email, "proconnect", email_verified=True, issuer="https://idp",
                             subject="sub-1").ok
    assert store.query("SELECT oidc_issuer, oidc_subject FROM users WHERE email = ?", [porteur.email]) == [
        ("https://idp", "sub-1")]
    other = auth.sign_in_oidc(store, porteur.email, "proconnect", email_verified=True, issuer="https://idp",
                              subject="sub-2")
    assert not other.ok and "n'est pas celle liée au compte" in other.message
    other_idp = auth.sign_in_oidc(store, porteur.email, "autre", email_verified=True, issuer="https://autre",
                                  subject="sub-1")
    assert not other_idp.ok
    assert auth.sign_in_oidc(store, porteur.email, "proconnect", email_verified=True, issuer="https://idp",
                             subject="sub-1").ok


# --- the last administrator ----------------------------------------------------------------------------

def test_two_administrators_disabling_each_other_leave_one_active(store, admin):
    second = accounts.add_account(store, admin, "adjointe@ditp.gouv.fr", "admin", password=PASSWORD)
    barrier = threading.Barrier(2)
    errors = []

    def disable(who, whom):
        barrier.wait()
        try:
            accounts.disable_account(store, who, whom.email)
        except accounts.AuthError as exc:
            errors.append(str(exc))
    threads = [threading.Thread(target=disable, args=(admin, second)),
               threading.Thread(target=disable, args=(second, admin))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.scalar("SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled") == 1
    assert errors == ["C'est le dernier administrateur actif : créez-en un autre d'abord."]


# --- server-side sessions --------------------------------------------------------------------------------

BROWSER = "navigateur-de-test"   # the browser cookie a hand-off is bound to (sessions.BROWSER_COOKIE)


def test_a_session_token_is_stored_hashed_and_exchanged_once_for_the_cookie(store, porteur):
    opened = sessions.open_session(store, porteur, "password", browser=BROWSER)
    stored = store.query("SELECT token_hash, handoff_hash FROM sessions")[0]
    assert opened.token not in stored and opened.handoff not in stored
    cookie = sessions.redeem_handoff(store, opened.handoff, BROWSER)
    assert cookie and cookie != opened.token
    assert sessions.redeem_handoff(store, opened.handoff, BROWSER) is None                 # once
    assert sessions.resolve(store, cookie).actor == porteur
    assert sessions.resolve(store, opened.token).actor is None                    # rotated


def test_a_handoff_code_opens_a_session_in_the_browser_that_signed_in_only(store, porteur):
    """Login CSRF: an attacker's own code, sent to a victim's browser, would sign the victim into the attacker's
    account. The code is bound to the browser cookie of the browser that signed in."""
    opened = sessions.open_session(store, porteur, "password", browser=BROWSER)
    assert sessions.redeem_handoff(store, opened.handoff, "navigateur-de-la-victime") is None
    assert sessions.redeem_handoff(store, opened.handoff, None) is None
    assert sessions.redeem_handoff(store, opened.handoff, BROWSER)
    assert sessions.open_session(store, porteur, "password").handoff is None   # no browser cookie: no hand-off


def test_a_late_handoff_code_is_refused(store, porteur):
    start = datetime.now()
    opened = sessions.open_session(store, porteur, "password", now=start, browser=BROWSER)
    assert sessions.redeem_handoff(store, opened.handoff, BROWSER, now=start + timedelta(minutes=3)) is None


def resolved_then_touched(store, token, now):
    """`sessions.resolve`, then its last-activity write (made behind the page run) done."""
    resolved = sessions.resolve(store, token, now=now)
    sessions.TOUCHES.wait()
    return resolved


def test_sessions_keep_the_expiry_rules(store, porteur):
    start = datetime(2026, 3, 2, 8, 0)
    opened = sessions.open_session(store, porteur, "password", now=start, browser=BROWSER)
    assert resolved_then_touched(store, opened.token, start + timedelta(minutes=59)).actor == porteur
    assert resolved_then_touched(store, opened.token, start + timedelta(minutes=118)).actor == porteur
    idle = sessions.resolve(store, opened.token, now=start + timedelta(minutes=180))
    assert idle.actor is None and "inactivité" in idle.ended_reason
    busy = sessions.open_session(store, porteur, "password", now=start, browser=BROWSER)
    for minutes in range(30, 8 * 60, 30):
        assert resolved_then_touched(store, busy.token, start + timedelta(minutes=minutes)).actor == porteur
    late = sessions.resolve(store, busy.token, now=start + timedelta(hours=8, minutes=1))
    assert late.actor is None and "8 h" in late.ended_reason


def test_last_activity_is_written_behind_the_page_run_in_one_transaction_for_many_sessions(store, porteur):
    """A page run never waits for its session's last-activity write: the touches of sessions clicking within
    `TOUCH_GATHER_SECONDS` are one write transaction, after the runs returned."""
    from lit_analytics.store import stats
    start = datetime.now() - timedelta(minutes=5)
    opened = [sessions.open_session(store, porteur, "password", now=start) for _ in range(3)]
    ids = [o.session_id for o in opened]

    def seen() -> list:
        return [store.scalar("SELECT last_seen FROM sessions WHERE session_id = ?", [i]) for i in ids]

    writes = stats.WRITE_WAITS.read()[2]
    now = datetime.now()
    assert all(sessions.resolve(store, o.token, now=now).actor == porteur for o in opened)
    assert seen() == [start] * 3 and stats.WRITE_WAITS.read()[2] == writes     # nothing written yet: no wait
    sessions.TOUCHES.wait()
    assert seen() == [now] * 3 and stats.WRITE_WAITS.read()[2] == writes + 1   # three touches, one transaction
    sessions.resolve(store, opened[0].token, now=now + timedelta(seconds=10))   # within TOUCH_EVERY: no write
    sessions.TOUCHES.wait()
    assert stats.WRITE_WAITS.read()[2] == writes + 1


@pytest.mark.parametrize("change, reason", [
    (lambda s, a, e: accounts.disable_account(s, a, e), sessions.ACCOUNT_DISABLED),
    (lambda s, a, e: accounts.update_account(s, a, e, labs=["archipel"]), sessions.ACCOUNT_CHANGED),
    (lambda s, a, e: accounts.update_account(s, a, e, role="analyste", labs=[]), sessions.ACCOUNT_CHANGED),
    (lambda s, a, e: accounts.set_password(s, a, e, "un autre mot de passe"), sessions.PASSWORD_CHANGED),
])
def test_an_account_change_ends_every_session_of_that_account(store, admin, porteur, change, reason):
    first = sessions.open_session(store, porteur, "password", browser=BROWSER)
    second = sessions.open_session(store, porteur, "password", browser=BROWSER)
    mine = sessions.open_session(store, admin, "password")
    change(store, admin, porteur.email)
    for opened in (first, second):
        resolved = sessions.resolve(store, opened.token)
        assert resolved.actor is None and resolved.ended_reason == reason
        assert not sessions.is_active(store, resolved.session_id)
    assert sessions.resolve(store, mine.token).actor == admin


def test_signing_out_ends_the_session_everywhere(store, porteur):
    opened = sessions.open_session(store, porteur, "password", browser=BROWSER)
    cookie = sessions.redeem_handoff(store, opened.handoff, BROWSER)
    sessions.end(store, opened.session_id, sessions.SIGNED_OUT_ELSEWHERE)
    assert sessions.resolve(store, cookie).ended_reason == sessions.SIGNED_OUT_ELSEWHERE


def test_session_bookkeeping_leaves_the_data_version_alone(store, porteur):
    version = store.data_version()
    opened = sessions.open_session(store, porteur, "password", browser=BROWSER)
    sessions.resolve(store, opened.token, now=datetime.now() + timedelta(minutes=5))
    assert store.data_version() == version      # every cached figure stays valid


# --- deferred downloads ------------------------------------------------------------------------------------

def test_a_deferred_download_rechecks_the_session_before_producing_a_byte(store, admin, porteur):
    from lit_analytics.permissions import PermissionDenied
    from lit_analytics.ui.export import SESSION_OVER, _audited
    produced = []
    opened = sessions.open_session(store, porteur, "password", browser=BROWSER)
    download = _audited(store, porteur.email, "Carte", "png", lambda: produced.append(1) or b"PNG", opened.session_id)
    assert download() == b"PNG" and produced == [1]
    accounts.disable_account(store, admin, porteur.email)
    with pytest.raises(PermissionDenied, match=SESSION_OVER):
        download()
    assert produced == [1]                                  # nothing produced after the account was disabled
    assert store.query("SELECT action, outcome, detail FROM audit_log ORDER BY event_id DESC LIMIT 1") == [
        ("export", "refus", "session terminée")]
    with pytest.raises(PermissionDenied):
        _audited(store, porteur.email, "Carte", "png", lambda: b"x", None)()   # no session at all


def test_a_session_opened_removes_the_rows_of_sessions_long_over(store, porteur, admin):
    """Sessions do not pile up for years (every process reads the table whole into a dictionary each time it
    changes): opening one deletes the rows of sessions opened more than `SESSIONS_KEPT` ago, whoever they were;
    recent ones, ended or not, stay; the journal still has every sign-in."""
    now = datetime.now()
    old = sessions.open_session(store, admin, "password", now=now - sessions.SESSIONS_KEPT - timedelta(minutes=1))
    recent = sessions.open_session(store, porteur, "password", now=now - sessions.SESSIONS_KEPT + timedelta(hours=1))
    sessions.end(store, recent.session_id)
    assert len(store.query("SELECT session_id FROM sessions")) == 2
    fresh = sessions.open_session(store, porteur, "password", now=now)
    assert {r[0] for r in store.query("SELECT session_id FROM sessions")} == {recent.session_id, fresh.session_id}
    assert sessions.resolve(store, old.token, now=now).actor is None
    assert sessions.resolve(store, fresh.token, now=now).actor == porteur
