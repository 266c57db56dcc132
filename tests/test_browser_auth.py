"""End to end, in a real headless Chromium against `streamlit run`: password sign-in and sign-out, and the
OpenID Connect path against a REAL provider running on localhost (panva's `oidc-provider`, from npm,
installed by scripts/setup.sh in tests/oidc/): the app's « Se connecter avec ProConnect » button, the
provider's own sign-in form, the callback, and the e-mail mapped to the account's role."""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path

import pytest

from conftest import (DEMO_LOGINS, DEMO_PASSWORD, REPO, BackgroundService, StreamlitServer, _free_port, open_app, screenshot,
                      sign_in, wait_for_app)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("oidc")]

OIDC_DIR = REPO / "tests" / "oidc"
SIDEBAR = "[data-testid='stSidebar']"


# --- a real OpenID Connect provider on localhost -------------------------------------------------

class OidcProvider(BackgroundService):
    def __init__(self, log_dir: Path, redirect_uri: str):
        if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError("oidc-provider absent : lancez ./scripts/setup.sh --tests (npm ci dans tests/oidc)")
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.client_id = "lit-tableau-de-bord"
        self.client_secret = secrets.token_urlsafe(24)
        node = shutil.which("node") or "/usr/bin/node"
        super().__init__(
            [node, str(OIDC_DIR / "provider.mjs")], cwd=OIDC_DIR,
            env={"PATH": "/usr/bin:/bin", "OIDC_PORT": str(self.port), "OIDC_REDIRECT_URI": redirect_uri,
                 "OIDC_CLIENT_ID": self.client_id, "OIDC_CLIENT_SECRET": self.client_secret},
            log_path=log_dir / "oidc-provider.log", ready_url=self.issuer + "/.well-known/openid-configuration",
            what="le fournisseur OpenID Connect", timeout=30)
        self.metadata = json.loads(self.ready_body)


