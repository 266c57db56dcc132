"""End to end, in a real headless Chromium against `streamlit run serve.py`: server-side sessions (issue 10).
A reload and a new tab keep the user signed in (the HttpOnly cookie set by the app's own route); signing out in
one tab ends the other at its next click; an administrator resetting a password ends that account's session."""

from __future__ import annotations

import pytest

from conftest import DEMO_LOGINS, DEMO_PASSWORD, open_app, screenshot, sign_in, wait_for_app

pytestmark = pytest.mark.browser

SIDEBAR = "[data-testid='stSidebar']"
SIGN_OUT = f"{SIDEBAR} button:has-text('Se déconnecter')"
FORM = "[data-testid='stForm']:has-text('Mot de passe')"


def signed_in(page) -> bool:
    page.locator(SIGN_OUT).or_(page.locator(FORM)).first.wait_for(timeout=30_000)
    return page.locator(SIGN_OUT).count() > 0


def test_reload_and_a_new_tab_keep_the_session(streamlit_server, page):
    open_app(page, streamlit_server, "carte?region=84", role="analyste")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["lit_session"]["httpOnly"] and cookies["lit_session"]["sameSite"] == "Lax"
    assert "region=84" in page.url and "/carte" in page.url
    page.reload()
    assert signed_in(page)
    wait_for_app(page)
    assert "Analyste DITP (démo)" in page.locator(SIDEBAR).inner_text()
    tab = page.context.new_page()
    tab.goto(f"{streamlit_server.url}/indicateurs")
    assert signed_in(tab)
    wait_for_app(tab)
    assert "/indicateurs" in tab.url
    screenshot(tab, "session-nouvel-onglet")
    assert page.evaluate("document.cookie").find("lit_session") == -1     # HttpOnly: no script reads it


def test_signing_out_in_one_tab_ends_the_other(streamlit_server, page):
    open_app(page, streamlit_server, "", role="porteur")
    other = page.context.new_page()
    other.goto(f"{streamlit_server.url}/financements")
    assert signed_in(other)
    wait_for_app(other)
    page.locator(SIDEBAR).get_by_role("button", name="Se déconnecter").click()
    page.locator(FORM).wait_for(timeout=30_000)
    other.locator(SIDEBAR).get_by_text("Carte").click()      # its next click
    other.locator(FORM).wait_for(timeout=30_000)
    assert "déconnecté" in other.inner_text("body")
    other.reload()
    assert not signed_in(other)                               # nor after a reload: the cookie's session is over
    screenshot(other, "session-deconnexion-autre-onglet")


def test_a_reset_password_ends_the_session(streamlit_server, browser, page):
    open_app(page, streamlit_server, "", role="porteur-siilab")
    admin_context = browser.new_context(viewport={"width": 1400, "height": 2200}, locale="fr-FR")
    admin = admin_context.new_page()
    try:
        open_app(admin, streamlit_server, "comptes", role="admin")
        admin.get_by_role("heading", name="Comptes").first.wait_for(timeout=30_000)
        admin.get_by_role("tab", name="Modifier un compte").click()
        box = admin.locator("[data-testid='stSelectbox']").filter(has_text="Compte").first
        box.click()
        admin.get_by_role("option", name=DEMO_LOGINS["porteur-siilab"]).click()
        wait_for_app(admin)
        form = admin.locator("[data-testid='stForm']").filter(has_text="Nouveau mot de passe")
        form.get_by_label("Nouveau mot de passe", exact=False).fill("un nouveau mot de passe sûr")
        form.get_by_role("button", name="Définir le mot de passe").click()
        admin.get_by_text("Mot de passe défini", exact=False).wait_for(timeout=30_000)
    finally:
        admin_context.close()
    page.locator(SIDEBAR).get_by_text("Carte").click()
    page.locator(FORM).wait_for(timeout=30_000)
    assert "mot de passe de votre compte a été changé" in page.inner_text("body")
    sign_in(page, DEMO_LOGINS["porteur-siilab"], DEMO_PASSWORD)            # the old password no longer works
    page.get_by_text("Adresse e-mail ou mot de passe incorrect.").wait_for(timeout=30_000)
    screenshot(page, "session-mot-de-passe-reinitialise")
