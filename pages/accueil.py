"""Vue d'ensemble: the programme's headline figures, their evolution, and the DITP's published figures."""

import streamlit as st

from lit_analytics import catalogue, domain, indicators, reference, screen_tables, ui
from lit_analytics.formats import fmt_eur, fmt_int
from lit_analytics.ui.auth import require_actor

require_actor()  # defence in depth: app.py already gates every page

filters = ui.sidebar_filters()

st.title("Laboratoires d'innovation territoriale")
st.caption("Suivi du programme piloté par la DITP : laboratoires financés, projets, formations et financements. "
           f"Périmètre : {ui.query(catalogue.scope_text, filters)}.")

h = ui.query(indicators.headline, filters)

cols = st.columns(5)
cols[0].metric("Laboratoires financés", fmt_int(h.labs_funded))
cols[1].metric("Laboratoires actifs", fmt_int(h.labs_active))
cols[2].metric("Projets", fmt_int(h.projects))
cols[3].metric("Sessions de formation", fmt_int(h.sessions))
cols[4].metric("Participants", fmt_int(h.participants))

st.subheader("Montants engagés par source")
cols = st.columns(len(domain.FUNDING_SOURCES) + 1)
for col, source in zip(cols, domain.FUNDING_SOURCES):
    col.metric(source, fmt_eur(h.committed_by_source[source]))
cols[-1].metric("Total", fmt_eur(h.committed_total))

st.subheader("Montants versés par source")
cols = st.columns(len(domain.FUNDING_SOURCES) + 1)
for col, source in zip(cols, domain.FUNDING_SOURCES):
    col.metric(f"{source} versé", fmt_eur(h.paid_by_source[source]))
cols[-1].metric("Total versé", fmt_eur(sum(h.paid_by_source.values())))

st.caption(ui.data_caption())

stages, activity, reference_chart = catalogue.PAGE_CHARTS["accueil"]
left, right = st.columns(2)
with left:
    ui.show_chart(ui.chart(stages, filters), key="chart-accueil-etapes")
with right:
    ui.show_chart(ui.chart(activity, filters), key="chart-accueil-evolution")

st.subheader("Ce que la DITP a publié, et ce que disent les données")
ui.show_chart(ui.chart(reference_chart, filters), key="chart-accueil-reference", table_open=True)
st.markdown(reference.published_figures_markdown(ui.query(reference.published_figures)))

st.subheader("Derniers rapports publiés")
ui.show_table(ui.query(screen_tables.latest_reports_table, filters),
              empty_message="Aucun rapport publié pour ces filtres.")
