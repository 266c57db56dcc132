"""Laboratoires: a searchable directory and the profile of one lab (facts with their source, activity, money)."""

import streamlit as st

from lit_analytics import catalogue, indicators, reference, screen_tables, ui
from lit_analytics.formats import fmt_eur, fmt_int
from lit_analytics.ui.auth import require_actor

require_actor()  # defence in depth: app.py already gates every page

filters = ui.sidebar_filters()

st.title("Laboratoires")
search = st.text_input("Rechercher un laboratoire", key="labo_recherche",
                       placeholder="nom, ville, région, thème ou porteur")
directory = ui.query(screen_tables.lab_directory_table, filters, search)
st.caption(f"{fmt_int(len(directory))} laboratoire(s) · périmètre : {ui.query(catalogue.scope_text, filters)}")
ui.show_table(directory, empty_message="Aucun laboratoire ne correspond à cette recherche ou à ces filtres.")

if not directory.empty:
    options = list(directory["Identifiant"])
    names = dict(zip(directory["Identifiant"], directory["Laboratoire"]))
    preferred = next((lab for lab in filters.labs if lab in names), options[0])
    if st.session_state.get("labo_fiche") not in names:
        st.session_state["labo_fiche"] = preferred
    lab_id = st.selectbox("Fiche du laboratoire", options=options, format_func=names.get, key="labo_fiche")

    st.header(names[lab_id])
    facts, figures = st.columns([3, 2])
    with facts:
        st.subheader("Ce que l'on sait, et d'où")
        ui.show_table(ui.query(screen_tables.lab_facts_table, lab_id))
        profile = ui.query(indicators.lab_profile, lab_id)
        if profile and profile.get("assumptions"):
            st.warning("**Valeurs supposées ou de démonstration** (ne pas citer comme des faits) : "
                       f"{profile['assumptions']}.", icon="⚠️")
        st.markdown("**Sources publiques, fait par fait**")
        st.markdown(reference.lab_sources_markdown(ui.query(reference.lab_sources, lab_id)))
    lab_filters = filters.with_(labs=(lab_id,), regions=(), cohort=None, lab_status="tous")
    h = ui.query(indicators.headline, lab_filters)
    with figures:
        st.subheader("Sur la période")
        a, b = st.columns(2)
        a.metric("Projets", fmt_int(h.projects))
        b.metric("Sessions de formation", fmt_int(h.sessions))
        a.metric("Participants", fmt_int(h.participants))
        b.metric("Montant engagé", fmt_eur(h.committed_total))
    for spec in catalogue.charts_for_page("laboratoires"):
        ui.show_chart(ui.chart(spec.id, lab_filters), key=f"chart-labo-{spec.id}")
    st.subheader("Tranches de financement")
    ui.show_table(ui.query(screen_tables.lab_tranches_table, lab_id),
                  empty_message="Aucune tranche de financement enregistrée pour ce laboratoire.")
