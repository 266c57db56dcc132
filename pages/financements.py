"""Financements: money over time by source, committed and paid, by lab and region; the PIA rules checked."""

import streamlit as st

from lit_analytics import catalogue, presentation, ui
from lit_analytics.ui.auth import require_actor

require_actor()  # defence in depth: app.py already gates every page

filters = ui.sidebar_filters()

st.title("Financements")
st.caption(f"Périmètre : {ui.query(presentation.scope_text, filters)}. Sources : PIA (2016-2018), FTAP, "
           "France Relance et cofinancements locaux (« autre »).")

*money, rules = catalogue.PAGE_CHARTS["financements"]   # the PIA rules come last, under their own heading
for chart_id in money:
    ui.show_chart(ui.chart(chart_id, filters), key=f"chart-financements-{chart_id}")

st.subheader("Règles du programme")
ui.show_chart(ui.chart(rules, filters), key=f"chart-financements-{rules}", table_open=True)
