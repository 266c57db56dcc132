"""Who is signed in: the session, its expiry, the sign-in page and the account in the sidebar.

Contract used by every page: the signed-in user is an `Actor` kept in `st.session_state["actor"]`;
`current_actor()` returns it or None, `require_actor()` stops the page with a French message when nobody
is signed in.

`app.py` calls `resolve_session()` on every run. Sessions are server-side (`lit_analytics.sessions`): a
password sign-in opens a session row and sends the browser once through the app's HTTP route
(`lit_analytics.web`), which sets the HttpOnly cookie holding the session's token; every run of every tab
resolves that cookie (or the tab's own token) in the store — the expiry rules (idle and absolute), the account
re-read (a disabled account is signed out at its next click, a changed role applies at once), and a session
ended elsewhere (sign-out in another tab, an account change by an administrator) is over at the next click.
So reloading the tab or opening a link in a new tab keeps the user signed in. An OpenID Connect identity
(`st.login`, configured in `.streamlit/secrets.toml`) is mapped to an account through its e-mail (verified,
bound to the provider's issuer and subject) and gets a server-side session too. The sign-in page offers the
password form (bounded inputs) and one button per configured OIDC provider.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from urllib.parse import urlencode, urlsplit

from lit_analytics import accounts, auth, sessions, web
from lit_analytics.permissions import ROLES, Actor
from lit_analytics.store import Store
from lit_analytics.ui.streamlit_compat import redirect


ACTOR_KEY = "actor"
SESSION_KEY = "auth_session"     # {"method": "password"|"oidc", "provider", "signed_in_at", "last_seen",
                                 #  "session_id", "token"} (the last two: the server-side session of this tab)
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

def _requires_verified(provider: str) -> bool:
    """Whether the provider's identities must carry `email_verified: true` (yes unless its `[auth.<provider>]` section
    says `email_verified_required = false`: a provider that verifies every address and sends no such claim)."""
    try:
        section = st.secrets.get("auth") or {}
        settings = section.get(provider) if provider != "default" else section
        value = settings.get("email_verified_required", True) if hasattr(settings, "get") else True
    except Exception:
        return True
    return str(value).strip().lower() not in ("false", "0", "non", "no")


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

def _here() -> str:
    """The page the browser shows (path and query), to come back to after the cookie route."""
    try:
        url = st.context.url
        path = (urlsplit(url).path if isinstance(url, str) else "/") or "/"
        query = urlencode(st.query_params.to_dict())
    except Exception:
        return "/"
    return web.safe_next(path + (f"?{query}" if query else ""))


def _browser_cookie() -> str | None:
    """This browser's `sessions.BROWSER_COOKIE` (set by `web.BrowserNonce` with the first page it loaded)."""
    try:
        value = st.context.cookies.get(sessions.BROWSER_COOKIE)
    except Exception:   # no request context (AppTest)
        return None
    return value if isinstance(value, str) and value else None


def _cookie_token() -> str | None:
    try:
        token = st.context.cookies.get(sessions.COOKIE)
    except Exception:   # no request context (AppTest)
        return None
    return token if isinstance(token, str) and token else None


def client_address() -> str | None:
    try:
        address = st.context.ip_address
    except Exception:
        return None
    return address if isinstance(address, str) else None


def current_session_id() -> str | None:
    """The server-side session of this tab (deferred downloads check it is still open)."""
    session = st.session_state.get(SESSION_KEY) or {}
    return session.get("session_id")


def _start(actor: Actor, method: str, signed_in_at: datetime, provider: str | None = None,
           store: Store | None = None, opened: sessions.Opened | None = None) -> None:
    """This tab signed in: its session (`opened`, or opened now when a `store` is given)."""
    session = {"method": method, "provider": provider, "signed_in_at": signed_in_at, "last_seen": datetime.now(),
               "session_id": None, "token": None}
    if opened is None and store is not None:
        opened = sessions.open_session(store, actor, method, provider=provider, signed_in_at=signed_in_at,
                                       client=client_address(), browser=_browser_cookie())
    if opened is not None:
        session.update(session_id=opened.session_id, token=opened.token, handoff=opened.handoff)
    st.session_state[ACTOR_KEY] = actor
    st.session_state[SESSION_KEY] = session
    st.session_state.pop(DENIED_KEY, None)


