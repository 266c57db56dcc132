"""Vue d'ensemble: the programme's headline figures."""

import streamlit as st

from lit_analytics import domain, indicators, ui
from lit_analytics.formats import fmt_eur, fmt_int

st.title("Laboratoires d'innovation territoriale")
st.caption("Suivi du programme piloté par la DITP : laboratoires financés, projets, formations et financements.")

h = ui.query(indicators.headline)

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

st.caption(ui.data_caption())