def write_secrets(path: Path, app_port: int, provider: OidcProvider) -> Path:
    """The same `[auth]` configuration as a production ProConnect set-up (README), pointing at localhost."""
    path.write_text(f'''[auth]
redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"
cookie_secret = "{secrets.token_urlsafe(32)}"

[auth.proconnect]
client_id = "{provider.client_id}"
client_secret = "{provider.client_secret}"
server_metadata_url = "{provider.issuer}/.well-known/openid-configuration"
client_kwargs = {{ scope = "openid email profile", prompt = "login" }}
''', encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def oidc_app(demo_db_path, tmp_path_factory):
    """A demo database, a real OIDC provider, and `streamlit run` configured for it through secrets.toml."""
    folder = tmp_path_factory.mktemp("oidc")
    db = folder / "app.duckdb"
    shutil.copy(demo_db_path, db)
    app_port = _free_port()
    provider = OidcProvider(folder, f"http://127.0.0.1:{app_port}/oauth2callback")
    secrets_file = write_secrets(folder / "secrets.toml", app_port, provider)
    try:
        server = StreamlitServer(db, port=app_port, secrets_file=secrets_file)
    except BaseException:
        provider.stop()
        raise
    yield server, provider
    server.stop()
    provider.stop()


@pytest.fixture
def local_page(browser):
    """A fresh browser context (no cookies) that may reach only this machine: nothing is downloaded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="fr-FR")
    context.route("**/*", lambda route: route.continue_()
                  if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))
                  else route.abort())
    page = context.new_page()
    yield page
    context.close()


def sign_in_with_proconnect(page, server, email: str) -> None:
    page.goto(server.url)
    page.get_by_role("button", name="Se connecter avec ProConnect").click()
    # The provider's own sign-in page (a different origin): login and password.
    page.wait_for_url(lambda url: not url.startswith(server.url), timeout=30_000)
    page.locator("input[name='login']").fill(email)
    page.locator("input[name='password']").fill("mot de passe saisi chez le fournisseur")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(lambda url: url.startswith(server.url), timeout=30_000)
    page.wait_for_selector("[data-testid='stApp']", timeout=30_000)


def test_proconnect_sign_in_maps_the_email_to_the_account_and_its_role(oidc_app, local_page):
    server, provider = oidc_app
    page = local_page
    sign_in_with_proconnect(page, server, DEMO_LOGINS["porteur"])
    sidebar = page.locator(SIDEBAR)
    sidebar.get_by_text("Porteur Archipel (démo)").wait_for(timeout=30_000)
    wait_for_app(page)
    assert "Porteur de laboratoire" in sidebar.inner_text()
    assert "Journal d'audit" not in sidebar.inner_text()       # administration is for admins only
    page.get_by_text("Laboratoires financés", exact=True).wait_for(timeout=30_000)
    screenshot(page, "connexion-proconnect-porteur")


def test_proconnect_admin_sees_the_sign_in_in_the_audit_log(oidc_app, local_page):
    server, provider = oidc_app
    page = local_page
    sign_in_with_proconnect(page, server, DEMO_LOGINS["admin"].upper())   # e-mails match whatever the case
    page.locator(SIDEBAR).get_by_text("Administratrice DITP (démo)").wait_for(timeout=30_000)
    page.locator(SIDEBAR).get_by_text("Journal d'audit").click()
    page.get_by_role("heading", name="Journal d'audit").wait_for(timeout=30_000)
    wait_for_app(page)
    # st.dataframe draws on a canvas; its cells are also in the DOM (hidden), which is what we read.
    page.get_by_text("OpenID Connect (proconnect)", exact=False).first.wait_for(state="attached", timeout=30_000)
    screenshot(page, "journal-audit")


def test_an_unknown_email_gets_no_access(oidc_app, local_page):
    server, provider = oidc_app
    page = local_page
    sign_in_with_proconnect(page, server, "inconnu@exemple.gouv.fr")
    page.get_by_text("Aucun compte actif pour inconnu@exemple.gouv.fr", exact=False).wait_for(timeout=30_000)
    body = page.inner_text("body")
    assert "Laboratoires financés" not in body
    assert page.locator(f"{SIDEBAR} button:has-text('Se déconnecter')").count() == 0
    # Reloading with the same identity cookie still gets no access.
    page.reload()
    page.get_by_text("Aucun compte actif pour inconnu@exemple.gouv.fr", exact=False).wait_for(timeout=30_000)
    assert "Laboratoires financés" not in page.inner_text("body")
    screenshot(page, "connexion-proconnect-refusee")


# --- password sign-in --------------------------------------------------------------------------

def test_password_sign_in_deep_link_and_sign_out(streamlit_server, page):
    page.goto(f"{streamlit_server.url}/journal")
    form = page.locator("[data-testid='stForm']")
    form.get_by_label("Mot de passe").wait_for(timeout=30_000)
    wait_for_app(page)
    assert "Laboratoires financés" not in page.inner_text("body")
    assert page.locator(SIDEBAR).count() == 0 or "Vue d'ensemble" not in page.locator(SIDEBAR).inner_text()
    screenshot(page, "connexion")
    sign_in(page, DEMO_LOGINS["admin"], "pas le bon mot de passe")
    page.get_by_text("Adresse e-mail ou mot de passe incorrect.").wait_for(timeout=30_000)
    sign_in(page, DEMO_LOGINS["admin"], DEMO_PASSWORD)
    page.get_by_role("heading", name="Journal d'audit").wait_for(timeout=30_000)   # the page asked for
    wait_for_app(page)
    page.get_by_text("échec de connexion").first.wait_for(state="attached", timeout=30_000)
    page.locator(SIDEBAR).get_by_role("button", name="Se déconnecter").click()
    page.locator("[data-testid='stForm']").wait_for(timeout=30_000)
    assert "Journal d'audit" not in page.inner_text("body")


def test_open_app_signs_in_with_the_demo_account_of_a_role(streamlit_server, page):
    open_app(page, streamlit_server, "", role="porteur-siilab")
    assert "Porteuse Siilab (démo)" in page.locator(SIDEBAR).inner_text()
