"""Indicateurs d'impact: projects by stage and theme, co-construction, training, essaimage, labs compared."""

import streamlit as st

from lit_analytics import presentation, ui
from lit_analytics.ui.auth import require_actor

require_actor()  # defence in depth: app.py already gates every page

filters = ui.sidebar_filters()

st.title("Indicateurs d'impact")
st.caption(f"Périmètre : {ui.query(presentation.scope_text, filters)}. Chaque graphique est suivi de sa définition "
           "et de ses données sous forme de tableau.")

ui.page_charts("indicateurs", filters)
