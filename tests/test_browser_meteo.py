"""End to end in a real headless Chromium (issue 22, point 2): a lab lead reports this quarter in the browser — no
session held (« Aucune session ce trimestre »), and the lab's météo with its three texts beside the report — and the
words appear on the lab's profile, in the home page's « Météo des labs » and in the lab's deck."""

import io
import re
from datetime import date

import pytest
from pptx import Presentation

from conftest import open_app, screenshot, wait_for_app
from lit_analytics.formats import fmt_quarter, quarter_of
from lit_analytics.store import Store

pytestmark = pytest.mark.browser

HIGHLIGHTS = "Accueil unique ouvert à Lille avec deux communes partenaires"
DIFFICULTIES = "Poste de designer vacant depuis septembre"
NEEDS = "Appui juridique de la DITP sur le partage des données"


def choose(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def test_a_lab_lead_reports_the_meteo_and_it_shows_on_the_profile_home_and_deck(streamlit_server, page,
                                                                                 demo_file_copy):
    quarter = quarter_of(date.today())   # after the demo data's last quarter: the newest météo
    open_app(page, streamlit_server, f"depot?lab=siilab&trimestre={quarter}&rapport=sessions", role="porteur-siilab")
    page.get_by_text("Dépôt trimestriel", exact=True).first.wait_for(timeout=30_000)
    wait_for_app(page)

    # Nothing to declare is an answer: an empty sessions report, published.
    page.get_by_text("Aucune session ce trimestre", exact=True).click()
    page.get_by_text("Fichier valide : 0 ligne(s) prêtes à publier.").wait_for(timeout=30_000)
    wait_for_app(page)
    page.get_by_role("button", name="Publier", exact=True).click()
    page.get_by_text(re.compile(r"Publié : sessions siilab")).wait_for(timeout=30_000)
    wait_for_app(page)

    # The météo and the three texts, beside the report.
    form = page.locator("[data-testid='stForm']").filter(has_text="Publier la météo")
    form.get_by_text("☁ Nuage — appuis nécessaires", exact=True).click()
    form.get_by_role("textbox", name="Faits marquants").fill(HIGHLIGHTS)
    form.get_by_role("textbox", name="Difficultés et freins").fill(DIFFICULTIES)
    form.get_by_role("textbox", name="Besoins d'appui de la DITP").fill(NEEDS)
    form.get_by_role("button", name="Publier la météo").click()
    page.get_by_text(f"Publié : météo siilab {fmt_quarter(quarter)}", exact=False).wait_for(timeout=30_000)
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "meteo-depot")
    with Store(demo_file_copy) as store:
        assert store.query("SELECT level, highlights, published_by FROM meteo_reports WHERE lab_id = 'siilab' "
                           "AND quarter = ? AND is_current", [quarter]) == [
            ("nuage", HIGHLIGHTS, "demo-porteur-siilab@lit.example")]
        assert store.query("SELECT status FROM (SELECT 'reçu' AS status FROM report_versions WHERE kind = 'sessions' "
                           "AND lab_id = 'siilab' AND quarter = ? AND is_current)", [quarter]) == [("reçu",)]

    # The lab's profile, quarter by quarter.
    open_app(page, streamlit_server, "laboratoires", role="porteur-siilab")
    page.get_by_label("Rechercher un laboratoire").fill("Siilab")
    page.keyboard.press("Enter")
    wait_for_app(page)
    page.get_by_text(f"{fmt_quarter(quarter)} — ☁ Nuage — appuis nécessaires").wait_for(timeout=30_000)
    page.get_by_text(HIGHLIGHTS).first.wait_for(timeout=30_000)
    page.get_by_text(NEEDS).first.wait_for(timeout=30_000)
    screenshot(page, "meteo-fiche")

    # The home page's « Météo des labs »: this quarter, Siilab's words (the table's accessible cells).
    open_app(page, streamlit_server, "", role="porteur-siilab")
    page.get_by_text("Météo des labs", exact=True).wait_for(timeout=30_000)
    wait_for_app(page)
    table = page.locator("[data-testid='stDataFrame']").filter(has_text=HIGHLIGHTS)
    table.first.wait_for(state="attached", timeout=30_000)
    screenshot(page, "meteo-accueil")

    # The lab's deck: a « Faits marquants » slide with the three texts.
    open_app(page, streamlit_server, "note", role="porteur-siilab")
    page.get_by_text("Un laboratoire", exact=True).click()
    wait_for_app(page)
    choose(page, "Laboratoire", "Siilab")
    page.get_by_text("Laboratoire : Siilab", exact=True).wait_for(timeout=30_000)
    with page.expect_download(timeout=180_000) as info:
        page.get_by_role("button", name="Diaporama PowerPoint (PPTX)").first.click()
    slides = Presentation(io.BytesIO(open(info.value.path(), "rb").read())).slides
    texts = [" ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in slides]
    words = next(t for t in texts if "Faits marquants — Siilab" in t)
    assert HIGHLIGHTS in words and DIFFICULTIES in words and NEEDS in words
    assert f"{fmt_quarter(quarter)} · Météo : Nuage — appuis nécessaires" in words
