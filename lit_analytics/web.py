"""The app's own HTTP routes, served beside Streamlit by `serve.py` (`st.App`, Streamlit's ASGI entry).

A Streamlit script runs over a WebSocket and cannot set a cookie; these two routes can:

* `GET /lit-session/ouvrir?code=…&suite=/page` exchanges the one-time code made at sign-in
  (`sessions.open_session`) for the session's token, set as the cookie `lit_session` — HttpOnly (no script reads
  it), SameSite=Lax (not sent by other sites' forms), Secure when the request came over https (directly or
  through a reverse proxy saying `X-Forwarded-Proto: https`), Path=/ — then redirects to the page.
* `GET /lit-session/fermer?suite=/` deletes the cookie and redirects (sign-out; the session row is ended
  by the script before it sends the browser here, so every other tab is signed out at its next click).

* `GET /metrics` answers this process's metrics in Prometheus' text format (`lit_analytics.metrics`), only to
  the host itself (a client at 127.0.0.1 or ::1, with no forwarding header naming another address: a reverse
  proxy on the host forwards other clients) or to a request carrying `Authorization: Bearer <LIT_METRICS_TOKEN>`
  (compared in constant time); anyone else gets 403.

No Streamlit import here: this is HTTP, not page glue; the store is the app's own (`bootstrap.app_store`).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from lit_analytics import config, metrics, sessions
from lit_analytics.bootstrap import app_store, app_store_is_open
from lit_analytics.store import StoreError

OPEN_PATH = "/lit-session/ouvrir"
CLOSE_PATH = "/lit-session/fermer"
METRICS_PATH = "/metrics"
LOOPBACK = frozenset({"127.0.0.1", "::1"})
_FORWARDING = ("x-forwarded-for", "x-real-ip", "forwarded")
log = logging.getLogger(__name__)


def safe_next(target: str | None) -> str:
    """Only a path of this site (never `//other.site`, `https://…` or a backslash trick): else the home page."""
    target = (target or "/")[:2000]
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith(("//", "/\\")) or parts.scheme or parts.netloc:
        return "/"
    return target


def _secure(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def open_session(request: Request) -> RedirectResponse:
    response = RedirectResponse(safe_next(request.query_params.get("suite")), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    try:
        store = app_store()
    except StoreError:   # no database: the page itself says so in French
        return response
    token = sessions.redeem_handoff(store, request.query_params.get("code", ""))
    if token:
        response.set_cookie(sessions.COOKIE, token, max_age=int(sessions.SESSION_MAX.total_seconds()), path="/",
                            httponly=True, samesite="lax", secure=_secure(request))
    return response


def close_session(request: Request) -> RedirectResponse:
    response = RedirectResponse(safe_next(request.query_params.get("suite")), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))
    return response


def _address(text: str) -> str:
    """An address as a forwarding header gives it (`for="[::1]:80"`, `127.0.0.1:8080`), without port nor brackets;
    IPv4-mapped IPv6 as IPv4."""
    text = text.strip().strip('"')
    text = text[1:text.index("]")] if text.startswith("[") and "]" in text else text
    if text.count(":") == 1:
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def _forwarded_for(request: Request) -> list[str]:
    """Every address the forwarding headers name (X-Forwarded-For, X-Real-IP, RFC 7239 Forwarded's `for=`)."""
    found = []
    for name in _FORWARDING:
        for value in request.headers.getlist(name):
            if name == "forwarded":
                found += re.findall(r'for=("[^"]*"|[^;,\s]+)', value, re.IGNORECASE)
            else:
                found += value.split(",")
    return [_address(a) for a in found if a.strip()]


def is_from_this_host(request: Request) -> bool:
    """The client is the host itself: 127.0.0.1 or ::1, and any forwarding header names only those."""
    client = _address(request.client.host) if request.client else ""
    return client in LOOPBACK and all(a in LOOPBACK for a in _forwarded_for(request))


def has_metrics_token(request: Request) -> bool:
    token = config.metrics_token()
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode("utf-8"),
                                                                               token.encode("utf-8"))


def metrics_page(request: Request) -> Response:
    if not (is_from_this_host(request) or has_metrics_token(request)):
        log.warning("metrics_refused", extra={"client": request.client.host if request.client else None})
        return PlainTextResponse("Accès refusé : /metrics répond à l'hôte lui-même ou avec le jeton "
                                 "(Authorization: Bearer).\n", status_code=403)
    store = app_store() if app_store_is_open() else None   # never opens the database for a scrape
    response = Response(metrics.render(store), media_type=metrics.CONTENT_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response


ROUTES = [Route(OPEN_PATH, open_session, methods=["GET"]), Route(CLOSE_PATH, close_session, methods=["GET"]),
          Route(METRICS_PATH, metrics_page, methods=["GET"])]
