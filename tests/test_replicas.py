"""Two app replicas on one PostgreSQL database behind Debian's HAProxy (`deploy/haproxy.cfg`): a session on each
replica (sticky cookie), both writing to the shared database, and a replica that stops is taken out by the health
check while the other keeps serving. The proxy terminates TLS (a throwaway self-signed certificate): plain HTTP is
redirected, the pages carry the security headers, the session cookie is `Secure` and the log has no query string."""

import http.client
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import DEMO_LOGINS, DEMO_PASSWORD, REPO
from devtools import servers
from devtools.bench.load import ProtocolError, StreamlitSession
from lit_analytics.store import Store


def test_the_committed_haproxy_config_is_the_generated_one():
    assert (REPO / "deploy" / "haproxy.cfg").read_text(encoding="utf-8") == servers.haproxy_config()


def test_the_policy_allows_exactly_the_inline_scripts_of_streamlits_page():
    """The CSP allows Streamlit's inline script by its hash: a Streamlit upgrade that changes it fails here."""
    import base64
    import hashlib
    import re

    import streamlit
    page = (Path(streamlit.__file__).parent / "static" / "index.html").read_text(encoding="utf-8")
    inline = re.findall(r"<script>(.*?)</script>", page, re.S)
    hashes = [f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in inline]
    assert hashes == [servers.STREAMLIT_INLINE_SCRIPT]
    assert "'unsafe-inline'" not in servers.CONTENT_SECURITY_POLICY.split("script-src")[1].split(";")[0]


@pytest.fixture
def replicas(postgres, demo_pg_template, tmp_path, monkeypatch):
    location = postgres.create_database("replicas", template=demo_pg_template)
    services = []
    try:
        ports = (servers.free_port(), servers.free_port())
        for port in ports:
            services.append(servers.start_streamlit(REPO / "serve.py", port, tmp_path, env={"LIT_DB": str(location)}))
        proxy_port = servers.free_port()
        proxy = servers.start_haproxy(proxy_port, ports, tmp_path)
        services.append(proxy)
        monkeypatch.setenv("SSL_CERT_FILE", str(proxy.certificate))   # clients here trust the proxy's certificate
        yield location, proxy.url, services, proxy
    finally:
        for service in reversed(services):
            service.stop()
        postgres.drop_database(location)


def wait_for_log(proxy, condition, timeout: float = 30) -> str:
    """The proxy's log once `condition(log)` holds, polled until `timeout` seconds (then the log as it is)."""
    deadline = time.monotonic() + timeout
    while True:
        log = proxy.log_path.read_text()
        if condition(log) or time.monotonic() > deadline:
            return log
        time.sleep(0.1)


def test_a_session_on_each_replica_behind_the_proxy(replicas):
    location, url, services, proxy = replicas
    with urllib.request.urlopen(url + "/") as first:
        cookie = next(c for c in first.headers.get_all("Set-Cookie") if c.startswith("LITSRV="))
        headers = first.headers
    assert cookie.startswith("LITSRV=app") and "HttpOnly" in cookie and "Secure" in cookie   # sticky, set by the proxy
    assert_security_headers(headers)
    for server in ("app1", "app2"):
        session = StreamlitSession(url, cookie=f"LITSRV={server}")
        try:
            session.sign_in(DEMO_LOGINS["analyste"], DEMO_PASSWORD)
            session.run("indicateurs")
            assert session.exceptions == []
        finally:
            session.close()
    # HAProxy logs a WebSocket when it closes, a moment after the session did: wait for both lines (bounded).
    log = wait_for_log(proxy, lambda text: all(
        any("/_stcore/stream" in line and f"lit_replicas/{server}" in line for line in text.splitlines())
        for server in ("app1", "app2")))
    streams = [line for line in log.splitlines() if "/_stcore/stream" in line]
    assert any("lit_replicas/app1" in line for line in streams), log[-2000:]
    assert any("lit_replicas/app2" in line for line in streams), log[-2000:]
    with Store(location, read_only=True) as store:   # both replicas wrote to the shared database
        assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'connexion' AND actor = ?",
                            [DEMO_LOGINS["analyste"]]) == 2


def assert_security_headers(headers) -> None:
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    policy = headers["Content-Security-Policy"]
    assert policy == servers.CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "'unsafe-eval'" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_plain_http_only_redirects_to_https(replicas):
    location, url, services, proxy = replicas
    host, port = proxy.http_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", "/indicateurs?region=84")
        answer = connection.getresponse()
        assert answer.status == 301
        assert answer.getheader("Location") == f"{url}/indicateurs?region=84"
        assert answer.getheader("Set-Cookie") is None                # nothing of the app crosses in clear
    finally:
        connection.close()


