"""Carte: one indicator per region, overseas regions as insets, labs as markers; a click filters every page."""

import streamlit as st

from lit_analytics import indicators, presentation, ui
from lit_analytics.ui.auth import require_actor

require_actor()  # defence in depth: app.py already gates every page

filters = ui.sidebar_filters()

st.title("Carte des laboratoires")
variant = st.selectbox("Indicateur représenté", options=list(presentation.MAP_INDICATORS),
                       format_func=presentation.MAP_INDICATORS.get, key="carte_indicateur")
st.caption("Cliquez sur une région (ou sur un laboratoire) pour filtrer toutes les pages sur cette région ; "
           "cliquez de nouveau pour retirer ce filtre. Au clavier, choisissez les régions dans le filtre « Régions » "
           "du panneau latéral. Les régions d'outre-mer sont dans les encadrés à gauche.")

shown = ui.chart("carte", filters, variant)
left, right = st.columns([2, 1], gap="medium")   # the table beside the map shows every column
with left:
    ui.show_chart(shown, key=ui.MAP_KEY, on_select=ui.on_map_click)
with right:
    st.subheader("Par région")
    ui.show_table(ui.display.map_table(shown), all_rows=True)
    if filters.regions:
        names = ", ".join(ui.query(indicators.region_names, filters.regions).values())
        st.success(f"Filtre actif sur : {names}. Les autres pages sont limitées à cette sélection.",
                   icon=":material/location_on:")
        st.button("Retirer le filtre de région", on_click=ui.clear_regions)
