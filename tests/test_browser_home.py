"""End to end: `streamlit run` served to a real headless Chromium."""

import pytest

from conftest import open_app, screenshot

pytestmark = pytest.mark.browser


def test_home_page_in_a_real_browser(streamlit_server, page):
    open_app(page, streamlit_server, role="analyste")
    page.get_by_text("Laboratoires financés", exact=True).wait_for(timeout=30_000)
    page.get_by_text("Montants engagés par source", exact=True).wait_for(timeout=30_000)
    body = page.inner_text("body")
    assert "Laboratoires d'innovation territoriale" in body
    assert "Données de démonstration" in body
    assert "Sessions de formation" in body
    assert page.locator("[data-testid='stException']").count() == 0
    shot = screenshot(page, "accueil")
    assert shot.stat().st_size > 10_000
