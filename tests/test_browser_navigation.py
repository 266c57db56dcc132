"""End to end, in a real headless Chromium against a fresh `streamlit run serve.py` (a new server process per
test): the first load never shows Streamlit's legacy list of the `pages/` files (« app, accueil, carte, comptes,
connexion, depot… »), not even for a moment, and a deep link opened first after the start goes through app.py's
sign-in gate. A MutationObserver installed before the page's own scripts records every navigation link text
ever drawn (`lit_analytics.ui.streamlit_compat.route_every_page_through_app` says why it could be drawn)."""

from __future__ import annotations

import pytest

from conftest import DEMO_LOGINS, screenshot, sign_in, wait_for_app
from lit_analytics import navigation

pytestmark = pytest.mark.browser

SIDEBAR = "[data-testid='stSidebar']"
LEGACY_NAMES = {"app", "serve", "accueil", "carte", "comptes", "connexion", "depot", "financements", "indicateurs",
                "journal", "laboratoires", "note", "suivi depots", "definitions", "evenements"}

# Runs in every document before Streamlit's scripts: every text of a navigation link or item, every time one is
# drawn or changed, goes into window.__navSeen.
RECORD_NAVIGATION = """
(() => {
  window.__navSeen = [];
  const SELECTOR = "[data-testid='stSidebarNav'] a, [data-testid='stSidebarNavItems'] a, "
                 + "[data-testid='stSidebarNavLink'], [data-testid='stTopNavLink'], [data-testid='stNavSectionHeader']";
  const record = () => {
    for (const el of document.querySelectorAll(SELECTOR)) {
      const text = (el.textContent || "").trim();
      if (text && !window.__navSeen.includes(text)) window.__navSeen.push(text);
    }
  };
  new MutationObserver(record).observe(document, {subtree: true, childList: true, characterData: true});
})();
"""


def seen(page) -> list[str]:
    return page.evaluate("() => window.__navSeen")


def labels(texts: list[str]) -> set[str]:
    """A link's text is its Material icon's name then its title, a section's its name then « expand_more »: keep
    the registry's title or group name it holds (the text itself when none)."""
    names = sorted({p.title for p in navigation.PAGES} | set(navigation.GROUPS), key=len, reverse=True)
    return {next((name for name in names if name in text), text) for text in texts}


def legacy(texts: list[str]) -> list[str]:
    """Texts of Streamlit's own list of the pages/ files: the files' names, lower case, without icon."""
    return [t for t in texts if t.replace("_", " ") in LEGACY_NAMES]


def test_a_fresh_first_load_never_shows_the_legacy_page_list(streamlit_server, page):
    page.add_init_script(RECORD_NAVIGATION)
    page.goto(streamlit_server.url)
    page.locator("[data-testid='stForm']").get_by_label("Mot de passe").wait_for(timeout=30_000)
    wait_for_app(page)
    assert seen(page) == []                         # signed out: no navigation at all
    sign_in(page, DEMO_LOGINS["admin"])
    page.locator(f"{SIDEBAR} button:has-text('Se déconnecter')").wait_for(timeout=60_000)
    wait_for_app(page)
    page.get_by_role("heading", level=1).first.wait_for(timeout=30_000)
    texts = seen(page)
    assert legacy(texts) == [], texts
    assert labels(texts) <= {p.title for p in navigation.pages_for("admin")} | set(navigation.GROUPS), texts
    assert {p.title for p in navigation.pages_for("admin")} <= labels(texts)
    screenshot(page, "navigation-premier-chargement")


def test_a_deep_link_opened_first_after_the_start_goes_through_the_sign_in_gate(streamlit_server, page):
    page.add_init_script(RECORD_NAVIGATION)
    page.goto(f"{streamlit_server.url}/journal")
    page.locator("[data-testid='stForm']").get_by_label("Mot de passe").wait_for(timeout=30_000)
    wait_for_app(page)
    body = page.inner_text("body")
    assert "Connexion" in body                                      # app.py's gate, not pages/journal.py alone
    assert "Connectez-vous pour accéder à cette page." not in body
    assert "Page réservée aux administrateurs DITP." not in body
    assert "Journal d'audit" not in body and seen(page) == []
    assert page.url.endswith("/journal")                           # the page asked for stays in the address
    sign_in(page, DEMO_LOGINS["admin"])
    page.get_by_role("heading", name="Journal d'audit").wait_for(timeout=60_000)   # and opens once signed in
    wait_for_app(page)
    assert page.url.split("?")[0].endswith("/journal")
    assert legacy(seen(page)) == [], seen(page)
