"""Accounts: who may sign in, with which role and labs (no Streamlit here: the Comptes page, the command line
and `init --demo` call these).

Apart from `auth` (signing in) because administering accounts and signing in change for different reasons and
are read by different people: this module is what an administrator does to the `users` / `user_labs` tables
(migration 003); `auth` reads them to let someone in. The dependency goes one way: `auth` imports this module
(its `AuthError`, e-mail rule and password hashing), never the reverse.

- Passwords are stored only as argon2id hashes (argon2-cffi, OWASP's parameters: 19 MiB, 2 passes, 1 lane;
  about 50 ms per hash here), hashed and checked here. An account without a password signs in through
  OpenID Connect only.
- Every function that changes accounts takes the acting `Actor` and checks `require_admin`, so the rule is
  the same through the pages, the command line and direct calls. The one exception is `bootstrap_admin`,
  the explicit path that creates the first administrator of a database that has none.
- No change may leave the database without an active administrator (`LastAdminError`).
- Every account change and refusal is written to the audit log (`lit_analytics.audit`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from lit_analytics import audit, sessions
from lit_analytics.audit import SYSTEM, Action, Outcome
from lit_analytics.formats import fmt_datetime
from lit_analytics.lab_names import lab_names
from lit_analytics.permissions import ROLES, Actor, PermissionDenied, require_admin
from lit_analytics.store import Store

# What an account write may touch: the account, its labs, its sessions (ended on a change) and the journal.
ACCOUNT_TABLES = ("users", "user_labs", "sessions", audit.TABLE)
PASSWORD_MIN_LENGTH = 12

# argon2id with OWASP's recommended minimum (m = 19 MiB, t = 2, p = 1).
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

_EMAIL = re.compile(r"^[a-z0-9._%+'-]+@[a-z0-9.-]+\.[a-z]{2,}$")

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


class LastAdminError(AuthError):
    """The change would leave no active administrator."""


# --- passwords ---------------------------------------------------------------------------------

def hash_password(password: str) -> str:
    check_password_strength(password)
    return _HASHER.hash(password)


def check_password_strength(password: str) -> None:
    if password is None or len(password) < PASSWORD_MIN_LENGTH:
        raise AuthError(f"Le mot de passe doit compter au moins {PASSWORD_MIN_LENGTH} caractères.")
    if password.strip() != password:
        raise AuthError("Le mot de passe ne doit pas commencer ni finir par un espace.")


def password_matches(password_hash: str, password: str) -> bool:
    """Whether `password` is the one hashed in `password_hash`; False (never an exception) for a bad hash."""
    try:
        return _HASHER.verify(password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def rehashed_if_outdated(password_hash: str, password: str) -> str | None:
    """A new hash of a password just verified when `password_hash` used older parameters, else None."""
    return _HASHER.hash(password) if _HASHER.check_needs_rehash(password_hash) else None


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


def _require_admin_audited(store: Store, actor: Actor, what: Action, target: str | None) -> None:
    try:
        require_admin(actor, what)
    except PermissionDenied as exc:
        audit.log(store, actor.email, what, Outcome.REFUSED, target, str(exc))
        raise


require_admin_audited = _require_admin_audited   # the same check for the other administrators' writes (events)


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
    _require_admin_audited(store, actor, Action.ACCOUNT_CREATED, email)
    return _insert_account(store, actor.email, email, role, labs, display_name, password, is_demo=False)


def bootstrap_admin(store: Store, email: str, password: str | None, display_name: str | None = None) -> Actor:
    """Create the first administrator of a database that has no active one (command line, explicit)."""
    email = normalize_email(email)
    if store.scalar("SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled"):
        audit.log(store, SYSTEM, Action.ACCOUNT_CREATED, Outcome.REFUSED, email,
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
    with store.transaction(writes=ACCOUNT_TABLES) as cur:
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
        audit.record(cur, created_by, Action.ACCOUNT_CREATED, Outcome.SUCCESS, email, detail)
    return Actor(email=email, role=role, labs=frozenset(labs), display_name=display_name)


def update_account(store: Store, actor: Actor, email: str, role: str | None = None,
                   labs: Iterable[str] | None = None, display_name: str | None = None) -> None:
    """Change an account's role, labs or name (admin only)."""
    email = normalize_email(email)
    _require_admin_audited(store, actor, Action.ACCOUNT_CHANGED, email)
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
        audit.log(store, actor.email, Action.ACCOUNT_CHANGED, Outcome.REFUSED, email, "dernier administrateur actif")
        raise


