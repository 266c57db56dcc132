"""End to end: every dashboard page in a real headless Chromium against `streamlit run` (filters, map click)."""

import re

import pytest

from conftest import open_app, screenshot, wait_for_app
from lit_analytics import navigation

pytestmark = pytest.mark.browser

PAGES = {p.url_path: p.title for p in navigation.PAGES if p.charts}   # the dashboard pages (page registry)


def no_error(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, page.inner_text("body")[:2000]


def wait_for_charts(page, count: int) -> None:
    page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot').length >= {count}",
                           timeout=60_000)


def go_to(page, title: str) -> None:
    page.locator("[data-testid='stSidebarNav'] a", has_text=re.compile(f"{re.escape(title)}\\s*$")).first.click()
    page.wait_for_timeout(500)
    wait_for_app(page)


def choose(page, label: str, option: str) -> None:
    """Pick an option of a sidebar selectbox/multiselect by its label."""
    box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'], "
                       "[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text=label).first
    box.locator("input").first.click()
    page.get_by_role("option", name=option, exact=True).first.click()
    page.keyboard.press("Escape")
    page.wait_for_timeout(500)
    wait_for_app(page)


def test_every_page_opens_without_error(streamlit_server, page):
    # Pages are opened from the app's own navigation, as a user does (deep links: test_browser_navigation.py).
    open_app(page, streamlit_server, "")
    for path, title in PAGES.items():
        go_to(page, title)
        page.get_by_role("heading", level=1).first.wait_for(timeout=30_000)
        if path != "laboratoires":
            wait_for_charts(page, 1)
        no_error(page)
        assert "Source : données de démonstration (fictives) — données au" in page.inner_text("body") \
            or path == "laboratoires"
        screenshot(page, f"tableau-de-bord-{path}")


def test_filter_kept_across_pages_and_in_the_url(streamlit_server, page):
    open_app(page, streamlit_server, "")
    wait_for_charts(page, 3)
    choose(page, "Cohorte", "Créés en 2021-2022 (relance)")
    page.wait_for_function("() => location.search.includes('cohorte=relance-2021-2022')", timeout=30_000)
    go_to(page, "Financements")
    wait_for_charts(page, 5)     # no PIA for the labs created in 2021-2022: the rules chart says so in words
    page.get_by_text("Aucun lauréat du PIA").or_(page.get_by_text("Aucune donnée pour ce périmètre")).first.wait_for()
    page.wait_for_function("() => location.search.includes('cohorte=relance-2021-2022')", timeout=30_000)
    assert "Créés en 2021-2022 (relance)" in page.inner_text("body")
    no_error(page)
    screenshot(page, "tableau-de-bord-financements-filtre")
    # a shared link reproduces the view in a new session
    open_app(page, streamlit_server, "?region=53&du=2019-T1")
    wait_for_charts(page, 3)
    assert "T1 2019 – T3 2026 · Bretagne" in page.inner_text("body")
    go_to(page, "Indicateurs d'impact")
    wait_for_charts(page, 7)
    body = page.inner_text("body")
    assert "T1 2019 – T3 2026 · Bretagne" in body
    no_error(page)


def test_clicking_a_region_on_the_map_filters_the_other_pages(streamlit_server, page):
    open_app(page, streamlit_server, "")
    go_to(page, "Carte")
    wait_for_charts(page, 1)
    page.wait_for_function("() => { const g = document.querySelector('.js-plotly-plot');"
                           " return g && g._fullLayout && g._fullLayout.map && g._fullLayout.map._subplot"
                           " && g._fullLayout.map._subplot.map && g._fullLayout.map._subplot.map.loaded(); }",
                           timeout=60_000)
    page.wait_for_timeout(1000)
    # Rennes (Bretagne): where MapLibre draws it, relative to the page
    x, y = page.evaluate("""() => {
        const g = document.querySelector('.js-plotly-plot');
        const map = g._fullLayout.map._subplot.map;
        const p = map.project([-2.2, 48.0]);
        const r = map.getCanvas().getBoundingClientRect();
        return [r.left + p.x, r.top + p.y];
    }""")
    page.mouse.click(x, y)
    page.get_by_text("Filtre actif sur : Bretagne").wait_for(timeout=30_000)
    page.wait_for_function("() => location.search.includes('region=53')", timeout=30_000)
    no_error(page)
    screenshot(page, "tableau-de-bord-carte-bretagne")
    go_to(page, "Indicateurs d'impact")
    wait_for_charts(page, 7)
    assert "Bretagne" in page.inner_text("[data-testid='stMain']")
    page.wait_for_function("() => location.search.includes('region=53')", timeout=30_000)
    no_error(page)
    go_to(page, "Laboratoires")
    page.get_by_text("Ce que l'on sait, et d'où").wait_for(timeout=30_000)
    assert "Laboratoire régional d'innovation de Bretagne" in page.inner_text("[data-testid='stMain']")
    no_error(page)
    screenshot(page, "tableau-de-bord-laboratoires-bretagne")
