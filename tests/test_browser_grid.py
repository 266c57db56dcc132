"""End to end in a real headless Chromium: a lab lead who reported last quarter reports this quarter in the
browser, with no file: the link of a reminder opens the page on their lab and quarter, the grid comes pre-filled
with last quarter's open projects, they change a project's stage and a figure, verify, publish. The steps are
timed (printed, and written to test-artifacts/grid-timings.txt; docs/benchmarks.md quotes a run) and
screenshots land in test-artifacts/."""

import re
import time
from datetime import date

import pytest

from conftest import ARTIFACTS, open_app, screenshot, wait_for_app
from lit_analytics.domain import PROJECT_STATUSES
from lit_analytics.formats import fmt_quarter, quarter_of
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
    grid = page.locator("[data-testid='stDataFrame']").filter(has=page.locator("canvas")).last
    grid.wait_for(timeout=30_000)
    grid.scroll_into_view_if_needed()
    screenshot(page, "grille-pre-remplie")
    step("grille pré-remplie affichée")

    # The grid is a canvas (glide-data-grid): select the first cell of row 1, move with the arrow keys, edit.
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 110, box["y"] + 35 + 17)   # header row ≈ 35 px; « Ligne » column ≈ 75 px
    for _ in range(3):                                        # id_projet → titre → thematique → statut
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")                              # open the list of stages
    page.wait_for_timeout(300)
    page.keyboard.type(new_stage, delay=30)
    page.keyboard.press("Enter")                              # chosen; the selection moves down a row
    page.wait_for_timeout(300)
    page.keyboard.press("ArrowUp")                            # back to row 1 (the grid may have scrolled)
    for _ in range(4):                                        # date_debut, date_fin, types_partenaires, usagers
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")                              # open the cell's editor
    page.wait_for_timeout(300)
    page.keyboard.press("Control+A")
    page.keyboard.type(str(users), delay=50)
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    step("deux cases modifiées (étape d'un projet, nombre d'usagers)")

    page.get_by_role("button", name="Vérifier", exact=True).click()
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

    streamlit_server.stop()   # the app holds the database: read what was published once it has stopped
    with Store(demo_copy, read_only=True) as store:
        rows = dict(store.query(
            "SELECT s.status, s.users_involved FROM project_snapshots s JOIN report_versions v USING (version_id) "
            "WHERE v.kind = 'projets' AND v.lab_id = 'siilab' AND v.quarter = ? AND v.is_current "
            "AND NOT v.is_demo ORDER BY s.project_id LIMIT 1", [quarter]))
    assert rows == {new_stage: users}
