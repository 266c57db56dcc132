"""Accounts, sign-in and sessions (no Streamlit here: the pages and the command line call these).

- Accounts live in `users` / `user_labs` (migration 003). Passwords are stored only as argon2id hashes
  (argon2-cffi, OWASP's parameters: 19 MiB, 2 passes, 1 lane; about 50 ms per hash here). An account
  without a password signs in through OpenID Connect only.
- Every function that changes accounts takes the acting `Actor` and checks `require_admin`, so the rule is
  the same through the pages, the command line and direct calls. The one exception is `bootstrap_admin`,
  the explicit path that creates the first administrator of a database that has none.
- Password sign-in locks an account for `LOCK_MINUTES` after `MAX_FAILED_ATTEMPTS` failures in a row.
- Sessions end after `SESSION_IDLE` without activity or `SESSION_MAX` after signing in (checked by
  `ui.auth` on every page run).
- An OpenID Connect identity maps to an account through its e-mail claim; an unknown or disabled
  e-mail gets no access.
- Every account change, sign-in, failed sign-in and refusal is written to the audit log (`lit_analytics.audit`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from lit_analytics import audit, sessions
from lit_analytics.audit import SYSTEM, Action, Outcome
from lit_analytics.formats import fmt_datetime
from lit_analytics.lab_names import lab_names
from lit_analytics.permissions import ROLES, Actor, PermissionDenied, actor_for_email, require_admin
from lit_analytics.store import Store, figures_do_not_read

figures_do_not_read("users", "user_labs")   # accounts: their writes keep the data version of the figures
MAX_FAILED_ATTEMPTS = 5
LOCK_MINUTES = 15
SESSION_IDLE = sessions.SESSION_IDLE
SESSION_MAX = sessions.SESSION_MAX
PASSWORD_MIN_LENGTH = 12

# argon2id with OWASP's recommended minimum (m = 19 MiB, t = 2, p = 1).
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the e-mail is unknown, so the answer takes the same time either way.
_DUMMY_HASH = _HASHER.hash("compte inexistant : comparaison à temps constant")

_EMAIL = re.compile(r"^[a-z0-9._%+'-]+@[a-z0-9.-]+\.[a-z]{2,}$")

BAD_CREDENTIALS = ("Adresse e-mail ou mot de passe incorrect. Après 5 échecs de suite, un compte est verrouillé "
                   "15 minutes : réessayez plus tard ou adressez-vous à un administrateur DITP.")
MAX_EMAIL_CHARS = 254          # RFC 5321
MAX_PASSWORD_CHARS = 1024
MAX_LOGGED_CHARS = 100         # what a failed sign-in writes of the typed e-mail
CLIENT_MAX_FAILURES = 20       # failed sign-ins from one client address…
CLIENT_WINDOW_MINUTES = 15     # …within this window suspend that client's attempts until it ends
CLIENT_WINDOW = timedelta(minutes=CLIENT_WINDOW_MINUTES)

# Demonstration accounts, created by `init --demo` only (documented in the README, flagged is_demo).
DEMO_PASSWORD = "demo-lit-2016"
DEMO_ACCOUNTS = (
    ("demo-admin@lit.example", "Administratrice DITP (démo)", "admin", ()),
    ("demo-analyste@lit.example", "Analyste DITP (démo)", "analyste", ()),
    ("demo-porteur-archipel@lit.example", "Porteur Archipel (démo)", "porteur", ("archipel",)),
    ("demo-porteur-siilab@lit.example", "Porteuse Siilab (démo)", "porteur", ("siilab",)),
)


class AuthError(ValueError):
    """Bad input for an account operation (French message). A ValueError, so the CLI prints one line."""


@dataclass(frozen=True)
class SignInResult:
    actor: Actor | None
    message: str | None = None          # French, shown to the user when refused

    @property
    def ok(self) -> bool:
        return self.actor is not None


# --- passwords ---------------------------------------------------------------------------------

def hash_password(password: str) -> str:
    check_password_strength(password)
    return _HASHER.hash(password)


def check_password_strength(password: str) -> None:
    if password is None or len(password) < PASSWORD_MIN_LENGTH:
        raise AuthError(f"Le mot de passe doit compter au moins {PASSWORD_MIN_LENGTH} caractères.")
    if password.strip() != password:
        raise AuthError("Le mot de passe ne doit pas commencer ni finir par un espace.")


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        _verify_quietly(_DUMMY_HASH, password)
        return False
    return _verify_quietly(password_hash, password)


def _verify_quietly(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# --- validation --------------------------------------------------------------------------------

def normalize_email(email: str) -> str:
    value = (email or "").strip().lower()
    if not _EMAIL.match(value):
        raise AuthError(f"Adresse e-mail invalide : « {email} ».")
    return value


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AuthError(f"Rôle inconnu : « {role} » (attendu : {', '.join(ROLES)}).")
    return role


def _check_labs(store: Store, role: str, labs: Iterable[str]) -> list[str]:
    labs = sorted({lab.strip() for lab in labs if lab and lab.strip()})
    if role == "porteur" and not labs:
        raise AuthError("Un compte porteur doit être rattaché à au moins un laboratoire (--lab).")
    if role != "porteur" and labs:
        raise AuthError("Seuls les comptes porteurs sont rattachés à un laboratoire.")
    known = {lab for (lab,) in store.query("SELECT lab_id FROM labs")}
    unknown = [lab for lab in labs if lab not in known]
    if unknown:
        raise AuthError(f"Laboratoire inconnu : « {unknown[0]} ».")
    return labs


def _account_row(store: Store, email: str):
    rows = store.query("SELECT email, role, disabled, password_hash, failed_attempts, locked_until, is_demo "
                       "FROM users WHERE email = ?", [email])
    return rows[0] if rows else None


def _require_admin_audited(store: Store, actor: Actor, what: str, target: str | None) -> None:
    try:
        require_admin(actor, what)
    except PermissionDenied as exc:
        audit.log(store, actor.email, what, "refus", target, str(exc))
        raise


def _describe(role: str, labs: Iterable[str], display_name: str | None = None) -> str:
    text = f"rôle {role}"
    labs = list(labs)
    if labs:
        text += ", laboratoires : " + ", ".join(labs)
    if display_name:
        text += f", nom : {display_name}"
    return text


# --- account changes (admins) ------------------------------------------------------------------

def add_account(store: Store, actor: Actor, email: str, role: str, labs: Iterable[str] = (),
                display_name: str | None = None, password: str | None = None) -> Actor:
    """Create an account (admin only). Without a password, the account signs in through OIDC only."""
    email = normalize_email(email)
    _require_admin_audited(store, actor, "création de compte", email)
    return _insert_account(store, actor.email, email, role, labs, display_name, password, is_demo=False)


def bootstrap_admin(store: Store, email: str, password: str | None, display_name: str | None = None) -> Actor:
    """Create the first administrator of a database that has no active one (command line, explicit)."""
    email = normalize_email(email)
    if store.scalar("SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled"):
        audit.log(store, SYSTEM, "création de compte", "refus", email,
              "premier administrateur demandé alors qu'un administrateur actif existe")
        raise AuthError("Un administrateur actif existe déjà : créez les comptes avec --user ADMIN_EMAIL.")
    return _insert_account(store, f"{SYSTEM} (premier administrateur)", email, "admin", (), display_name,
                           password, is_demo=False)


def _insert_account(store: Store, created_by: str, email: str, role: str, labs: Iterable[str],
                    display_name: str | None, password: str | None, is_demo: bool) -> Actor:
    _check_role(role)
    labs = _check_labs(store, role, labs)
    display_name = (display_name or "").strip() or None
    password_hash = hash_password(password) if password else None
    with store.transaction() as cur:
        if cur.execute("SELECT count(*) FROM users WHERE email = ?", [email]).fetchone()[0]:
            raise AuthError(f"Un compte existe déjà pour {email}.")
        cur.execute("INSERT INTO users (email, display_name, role, password_hash, disabled, is_demo, "
                    "failed_attempts, locked_until, created_at, created_by) "
                    "VALUES (?, ?, ?, ?, false, ?, 0, NULL, ?, ?)",
                    [email, display_name, role, password_hash, is_demo, datetime.now(), created_by])
        for lab in labs:
            cur.execute("INSERT INTO user_labs VALUES (?, ?)", [email, lab])
        detail = _describe(role, labs, display_name)
        detail += ", avec mot de passe" if password_hash else ", connexion OpenID Connect uniquement"
        if is_demo:
            detail += ", compte de démonstration"
        audit.record(cur, created_by, "création de compte", "succès", email, detail)
    return Actor(email=email, role=role, labs=frozenset(labs), display_name=display_name)


def update_account(store: Store, actor: Actor, email: str, role: str | None = None,
                   labs: Iterable[str] | None = None, display_name: str | None = None) -> None:
    """Change an account's role, labs or name (admin only)."""
    email = normalize_email(email)
    _require_admin_audited(store, actor, "modification de compte", email)
    row = _account_row(store, email)
    if row is None:
        raise AuthError(f"Compte inconnu : {email}.")
    new_role = _check_role(role) if role else row[1]
    current_labs = [lab for (lab,) in store.query("SELECT lab_id FROM user_labs WHERE email = ? ORDER BY 1",
                                                    [email])]
    new_labs = _check_labs(store, new_role, current_labs if labs is None else labs)
    try:
        _apply_account_update(store, actor, email, row, new_role, new_labs, current_labs, display_name)
    except LastAdminError:
        audit.log(store, actor.email, "modification de compte", "refus", email, "dernier administrateur actif")
        raise


