"""Vue d'ensemble: the programme's headline figures, their evolution, and the DITP's published figures."""

from datetime import date

import streamlit as st

from lit_analytics import catalogue, domain, indicators, presentation, reference, ui
from lit_analytics.formats import fmt_eur, fmt_int
from lit_analytics.presentation import screen_tables
from lit_analytics.ui.auth import require_actor
from lit_analytics.ui.meteo import national_table

require_actor()  # defence in depth: app.py already gates every page

filters = ui.sidebar_filters()

st.title("Laboratoires d'innovation territoriale")
st.caption("Suivi du programme piloté par la DITP : laboratoires financés, projets, formations et financements. "
           f"Périmètre : {ui.query(presentation.scope_text, filters)}.")

h = ui.query(indicators.headline, filters, date.today())
compared = ui.query(presentation.headline_changes, filters, date.today())   # same period a year earlier, or None

row = st.container(horizontal=True)   # one row of figures sharing the width (and wrapping on a phone)
ui.headline_metric(row, "Laboratoires financés", fmt_int(h.labs_funded), compared, "labs_funded")
ui.headline_metric(row, "Laboratoires actifs", fmt_int(h.labs_active), compared, "labs_active")
ui.headline_metric(row, "Projets", fmt_int(h.projects), compared, "projects")
ui.headline_metric(row, "Sessions de formation", fmt_int(h.sessions), compared, "sessions")
ui.headline_metric(row, "Participants", fmt_int(h.participants), compared, "participants")

st.subheader("Montants engagés par source")
row = st.container(horizontal=True)
for source in domain.FUNDING_SOURCES:
    ui.headline_metric(row, source, fmt_eur(h.committed_by_source[source]), compared, f"committed:{source}")
ui.headline_metric(row, "Total", fmt_eur(h.committed_total), compared, "committed_total")

st.subheader("Montants versés par source")
row = st.container(horizontal=True)
for source in domain.FUNDING_SOURCES:
    ui.headline_metric(row, f"{source} versé", fmt_eur(h.paid_by_source[source]), compared, f"paid:{source}")
ui.headline_metric(row, "Total versé", fmt_eur(sum(h.paid_by_source.values())), compared, "paid_total")

st.caption((compared.sentence if compared else "Pas de comparaison : la période un an plus tôt précède les données.")
           + "  \n" + ui.data_caption())

stages, activity, reference_chart = catalogue.PAGE_CHARTS["accueil"]
left, right = st.columns(2)
with left:
    ui.show_chart(ui.chart(stages, filters), key="chart-accueil-etapes")
with right:
    ui.show_chart(ui.chart(activity, filters), key="chart-accueil-evolution")

national_table(filters)

st.subheader("Ce que la DITP a publié, et ce que disent les données")
ui.show_chart(ui.chart(reference_chart, filters), key="chart-accueil-reference", table_open=True)
st.markdown(ui.query(reference.published_figures_text))

st.subheader("Derniers rapports publiés")
ui.show_table(ui.query(screen_tables.latest_reports_table, filters),
              empty_message="Aucun rapport publié pour ces filtres.")
