"""End to end, in a real headless Chromium: every page, signed in as each role, passes axe-core (WCAG 2.1 A
and AA: no critical or serious violation) and shows none of Streamlit's default English strings.

axe-core comes from npm, pinned in tests/axe/package-lock.json and installed by `scripts/setup.sh --tests`;
it is read from disk and injected into the page, never downloaded at run time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import open_app, screenshot, wait_for_app
from lit_analytics import navigation
from support.streamlit_english import ENGLISH_DEFAULTS

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Pages each role sees in the sidebar (titles), in order: the page registry's.
PAGES_BY_ROLE = {role: [p.title for p in navigation.pages_for(role)] for role in ("admin", "analyste", "porteur")}


def axe_violations(page) -> list[str]:
    """Critical and serious WCAG 2.1 A/AA violations of the page as it is now, one line each."""
    assert AXE.exists(), "axe-core manque : lancez ./scripts/setup.sh --tests (npm ci dans tests/axe)"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text())
    found = page.evaluate(
        """async (tags) => {
             const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
             return r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
                    .map(v => `${v.impact} ${v.id} (${v.help}): ` +
                              v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
           }""", WCAG)
    return found


def visible_words(page) -> str:
    """What a user reads or hears: the page text plus labels, tooltips and placeholders."""
    return page.evaluate(
        """() => document.body.innerText + '\\n' + Array.from(document.querySelectorAll(
               '[aria-label], [title], [placeholder], [data-title]')).map(e =>
               [e.getAttribute('aria-label'), e.getAttribute('title'), e.getAttribute('placeholder'),
                e.getAttribute('data-title')].filter(Boolean).join('\\n')).join('\\n')""")


def english_strings(page) -> list[str]:
    words = visible_words(page)
    return [s for s in ENGLISH_DEFAULTS if s in words]


def go_to(page, title: str) -> None:
    page.locator("[data-testid='stSidebarNav'] a", has_text=re.compile(f"{re.escape(title)}\\s*$")).first.click()
    page.wait_for_timeout(500)
    wait_for_app(page)
    page.get_by_role("heading", level=1).first.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)   # charts and tables finish drawing


@pytest.mark.parametrize("role", ["admin", "analyste", "porteur"])
def test_every_page_is_accessible_and_in_french(streamlit_server, page, role):
    open_app(page, streamlit_server, "", role=role)
    # each link reads « icon name » + title: keep the title
    titles = [t.strip().split("\n")[-1] for t in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]
    assert titles == PAGES_BY_ROLE[role]
    problems = {}
    for title in titles:
        go_to(page, title)
        found = axe_violations(page) + [f"texte anglais : {s}" for s in english_strings(page)]
        if found:
            problems[title] = found
        slug = re.sub(r"[^a-z]+", "-", title.lower().replace("é", "e").replace("ô", "o")).strip("-")
        screenshot(page, f"accessibilite-{role}-{slug}")
    assert problems == {}


def test_sign_in_page_and_not_found_dialog_are_accessible_and_in_french(streamlit_server, page):
    open_app(page, streamlit_server, "", role=None)
    assert axe_violations(page) == []
    assert english_strings(page) == []
    assert page.evaluate("() => document.documentElement.lang") == "fr"
    screenshot(page, "accessibilite-connexion")
    # an address that names no page: Streamlit's dialog, in French (over the sign-in page of the new session)
    open_app(page, streamlit_server, "page-qui-n-existe-pas", role=None)
    dialog = page.get_by_role("dialog")
    dialog.wait_for(timeout=30_000)
    text = dialog.inner_text()
    assert "Page introuvable" in text and "n'existe pas" in text, text
    assert english_strings(page) == []
    assert axe_violations(page) == []
    screenshot(page, "accessibilite-page-introuvable")


def test_file_uploader_and_navigation_speak_french(streamlit_server, page):
    open_app(page, streamlit_server, "", role="porteur")
    nav = page.get_by_role("navigation", name="Pages de l'application")
    dashboard = [p for p in navigation.pages_for("porteur") if p.group == navigation.DASHBOARD]   # the registry
    assert nav.get_by_role("list", name="Tableau de bord").get_by_role("link").count() == len(dashboard)
    go_to(page, "Dépôt trimestriel")
    uploader = page.locator("[data-testid='stFileUploaderDropzone']").first
    uploader.wait_for(timeout=30_000)
    text = uploader.inner_text()
    assert "8 Mo par fichier" in text and "Choisir un fichier" in text, text   # « Glissez-déposez… » while dragging
    assert page.get_by_role("button", name="Choisir un fichier").count() >= 1
    assert english_strings(page) == []
    # keyboard users see where they are: the focused element has a visible outline
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("() => { const s = getComputedStyle(document.activeElement); "
                            "return [s.outlineStyle, s.outlineWidth]; }")
    assert outline[0] != "none" and float(outline[1].rstrip("px")) >= 2, outline
    # icons are Material symbols (a font Streamlit ships), never emoji that need an emoji font
    assert page.locator("[data-testid='stSidebarNav'] [data-testid='stIconEmoji']").count() == 0
    assert page.locator("[data-testid='stSidebarNav'] [data-testid='stIconMaterial']").count() >= 8
