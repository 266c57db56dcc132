"""Signing in: password sign-in with its per-account lock and per-client throttle, OpenID Connect identities,
sign-out (no Streamlit here: `ui.auth` and the HTTP routes call these).

Apart from `accounts` (administration) because letting someone in is the part that resists attackers and is
reviewed as such: every refusal gets the same answer after the same work, and every attempt is audited. It reads
the accounts that `accounts` writes and imports from it (`AuthError`, the e-mail rule, password checks); nothing
in `accounts` imports this module.

- Password sign-in locks an account for `LOCK_MINUTES` after `MAX_FAILED_ATTEMPTS` failures in a row, and
  suspends a client address after `CLIENT_MAX_FAILURES` failures within `CLIENT_WINDOW_MINUTES`.
- Sessions end after `sessions.SESSION_IDLE` without activity or `sessions.SESSION_MAX` after signing in
  (checked by `ui.auth` on every page run).
- An OpenID Connect identity maps to an account through its e-mail claim; an unknown or disabled
  e-mail gets no access.
- Every sign-in, failed sign-in, lock and sign-out is written to the audit log (`lit_analytics.audit`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lit_analytics import accounts, audit, sessions
from lit_analytics.accounts import ACCOUNT_TABLES, AuthError, get_account, normalize_email
from lit_analytics.audit import SYSTEM, Action, Outcome
from lit_analytics.formats import fmt_datetime
from lit_analytics.permissions import Actor, actor_for_email
from lit_analytics.store import Store

MAX_FAILED_ATTEMPTS = 5
LOCK_MINUTES = 15
NOT_AN_ADDRESS = "(adresse invalide)"   # the actor of a failed sign-in whose e-mail field held no address
DISABLED = "Ce compte est désactivé : adressez-vous à un administrateur DITP."
MAX_EMAIL_CHARS = 254          # RFC 5321
MAX_PASSWORD_CHARS = 1024
CLIENT_MAX_FAILURES = 20       # failed sign-ins from one client address…
CLIENT_WINDOW_MINUTES = 15     # …within this window suspend that client's attempts until it ends
CLIENT_WINDOW = timedelta(minutes=CLIENT_WINDOW_MINUTES)

BAD_CREDENTIALS = (f"Adresse e-mail ou mot de passe incorrect. Après {MAX_FAILED_ATTEMPTS} échecs de suite, un "
                   f"compte est verrouillé {LOCK_MINUTES} minutes : réessayez plus tard ou adressez-vous à un "
                   "administrateur DITP.")

# Verified against when the e-mail is unknown, so the answer takes the same time either way.
_DUMMY_HASH = accounts.hash_password("compte inexistant : comparaison à temps constant")


@dataclass(frozen=True)
class SignInResult:
    actor: Actor | None
    message: str | None = None          # French, shown to the user when refused
    opened: sessions.Opened | None = None   # the session opened with the sign-in (`authenticate(..., browser=…)`)

    @property
    def ok(self) -> bool:
        return self.actor is not None


# --- passwords ---------------------------------------------------------------------------------

def verify_password(password_hash: str | None, password: str) -> bool:
    """The typed password against the account's hash; one argon2 check even when there is no hash."""
    if not password_hash:
        _verify_quietly(_DUMMY_HASH, password)
        return False
    return _verify_quietly(password_hash, password)


def _verify_quietly(password_hash: str, password: str) -> bool:
    return accounts.password_matches(password_hash, password)


# --- sign-in -----------------------------------------------------------------------------------

