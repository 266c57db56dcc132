"""End to end in a real headless Chromium: a lab report uploaded through the page « Dépôt trimestriel », verified,
published, and the home page's figures change at once."""

import re
from datetime import timedelta

import pytest

from conftest import open_app, screenshot, wait_for_app
from lit_analytics.formats import fmt_int, last_complete_quarter, quarter_start

pytestmark = pytest.mark.browser

ROWS = 7


def sessions_file(tmp_path):
    quarter = last_complete_quarter()      # the page's default quarter
    start = quarter_start(quarter)
    lines = ["id_session;date;intitule;format;duree_heures;participants_agents;participants_autres"]
    lines += [f"NAV-{n};{(start + timedelta(days=n)).strftime('%d/%m/%Y')};Atelier navigateur n° {n};atelier;2,5;{n};"
              for n in range(1, ROWS + 1)]
    path = tmp_path / "sessions_siilab.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return path


def metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has=page.get_by_text(label, exact=True)).first
    return box.locator("[data-testid='stMetricValue']").inner_text().strip()


def number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def choose(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def test_upload_publish_and_see_the_figures_change(streamlit_server, page, tmp_path):
    open_app(page, streamlit_server, "", role="admin")
    page.get_by_text("Sessions de formation", exact=True).wait_for(timeout=30_000)
    before = number(metric(page, "Sessions de formation"))

    open_app(page, streamlit_server, "depot", role="admin")
    page.get_by_text("Dépôt trimestriel", exact=True).first.wait_for(timeout=30_000)
    choose(page, "Rapport", "Sessions de formation du trimestre")
    choose(page, "Laboratoire", "Siilab")
    # the uploader is keyed on the chosen report: wait until the previous one has gone
    # (an administrator also has the history import's uploader, further down the page: the report's is the first)
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stFileUploaderDropzoneInput\"]').length === 2",
                           timeout=30_000)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(sessions_file(tmp_path)))
    page.get_by_text(f"Fichier valide : {ROWS} ligne(s) prêtes à publier.").wait_for(timeout=30_000)
    wait_for_app(page)
    added = number(metric(page, "Lignes ajoutées"))
    removed = number(metric(page, "Lignes supprimées"))
    assert added == ROWS
    screenshot(page, "depot-verification")

    page.get_by_role("button", name="Publier", exact=True).click()
    page.get_by_text(re.compile(r"Publié : sessions siilab")).wait_for(timeout=30_000)
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "depot-publie")

    page.get_by_role("link", name="Vue d'ensemble").first.click()
    page.get_by_text("Sessions de formation", exact=True).wait_for(timeout=30_000)
    wait_for_app(page)
    expected = before - removed + added
    page.wait_for_function(
        "(expected) => [...document.querySelectorAll('[data-testid=\"stMetric\"]')].some(m => "
        "m.innerText.includes('Sessions de formation') && m.querySelector('[data-testid=\"stMetricValue\"]')"
        ".innerText.replace(/\\D/g, '') === String(expected))", arg=expected, timeout=30_000)
    assert metric(page, "Sessions de formation") == fmt_int(expected)
    assert expected != before
