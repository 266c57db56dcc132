"""End to end, in a real headless Chromium, through the sample proxy (HAProxy terminating TLS with a throwaway
self-signed certificate, in front of one replica): signed in as each role, every page of the app

* asks nothing of any host but the app's own (a State service does not send its users' addresses to a third
  party, and the app works where the network is closed): every request is recorded, and one to another host is
  blocked and fails the test;
* runs under the proxy's Content-Security-Policy (`devtools.servers.CONTENT_SECURITY_POLICY`) without a single
  violation reported by the browser, from the sign-in form to the last page.

One proxy and one replica for the whole file."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from conftest import open_app
from devtools import servers
from lit_analytics import navigation
from test_browser_accessibility import go_to

pytestmark = pytest.mark.browser

ROLES = ("admin", "analyste", "porteur")

# Reports every CSP violation on the console, where the test collects it (the browser's own console message says
# the same; this one also names the directive and the blocked address).
REPORT_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', e =>
  console.error(`CSP violation: ${e.effectiveDirective} ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));
"""


@pytest.fixture(scope="module")
def proxied_app(postgres, demo_pg_template, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("proxied")
    location = postgres.create_database("tiers", template=demo_pg_template)
    services = []
    try:
        port = servers.free_port()
        services.append(servers.start_streamlit(servers.REPO_ROOT / "serve.py", port, workdir,
                                                env={"LIT_DB": str(location)}))
        proxy = servers.start_haproxy(servers.free_port(), (port,), workdir)
        services.append(proxy)
        yield proxy
    finally:
        for service in reversed(services):
            service.stop()
        postgres.drop_database(location)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_asks_only_the_apps_own_host_and_breaks_no_csp(proxied_app, browser, role):
    app_host = urlsplit(proxied_app.url).netloc
    requests: list[str] = []
    elsewhere: list[str] = []
    console: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 2200}, locale="fr-FR", ignore_https_errors=True)

    def guard(route):
        if urlsplit(route.request.url).scheme in ("data", "blob") or urlsplit(route.request.url).netloc == app_host:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("blockedbyclient")

    try:
        context.route("**/*", guard)
        context.add_init_script(REPORT_VIOLATIONS)
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda message: console.append(message.text) if message.type in ("error", "warning")
                else None)
        open_app(page, SimpleNamespace(url=proxied_app.url), "", role=role)
        titles = [t.strip().split("\n")[-1] for t in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]
        assert titles == [p.title for p in navigation.pages_for(role)]
        for title in titles:
            go_to(page, title)
        # the favicon is the app's own file (Streamlit inlines an SVG page icon as a data: URL)
        favicon = page.evaluate("() => Array.from(document.querySelectorAll('link[rel~=\"icon\"]')).map(l => l.href)")
    finally:
        context.close()
    # what the browser asked for: the page, Streamlit's scripts and its WebSocket, the favicon, nothing else
    others = sorted({url for url in requests if urlsplit(url).scheme not in ("data", "blob")
                     and urlsplit(url).netloc != app_host} | set(elsewhere))
    assert others == []
    assert favicon and all(href.startswith("data:image/svg+xml") for href in favicon), favicon
    violations = [text for text in console if "Content Security Policy" in text or "CSP violation" in text]
    assert violations == [], "\n".join(violations)