def _end(notice: str | None = None) -> dict | None:
    session = st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(ACTOR_KEY, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice
    return session


def _adopt(store: Store, resolved: sessions.Resolved, token: str) -> Actor:
    st.session_state[ACTOR_KEY] = resolved.actor
    st.session_state[SESSION_KEY] = {"method": resolved.method, "provider": None, "signed_in_at": None,
                                     "last_seen": datetime.now(), "session_id": resolved.session_id, "token": token}
    return resolved.actor


def _signed_out(store: Store, actor: Actor | None, reason: str, method: str | None) -> None:
    if actor is not None:
        auth.record_sign_out(store, actor, reason)
    _end(reason)
    if method == "oidc":
        st.logout()   # clears the identity cookie, or the next page would sign in again


def resolve_session(store: Store, now: datetime | None = None) -> Actor | None:
    """The signed-in user for this run, after checking the server-side session and the account; None when
    signed out."""
    now = now or datetime.now()
    actor = current_actor()
    session = st.session_state.get(SESSION_KEY)
    cookie = _cookie_token()
    if actor is not None and session is not None and session.get("token"):
        if session.get("signed_in_at") and session.get("last_seen"):   # this tab's own view of the same rules
            reason = auth.session_expiry(session["signed_in_at"], session["last_seen"], now)
            if reason is not None:
                sessions.end(store, session.get("session_id"), reason, now=now)
                _signed_out(store, actor, reason, session["method"])
                return None
        resolved = sessions.resolve(store, session["token"], now)
        if resolved.actor is None and session.get("token") != cookie and cookie:
            resolved = sessions.resolve(store, cookie, now)   # the cookie's session (rotated token) is this one
            if resolved.actor is not None:
                return _adopt(store, resolved, cookie)
        if resolved.actor is None:
            _signed_out(store, actor, resolved.ended_reason or sessions.SIGNED_OUT_ELSEWHERE, session["method"])
            return None
        if resolved.actor != actor:
            st.session_state[ACTOR_KEY] = resolved.actor
        session["last_seen"] = now
        if session.get("handoff"):   # first run after signing in: the browser fetches its cookie once
            redirect(f"{web.OPEN_PATH}?{urlencode({'code': session.pop('handoff'), 'suite': _here()})}")
        return resolved.actor
    if actor is not None:   # an account without a server-side session is not signed in
        _end()

    if cookie:   # a reload or a new tab: the browser's session
        resolved = sessions.resolve(store, cookie, now)
        if resolved.actor is not None:
            return _adopt(store, resolved, cookie)
        if resolved.ended_reason and st.session_state.get("auth_notice_shown") != resolved.session_id:
            st.session_state[NOTICE_KEY] = resolved.ended_reason
            st.session_state["auth_notice_shown"] = resolved.session_id

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
    result = auth.sign_in_oidc(store, identity.get("email"), provider, signed_in_at if issued else None,
                               email_verified=identity.get("email_verified"), issuer=identity.get("iss"),
                               subject=identity.get("sub"), require_verified=_requires_verified(provider))
    if not result.ok:
        st.session_state[DENIED_KEY] = result.message
        return None
    _start(result.actor, "oidc", signed_in_at, provider, store=store)
    st.session_state[SESSION_KEY].pop("handoff", None)   # the provider's own cookie keeps this browser signed in
    return result.actor


def sign_out(store: Store) -> None:
    """Sign out everywhere: the server-side session ends (every tab and device holding it is signed out at its
    next click), and the browser's cookie is cleared by the app's route."""
    actor = current_actor()
    session = st.session_state.get(SESSION_KEY) or {}
    if session.get("session_id"):
        sessions.end(store, session["session_id"], sessions.SIGNED_OUT_ELSEWHERE)
    if actor is not None:
        auth.record_sign_out(store, actor)
    session = _end()
    if session and session["method"] == "oidc":
        st.logout()
        st.stop()
    if session and session.get("session_id"):
        redirect(f"{web.CLOSE_PATH}?{urlencode({'suite': '/'})}")   # the browser clears its cookie
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
        email = st.text_input("Adresse e-mail", key="sign_in_email", autocomplete="username",
                              max_chars=auth.MAX_EMAIL_CHARS)
        password = st.text_input("Mot de passe", type="password", key="sign_in_password",
                                 autocomplete="current-password", max_chars=auth.MAX_PASSWORD_CHARS)
        submitted = st.form_submit_button("Se connecter", type="secondary" if providers else "primary")
    if submitted:
        now = datetime.now()
        result = auth.authenticate(store, email, password, now, client=client_address(), open_session=True,
                                   browser=_browser_cookie())
        if result.ok:
            _start(result.actor, "password", now, opened=result.opened)
            st.rerun()
        st.error(result.message)

    if not accounts.has_accounts(store):
        st.info("Aucun compte n'existe encore dans cette base. Créez le premier administrateur en ligne de "
                "commande : `python -m lit_analytics users add --bootstrap --email ADRESSE --role admin`.")
    demo = accounts.demo_accounts(store)
    if not demo.empty:
        st.warning("**BASE DE DÉMONSTRATION** : ses comptes et leur mot de passe sont publics (ci-dessous et dans "
                 "la documentation) ; n'y mettez aucune donnée réelle et ne l'exposez pas sur un réseau. En "
                 "production, construisez la base sans --demo (python -m lit_analytics init).", icon=":material/warning:")
        with st.expander("Comptes de démonstration (base de démonstration uniquement)", expanded=True):
            st.markdown(f"Mot de passe de tous les comptes de démonstration : `{accounts.DEMO_PASSWORD}`")
            st.dataframe(demo.assign(role=demo["role"].map(ROLES)).rename(
                columns={"email": "Adresse e-mail", "display_name": "Nom", "role": "Rôle"}), hide_index=True)