def _apply_account_update(store: Store, actor: Actor, email: str, row, new_role: str, new_labs: list[str],
                          current_labs: list[str], display_name: str | None) -> None:
    with store.transaction() as cur:
        if row[1] == "admin" and new_role != "admin":
            _refuse_if_last_admin(cur, email)
        cur.execute("UPDATE users SET role = ? WHERE email = ?", [new_role, email])
        if new_role != row[1] or sorted(new_labs) != sorted(current_labs):
            sessions.end_all_for(cur, email, sessions.ACCOUNT_CHANGED)
        if display_name is not None:
            cur.execute("UPDATE users SET display_name = ? WHERE email = ?", [display_name.strip() or None, email])
        cur.execute("DELETE FROM user_labs WHERE email = ?", [email])
        for lab in new_labs:
            cur.execute("INSERT INTO user_labs VALUES (?, ?)", [email, lab])
        audit.record(cur, actor.email, "modification de compte", "succès", email,
               _describe(new_role, new_labs, display_name))


def disable_account(store: Store, actor: Actor, email: str) -> None:
    """Disable an account (admin only): it can no longer sign in, and open sessions end at their next page."""
    _set_disabled(store, actor, email, True)


def enable_account(store: Store, actor: Actor, email: str) -> None:
    _set_disabled(store, actor, email, False)