def authenticate(store: Store, email: str, password: str, now: datetime | None = None,
                 client: str | None = None, *, open_session: bool = False, browser: str | None = None) -> SignInResult:
    """Password sign-in. Audited either way; `open_session`: a success also opens the session
    (`sessions.open_session`, bound to `browser`) in the transaction that records it. Resists guessing:

    * the failure counter is read and incremented in one statement *before* the password is checked (an attempt
      is reserved, then given back on success), so parallel attempts cannot pass more than
      `MAX_FAILED_ATTEMPTS` password checks per lock window;
    * unknown e-mail, wrong password and locked account get the same answer (`BAD_CREDENTIALS`) after the same
      work (one argon2 check, against a dummy hash when there is no real one to check);
    * inputs are bounded (`MAX_EMAIL_CHARS`, `MAX_PASSWORD_CHARS`) and what is logged is truncated;
    * failures are counted per client (`client`: its address) as well: `CLIENT_MAX_FAILURES` within
      `CLIENT_WINDOW` and that client is refused (same answer) until the window ends.
    """
    now = now or datetime.now()
    typed = _loggable(email)   # what the journal may keep of the e-mail field: a valid address, nothing else
    password = password or ""
    if _client_blocked(store, client, now):
        _verify_quietly(_DUMMY_HASH, "")
        audit.log(store, typed or NOT_AN_ADDRESS, Action.SIGN_IN_FAILED, Outcome.REFUSED, typed,
                  f"trop d'échecs depuis ce poste ({_clip_client(client)}) : "
                  f"essais suspendus {CLIENT_WINDOW_MINUTES} min")
        return SignInResult(None, BAD_CREDENTIALS)
    try:
        if len(email or "") > MAX_EMAIL_CHARS:
            raise AuthError("adresse trop longue")
        email = normalize_email(email)
    except AuthError:
        _verify_quietly(_DUMMY_HASH, "")
        _count_client_failure(store, client, now)
        # Not an address: perhaps a password typed in the wrong field. The journal never keeps it.
        audit.log(store, NOT_AN_ADDRESS, Action.SIGN_IN_FAILED, Outcome.FAILURE, None, "adresse invalide")
        return SignInResult(None, BAD_CREDENTIALS)
    if store.scalar("SELECT count(*) FROM users WHERE email = ? AND disabled", [email]):
        # One answer for a disabled account, before any password check (after the right password only, the
        # answer would tell a guesser that the password was right); the same work as a check.
        _verify_quietly(_DUMMY_HASH, password[:MAX_PASSWORD_CHARS])
        audit.log(store, email, Action.SIGN_IN_FAILED, Outcome.REFUSED, email, "compte désactivé")
        return SignInResult(None, DISABLED)
    with store.transaction(writes=ACCOUNT_TABLES) as cur:   # reserve an attempt: increment then read in one write
        # transaction (writes are serialised, so no two attempts read the same count); no RETURNING: DuckDB's
        # postgres extension does not support it on UPDATE
        unlocked = "WHERE email = ? AND (locked_until IS NULL OR locked_until <= ?)"
        cur.execute(f"UPDATE users SET failed_attempts = failed_attempts + 1 {unlocked}", [email, now])
        reserved = cur.execute(f"SELECT failed_attempts, password_hash, disabled FROM users {unlocked}",
                               [email, now]).fetchall()
        if reserved and reserved[0][0] >= MAX_FAILED_ATTEMPTS:
            until = now + timedelta(minutes=LOCK_MINUTES)
            cur.execute("UPDATE users SET failed_attempts = 0, locked_until = ? WHERE email = ?", [until, email])
            audit.record(cur, SYSTEM, Action.ACCOUNT_LOCKED, Outcome.SUCCESS, email,
                         f"{MAX_FAILED_ATTEMPTS} échecs de connexion consécutifs : verrouillé {LOCK_MINUTES} min")
    if not reserved:
        _verify_quietly(_DUMMY_HASH, "")
        _count_client_failure(store, client, now)
        account = get_account(store, email)
        if account is None:
            audit.log(store, email, Action.SIGN_IN_FAILED, Outcome.FAILURE, email, "compte inconnu")
        else:
            audit.log(store, email, Action.SIGN_IN_FAILED, Outcome.REFUSED, email,
                      f"compte verrouillé jusqu'à {fmt_datetime(account['locked_until'])}")
        return SignInResult(None, BAD_CREDENTIALS)
    failures, password_hash, disabled = reserved[0]
    checked = len(password) <= MAX_PASSWORD_CHARS and verify_password(password_hash, password)
    if len(password) > MAX_PASSWORD_CHARS:
        _verify_quietly(_DUMMY_HASH, "")
    if not checked:
        _count_client_failure(store, client, now)
        reason = "mot de passe incorrect" if password_hash else "compte sans mot de passe (OpenID Connect uniquement)"
        audit.log(store, email, Action.SIGN_IN_FAILED, Outcome.FAILURE, email,
                  f"{reason} ({min(failures, MAX_FAILED_ATTEMPTS)}/{MAX_FAILED_ATTEMPTS})")
        return SignInResult(None, BAD_CREDENTIALS)
    with store.transaction(writes=ACCOUNT_TABLES) as cur:   # the reserved attempt is given back; a lock it caused
        # is lifted
        cur.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE email = ?", [email])
        if disabled:
            audit.record(cur, email, Action.SIGN_IN_FAILED, Outcome.REFUSED, email, "compte désactivé")
        else:
            rehashed = accounts.rehashed_if_outdated(password_hash, password)
            if rehashed:
                cur.execute("UPDATE users SET password_hash = ? WHERE email = ?", [rehashed, email])
            audit.record(cur, email, Action.SIGN_IN, Outcome.SUCCESS, email, "mot de passe")
            opened = (sessions.insert_session(cur, email, "password", signed_in_at=now, client=client, now=now,
                                              browser=browser) if open_session else None)
    if disabled:   # disabled between the first look and the check
        return SignInResult(None, DISABLED)
    return SignInResult(actor_for_email(store, email), opened=opened)


def _loggable(email: str | None) -> str | None:
    """The e-mail field as the journal may keep it: the address when it is one, else None (what was typed may be a
    password: a secret never reaches the journal, which administrators read and export)."""
    try:
        return normalize_email((email or "")[:MAX_EMAIL_CHARS])
    except AuthError:
        return None


def _clip_client(client: str | None) -> str:
    return (client or "inconnu")[:60]


def _client_blocked(store: Store, client: str | None, now: datetime) -> bool:
    if not client:
        return False
    row = store.query("SELECT failures, window_start FROM sign_in_throttle WHERE client = ?", [client[:100]])
    return bool(row) and row[0][1] > now - CLIENT_WINDOW and row[0][0] >= CLIENT_MAX_FAILURES


