"""Entry point: `streamlit run app.py`. Declares navigation and what every page shares."""

import streamlit as st

from lit_analytics import ui

st.set_page_config(page_title="Laboratoires d'innovation territoriale", page_icon="🧪", layout="wide")

# One group per area; each page file is layout only.
DASHBOARD = [
    st.Page("pages/accueil.py", title="Vue d'ensemble", icon="🏠", default=True, url_path="accueil"),
]
REPORTS = []          # quarterly uploads and reporting status (issue: dépôts trimestriels)
ADMINISTRATION = []   # accounts and audit log (issue: contrôle d'accès)

PAGES = {"Tableau de bord": DASHBOARD}
if REPORTS:
    PAGES["Dépôts"] = REPORTS
if ADMINISTRATION:
    PAGES["Administration"] = ADMINISTRATION

navigation = st.navigation(PAGES)
ui.get_store()  # builds the demo database on first run
ui.demo_notice()
navigation.run()
