"""End to end in a real headless Chromium: a lab lead who reported last quarter reports this quarter in the
browser, with no file: the link of a reminder opens the page on their lab and quarter, the grid comes pre-filled
with last quarter's open projects, they add a project, change a project's stage and a figure, verify, publish.
The steps are timed (printed, and written to test-artifacts/grid-timings.txt; docs/benchmarks.md quotes a run)
and screenshots land in test-artifacts/."""

import re
import time
from datetime import date

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from conftest import ARTIFACTS, open_app, screenshot, wait_for_app
from lit_analytics.domain import PROJECT_STATUSES
from lit_analytics.formats import fmt_quarter, quarter_of, quarter_start
from lit_analytics.ingest import templates
from lit_analytics.store import Store

pytestmark = pytest.mark.browser


def test_a_lab_lead_reports_this_quarter_in_the_browser(streamlit_server, page, demo_copy, demo_store):
    quarter = quarter_of(date.today())   # the newest quarter the form offers (after the demo data's last)
    first = templates.prefill_rows(demo_store, "projets", "siilab", quarter).iloc[0]   # the grid's row 1
    stages = PROJECT_STATUSES[:5]
    new_stage = stages[(stages.index(first["statut"]) + 1) % len(stages)]   # a stage it is not at
    users = 321 if first["usagers_impliques"] != 321 else 322
    steps, t0 = [], time.monotonic()

    def step(name):
        steps.append((name, time.monotonic() - t0))

    open_app(page, streamlit_server, f"depot?lab=siilab&trimestre={quarter}&rapport=projets", role="porteur-siilab")
    page.get_by_text("Dépôt trimestriel", exact=True).first.wait_for(timeout=30_000)
    step("connexion et page ouverte sur le laboratoire et le trimestre (lien de la relance)")
    page.get_by_text("Saisir dans le navigateur, sans fichier", exact=True).click()
    wait_for_app(page)
    page.get_by_text(re.compile(r"La grille reprend les \d+ projet\(s\) en cours")).wait_for(timeout=30_000)
    # the report's grid, by its key (other tables of the page — versions, history — come after it)
    grid = page.locator("[class*='st-key-grid-'] [data-testid='stDataFrame']").filter(has=page.locator("canvas"))
    grid.wait_for(timeout=30_000)
    grid.scroll_into_view_if_needed()
    screenshot(page, "grille-pre-remplie")
    step("grille pré-remplie affichée")

    # The grid is a canvas (glide-data-grid), driven with the keyboard: Enter opens a cell's editor and, once
    # more, saves the value and moves down a row; the arrows move. The canvas cannot be read, but the grid keeps an
    # accessible table beside it: `aria-rowcount`, and cells `glide-cell-<column>-<row>` (0-based) with the value
    # shown and `aria-selected`, refreshed ~200 ms after a change. Every step waits there for its effect (the new
    # row, the selected cell, the value shown), never a fixed time: a run under load once wrote the new project over
    # the last pre-filled row after a fixed pause and only saw it at the end (7 rows published instead of 8).
    ID, STATUS, USERS = 2, 5, 9    # columns of the accessible table (0 and 1: row marker and « Ligne »)

    def cell(column: int, row: int, selected: bool = False):
        return grid.locator(f"td[data-testid='glide-cell-{column}-{row}']" + ("[aria-selected='true']" if selected
                                                                               else ""))

    def select_is(column: int, row: int) -> None:
        """Wait until the grid has the cell selected (the keys so far have reached it)."""
        cell(column, row, selected=True).wait_for(state="attached", timeout=10_000)

    def editing(is_open: bool) -> None:
        """Wait until a cell's editor has opened (a field has the focus) or closed (the grid has it back)."""
        page.wait_for_function(f"() => {'' if is_open else '!'}['INPUT', 'TEXTAREA'].includes("
                               "document.activeElement && document.activeElement.tagName)", timeout=10_000)

    def fill(column: int, row: int, value: str, typed: str | None = None):
        """Edit the selected cell (`column`, `row`) and come back to it once the grid shows `value` (`typed`: the
        keys, for the browser's date field)."""
        select_is(column, row)
        page.keyboard.press("Enter")
        editing(True)
        if typed is None:
            page.keyboard.press("Control+A")
        page.keyboard.type(typed or value, delay=20)
        page.keyboard.press("Enter")
        editing(False)
        expect(cell(column, row)).to_have_text(value, timeout=10_000)   # the grid holds the new value
        # Each edit reruns the page: wait for that run to begin (a loaded server may begin it later than
        # `wait_for_app`'s pause: keys typed meanwhile went to an editor the rerun then closed), then to end.
        try:
            page.wait_for_selector("[data-testid='stApp']:not([data-test-script-state='notRunning'])", timeout=1_500)
        except PlaywrightTimeout:
            pass   # a run of a few tens of milliseconds, over before it was seen
        wait_for_app(page)
        page.keyboard.press("ArrowUp")     # Enter moved down a row: back

    # First a new project: « Ajouter une ligne » in the grid's toolbar, then its cells one by one.
    box = grid.bounding_box()
    rows = len(templates.prefill_rows(demo_store, "projets", "siilab", quarter))
    counted = grid.locator("table[role='grid']").first
    counted.wait_for(state="attached", timeout=30_000)
    before = int(counted.get_attribute("aria-rowcount"))
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20)   # the toolbar shows on hover
    page.get_by_role("button", name="Ajouter une ligne").click()   # « Add row », in French
    grid.locator(f"table[role='grid'][aria-rowcount='{before + 1}']").wait_for(state="attached", timeout=30_000)
    wait_for_app(page)     # the added row reruns the page: an edit typed during that run lands in the old grid
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()                              # where the grid is now (the rerun may have moved it)
    page.mouse.click(box["x"] + 110, box["y"] + 35 + 17)   # the first row shown's id (header ≈ 35 px, « Ligne » ≈ 75 px),
    for _ in range(rows + 1):   # the grid may have scrolled to the added row: up with the keyboard to row 1
        try:
            cell(ID, 0, selected=True).wait_for(state="attached", timeout=1_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("ArrowUp")
    select_is(ID, 0)
    for _ in range(rows):                                    # then down to the new row with the keyboard
        page.keyboard.press("ArrowDown")
    select_is(ID, rows)

    start = quarter_start(quarter)
    for column, value in enumerate(("P-2026-099", "Accueil des nouveaux arrivants", "Santé", "émergence"), start=ID):
        fill(column, rows, value)
        page.keyboard.press("ArrowRight")
    day = date(start.year, start.month + 1, start.month + 1)  # date_debut: the browser's own date field,
    fill(ID + 4, rows, day.isoformat(), typed=f"{day:%m%d%Y}")   # whose order depends on its language: day = month
    step("un nouveau projet ajouté (identifiant, titre, thématique, étape, date de début)")

    for _ in range(rows):                                     # back to row 1, first column
        page.keyboard.press("ArrowUp")
    for _ in range(4):
        page.keyboard.press("ArrowLeft")
    for _ in range(3):                                        # id_projet → titre → thematique → statut
        page.keyboard.press("ArrowRight")
    fill(STATUS, 0, new_stage)
    for _ in range(4):                                        # date_debut, date_fin, types_partenaires, usagers
        page.keyboard.press("ArrowRight")
    fill(USERS, 0, str(users))
    page.wait_for_timeout(500)
    screenshot(page, "grille-modifiee")
    step("deux cases modifiées (étape d'un projet, nombre d'usagers)")

    page.get_by_role("button", name="Vérifier", exact=True).click()
    wait_for_app(page)
    screenshot(page, "grille-verifiee")
    problems = page.locator("[data-testid='stAlertContentError']")
    assert problems.count() == 0, problems.first.inner_text() + " (voir test-artifacts/grille-verifiee.png)"
    page.get_by_text(re.compile(r"Fichier valide : \d+ ligne\(s\) prêtes à publier\.")).wait_for(timeout=30_000)
    wait_for_app(page)
    screenshot(page, "grille-verifiee")
    step("vérification")
    page.get_by_role("button", name="Publier", exact=True).click()
    page.get_by_text(re.compile(rf"Publié : projets siilab {fmt_quarter(quarter)}")).wait_for(timeout=30_000)
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "grille-publiee")
    step("publication")

    total = steps[-1][1]
    report = "\n".join(f"{seconds:6.1f} s  {name}" for name, seconds in steps)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "grid-timings.txt").write_text(report + "\n", encoding="utf-8")
    print(report)   # a measure, not an assertion (no timed tests): docs/benchmarks.md quotes it
    assert total > 0

    # the same pre-filled rows as a file, for those who prefer their spreadsheet (audited as an export)
    page.get_by_text("Modèles à télécharger et dictionnaire des données").click()
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name="Modèle pré-rempli CSV (;)").click()
    assert download.value.suggested_filename == f"projets_siilab_{quarter}.csv"
    lines = open(download.value.path(), encoding="utf-8-sig").read().splitlines()
    assert lines[0].startswith("id_projet;titre;thematique;statut;date_debut") and len(lines) == rows + 1
    assert lines[1].startswith(f"{first['id_projet']};")

    streamlit_server.stop()   # the app holds the database: read what was published once it has stopped
    with Store(demo_copy, read_only=True) as store:
        published = store.query(
            "SELECT s.project_id, s.status, s.users_involved, s.title, s.theme, s.started_on FROM project_snapshots s "
            "JOIN report_versions v USING (version_id) WHERE v.kind = 'projets' AND v.lab_id = 'siilab' "
            "AND v.quarter = ? AND v.is_current AND NOT v.is_demo ORDER BY s.project_id", [quarter])
        exported = store.scalar("SELECT count(*) FROM audit_log WHERE action = 'export' AND actor = ? AND target = ?",
                                ["demo-porteur-siilab@lit.example", f"modèle projets siilab {quarter} pré-rempli (csv)"])
    assert exported == 1
    assert len(published) == rows + 1
    assert published[0][:3] == (first["id_projet"], new_stage, users)
    assert published[-1] == ("P-2026-099", "émergence", None, "Accueil des nouveaux arrivants", "Santé",
                             date(start.year, start.month + 1, start.month + 1))