def _set_disabled(store: Store, actor: Actor, email: str, disabled: bool) -> None:
    action = "désactivation de compte" if disabled else "réactivation de compte"
    email = normalize_email(email)
    _require_admin_audited(store, actor, action, email)
    row = _account_row(store, email)
    if row is None:
        raise AuthError(f"Compte inconnu : {email}.")
    if disabled and email == actor.email:
        raise AuthError("Vous ne pouvez pas désactiver votre propre compte.")
    try:
        with store.transaction() as cur:
            if disabled and row[1] == "admin":
                _refuse_if_last_admin(cur, email)   # inside the transaction: two admins cannot disable each other
            cur.execute("UPDATE users SET disabled = ?, failed_attempts = 0, locked_until = NULL WHERE email = ?",
                        [disabled, email])
            if disabled:
                sessions.end_all_for(cur, email, sessions.ACCOUNT_DISABLED)
            audit.record(cur, actor.email, action, "succès", email)
    except LastAdminError:
        audit.log(store, actor.email, action, "refus", email, "dernier administrateur actif")
        raise


class LastAdminError(AuthError):
    """The change would leave no active administrator."""


def _refuse_if_last_admin(cur, email: str) -> None:
    """Inside the change's transaction (the store's writes are serialised): reads what is committed now."""
    others = cur.execute("SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled AND email <> ?",
                         [email]).fetchone()[0]
    if not others:
        raise LastAdminError("C'est le dernier administrateur actif : créez-en un autre d'abord.")


def set_password(store: Store, actor: Actor, email: str, password: str | None) -> None:
    """Set or reset an account's password (admin only; None removes it: OIDC only). Also unlocks it."""
    email = normalize_email(email)
    _require_admin_audited(store, actor, "changement de mot de passe", email)
    if _account_row(store, email) is None:
        raise AuthError(f"Compte inconnu : {email}.")
    password_hash = hash_password(password) if password else None
    with store.transaction() as cur:
        cur.execute("UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL "
                    "WHERE email = ?", [password_hash, email])
        sessions.end_all_for(cur, email, sessions.PASSWORD_CHANGED)
        audit.record(cur, actor.email, "changement de mot de passe", "succès", email,
               "mot de passe défini" if password_hash else "mot de passe retiré (OpenID Connect uniquement)")


