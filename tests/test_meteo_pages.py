"""The météo on the pages, run by Streamlit's AppTest on a demo database: a lab lead publishes it from the upload
page beside the quarter's report and says « Aucune session ce trimestre »; the DITP answers on the lab's profile;
the home page's « Météo des labs » filters by level."""

from conftest import ANALYSTE, PORTEUR, make_app_test
from lit_analytics.ingest import meteo
from lit_analytics.store import Store

QUARTER = "2021-T3"


def table_with(at, column):
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, column
    return frames[0]


def depot(db, actor=PORTEUR, kind="sessions"):
    at = make_app_test(db, page="pages/depot.py", actor=actor).run()
    at.selectbox(key="depot_kind").set_value(kind).run()
    at.selectbox(key="depot_lab").set_value("siilab").run()
    at.selectbox(key="depot_quarter").set_value(QUARTER).run()
    assert not at.exception, at.exception
    return at


def test_a_lab_lead_publishes_the_meteo_beside_the_report_and_a_short_text_is_refused(demo_copy):
    at = depot(demo_copy)
    key = f"siilab_{QUARTER}"
    at.radio(key=f"meteo_level_{key}").set_value("nuage")
    at.text_area(key=f"meteo_faits_marquants_{key}").set_value("Court")
    at.text_area(key=f"meteo_difficultes_freins_{key}").set_value("Poste de designer vacant")
    at.text_area(key=f"meteo_besoins_appui_{key}").set_value("Un appui juridique")
    at.button[[b.label for b in at.button].index("Publier la météo")].click().run()
    assert not at.exception, at.exception
    assert any("Faits marquants : Texte trop court" in e.value for e in at.error)
    at.text_area(key=f"meteo_faits_marquants_{key}").set_value("Lancement de l'accueil unique à Lille")
    at.button[[b.label for b in at.button].index("Publier la météo")].click().run()
    assert not at.exception, at.exception
    assert any("Publié : météo siilab T3 2021" in s.value for s in at.success)
    with Store(demo_copy) as store:
        got = meteo.current(store, "siilab", QUARTER)
    assert (got["level"], got["highlights"], got["published_by"]) == (
        "nuage", "Lancement de l'accueil unique à Lille", PORTEUR.email)


def test_nothing_to_declare_publishes_an_empty_sessions_report(demo_copy):
    at = depot(demo_copy)
    at.checkbox(key=f"nothing-sessions-siilab-{QUARTER}").check().run()
    assert not at.exception, at.exception
    assert any("Fichier valide : 0 ligne(s)" in s.value for s in at.success)
    at.button(key="depot_publish").click().run()
    assert not at.exception, at.exception
    with Store(demo_copy) as store:
        rows = store.query("SELECT v.published_by, count(s.session_id) FROM report_versions v "
                           "LEFT JOIN training_sessions s USING (version_id) WHERE v.kind = 'sessions' "
                           "AND v.lab_id = 'siilab' AND v.quarter = ? AND v.is_current GROUP BY 1", [QUARTER])
    assert rows == [(PORTEUR.email, 0)]


def test_the_ditp_answers_on_the_profile_and_the_home_page_filters_by_level(demo_copy):
    at = make_app_test(demo_copy, page="pages/laboratoires.py", actor=ANALYSTE).run()
    at.selectbox(key="labo_fiche").set_value("siilab").run()
    assert not at.exception, at.exception
    history = table_with(at, "Faits marquants")
    assert len(history) == 6 and all(t.startswith("Démonstration — ") for t in history["Faits marquants"])
    assert not [t for t in at.text_area if t.key == "meteo_comment_siilab"]     # the reply form, drawn once opened
    at.session_state["meteo-reply-siilab"] = True
    at.run()
    at.text_area(key="meteo_comment_siilab").set_value("Nous vous mettons en relation avec la DAJ.")
    at.button[[b.label for b in at.button].index("Enregistrer")].click().run()
    assert not at.exception, at.exception
    answers = table_with(at, "Faits marquants")["Réponses de la DITP"]
    assert "Nous vous mettons en relation avec la DAJ." in answers.iloc[0]

    home = make_app_test(demo_copy, page="pages/accueil.py", actor=ANALYSTE).run()
    assert not home.exception, home.exception
    every = table_with(home, "Besoins d'appui de la DITP")
    counts = table_with(home, "Laboratoires").astype({"Laboratoires": int})
    assert counts["Laboratoires"].sum() == len(every) > 5
    home.multiselect(key="meteo_niveaux").set_value(["orage"]).run()
    stormy = table_with(home, "Besoins d'appui de la DITP")
    assert len(stormy) == int(counts.set_index("Météo").loc["⚡ Orage", "Laboratoires"])
    assert set(stormy["Météo"]) <= {"⚡ Orage — objectifs compromis"}
