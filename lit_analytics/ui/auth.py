"""Who is signed in: the session, its expiry, the sign-in page and the account in the sidebar.

Contract used by every page: the signed-in user is an `Actor` kept in `st.session_state["actor"]`;
`current_actor()` returns it or None, `require_actor()` stops the page with a French message when nobody
is signed in. (AppTests sign in by setting `at.session_state["actor"]` before the run.)

`app.py` calls `resolve_session()` on every run: it checks the session's expiry (idle and absolute, see
`lit_analytics.auth`), re-reads the account of a signed-in user (a disabled account is signed out at its
next click, a changed role applies at once), and maps an OpenID Connect identity (`st.login`, configured
in `.streamlit/secrets.toml`) to an account through its e-mail. The sign-in page offers the password form
and one button per configured OIDC provider.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from lit_analytics import auth
from lit_analytics.permissions import ROLES, Actor, actor_for_email
from lit_analytics.store import Store


def close_legacy_page_entry() -> None:
    """Make every page go through `app.py` (the gate), even on the first visit after the server starts.

    Streamlit 1.67 keeps its legacy multipage mode for an app whose entry script sits next to a `pages/`
    folder until the first `st.navigation` call of the process: a deep link (`/journal`) opened first after
    a start runs `pages/journal.py` directly, without `app.py`. Every page imports `lit_analytics.ui`, whose
    `__init__` calls this: it switches that mode off and reruns, so the same request goes through `app.py`.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    except ImportError:   # a later Streamlit without this mode
        return
    if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
        PagesManager.uses_pages_directory = False
        st.rerun()


ACTOR_KEY = "actor"
SESSION_KEY = "auth_session"     # {"method": "password"|"oidc"|"test", "provider", "signed_in_at", "last_seen"}
NOTICE_KEY = "auth_notice"       # why the last session ended, shown on the sign-in page
DENIED_KEY = "auth_denied"       # why an OIDC identity got no access

PROVIDER_LABELS = {"proconnect": "ProConnect"}


def current_actor() -> Actor | None:
    actor = st.session_state.get(ACTOR_KEY)
    return actor if isinstance(actor, Actor) else None


def require_actor() -> Actor:
    actor = current_actor()
    if actor is None:
        st.info("Connectez-vous pour accéder à cette page.")
        st.stop()
    return actor


def require_admin_page() -> Actor:
    """For the administration pages: stop with a French message unless an admin is signed in."""
    actor = require_actor()
    if not actor.is_admin:
        st.error("Page réservée aux administrateurs DITP.")
        st.stop()
    return actor


# --- OpenID Connect configuration --------------------------------------------------------------

def oidc_providers() -> list[tuple[str, str]]:
    """(name for st.login, label) of each provider configured under [auth] in secrets.toml."""
    try:
        section = st.secrets.get("auth")
    except Exception:   # no secrets file at all
        return []
    if not section or "redirect_uri" not in section:
        return []
    providers = []
    if "client_id" in section:
        providers.append(("default", section.get("label") or "le fournisseur d'identité"))
    for name, value in section.items():
        if hasattr(value, "get") and "client_id" in value:
            providers.append((name, value.get("label") or PROVIDER_LABELS.get(name.lower(), name.capitalize())))
    return providers


def _oidc_identity() -> dict | None:
    """The identity from the OIDC cookie of this browser (st.user), when OIDC is configured."""
    if not oidc_providers():
        return None
    try:
        if not st.user.is_logged_in:
            return None
        return st.user.to_dict()
    except Exception:
        return None


# --- the session -------------------------------------------------------------------------------

def _start(actor: Actor, method: str, signed_in_at: datetime, provider: str | None = None) -> None:
    st.session_state[ACTOR_KEY] = actor
    st.session_state[SESSION_KEY] = {"method": method, "provider": provider, "signed_in_at": signed_in_at,
                                     "last_seen": datetime.now()}
    st.session_state.pop(DENIED_KEY, None)


