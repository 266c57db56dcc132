"""Laboratoires: a searchable directory and the profile of one lab (facts with their source, activity, money)."""

from datetime import date

import streamlit as st

from lit_analytics import catalogue, indicators, presentation, reference, ui
from lit_analytics.formats import fmt_eur, fmt_int, fmt_quarter
from lit_analytics.presentation import screen_tables
from lit_analytics.registry import labs as registry_labs
from lit_analytics.ui.auth import require_actor
from lit_analytics.ui.meteo import lab_meteo

actor = require_actor()  # defence in depth: app.py already gates every page

filters = ui.sidebar_filters()

st.title("Laboratoires")
search = st.text_input("Rechercher un laboratoire", key="labo_recherche",
                       placeholder="nom, ville, région, thème ou porteur")
directory = ui.query(screen_tables.lab_directory_table, filters, search)
st.caption(f"{fmt_int(len(directory))} laboratoire(s) · périmètre : {ui.query(presentation.scope_text, filters)}")
ui.show_table(directory, empty_message="Aucun laboratoire ne correspond à cette recherche ou à ces filtres.")

if not directory.empty:
    options = list(directory["Identifiant"])
    names = dict(zip(directory["Identifiant"], directory["Laboratoire"]))
    preferred = next((lab for lab in filters.labs if lab in names), options[0])
    if st.session_state.get("labo_fiche") not in names:
        st.session_state["labo_fiche"] = preferred
    lab_id = st.selectbox("Fiche du laboratoire", options=options, format_func=names.get, key="labo_fiche")

    st.header(names[lab_id])
    state = ui.query(registry_labs.lab_state, lab_id)
    if state:
        st.caption(state)
    facts, figures = st.columns([3, 2])
    with facts:
        st.subheader("Ce que l'on sait, et d'où")
        ui.show_table(ui.query(screen_tables.lab_facts_table, lab_id))
        profile = ui.query(indicators.lab_profile, lab_id)
        if profile and profile.get("assumptions"):
            st.warning("**Valeurs supposées ou de démonstration** (ne pas citer comme des faits) : "
                       f"{profile['assumptions']}.", icon=":material/warning:")
        st.markdown("**Sources publiques, fait par fait**\n\n"
                    + ui.query(reference.lab_sources_text, lab_id))
        st.markdown("**Historique des modifications** (référentiel, depuis l'installation)")
        ui.show_table(ui.query(registry_labs.history, lab_id),
                      empty_message="Aucune modification depuis le chargement du référentiel.")
    lab_filters = filters.with_(labs=(lab_id,), regions=(), cohort=None, lab_status="tous")
    h = ui.query(indicators.headline, lab_filters, date.today())
    with figures:
        st.subheader("Sur la période")
        a, b = st.columns(2)
        a.metric("Projets", fmt_int(h.projects))
        b.metric("Sessions de formation", fmt_int(h.sessions))
        a.metric("Participants", fmt_int(h.participants))
        b.metric("Montant engagé", fmt_eur(h.committed_total))
    st.subheader("Ce qui a changé ce trimestre")
    reported = ui.query(indicators.lab_report_quarters, lab_id)
    if not reported:
        st.caption("Aucun rapport trimestriel publié pour ce laboratoire.")
    else:
        changed_in = st.selectbox("Trimestre", reported, format_func=fmt_quarter, key=f"labo_trimestre_{lab_id}")
        ui.show_table(ui.query(screen_tables.quarter_changes_table, lab_id, changed_in))
        st.caption("Comparaison avec le rapport du trimestre précédent, projet par projet (même identifiant) ; "
                   "sessions tenues pendant le trimestre.")
    lab_meteo(ui.get_store(), actor, lab_id)
    for spec in catalogue.charts_for_page("laboratoires"):
        ui.show_chart(ui.chart(spec.id, lab_filters), key=f"chart-labo-{spec.id}")
    st.subheader("Tranches de financement")
    ui.show_table(ui.query(screen_tables.lab_tranches_table, lab_id),
                  empty_message="Aucune tranche de financement enregistrée pour ce laboratoire.")
