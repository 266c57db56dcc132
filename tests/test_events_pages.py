"""The pages of events, alerts and definitions, run by Streamlit's AppTest on the demo database: an administrator
adds an event on « Événements » and the overview's time chart marks it (its figure and its data table); the data
alerts and their thresholds on « Suivi des dépôts »; « Définitions » searched, and reached from a chart's link."""

import json
from datetime import date

from conftest import ADMIN, ANALYSTE, PORTEUR, make_app_test
from lit_analytics import alerts, audit
from lit_analytics.presentation.events import MARKS_COLUMN
from lit_analytics.store import Store


def run(db, page, actor):
    at = make_app_test(db, page, actor=actor)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def annotation_texts(at) -> list[str]:
    return [a.get("text", "") for el in at.get("plotly_chart")
            for a in json.loads(el.proto.spec)["layout"].get("annotations", [])]


def test_an_administrator_adds_an_event_and_sees_it_marked_on_a_time_chart(demo_copy):
    at = run(demo_copy, "pages/evenements.py", ADMIN)
    assert [t.value for t in at.title] == ["Événements"]
    assert "Annonce des 12 lauréats" in set(at.dataframe[0].value["Libellé"])
    at.date_input(key="event_new_date").set_value(date(2021, 2, 10))
    at.text_input(key="event_new_label").input("Comité de pilotage")
    at.button(key="FormSubmitter:event_add-Ajouter l'événement").click().run()
    assert not at.exception, at.exception
    assert any("Événement ajouté : « Comité de pilotage »" in s.value for s in at.success)
    assert "Comité de pilotage" in set(at.dataframe[0].value["Libellé"])

    home = run(demo_copy, "pages/accueil.py", ADMIN)
    assert any("Comité de pilotage" in text for text in annotation_texts(home))
    home.session_state["chart-accueil-evolution-table"] = True     # the chart's data table, opened (drawn when open)
    home.run()
    tables = [df.value for df in home.dataframe if MARKS_COLUMN in df.value.columns]
    assert any(table[MARKS_COLUMN].str.contains("10/02/2021 : Comité de pilotage").any() for table in tables)
    with Store(demo_copy, read_only=True) as store:
        entry = audit.events(store).iloc[0]
    assert (entry["actor"], entry["action"]) == (ADMIN.email, "ajout d'un événement")


def test_an_administrator_edits_and_removes_an_event(demo_copy):
    at = run(demo_copy, "pages/evenements.py", ADMIN)
    at.selectbox(key="event_chosen").set_value(2).run()
    at.text_input(key="event_edit_2_label").input("Nouvelle ambition de la DITP")
    at.button(key="FormSubmitter:event_edit_2-Enregistrer").click().run()
    assert not at.exception, at.exception
    assert "Nouvelle ambition de la DITP" in set(at.dataframe[0].value["Libellé"])
    at.selectbox(key="event_chosen").set_value(2).run()
    at.button(key="event_remove_2").click().run()
    assert not at.exception, at.exception
    assert "Nouvelle ambition de la DITP" not in set(at.dataframe[0].value["Libellé"])


def test_events_are_for_administrators_only(demo_copy):
    at = run(demo_copy, "pages/evenements.py", ANALYSTE)
    assert "Événements" not in [t.value for t in at.title]


def test_the_follow_up_page_lists_the_data_alerts_and_administrators_set_their_thresholds(demo_copy):
    at = run(demo_copy, "pages/suivi_depots.py", ADMIN)
    with Store(demo_copy, read_only=True) as store:
        expected = alerts.data_alerts(store, date.today())
    header = next(s.value for s in at.subheader if s.value.startswith("Alertes sur les données"))
    assert header == f"Alertes sur les données ({len(expected)})"
    if expected:
        shown = next(df.value for df in at.dataframe if "Alerte" in df.value.columns)
        assert list(shown["Détail"]) == [a.text for a in expected]
    at.number_input(key="alert_quarters_without_report").set_value(1)
    at.number_input(key="alert_drop_share_pct").set_value(30)
    at.button(key="FormSubmitter:alert_thresholds-Enregistrer les seuils").click().run()
    assert not at.exception, at.exception
    assert any("Seuils des alertes enregistrés" in s.value for s in at.success)
    with Store(demo_copy, read_only=True) as store:
        assert alerts.thresholds(store)["drop_share_pct"] == 30
        entry = audit.events(store).iloc[0]
        assert entry["action"] == "modification des seuils d'alerte" and "50 → 30" in entry["detail"]
        assert len(alerts.data_alerts(store, date.today())) >= len(expected)

    analyst = run(demo_copy, "pages/suivi_depots.py", ANALYSTE)
    assert not [n for n in analyst.number_input if n.key == "alert_drop_share_pct"]


def test_a_lab_lead_sees_only_the_alerts_of_their_lab(demo_copy):
    at = run(demo_copy, "pages/suivi_depots.py", PORTEUR)
    tables = [df.value for df in at.dataframe if "Alerte" in df.value.columns]
    for table in tables:
        assert set(table["Laboratoire"]) <= {"Siilab"}


def test_definitions_are_searchable_and_each_chart_links_to_its_own(demo_copy):
    at = run(demo_copy, "pages/definitions.py", PORTEUR)
    text = " ".join(m.value for m in at.markdown)
    assert "Projets par étape" in text and "Date de début (date_debut)" in text
    assert "Orage** — Objectifs compromis" in text
    at.text_input(key="definitions_search").input("duree_heures").run()
    text = " ".join(m.value for m in at.markdown)
    assert "Durée (heures) (duree_heures)" in text and "Projets par étape" not in text

    home = run(demo_copy, "pages/accueil.py", ANALYSTE)
    links = [el for el in home.get("page_link")]
    assert links and all(link.proto.label == "Toutes les définitions" for link in links)
    linked = make_app_test(demo_copy, "pages/definitions.py", actor=ANALYSTE)
    linked.query_params["terme"] = "Évolution de l'activité"
    linked.run()
    assert not linked.exception
    assert linked.text_input(key="definitions_search").value == "Évolution de l'activité"
    assert any("Nombre cumulé, depuis le début de la période" in m.value for m in linked.markdown)