def _failed_sign_in(url: str, **connection) -> None:
    session = StreamlitSession(url, **connection)
    try:
        with pytest.raises(ProtocolError):
            session.sign_in(DEMO_LOGINS["analyste"], "pas le bon mot de passe")
    finally:
        session.close()


def test_the_sign_in_throttle_counts_the_client_the_proxy_saw_not_a_forged_address(replicas):
    location, url, services, proxy = replicas
    # A client on 127.0.0.2 (not the proxy's own 127.0.0.1) says it is 203.0.113.9: HAProxy replaces the header
    # by the address it sees, which the replica trusts from its local proxy (uvicorn's FORWARDED_ALLOW_IPS).
    _failed_sign_in(url, headers={"X-Forwarded-For": "203.0.113.9"}, source_address=("127.0.0.2", 0))
    with Store(location, read_only=True) as store:
        counted = dict(store.query("SELECT client, failures FROM sign_in_throttle"))
    assert counted == {"127.0.0.2": 1}


def test_a_stopped_replica_is_taken_out_and_its_browsers_go_to_the_other(replicas):
    location, url, services, proxy = replicas
    services[0].stop()                         # replica app1
    # the health check (every 2 s, 3 failures) marks it down
    wait_for_log(proxy, lambda text: "Server lit_replicas/app1 is DOWN" in text)
    assert "Server lit_replicas/app1 is DOWN" in proxy.log_path.read_text()
    session = StreamlitSession(url, cookie="LITSRV=app1")
    try:
        session.sign_in(DEMO_LOGINS["admin"], DEMO_PASSWORD)
        session.run("")
        assert session.exceptions == []
    finally:
        session.close()
    with urllib.request.urlopen(url + "/_stcore/health") as health:
        assert health.status == 200


@pytest.fixture
def tls_page(browser, replicas):
    """A browser tab that trusts the proxy's throwaway certificate (as a browser trusts a real one)."""
    context = browser.new_context(viewport={"width": 1400, "height": 2200}, locale="fr-FR", ignore_https_errors=True)
    yield context.new_page()
    context.close()


@pytest.mark.browser
def test_a_signed_in_browser_stays_signed_in_when_its_replica_stops(replicas, tls_page):
    """The app's session cookie is resolved from the shared database: when the replica a browser was stuck to
    stops, the proxy sends it to the other replica, which knows the session (no new sign-in). Over HTTPS, that
    cookie is `Secure`, and the proxy's log shows the one-time hand-off's path, never its `code=`."""
    from types import SimpleNamespace

    from conftest import open_app, wait_for_app
    from lit_analytics import sessions
    page = tls_page
    location, url, services, proxy = replicas
    open_app(page, SimpleNamespace(url=url), "indicateurs", role="analyste")
    cookies = {c["name"]: c for c in page.context.cookies()}
    stuck_to = cookies["LITSRV"]["value"]                     # app1 or app2: the replica that opened the session
    session_cookie = cookies[sessions.COOKIE]                 # the app's session cookie: HttpOnly, and Secure
    assert session_cookie["httpOnly"] and session_cookie["secure"], session_cookie
    log = wait_for_log(proxy, lambda text: "/lit-session/ouvrir" in text)
    assert "GET /lit-session/ouvrir" in log, log[-2000:]
    assert "code=" not in log, log[-2000:]
    assert all("?" not in line for line in log.splitlines() if " GET /" in line), log[-2000:]   # no query string
    services[0 if stuck_to == "app1" else 1].stop()
    wait_for_log(proxy, lambda text: f"Server lit_replicas/{stuck_to} is DOWN" in text)
    page.reload()
    page.wait_for_selector("[data-testid='stApp']", timeout=30_000)
    signed_in = page.locator("[data-testid='stSidebar'] button:has-text('Se déconnecter')")
    signed_in.wait_for(timeout=60_000)
    wait_for_app(page)
    assert page.locator("[data-testid='stForm']:has-text('Mot de passe')").count() == 0
    other = "app2" if stuck_to == "app1" else "app1"
    assert {c["name"]: c["value"] for c in page.context.cookies()}["LITSRV"] == other   # the proxy re-stuck it
    # HAProxy writes a request's line when its stream ends: a WebSocket's once the tab leaves the page.
    page.goto("about:blank")

    def served_after_the_stop(text: str) -> list[str]:
        lines = text.splitlines()
        down = next(i for i, line in enumerate(lines) if f"Server lit_replicas/{stuck_to} is DOWN" in line)
        return [line for line in lines[down:] if "/_stcore/stream" in line and f"lit_replicas/{other}" in line]

    log = wait_for_log(proxy, served_after_the_stop)
    assert served_after_the_stop(log), log[-2000:]