def _end(notice: str | None = None) -> dict | None:
    session = st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(ACTOR_KEY, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice
    return session


def resolve_session(store: Store, now: datetime | None = None) -> Actor | None:
    """The signed-in user for this run, after checking expiry and the account; None when signed out."""
    now = now or datetime.now()
    actor = current_actor()
    if actor is not None:
        session = st.session_state.get(SESSION_KEY)
        if session is None:   # actor put in place directly (AppTests): a fresh session
            session = {"method": "test", "provider": None, "signed_in_at": now, "last_seen": now}
            st.session_state[SESSION_KEY] = session
        reason = auth.session_expiry(session["signed_in_at"], session["last_seen"], now)
        if reason is None and session["method"] in ("password", "oidc"):
            fresh = actor_for_email(store, actor.email)
            if fresh is None:
                reason = "Votre compte a été désactivé : vous avez été déconnecté(e)."
            elif fresh != actor:
                st.session_state[ACTOR_KEY] = actor = fresh
        if reason is not None:
            auth.record_sign_out(store, actor, reason)
            ended = _end(reason)
            if ended and ended["method"] == "oidc":
                st.logout()   # clears the identity cookie, or the next page would sign in again
            return None
        session["last_seen"] = now
        return actor

    identity = _oidc_identity()
    if identity is None:
        return None
    issued = identity.get("iat")
    signed_in_at = datetime.fromtimestamp(int(issued)) if issued else now
    provider = str(identity.get("provider") or "oidc")
    reason = auth.session_expiry(signed_in_at, now, now)
    if reason is not None:
        st.session_state[NOTICE_KEY] = reason
        st.logout()
        return None
    result = auth.sign_in_oidc(store, identity.get("email"), provider, signed_in_at if issued else None)
    if not result.ok:
        st.session_state[DENIED_KEY] = result.message
        return None
    _start(result.actor, "oidc", signed_in_at, provider)
    return result.actor


def sign_out(store: Store) -> None:
    actor = current_actor()
    if actor is not None:
        auth.record_sign_out(store, actor)
    session = _end()
    if session and session["method"] == "oidc":
        st.logout()
        st.stop()
    st.rerun()


# --- what the pages show -----------------------------------------------------------------------

def sidebar_account(store: Store, actor: Actor) -> None:
    """The signed-in user's name and role, and the sign-out button, in the sidebar."""
    with st.sidebar:
        st.markdown(f"**{actor.display_name or actor.email}**  \n{ROLES.get(actor.role, actor.role)}")
        if actor.role == "porteur" and actor.labs:
            st.caption("Laboratoire : " + ", ".join(sorted(actor.labs)))
        if st.button("Se déconnecter", key="sign_out", icon=":material/logout:"):
            sign_out(store)


def sign_in_page(store: Store) -> None:
    """The sign-in page: OIDC buttons (when configured) and the password form."""
    actor = current_actor()
    st.title("Connexion")
    if actor is not None:
        st.success(f"Vous êtes connecté(e) : {actor.label()}.")
        return
    st.caption("Suivi des laboratoires d'innovation territoriale — DITP")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.warning(notice)
    denied = st.session_state.get(DENIED_KEY)
    if denied:
        st.error(denied)
        if st.button("Se déconnecter du fournisseur d'identité", key="oidc_sign_out"):
            st.session_state.pop(DENIED_KEY, None)
            st.logout()

    providers = oidc_providers()
    for name, label in providers:
        if st.button(f"Se connecter avec {label}", key=f"oidc_{name}", type="primary"):
            st.login(name)
    if providers:
        st.markdown("**Ou avec un compte local**")

    with st.form("sign_in"):
        email = st.text_input("Adresse e-mail", key="sign_in_email", autocomplete="username")
        password = st.text_input("Mot de passe", type="password", key="sign_in_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button("Se connecter", type="secondary" if providers else "primary")
    if submitted:
        result = auth.authenticate(store, email, password)
        if result.ok:
            _start(result.actor, "password", datetime.now())
            st.rerun()
        st.error(result.message)

    if not auth.has_accounts(store):
        st.info("Aucun compte n'existe encore dans cette base. Créez le premier administrateur en ligne de "
                "commande : `python -m lit_analytics users add --bootstrap --email ADRESSE --role admin`.")
    demo = auth.demo_accounts(store)
    if not demo.empty:
        with st.expander("Comptes de démonstration (base de démonstration uniquement)", expanded=True):
            st.markdown(f"Mot de passe de tous les comptes de démonstration : `{auth.DEMO_PASSWORD}`")
            st.dataframe(demo.assign(role=demo["role"].map(ROLES)).rename(
                columns={"email": "Adresse e-mail", "display_name": "Nom", "role": "Rôle"}), hide_index=True)
