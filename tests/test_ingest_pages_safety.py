"""The page « Dépôt trimestriel » under issue 10: the file name shown as text, a publish refused when the version
reviewed is no longer current, a hostile file answered in French (AppTest on a demo database)."""

from conftest import make_app_test
from conftest import ADMIN
from lit_analytics import ingest, ui
from devtools.hostile_files import xlsx_declared_xfd

GOOD = ("id_session;date;intitule;format;duree_heures;participants_agents;participants_autres\n"
        "S-01;05/07/2021;Atelier;atelier;2;8;\n").encode()


def depot(db):
    at = make_app_test(db, page="pages/depot.py", actor=ADMIN).run()
    at.selectbox(key="depot_kind").set_value("sessions").run()
    at.selectbox(key="depot_lab").set_value("siilab").run()
    at.selectbox(key="depot_quarter").set_value("2021-T3").run()
    assert not at.exception, at.exception
    return at


def test_an_uploaded_file_name_is_shown_as_text(demo_copy):
    at = depot(demo_copy)
    at.file_uploader[0].set_value(("[cliquez ici](https://phishing.example).csv", GOOD, "text/csv")).run()
    assert not at.exception, at.exception
    (caption,) = [c.value for c in at.caption if "cliquez" in c.value]
    assert caption.startswith("\\[cliquez ici\\]\\(https\\://phishing\\.example\\)\\.csv — ")


def test_publishing_after_someone_else_changed_the_report_is_refused(demo_copy):
    at = depot(demo_copy)
    at.file_uploader[0].set_value(("rapport.csv", GOOD, "text/csv")).run()
    assert any("Fichier valide" in s.value for s in at.success)
    other = GOOD.replace(b"Atelier", b"Atelier bis")   # meanwhile, another administrator publishes
    ingest.publish(ui.get_store(), other, "autre.csv", kind="sessions", lab_id="siilab", quarter="2021-T3",
                   actor=ADMIN)
    at.button(key="depot_publish").click().run()
    assert not at.exception, at.exception
    assert any("a changé depuis votre vérification" in e.value for e in at.error)
    assert not any("Publié" in s.value for s in at.success)
    at.button(key="depot_publish").click().run()              # after looking at the updated verification
    assert any("Publié : sessions siilab T3 2021" in s.value for s in at.success)


def test_a_hostile_workbook_gets_a_french_error_not_a_traceback(demo_copy):
    at = depot(demo_copy)
    at.file_uploader[0].set_value(("rapport.xlsx", xlsx_declared_xfd(), "application/octet-stream")).run()
    assert not at.exception, at.exception
    assert any("erreur(s)" in e.value for e in at.error)
    frame = [d.value for d in at.dataframe if "Problème" in d.value.columns][0]
    assert "A1:XFD3002" in frame.iloc[0]["Problème"]
