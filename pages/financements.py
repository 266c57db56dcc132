"""Financements: money over time by source, committed and paid, by lab and region; the PIA rules checked."""

import streamlit as st

from lit_analytics import indicators, ui
from lit_analytics.ui_auth import require_actor

require_actor()  # defence in depth: app.py already gates every page

filters = ui.sidebar_filters()

st.title("Financements")
st.caption(f"Périmètre : {ui.query(indicators.scope_text, filters)}. Sources : PIA (2016-2018), FTAP, "
           "France Relance et cofinancements locaux (« autre »).")

for chart_id in ("financements-trimestre", "engage-verse", "financements-cumules", "financements-laboratoires",
                 "financements-regions"):
    ui.show_chart(ui.chart(chart_id, filters), key=f"chart-financements-{chart_id}")

st.subheader("Règles du programme")
ui.show_chart(ui.chart("regles-pia", filters), key="chart-financements-regles-pia", table_open=True)