def unlock_account(store: Store, actor: Actor, email: str) -> None:
    email = normalize_email(email)
    _require_admin_audited(store, actor, "déverrouillage de compte", email)
    if _account_row(store, email) is None:
        raise AuthError(f"Compte inconnu : {email}.")
    with store.transaction() as cur:
        cur.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE email = ?", [email])
        audit.record(cur, actor.email, "déverrouillage de compte", "succès", email)


def create_demo_accounts(store: Store) -> list[str]:
    """The documented demonstration accounts (is_demo), for `init --demo` only. Returns their e-mails."""
    created = []
    for email, name, role, labs in DEMO_ACCOUNTS:
        if _account_row(store, email) is None:
            _insert_account(store, SYSTEM, email, role, labs, name, DEMO_PASSWORD, is_demo=True)
            created.append(email)
    return created


# --- reading -----------------------------------------------------------------------------------

ACCOUNT_COLUMNS = {
    "email": "Adresse e-mail", "display_name": "Nom", "role_label": "Rôle", "labs": "Laboratoires",
    "state": "État", "sign_in": "Connexion", "last_sign_in": "Dernière connexion",
    "created": "Créé le", "created_by": "Créé par",
}


def list_accounts(store: Store) -> pd.DataFrame:
    """Every account with its labs, state and last sign-in (raw columns; `account_table` for display)."""
    accounts = store.query_df("""
        WITH labs AS (SELECT email, string_agg(lab_id, ', ' ORDER BY lab_id) AS labs FROM user_labs GROUP BY email)
        SELECT u.email, u.display_name, u.role, coalesce(labs.labs, '') AS labs, u.disabled, u.is_demo,
               u.failed_attempts, u.locked_until, u.password_hash IS NOT NULL AS has_password,
               u.created_at, u.created_by
        FROM users u LEFT JOIN labs USING (email)
        ORDER BY CASE u.role WHEN 'admin' THEN 1 WHEN 'analyste' THEN 2 ELSE 3 END, u.email""")
    return accounts.merge(audit.last_sign_ins(store), on="email", how="left")


def lab_choices(store: Store) -> dict[str, str]:
    """The labs an account can be attached to, id -> name (by name)."""
    return lab_names(store)


def account_emails(store: Store) -> list[str]:
    return [email for (email,) in store.query("SELECT email FROM users ORDER BY email")]


def get_account(store: Store, email: str) -> dict | None:
    """One account as a dict (email, display_name, role, labs list, disabled, is_demo, locked_until)."""
    rows = store.query("SELECT email, display_name, role, disabled, is_demo, locked_until, "
                       "password_hash IS NOT NULL FROM users WHERE email = ?", [(email or "").strip().lower()])
    if not rows:
        return None
    keys = ("email", "display_name", "role", "disabled", "is_demo", "locked_until", "has_password")
    account = dict(zip(keys, rows[0]))
    account["labs"] = [lab for (lab,) in store.query("SELECT lab_id FROM user_labs WHERE email = ? ORDER BY 1",
                                                      [account["email"]])]
    return account


def account_table(store: Store, now: datetime | None = None) -> pd.DataFrame:
    """The accounts as shown to admins and printed by the command line (French labels and formats)."""
    now = now or datetime.now()
    df = list_accounts(store)

    def state(row) -> str:
        if row.disabled:
            return "désactivé"
        if pd.notna(row.locked_until) and row.locked_until > now:
            return f"verrouillé jusqu'à {row.locked_until:%H:%M}"
        return "actif"

    out = pd.DataFrame({
        "email": df["email"],
        "display_name": df["display_name"].fillna(""),
        "role_label": df["role"].map(ROLES),
        "labs": df["labs"],
        "state": [state(r) + (" (démo)" if r.is_demo else "") for r in df.itertuples()],
        "sign_in": ["mot de passe ou OpenID Connect" if p else "OpenID Connect uniquement"
                    for p in df["has_password"]],
        "last_sign_in": [fmt_datetime(v) if pd.notna(v) else "jamais" for v in df["last_sign_in"]],
        "created": [fmt_datetime(v) for v in df["created_at"]],
        "created_by": df["created_by"],
    })
    return out.rename(columns=ACCOUNT_COLUMNS)


