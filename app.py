"""Entry point: `streamlit run app.py`. Declares navigation and what every page shares."""

import streamlit as st

from lit_analytics import ui
from lit_analytics.store import StoreError

st.set_page_config(page_title="Laboratoires d'innovation territoriale", page_icon=":material/science:", layout="wide")
ui.locale.apply()  # Streamlit's own strings in French, accessible navigation, visible focus (every page)

# One group per area; each page file is layout only.
DASHBOARD = [
    st.Page("pages/accueil.py", title="Vue d'ensemble", icon=":material/home:", default=True, url_path="accueil"),
    st.Page("pages/carte.py", title="Carte", icon=":material/map:", url_path="carte"),
    st.Page("pages/indicateurs.py", title="Indicateurs d'impact", icon=":material/trending_up:", url_path="indicateurs"),
    st.Page("pages/financements.py", title="Financements", icon=":material/euro:", url_path="financements"),
    st.Page("pages/laboratoires.py", title="Laboratoires", icon=":material/account_balance:", url_path="laboratoires"),
    st.Page("pages/note.py", title="Note de synthèse", icon=":material/description:", url_path="note"),
]
REPORTS = [           # quarterly uploads and reporting status (issue: dépôts trimestriels)
    st.Page("pages/depot.py", title="Dépôt trimestriel", icon=":material/upload_file:", url_path="depot"),
    st.Page("pages/suivi_depots.py", title="Suivi des dépôts", icon=":material/calendar_month:", url_path="suivi-depots"),
]
ADMINISTRATION = [    # accounts and audit log, administrators only (issue: contrôle d'accès)
    st.Page("pages/comptes.py", title="Comptes", icon=":material/group:", url_path="comptes"),
    st.Page("pages/journal.py", title="Journal d'audit", icon=":material/history:", url_path="journal"),
]

PAGES = {"Tableau de bord": DASHBOARD}
if REPORTS:
    PAGES["Dépôts"] = REPORTS

# The gate: signed out, only the sign-in page shows (the requested page stays in the URL and opens after
# signing in); signed in, the sidebar names the user and offers to sign out. Sessions expire (ui.auth).
try:
    store = ui.get_store()  # builds the demo database on first run only when asked (LIT_DEMO=1, scripts/run.sh)
except StoreError as exc:  # no database where LIT_DB says: a French error, nothing created
    st.error(str(exc), icon=":material/block:")
    st.stop()
with store.one_view():   # the whole run reads one snapshot of the data, checked for freshness once
    actor = ui.auth.resolve_session(store)
    if actor is None:
        CONNEXION = st.Page("pages/connexion.py", title="Connexion", icon=":material/login:", url_path="connexion")
        everything = [CONNEXION] + [page for group in (*PAGES.values(), ADMINISTRATION) for page in group]
        navigation = st.navigation(everything, position="hidden")
        ui.demo_notice()
        ui.auth.sign_in_page(store)
        st.stop()

    if ADMINISTRATION and actor.is_admin:
        PAGES["Administration"] = ADMINISTRATION
    PAGES["Tableau de bord"] = [*DASHBOARD, st.Page("pages/connexion.py", title="Connexion", url_path="connexion",
                                                     visibility="hidden")]
    navigation = st.navigation(PAGES)
    ui.auth.sidebar_account(store, actor)
    ui.demo_notice()
    navigation.run()
