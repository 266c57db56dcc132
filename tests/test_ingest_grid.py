"""Entry in the browser: the grid of the page « Dépôt trimestriel » (AppTest with `st.data_editor`) starts
pre-filled, is verified by the file verification (same French messages, pointing at the grid's row and column)
and publishes the same rows as the file path. Also: a file of the other report is recognised."""

import json
import shutil
from datetime import date

import pandas as pd
import pytest

from conftest import ADMIN, PORTEUR, SESSIONS_HEADER, make_app_test
from lit_analytics import ingest
from lit_analytics.ingest import grid, recognise
from lit_analytics.store import Store

PORTFOLIO = ("id_projet;titre;thematique;statut;date_debut;date_fin;types_partenaires;usagers_impliques;"
             "agents_impliques;budget_eur\n"
             "P-01;Courriers en langage clair;Relation aux usagers;expérimentation;15/03/2021;;collectivité, usagers;"
             "120;14;12 500,5\n"
             "P-02;Tiers-lieu des agents;Ressources humaines et management;terminé;01/02/2020;30/06/2021;;;;\n"
             "P-03;Données ouvertes de l'eau;Numérique et données;conception;01/07/2021;;recherche;;3;\n").encode()
# What the lab lead reports for T4 2021: P-01 moved to « déploiement », P-03 is dropped, P-05 is new.
T4_FILE = ("id_projet;titre;thematique;statut;date_debut;date_fin;types_partenaires;usagers_impliques;"
           "agents_impliques;budget_eur\n"
           "P-01;Courriers en langage clair;Relation aux usagers;déploiement;15/03/2021;;collectivité, usagers;"
           "150;14;12500,5\n"
           "P-05;Accueil des nouveaux arrivants;Relation aux usagers;émergence;02/11/2021;;;;2;\n").encode()
GRID_KEY = "grid-projets-siilab-2021-T4-0"   # the page's key: report, lab, quarter, versions of it so far


@pytest.fixture
def portfolio_db(ref_db_path, tmp_path):
    """A reference database where Siilab published its T3 2021 portfolio; closed (the app opens it)."""
    path = tmp_path / "grid.duckdb"
    shutil.copy(ref_db_path, path)
    with Store(path) as store:
        assert ingest.publish(store, PORTFOLIO, "p.csv", kind="projets", lab_id="siilab", quarter="2021-T3",
                              actor=ADMIN).outcome == ingest.PUBLISHED
    return path


def grid_page(db, actor=PORTEUR, kind="projets", quarter="2021-T4"):
    at = make_app_test(db, page="pages/depot.py", actor=actor).run()
    at.selectbox(key="depot_kind").set_value(kind).run()
    at.selectbox(key="depot_quarter").set_value(quarter).run()
    at.radio(key="depot_mode").set_value("grille").run()
    assert not at.exception, at.exception
    return at


def current_rows(db, kind="projets", quarter="2021-T4"):
    """The current rows of Siilab's report and the upload history, read through the app's own store (a
    process opens a database file once: the AppTest's page holds it)."""
    from lit_analytics.bootstrap import app_store
    store = app_store(db)
    version = store.scalar("SELECT version_id FROM report_versions WHERE kind = ? AND lab_id = 'siilab' "
                           "AND quarter = ? AND is_current", [kind, quarter])
    return ingest.version_rows(store, version, kind), ingest.history(store)


