"""The app's own HTTP routes that set and clear the session cookie (`lit_analytics/web.py`), through Starlette."""

from __future__ import annotations


import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from lit_analytics import accounts, sessions, web
from lit_analytics.bootstrap import app_store, init_database


BROWSER_B1 = {"Cookie": f"{sessions.BROWSER_COOKIE}=b-1"}   # the browser that signed in


@pytest.fixture
def client_and_store(tmp_path, monkeypatch):
    path = tmp_path / "routes.duckdb"
    init_database(path).close()
    monkeypatch.setenv("LIT_DB", str(path))
    store = app_store(path)
    actor = accounts.bootstrap_admin(store, "chef@ditp.gouv.fr", "un mot de passe solide")
    return TestClient(Starlette(routes=web.ROUTES), base_url="https://lit.example"), store, actor


def test_the_cookie_is_httponly_lax_and_secure_under_https(client_and_store):
    client, store, actor = client_and_store
    opened = sessions.open_session(store, actor, "password", browser="b-1")
    response = client.get(web.OPEN_PATH, params={"code": opened.handoff, "suite": "/carte?region=84"},
                          headers=BROWSER_B1, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/carte?region=84"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{sessions.COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie and "Path=/" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert sessions.resolve(store, token).actor == actor
    again = client.get(web.OPEN_PATH, params={"code": opened.handoff}, headers=BROWSER_B1, follow_redirects=False)
    assert "set-cookie" not in again.headers                        # a code works once


def test_no_secure_flag_over_plain_http_unless_the_proxy_says_https(client_and_store):
    _, store, actor = client_and_store
    plain = TestClient(Starlette(routes=web.ROUTES), base_url="http://localhost")
    response = plain.get(web.OPEN_PATH, params={"code": sessions.open_session(store, actor, "password",
                                                                              browser="b-1").handoff},
                         headers=BROWSER_B1, follow_redirects=False)
    assert "Secure" not in response.headers["set-cookie"]
    proxied = plain.get(web.OPEN_PATH, params={"code": sessions.open_session(store, actor, "password",
                                                                             browser="b-1").handoff},
                        headers={"X-Forwarded-Proto": "https", **BROWSER_B1}, follow_redirects=False)
    assert "Secure" in proxied.headers["set-cookie"]


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\evil.example", "javascript:x",
                                    ""])
def test_redirects_stay_on_this_site(target):
    assert web.safe_next(target) == "/"


def test_signing_out_clears_the_cookie(client_and_store):
    client, _, _ = client_and_store
    response = client.get(web.CLOSE_PATH, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f'{sessions.COOKIE}=""') and "Max-Age=0" in cookie and "HttpOnly" in cookie


def test_another_sites_link_cannot_sign_a_user_out(client_and_store):
    client, _, _ = client_and_store
    forged = client.get(web.CLOSE_PATH, headers={"Sec-Fetch-Site": "cross-site"}, follow_redirects=False)
    assert forged.status_code == 303 and "set-cookie" not in forged.headers
    elsewhere = client.get(web.CLOSE_PATH, headers={"Referer": "https://evil.example/page"}, follow_redirects=False)
    assert "set-cookie" not in elsewhere.headers
    ours = client.get(web.CLOSE_PATH, headers={"Sec-Fetch-Site": "same-origin"}, follow_redirects=False)
    assert ours.headers["set-cookie"].startswith(f'{sessions.COOKIE}=""')


def test_an_attackers_handoff_code_does_not_open_a_session_in_another_browser(client_and_store):
    """Login CSRF: the attacker signs in, keeps the one-time code and sends the victim's browser to the route."""
    client, store, actor = client_and_store
    attackers = sessions.open_session(store, actor, "password", browser="navigateur-attaquant")
    victim = client.get(web.OPEN_PATH, params={"code": attackers.handoff},
                        headers={"Cookie": f"{sessions.BROWSER_COOKIE}=navigateur-victime"}, follow_redirects=False)
    assert victim.status_code == 303 and sessions.COOKIE not in victim.headers.get("set-cookie", "")


def test_every_browser_gets_its_own_browser_cookie_once():
    from starlette.middleware import Middleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("page"))],
                    middleware=[Middleware(web.BrowserNonce)])
    first = TestClient(app, base_url="https://lit.example").get("/")
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{sessions.BROWSER_COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" in cookie
    other = TestClient(app, base_url="https://lit.example").get("/")
    assert other.headers["set-cookie"].split(";")[0] != cookie.split(";")[0]          # random per browser
    again = TestClient(app, base_url="https://lit.example").get("/", headers={"Cookie": cookie.split(";")[0]})
    assert "set-cookie" not in again.headers                                         # kept once set
