"""Entry point (served by `streamlit run serve.py`). Declares navigation and what every page shares."""

from pathlib import Path

import streamlit as st

from lit_analytics import navigation, ui
from lit_analytics.store import StoreError
from lit_analytics.ui import observe

# The favicon is a file of the app (served by Streamlit itself): a Material icon here would be fetched from Google's
# font server by every page, sending users' addresses to a third party (tests/test_browser_third_parties.py). It
# goes to the browser inline (a data URI, as Streamlit makes of an SVG file), encoded once per process.
FAVICON = Path(__file__).parent / "static" / "favicon.svg"
st.set_page_config(page_title="Laboratoires d'innovation territoriale", page_icon=ui.cache.favicon(str(FAVICON)),
                   layout="wide")
ui.locale.apply()  # Streamlit's own strings in French, accessible navigation, visible focus (every page)


# A page of the registry (`lit_analytics.navigation`) as an `st.Page`; each page file is layout only.
st_page = ui.streamlit_compat.page

# The gate: signed out, only the sign-in page shows (the requested page stays in the URL and opens after
# signing in); signed in, the sidebar names the user and offers to sign out. Sessions expire (ui.auth).
try:
    store = ui.get_store()  # builds the demo database on first run only when asked (LIT_DEMO=1, scripts/run.sh)
except StoreError as exc:  # no database where LIT_DB says: a French error, nothing created
    observe.error_shown(None, exc)
    st.error(str(exc), icon=":material/block:")
    st.stop()
# The whole run reads one snapshot of the data, checked for freshness once; it is timed and logged (ui.observe).
with observe.page_run(store) as run, store.one_view():
    actor = run.actor = ui.auth.resolve_session(store)
    if actor is None:
        # Every page is known (its address opens once signed in), none is listed.
        everything = [navigation.SIGN_IN] + [p for p in navigation.PAGES if p is not navigation.SIGN_IN]
        navigation_menu = st.navigation([st_page(p) for p in everything], position="hidden")
        run.page = navigation.SIGN_IN.url_path
        ui.demo_notice()
        ui.auth.sign_in_page(store)
        st.stop()

    sections = {group: [st_page(p) for p in pages] for group, pages in navigation.sections_for(actor.role).items()}
    sections[navigation.DASHBOARD].append(st_page(navigation.SIGN_IN, hidden=True))   # /connexion: who is signed in
    navigation_menu = st.navigation(sections, expanded=True)   # every page listed (no « View more »)
    run.shows(navigation_menu)
    ui.auth.sidebar_account(store, actor)
    ui.demo_notice()
    navigation_menu.run()
