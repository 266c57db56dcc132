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

* `GET /abonnements/desabonner?jeton=…` (the link of a subscription e-mail) answers a small French page with one
  button; `POST` to the same address (the button, or a mail client's one-click `List-Unsubscribe-Post`) ends that
  e-mail's subscription only, without signing in (`subscriptions.unsubscribe_by_token`). A GET changes nothing: a
  mail scanner following links unsubscribes nobody.

No Streamlit import here: this is HTTP, not page glue; the store is the app's own (`bootstrap.app_store`).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from lit_analytics import metrics, sessions, subscriptions
from lit_analytics.bootstrap import app_store, app_store_is_open
from lit_analytics.store import StoreError
from lit_analytics.subscription_mail import UNSUBSCRIBE_PATH

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


_PAGE = ("<!doctype html><html lang='fr'><head><meta charset='utf-8'><meta name='viewport' "
         "content='width=device-width, initial-scale=1'><title>{title}</title><style>body{{font-family:Marianne,"
         "Arial,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#161616;line-height:1.5}}"
         "h1{{color:#000091;font-size:1.5rem}}button{{background:#000091;color:#fff;border:0;padding:.6rem 1.2rem;"
         "font-size:1rem;cursor:pointer}}button:focus-visible{{outline:3px solid #0a76f6;outline-offset:2px}}"
         "</style></head><body><main><h1>{title}</h1>{body}</main></body></html>")


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    import html
    return HTMLResponse(_PAGE.format(title=html.escape(title), body=body), status_code=status,
                        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                                 "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                                            "form-action 'self'; frame-ancestors 'none'"})


def unsubscribe(request: Request) -> HTMLResponse:
    import html
    token = request.query_params.get("jeton", "")
    try:
        store = app_store()
    except StoreError:
        return _page("Désabonnement impossible", "<p>Le service est indisponible ; réessayez plus tard.</p>", 503)
    if request.method == "POST":
        sub = subscriptions.unsubscribe_by_token(store, token)
        running = False
    else:
        sub, running = subscriptions.by_token(store, token)
    if sub is None:
        return _page("Lien de désabonnement inconnu", "<p>Ce lien ne correspond à aucun abonnement. Vos abonnements "
                     "se gèrent aussi sur la page « Note de synthèse », rubrique « Mes abonnements ».</p>", 404)
    label = html.escape(subscriptions.preset_labels(store, [sub])[sub.preset])
    what = f"la note « {label} » ({subscriptions.FREQUENCIES[sub.frequency].split(' ')[0]}, {sub.format.upper()})"
    if not running:
        return _page("Désabonnement confirmé", f"<p>Vous ne recevrez plus {what}. Vos autres abonnements "
                     "continuent.</p>")
    return _page("Se désabonner", f"<p>Ne plus recevoir {what} par e-mail à l'adresse "
                 f"{html.escape(sub.email)} ? Vos autres abonnements continuent.</p><form method='post'>"
                 "<button type='submit'>Me désabonner de cette note</button></form>")


ROUTES = [Route(OPEN_PATH, open_session, methods=["GET"]), Route(CLOSE_PATH, close_session, methods=["GET"])]
ROUTES.append(Route(METRICS_PATH, metrics_page, methods=["GET"]))
ROUTES.append(Route(UNSUBSCRIBE_PATH, unsubscribe, methods=["GET", "POST"]))   # the link of subscription e-mails   # what Prometheus scrapes (lit_analytics.metrics)