def has_accounts(store: Store) -> bool:
    return bool(store.scalar("SELECT count(*) FROM users"))


def demo_accounts(store: Store) -> pd.DataFrame:
    """The demonstration accounts present in this database (none in a production database)."""
    return store.query_df("SELECT email, display_name, role FROM users WHERE is_demo AND NOT disabled "
                          "ORDER BY role, email")


# --- sign-in -----------------------------------------------------------------------------------

def authenticate(store: Store, email: str, password: str, now: datetime | None = None,
                 client: str | None = None) -> SignInResult:
    """Password sign-in. Audited either way; resists guessing:

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
    typed = (email or "").strip().lower()[:MAX_LOGGED_CHARS]
    password = password or ""
    if _client_blocked(store, client, now):
        _verify_quietly(_DUMMY_HASH, "")
        audit.log(store, typed or "(vide)", "échec de connexion", "refus", typed or None,
              f"trop d'échecs depuis ce poste ({_clip_client(client)}) : essais suspendus {CLIENT_WINDOW_MINUTES} min")
        return SignInResult(None, BAD_CREDENTIALS)
    try:
        if len(email or "") > MAX_EMAIL_CHARS:
            raise AuthError("adresse trop longue")
        email = normalize_email(email)
    except AuthError:
        _verify_quietly(_DUMMY_HASH, "")
        _count_client_failure(store, client, now)
        audit.log(store, typed or "(vide)", "échec de connexion", "échec", typed or None, "adresse invalide")
        return SignInResult(None, BAD_CREDENTIALS)
    with store.transaction() as cur:   # reserve an attempt: increment then read in one write transaction (writes
        # are serialised, so no two attempts read the same count); no RETURNING: DuckDB's postgres extension
        # does not support it on UPDATE
        unlocked = "WHERE email = ? AND (locked_until IS NULL OR locked_until <= ?)"
        cur.execute(f"UPDATE users SET failed_attempts = failed_attempts + 1 {unlocked}", [email, now])
        reserved = cur.execute(f"SELECT failed_attempts, password_hash, disabled FROM users {unlocked}",
                               [email, now]).fetchall()
        if reserved and reserved[0][0] >= MAX_FAILED_ATTEMPTS:
            until = now + timedelta(minutes=LOCK_MINUTES)
            cur.execute("UPDATE users SET failed_attempts = 0, locked_until = ? WHERE email = ?", [until, email])
            audit.record(cur, SYSTEM, "verrouillage de compte", "succès", email,
                   f"{MAX_FAILED_ATTEMPTS} échecs de connexion consécutifs : verrouillé {LOCK_MINUTES} min")
    if not reserved:
        _verify_quietly(_DUMMY_HASH, "")
        _count_client_failure(store, client, now)
        row = _account_row(store, email)
        if row is None:
            audit.log(store, email, "échec de connexion", "échec", email, "compte inconnu")
        else:
            audit.log(store, email, "échec de connexion", "refus", email,
                  f"compte verrouillé jusqu'à {fmt_datetime(row[5])}")
        return SignInResult(None, BAD_CREDENTIALS)
    failures, password_hash, disabled = reserved[0]
    checked = len(password) <= MAX_PASSWORD_CHARS and verify_password(password_hash, password)
    if len(password) > MAX_PASSWORD_CHARS:
        _verify_quietly(_DUMMY_HASH, "")
    if not checked:
        _count_client_failure(store, client, now)
        reason = "mot de passe incorrect" if password_hash else "compte sans mot de passe (OpenID Connect uniquement)"
        audit.log(store, email, "échec de connexion", "échec", email,
              f"{reason} ({min(failures, MAX_FAILED_ATTEMPTS)}/{MAX_FAILED_ATTEMPTS})")
        return SignInResult(None, BAD_CREDENTIALS)
    with store.transaction() as cur:   # the reserved attempt is given back; a lock it caused is lifted
        cur.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE email = ?", [email])
        if disabled:
            audit.record(cur, email, "échec de connexion", "refus", email, "compte désactivé")
        else:
            if _HASHER.check_needs_rehash(password_hash):
                cur.execute("UPDATE users SET password_hash = ? WHERE email = ?", [_HASHER.hash(password), email])
            audit.record(cur, email, "connexion", "succès", email, "mot de passe")
    if disabled:
        return SignInResult(None, "Ce compte est désactivé : adressez-vous à un administrateur DITP.")
    return SignInResult(actor_for_email(store, email))


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
    with store.transaction(data=False) as cur:
        row = cur.execute("SELECT failures, window_start FROM sign_in_throttle WHERE client = ?", [client]).fetchall()
        if not row or row[0][1] <= now - CLIENT_WINDOW:
            cur.execute("DELETE FROM sign_in_throttle WHERE client = ?", [client])
            cur.execute("INSERT INTO sign_in_throttle (client, failures, window_start) VALUES (?, 1, ?)", [client, now])
        else:
            cur.execute("UPDATE sign_in_throttle SET failures = failures + 1 WHERE client = ?", [client])


def sign_in_oidc(store: Store, email: str | None, provider: str, issued_at: datetime | None = None, *,
                 email_verified: object = None, issuer: str | None = None,
                 subject: str | None = None) -> SignInResult:
    """Map an identity returned by an OpenID Connect provider to an account through its e-mail.

    Refused when the provider says the e-mail is not verified (`email_verified` false: anyone could have typed
    it). On the first OIDC sign-in the account is bound to the provider's issuer and subject (`iss`, `sub`);
    afterwards only that identity signs in to it, even if another identity presents the same e-mail.
    Audited once per identity token (a reload of the page with the same token is not a new sign-in).
    """
    label = f"OpenID Connect ({str(provider)[:40]})"
    token = f", jeton émis le {issued_at:%d/%m/%Y %H:%M:%S}" if issued_at else ""
    try:
        email = normalize_email((email or "")[:MAX_EMAIL_CHARS + 1])
    except AuthError:
        audit.log(store, SYSTEM, "échec de connexion", "refus", None, f"{label} : aucune adresse e-mail transmise")
        return SignInResult(None, "Le fournisseur d'identité n'a pas transmis d'adresse e-mail : accès refusé.")
    if email_verified is False or str(email_verified).strip().lower() == "false":
        detail = f"{label} : adresse non vérifiée par le fournisseur{token}"
        if not audit.already_logged(store, email, "échec de connexion", detail):
            audit.log(store, email, "échec de connexion", "refus", email, detail)
        return SignInResult(None, f"Le fournisseur d'identité n'a pas vérifié l'adresse {email} : accès refusé. "
                                  "Faites vérifier votre adresse auprès de lui, puis reconnectez-vous.")
    actor = actor_for_email(store, email)
    if actor is None:
        detail = f"{label} : aucun compte actif pour cette adresse{token}"
        if not audit.already_logged(store, email, "échec de connexion", detail):
            audit.log(store, email, "échec de connexion", "refus", email, detail)
        return SignInResult(None, f"Aucun compte actif pour {email} : accès refusé. "
                                  "Demandez l'ouverture d'un compte à la DITP.")
    issuer, subject = (str(issuer)[:300] if issuer else None), (str(subject)[:300] if subject else None)
    if issuer and subject:
        with store.transaction() as cur:
            bound = cur.execute("SELECT oidc_issuer, oidc_subject FROM users WHERE email = ?", [email]).fetchone()
            if bound[1] is None:
                cur.execute("UPDATE users SET oidc_issuer = ?, oidc_subject = ? WHERE email = ?",
                            [issuer, subject, email])
                audit.record(cur, email, "modification de compte", "succès", email,
                       f"{label} : compte lié à l'identité {subject} de {issuer}")
            elif (bound[0], bound[1]) != (issuer, subject):
                audit.record(cur, email, "échec de connexion", "refus", email,
                       f"{label} : identité {subject} de {issuer} différente de celle liée au compte{token}")
                refused = True
            else:
                refused = False
        if bound[1] is not None and refused:
            return SignInResult(None, f"Cette identité n'est pas celle liée au compte {email} : accès refusé. "
                                      "Adressez-vous à un administrateur DITP.")
    detail = label + token
    if not audit.already_logged(store, email, "connexion", detail):
        audit.log(store, email, "connexion", "succès", email, detail)
    return SignInResult(actor)


def record_sign_out(store: Store, actor: Actor, reason: str | None = None) -> None:
    audit.log(store, actor.email, "déconnexion", "succès", actor.email, reason)


def session_expiry(signed_in_at: datetime, last_seen: datetime, now: datetime | None = None) -> str | None:
    """Why a session has ended (French), or None while it is valid."""
    return sessions.expiry_reason(signed_in_at, last_seen, now or datetime.now())
