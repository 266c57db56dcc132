"""End to end (issue 22, « Done when »): an administrator adds an event on « Événements » in a real headless Chromium
against `streamlit run`, and sees it marked on a time chart of « Vue d'ensemble » (the label in the plotly SVG) and
the chart links to its definition on « Définitions »."""

import re

import pytest

from conftest import open_app, screenshot, wait_for_app

pytestmark = pytest.mark.browser

LABEL = "Comité national des labs"


def test_an_administrator_adds_an_event_and_sees_it_on_a_time_chart(streamlit_server, page):
    open_app(page, streamlit_server, "evenements", role="admin")
    page.get_by_role("heading", name="Événements").wait_for(timeout=30_000)
    form = page.locator("[data-testid='stForm']").first
    for part, digits in (("day", "10"), ("month", "02"), ("year", "2021")):   # the date's segments, typed
        segment = form.get_by_role("spinbutton", name=f"{part}, Date")
        segment.click()
        segment.press_sequentially(digits)
    form.get_by_label(re.compile("^Libellé")).fill(LABEL)
    form.get_by_role("button", name="Ajouter l'événement").click()
    page.get_by_text(f"Événement ajouté : « {LABEL} »").wait_for(timeout=30_000)
    screenshot(page, "evenements-ajout")

    page.locator("[data-testid='stSidebarNav'] a", has_text=re.compile(r"Vue d'ensemble\s*$")).first.click()
    wait_for_app(page)
    # plotly writes each annotation as SVG text: the event's label beside its mark on « Évolution de l'activité »
    page.wait_for_function(
        "label => [...document.querySelectorAll('.js-plotly-plot text')].some(t => t.textContent.includes(label))",
        arg=LABEL, timeout=60_000)
    chart = page.locator("[data-testid='stPlotlyChart']").filter(has_text=LABEL).first
    assert "Évolution de l'activité" in chart.inner_text()
    screenshot(page, "evenements-graphique")
    # (the data table's « Repères » column is checked by AppTest: the grid draws its cells on a canvas)
    assert page.get_by_role("link", name="Toutes les définitions").count() >= 3
    page.get_by_role("link", name="Toutes les définitions").nth(1).click()
    page.get_by_role("heading", name="Définitions").wait_for(timeout=30_000)
    wait_for_app(page)
    assert "Nombre cumulé, depuis le début de la période" in page.inner_text("body")
    screenshot(page, "definitions")