def _apply_account_update(store: Store, actor: Actor, email: str, row, new_role: str, new_labs: list[str],
                          current_labs: list[str], display_name: str | None) -> None:
    with store.transaction(writes=ACCOUNT_TABLES) as cur:
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
        audit.record(cur, actor.email, Action.ACCOUNT_CHANGED, Outcome.SUCCESS, email,
                     _describe(new_role, new_labs, display_name))


def disable_account(store: Store, actor: Actor, email: str) -> None:
    """Disable an account (admin only): it can no longer sign in, and open sessions end at their next page."""
    _set_disabled(store, actor, email, True)


def enable_account(store: Store, actor: Actor, email: str) -> None:
    _set_disabled(store, actor, email, False)


def _set_disabled(store: Store, actor: Actor, email: str, disabled: bool) -> None:
    action = Action.ACCOUNT_DISABLED if disabled else Action.ACCOUNT_ENABLED
    email = normalize_email(email)
    _require_admin_audited(store, actor, action, email)
    row = _account_row(store, email)
    if row is None:
        raise AuthError(f"Compte inconnu : {email}.")
    if disabled and email == actor.email:
        raise AuthError("Vous ne pouvez pas désactiver votre propre compte.")
    try:
        with store.transaction(writes=ACCOUNT_TABLES) as cur:
            if disabled and row[1] == "admin":
                _refuse_if_last_admin(cur, email)   # inside the transaction: two admins cannot disable each other
            cur.execute("UPDATE users SET disabled = ?, failed_attempts = 0, locked_until = NULL WHERE email = ?",
                        [disabled, email])
            if disabled:
                sessions.end_all_for(cur, email, sessions.ACCOUNT_DISABLED)
            audit.record(cur, actor.email, action, Outcome.SUCCESS, email)
    except LastAdminError:
        audit.log(store, actor.email, action, Outcome.REFUSED, email, "dernier administrateur actif")
        raise


def _refuse_if_last_admin(cur, email: str) -> None:
    """Inside the change's transaction (the store's writes are serialised): reads what is committed now."""
    others = cur.execute("SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled AND email <> ?",
                         [email]).fetchone()[0]
    if not others:
        raise LastAdminError("C'est le dernier administrateur actif : créez-en un autre d'abord.")


def set_password(store: Store, actor: Actor, email: str, password: str | None) -> None:
    """Set or reset an account's password (admin only; None removes it: OIDC only). Also unlocks it."""
    email = normalize_email(email)
    _require_admin_audited(store, actor, Action.PASSWORD_CHANGED, email)
    if _account_row(store, email) is None:
        raise AuthError(f"Compte inconnu : {email}.")
    password_hash = hash_password(password) if password else None
    with store.transaction(writes=ACCOUNT_TABLES) as cur:
        cur.execute("UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL "
                    "WHERE email = ?", [password_hash, email])
        sessions.end_all_for(cur, email, sessions.PASSWORD_CHANGED)
        audit.record(cur, actor.email, Action.PASSWORD_CHANGED, Outcome.SUCCESS, email,
                     "mot de passe défini" if password_hash else "mot de passe retiré (OpenID Connect uniquement)")


def unlock_account(store: Store, actor: Actor, email: str) -> None:
    email = normalize_email(email)
    _require_admin_audited(store, actor, Action.ACCOUNT_UNLOCKED, email)
    if _account_row(store, email) is None:
        raise AuthError(f"Compte inconnu : {email}.")
    with store.transaction(writes=ACCOUNT_TABLES) as cur:
        cur.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE email = ?", [email])
        audit.record(cur, actor.email, Action.ACCOUNT_UNLOCKED, Outcome.SUCCESS, email)


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
