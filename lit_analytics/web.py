"""The app's own HTTP routes, served beside Streamlit by `serve.py` (`st.App`, Streamlit's ASGI entry).

A Streamlit script runs over a WebSocket and cannot set a cookie; these two routes can:

* `GET /lit-session/ouvrir?code=…&suite=/page` exchanges the one-time code made at sign-in
  (`sessions.open_session`) for the session's token, set as the cookie `lit_session` — HttpOnly (no script reads
  it), SameSite=Lax (not sent by other sites' forms), Secure when the request came over https (directly or
  through a reverse proxy saying `X-Forwarded-Proto: https`), Path=/ — then redirects to the page.
* `GET /lit-session/fermer?suite=/` deletes the cookie and redirects (sign-out; the session row is ended
  by the script before it sends the browser here, so every other tab is signed out at its next click).

* `GET /metrics` answers this process's metrics in Prometheus' text format (`lit_analytics.metrics`), only to
  the host itself or to a scraper sending the token (`metrics.may_read`); anyone else gets 403.

No Streamlit import here: this is HTTP, not page glue; the store is the app's own (`bootstrap.app_store`).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from lit_analytics import metrics, sessions
from lit_analytics.bootstrap import app_store, app_store_is_open
from lit_analytics.store import StoreError

OPEN_PATH = "/lit-session/ouvrir"
CLOSE_PATH = "/lit-session/fermer"
METRICS_PATH = "/metrics"


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


def metrics_page(request: Request) -> Response:
    if not metrics.may_read(request.client.host if request.client else None, request.headers):
        return PlainTextResponse("Accès refusé : /metrics répond à l'hôte lui-même ou avec le jeton "
                                 "(Authorization: Bearer).\n", status_code=403)
    store = app_store() if app_store_is_open() else None   # never opens the database for a scrape
    return Response(metrics.render(store), media_type=metrics.CONTENT_TYPE, headers={"Cache-Control": "no-store"})


def open_session(request: Request) -> RedirectResponse:
    response = RedirectResponse(safe_next(request.query_params.get("suite")), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    try:
        store = app_store()
    except StoreError:   # no database: the page itself says so in French
        return response
    token = sessions.redeem_handoff(store, request.query_params.get("code", ""),
                                    request.cookies.get(sessions.BROWSER_COOKIE))
    if token:
        response.set_cookie(sessions.COOKIE, token, max_age=int(sessions.SESSION_MAX.total_seconds()), path="/",
                            httponly=True, samesite="lax", secure=_secure(request))
    return response


def _cross_site(request: Request) -> bool:
    """A request another site made the browser send (a link, an image, a form elsewhere): the browser says so in
    `Sec-Fetch-Site`; without that header (an old browser), the `Referer`, when there is one, must be this site."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site.strip().lower() not in ("same-origin", "none")
    referer = request.headers.get("referer")
    return bool(referer) and urlsplit(referer).netloc != request.headers.get("host", "")


def close_session(request: Request) -> RedirectResponse:
    response = RedirectResponse(safe_next(request.query_params.get("suite")), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    if _cross_site(request):   # another site cannot sign a user out (the script's own redirect is same-origin)
        return RedirectResponse("/", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))
    return response


class BrowserNonce:
    """ASGI middleware: every browser gets a random `sessions.BROWSER_COOKIE` (HttpOnly, SameSite=Lax) with the first
    page it loads; a sign-in's one-time hand-off is bound to it (`sessions.open_session(browser=…)`), so the code
    opens a session only in the browser that signed in (no login CSRF)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or sessions.BROWSER_COOKIE in Request(scope).cookies:
            await self.app(scope, receive, send)
            return
        secure = _secure(Request(scope))

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                value = (f"{sessions.BROWSER_COOKIE}={secrets.token_urlsafe(24)}; Path=/; HttpOnly; SameSite=Lax"
                         + ("; Secure" if secure else ""))
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", value.encode())]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


ROUTES = [Route(OPEN_PATH, open_session, methods=["GET"]), Route(CLOSE_PATH, close_session, methods=["GET"])]
ROUTES.append(Route(METRICS_PATH, metrics_page, methods=["GET"]))   # what Prometheus scrapes (lit_analytics.metrics)
