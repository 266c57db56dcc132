"""The pages « Dépôt trimestriel » and « Suivi des dépôts », run by Streamlit's AppTest on a demo database."""

import pytest

from conftest import ADMIN, ANALYSTE, PORTEUR, make_app_test, read

GOOD = ("id_session;date;intitule;format;duree_heures;participants_agents;participants_autres\n"
        "S-01;05/07/2021;Atelier;Atelier;2;8;\nS-02;16/09/2021;Formation;formation;3,5;12;4\n").encode()


def table_with(at, column):
    """The dataframe shown on the page that has `column` (dataframes are not addressable by key in AppTest)."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, column
    return frames[0]


def depot(db, actor, kind="sessions", lab="siilab", quarter="2021-T3"):
    at = make_app_test(db, page="pages/depot.py", actor=actor).run()
    assert not at.exception, at.exception
    at.selectbox(key="depot_kind").set_value(kind).run()
    if lab:
        at.selectbox(key="depot_lab").set_value(lab).run()
        at.selectbox(key="depot_quarter").set_value(quarter).run()
    assert not at.exception, at.exception
    return at


def test_a_lab_lead_sees_only_their_lab_and_the_lab_kinds(demo_copy):
    at = make_app_test(demo_copy, page="pages/depot.py", actor=PORTEUR).run()
    assert not at.exception
    assert at.selectbox(key="depot_lab").options == ["Siilab"]
    assert at.selectbox(key="depot_kind").options == [
        "Projets (portefeuille en fin de trimestre)", "Sessions de formation du trimestre"]


def test_an_analyst_cannot_upload(demo_copy):
    at = make_app_test(demo_copy, page="pages/depot.py", actor=ANALYSTE).run()
    assert not at.exception
    assert any("ne permet pas de déposer" in i.value for i in at.info)
    assert not at.get("file_uploader")


def test_upload_report_then_publish_then_restore(demo_copy):
    at = depot(demo_copy, ADMIN)
    at.file_uploader[0].set_value(("rapport.csv", GOOD, "text/csv")).run()
    assert not at.exception, at.exception
    assert any("Fichier valide : 2 ligne(s)" in s.value for s in at.success)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Lignes ajoutées"] == "2"
    assert any("avertissement" in w.value for w in at.warning)
    at.button(key="depot_publish").click().run()
    assert not at.exception, at.exception
    assert any("Publié : sessions siilab T3 2021" in s.value for s in at.success)
    history = table_with(at, "Résultat")
    assert history.iloc[0]["Résultat"] == "publié" and history.iloc[0]["Fichier"] == "rapport.csv"
    versions = table_with(at, "Publiée le")
    assert list(versions["En vigueur"]) == ["oui", ""]
    at.button(key="depot_restore").click().run()
    assert not at.exception, at.exception
    assert any("restaurée" in s.value for s in at.success)
    assert list(table_with(at, "Publiée le")["En vigueur"]) == ["", "oui"]   # the demo version is back


def test_a_bad_file_shows_every_error_with_line_and_column_and_is_registered(demo_copy):
    at = depot(demo_copy, PORTEUR)
    at.file_uploader[0].set_value(("faux.csv", read("blank_lines_then_error.csv", "bad"), "text/csv")).run()
    assert not at.exception, at.exception
    assert any("1 erreur(s)" in e.value for e in at.error)
    errors = table_with(at, "Problème")
    assert list(errors[["Ligne", "Colonne"]].itertuples(index=False, name=None)) == [(6, "participants_agents")]
    assert not [b for b in at.button if b.key == "depot_publish"]
    history = table_with(at, "Résultat")
    assert list(history["Résultat"]) == ["rejeté"]
    at.run()   # a rerun verifies the same file again: still registered once (verify is idempotent)
    assert list(table_with(at, "Résultat")["Résultat"]) == ["rejeté"]
    assert "depot_registered" not in at.session_state


def test_reporting_grid_shows_one_status_symbol_per_lab_and_quarter(demo_copy):
    at = make_app_test(demo_copy, page="pages/suivi_depots.py", actor=ANALYSTE).run()
    assert not at.exception, at.exception
    labels = {m.label for m in at.metric}
    assert labels == {"Rapports reçus", "Rapports en retard", "Rapports attendus"}
    grid = at.dataframe[0].value
    assert len(grid.columns) == 8 and grid.index.name == "Laboratoire"
    values = {v for row in grid.itertuples(index=False) for v in row}
    assert values <= {"✔ reçu", "✖ en retard", "… attendu", "◐ partiel", ""}


@pytest.mark.parametrize("page", ["pages/depot.py", "pages/suivi_depots.py"])
def test_pages_ask_for_sign_in(demo_copy, page):
    at = make_app_test(demo_copy, page=page).run()
    assert not at.exception
    assert not at.get("file_uploader")