def _count_client_failure(store: Store, client: str | None, now: datetime) -> None:
    if not client:
        return
    client = client[:100]
    with store.transaction(writes="sign_in_throttle") as cur:
        row = cur.execute("SELECT failures, window_start FROM sign_in_throttle WHERE client = ?", [client]).fetchall()
        if not row or row[0][1] <= now - CLIENT_WINDOW:
            cur.execute("DELETE FROM sign_in_throttle WHERE client = ?", [client])
            cur.execute("INSERT INTO sign_in_throttle (client, failures, window_start) VALUES (?, 1, ?)", [client, now])
        else:
            cur.execute("UPDATE sign_in_throttle SET failures = failures + 1 WHERE client = ?", [client])


def sign_in_oidc(store: Store, email: str | None, provider: str, issued_at: datetime | None = None, *,
                 email_verified: object = None, issuer: str | None = None,
                 subject: str | None = None, require_verified: bool = True) -> SignInResult:
    """Map an identity returned by an OpenID Connect provider to an account through its e-mail.

    Refused unless the provider says the e-mail is verified (`email_verified` true; absent counts as not verified:
    anyone could have typed it); `require_verified=False` for a provider whose addresses are all verified by
    construction and which sends no such claim (per provider: `email_verified_required = false` in its
    `[auth.<provider>]` settings, see the README). On the first OIDC sign-in the account is bound to the provider's issuer and subject (`iss`, `sub`);
    afterwards only that identity signs in to it, even if another identity presents the same e-mail.
    Audited once per identity token (a reload of the page with the same token is not a new sign-in).
    """
    label = f"OpenID Connect ({str(provider)[:40]})"
    token = f", jeton émis le {issued_at:%d/%m/%Y %H:%M:%S}" if issued_at else ""
    try:
        email = normalize_email((email or "")[:MAX_EMAIL_CHARS + 1])
    except AuthError:
        audit.log(store, SYSTEM, Action.SIGN_IN_FAILED, Outcome.REFUSED, None,
                  f"{label} : aucune adresse e-mail transmise")
        return SignInResult(None, "Le fournisseur d'identité n'a pas transmis d'adresse e-mail : accès refusé.")
    verified = email_verified is True or str(email_verified).strip().lower() == "true"
    if require_verified and not verified:
        detail = f"{label} : adresse non vérifiée par le fournisseur{token}"
        if not audit.already_logged(store, email, Action.SIGN_IN_FAILED, detail):
            audit.log(store, email, Action.SIGN_IN_FAILED, Outcome.REFUSED, email, detail)
        return SignInResult(None, f"Le fournisseur d'identité n'a pas vérifié l'adresse {email} : accès refusé. "
                                  "Faites vérifier votre adresse auprès de lui, puis reconnectez-vous.")
    actor = actor_for_email(store, email)
    if actor is None:
        detail = f"{label} : aucun compte actif pour cette adresse{token}"
        if not audit.already_logged(store, email, Action.SIGN_IN_FAILED, detail):
            audit.log(store, email, Action.SIGN_IN_FAILED, Outcome.REFUSED, email, detail)
        return SignInResult(None, f"Aucun compte actif pour {email} : accès refusé. "
                                  "Demandez l'ouverture d'un compte à la DITP.")
    issuer, subject = (str(issuer)[:300] if issuer else None), (str(subject)[:300] if subject else None)
    if issuer and subject:
        with store.transaction(writes=ACCOUNT_TABLES) as cur:
            bound = cur.execute("SELECT oidc_issuer, oidc_subject FROM users WHERE email = ?", [email]).fetchone()
            if bound[1] is None:
                cur.execute("UPDATE users SET oidc_issuer = ?, oidc_subject = ? WHERE email = ?",
                            [issuer, subject, email])
                audit.record(cur, email, Action.ACCOUNT_CHANGED, Outcome.SUCCESS, email,
                             f"{label} : compte lié à l'identité {subject} de {issuer}")
            elif (bound[0], bound[1]) != (issuer, subject):
                audit.record(cur, email, Action.SIGN_IN_FAILED, Outcome.REFUSED, email,
                             f"{label} : identité {subject} de {issuer} différente de celle liée au compte{token}")
                refused = True
            else:
                refused = False
        if bound[1] is not None and refused:
            return SignInResult(None, f"Cette identité n'est pas celle liée au compte {email} : accès refusé. "
                                      "Adressez-vous à un administrateur DITP.")
    detail = label + token
    if not audit.already_logged(store, email, Action.SIGN_IN, detail):
        audit.log(store, email, Action.SIGN_IN, Outcome.SUCCESS, email, detail)
    return SignInResult(actor)


def record_sign_out(store: Store, actor: Actor, reason: str | None = None) -> None:
    audit.log(store, actor.email, Action.SIGN_OUT, Outcome.SUCCESS, actor.email, reason)


def session_expiry(signed_in_at: datetime, last_seen: datetime, now: datetime | None = None) -> str | None:
    """Why a session has ended (French), or None while it is valid."""
    return sessions.expiry_reason(signed_in_at, last_seen, now or datetime.now())