def test_the_grid_starts_prefilled_and_publishes_the_same_rows_as_the_file(portfolio_db, tmp_path):
    file_db = tmp_path / "file.duckdb"
    shutil.copy(portfolio_db, file_db)
    with Store(file_db) as store:
        assert ingest.publish(store, T4_FILE, "projets_t4.csv", kind="projets", lab_id="siilab", quarter="2021-T4",
                              actor=PORTEUR).outcome == ingest.PUBLISHED

    at = grid_page(portfolio_db)
    editor = at.data_editor[0]
    start = editor.value
    assert list(start["id_projet"]) == ["P-01", "P-03"]   # P-02 finished: not carried over
    assert list(start.index) == [1, 2]                     # rows numbered as the error messages number them
    assert editor.editing_mode == "dynamic"
    # headers in the users' words (the Table Schema's titles), the description and the file's identifier as help
    columns = json.loads(editor.proto.columns)
    assert columns["date_debut"]["label"] == "Date de début"
    assert columns["usagers_impliques"]["label"] == "Usagers impliqués"
    assert columns["types_partenaires"]["help"].startswith("Types de partenaires associés")
    assert "« types_partenaires »" in columns["types_partenaires"]["help"]
    assert not {c["label"] for c in columns.values()} & set(ingest.load_schema("projets").names)
    assert editor.proto.HasField("placeholder") and editor.proto.placeholder == ""   # blank, not « None »
    assert any("2 projet(s) en cours" in c.value for c in at.caption)
    # the lab lead edits a cell, removes a row, adds a row; then « Vérifier », then « Publier »
    at.session_state[GRID_KEY] = {
        "edited_rows": {0: {"statut": "déploiement", "usagers_impliques": 150}},
        "added_rows": [{"id_projet": "P-05", "titre": "Accueil des nouveaux arrivants",
                        "thematique": "Relation aux usagers", "statut": "émergence", "date_debut": "2021-11-02",
                        "agents_impliques": 2}],
        "deleted_rows": [1]}
    at.run()
    at.button(key="grid_verify").click().run()
    assert not at.exception, at.exception
    assert any("Fichier valide : 2 ligne(s)" in s.value for s in at.success), [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Lignes ajoutées"] == "2"
    at.button(key="depot_publish").click().run()
    assert not at.exception, at.exception
    assert any("Publié : projets siilab T4 2021" in s.value for s in at.success)

    grid_rows, history = current_rows(portfolio_db)
    with Store(file_db) as store:
        file_rows = ingest.version_rows(store, store.scalar(
            "SELECT version_id FROM report_versions WHERE kind = 'projets' AND quarter = '2021-T4'"), "projets")
    pd.testing.assert_frame_equal(grid_rows, file_rows)          # the same rows, value for value
    assert history.iloc[0]["file_name"] == "saisie-navigateur_projets_siilab_2021-T4.csv"
    assert history.iloc[0]["outcome"] == "publié" and history.iloc[0]["user_email"] == PORTEUR.email
    # after publishing, the grid shows the published report (to correct it: a new version)
    assert list(at.data_editor[0].value["id_projet"]) == ["P-01", "P-05"]


def test_grid_errors_point_at_the_grid_row_and_column_with_the_file_messages(portfolio_db):
    at = grid_page(portfolio_db)
    at.session_state[GRID_KEY] = {
        "edited_rows": {1: {"id_projet": "P-01"}},     # row 2 now repeats row 1's id
        "added_rows": [{"id_projet": "P-07", "titre": "Sans date", "thematique": "Santé", "statut": "émergence"}],
        "deleted_rows": []}
    at.run()
    at.button(key="grid_verify").click().run()
    assert not at.exception, at.exception
    assert any("2 erreur(s)" in e.value and "ligne de la grille" in e.value for e in at.error)
    errors = [d.value for d in at.dataframe if "Problème" in d.value.columns][0]
    assert list(errors[["Ligne de la grille", "Colonne"]].itertuples(index=False, name=None)) == [
        (2, "Identifiant du projet"), (3, "Date de début")]           # as the grid's headers say
    assert errors.iloc[0]["Problème"] == ("Identifiant « P-01 » en double (déjà ligne 1) : attendu un identifiant "
                                          "différent sur chaque ligne.")
    assert errors.iloc[1]["Problème"].startswith("Valeur manquante : « date_debut » (Date de début) est obligatoire")
    # the same messages as the same report sent as a file, where lines count the header
    data, labels = grid.to_file(pd.DataFrame({"id_projet": ["P-01", "P-01"]}).reindex(columns=ingest.load_schema(
        "projets").names), "projets")
    assert labels == [0, 1]
    assert not [b for b in at.button if b.key == "depot_publish"]


def test_sessions_grid_starts_empty_and_accepts_typed_values(portfolio_db):
    at = grid_page(portfolio_db, kind="sessions", quarter="2021-T3")
    assert at.data_editor[0].value.empty
    at.session_state["grid-sessions-siilab-2021-T3-0"] = {"edited_rows": {}, "deleted_rows": [], "added_rows": [
        {"id_session": "S-1", "date": "2021-07-05", "intitule": "Atelier", "format": "atelier", "duree_heures": 2.5,
         "participants_agents": 8}]}
    at.run()
    at.button(key="grid_verify").click().run()
    assert any("Fichier valide : 1 ligne(s)" in s.value for s in at.success), [e.value for e in at.error]
    at.button(key="depot_publish").click().run()
    rows, _ = current_rows(portfolio_db, "sessions", "2021-T3")
    assert rows.iloc[0]["date"] == pd.Timestamp(date(2021, 7, 5)) and rows.iloc[0]["duree_heures"] == 2.5


def test_to_file_writes_the_csv_a_lab_lead_would_have_saved():
    rows = pd.DataFrame({"id_projet": ["P-01"], "titre": ["=1+1"], "thematique": ["Santé"], "statut": ["conception"],
                         "date_debut": [date(2021, 3, 15)], "date_fin": [None],
                         "types_partenaires": [["collectivité", "usagers"]], "usagers_impliques": [120.0],
                         "agents_impliques": [None], "budget_eur": [12500.5]}, index=[3])
    data, labels = grid.to_file(rows, "projets")
    assert data.decode("utf-8-sig").splitlines()[1] == \
        "P-01;'=1+1;Santé;conception;15/03/2021;;collectivité, usagers;120;;12500,5"
    assert labels == [3]


def test_a_sessions_file_uploaded_as_projects_is_recognised_with_a_one_click_switch(portfolio_db):
    sessions = (SESSIONS_HEADER + "\nS-01;05/07/2021;Atelier;atelier;2;8;\n").encode()
    assert recognise.other_kind(sessions, "s.csv", "projets") == "sessions"
    assert recognise.other_kind(PORTFOLIO, "p.csv", "projets") is None
    assert recognise.other_kind(PORTFOLIO, "p.csv", "sessions") == "projets"
    at = make_app_test(portfolio_db, page="pages/depot.py", actor=PORTEUR).run()
    at.selectbox(key="depot_quarter").set_value("2021-T3").run()
    assert at.selectbox(key="depot_kind").value == "projets"   # the default
    at.file_uploader[0].set_value(("sessions.csv", sessions, "text/csv")).run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [recognise.message("sessions")]
    assert "Ce fichier ressemble à un rapport de sessions" in at.warning[0].value
    assert not at.error                                            # no « colonne obligatoire absente »
    at.button(key="depot_switch").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="depot_kind").value == "sessions"
    assert any("Fichier valide : 1 ligne(s)" in s.value for s in at.success)
    at.button(key="depot_publish").click().run()
    rows, history = current_rows(portfolio_db, "sessions", "2021-T3")
    assert list(rows["id_session"]) == ["S-01"] and history.iloc[0]["file_name"] == "sessions.csv"
    assert "rejeté" not in set(history["outcome"])                 # the mistaken kind was not registered


def test_a_reminder_link_opens_the_form_on_its_lab_quarter_and_report(portfolio_db):
    at = make_app_test(portfolio_db, page="pages/depot.py", actor=PORTEUR)
    at.query_params.update({"lab": "siilab", "trimestre": "2021-T2", "rapport": "sessions"})
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="depot_kind").value == "sessions"
    assert at.selectbox(key="depot_quarter").value == "2021-T2"


def test_the_import_command_says_which_report_a_file_looks_like(ref_store, tmp_path, capsys):
    from lit_analytics import cli
    ref_store.close()
    path = tmp_path / "sessions.csv"
    path.write_bytes((SESSIONS_HEADER + "\nS-01;05/07/2021;Atelier;atelier;2;8;\n").encode())
    code = cli.main(["import", "--db", str(ref_store.path), "--user", PORTEUR.email, "--lab", "siilab",
                     "--quarter", "T3 2021", "--kind", "projets", "--dry-run", str(path)])
    assert code == 1
    assert "Ce fichier ressemble à un rapport de sessions" in capsys.readouterr().out
