"""End to end in a real headless Chromium (issue 21): an administrator adds, on the page « Référentiel », a new cohort,
a new funding source and a lab of that cohort; at the next click the lab is on the map, in the directory, on the
upload page and among the reports to remind, the national deck counts it, and nothing published before changed."""

import pytest

from conftest import open_app, screenshot, wait_for_app
from lit_analytics.export import briefing
from lit_analytics.store import Store

pytestmark = pytest.mark.browser

PUBLISHED = ("report_versions", "project_snapshots", "training_sessions", "funding_tranches", "imports")
FULL_NAME = "Laboratoire d'essai de La Réunion (test)"
SHORT_NAME = "Lab Essai"
PAGE_URL = "https://example.org/lab-essai-inauguration"


def published(db) -> dict:
    with Store(db, read_only=True) as store:
        return {t: sorted(store.query(f"SELECT * FROM {t}"), key=repr) for t in PUBLISHED}


def national_deck(db):
    with Store(db, read_only=True) as store:
        return briefing.build_deck(store, briefing.parse_preset(store, "national"), ["sessions-trimestre"])


def panel(page):
    return page.locator("[role='tabpanel']:visible")


def fill(page, label: str, value: str) -> None:
    panel(page).get_by_label(label, exact=True).fill(value)


def choose(page, label: str, option: str) -> None:
    panel(page).get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def submit(page, button: str, success: str) -> None:
    panel(page).get_by_role("button", name=button).click()
    page.get_by_text(success).first.wait_for(timeout=60_000)
    wait_for_app(page)


def test_a_lab_added_in_the_registry_shows_everywhere_at_the_next_click(streamlit_server, demo_file_copy, page):
    db = demo_file_copy
    before, deck_before = published(db), national_deck(db)

    open_app(page, streamlit_server, "referentiel", role="admin")
    page.get_by_role("tab", name="Cohortes").click()
    fill(page, "Code (sans accent, ex. vague-2025)", "vague-2025")
    fill(page, "Libellé", "Créés en 2025")
    fill(page, "Début (JJ/MM/AAAA)", "01/01/2025")
    submit(page, "Ajouter la cohorte", "Cohorte ajoutée : vague-2025")
    page.get_by_role("tab", name="Sources de financement").click()
    fill(page, "Code (sans accent, ex. vague-2025)", "fonds-outre-mer")
    fill(page, "Libellé", "Fonds pour l'innovation outre-mer")
    submit(page, "Ajouter la source de financement", "Source de financement ajoutée : fonds-outre-mer")
    page.get_by_role("tab", name="Ajouter un laboratoire").click()
    fill(page, "Identifiant (minuscules et tirets, ex. lab-pei)", "lab-essai")
    fill(page, "Nom", FULL_NAME)
    fill(page, "Nom court (graphiques, diapositives)", SHORT_NAME)
    fill(page, "Ville", "Saint-Denis")
    fill(page, "Ouverture (JJ/MM/AAAA)", "06/01/2025")
    fill(page, "Titre (éditeur et titre)", "Préfecture de La Réunion, inauguration du laboratoire")
    fill(page, "Adresse (https://…)", PAGE_URL)
    choose(page, "Région", "La Réunion")
    choose(page, "Cohorte", "Créés en 2025")
    submit(page, "Ajouter le laboratoire", "Laboratoire ajouté")
    screenshot(page, "referentiel-laboratoire-ajoute")

    # the map: the lab is one of the markers
    open_app(page, streamlit_server, "carte", role="admin")
    page.wait_for_function(f"""() => Array.from(document.querySelectorAll('.js-plotly-plot'))
                                      .some(d => JSON.stringify(d.data || []).includes({SHORT_NAME!r}))""",
                           timeout=60_000)
    # the directory and the profile, with its history
    open_app(page, streamlit_server, "laboratoires", role="admin")
    page.get_by_label("Rechercher un laboratoire").fill("essai")   # (« Réunion » also finds Lab Péï)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=FULL_NAME).wait_for(timeout=60_000)
    assert "Historique des modifications" in page.inner_text("[data-testid='stMain']")
    # the upload page offers it
    open_app(page, streamlit_server, "depot", role="admin")
    page.get_by_label("Laboratoire", exact=True).click()
    page.get_by_role("option", name=SHORT_NAME, exact=True).wait_for(timeout=30_000)
    page.keyboard.press("Escape")
    # the reporting follow-up: its quarters since its opening are due, it can be reminded
    open_app(page, streamlit_server, "suivi-depots", role="admin")
    page.get_by_label("Relancer un laboratoire pour un trimestre en retard").click()
    page.get_by_role("option", name=f"{SHORT_NAME} — T1 2025", exact=True).wait_for(timeout=30_000)
    page.keyboard.press("Escape")

    # the national deck counts it (it cites the programme's pages only); nothing published before changed
    deck_after = national_deck(db)
    active = dict(deck_before.headline)["Laboratoires actifs"], dict(deck_after.headline)["Laboratoires actifs"]
    assert int(active[1]) == int(active[0]) + 1
    assert published(db) == before
    with Store(db, read_only=True) as store:
        assert store.query("SELECT cohort, short_name FROM labs WHERE lab_id = 'lab-essai'") == [("vague-2025", SHORT_NAME)]
        assert store.scalar("SELECT label FROM funding_sources WHERE code = 'fonds-outre-mer'")
