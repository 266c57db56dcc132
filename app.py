"""Entry point: `streamlit run app.py`. Declares navigation and what every page shares."""

import streamlit as st

from lit_analytics import ui

st.set_page_config(page_title="Laboratoires d'innovation territoriale", page_icon="🧪", layout="wide")

PAGES = {
    "Tableau de bord": [
        st.Page("pages/accueil.py", title="Vue d'ensemble", icon="🏠", default=True, url_path="accueil"),
    ],
}

navigation = st.navigation(PAGES)
ui.get_store()  # builds the demo database on first run
ui.demo_notice()
navigation.run()
