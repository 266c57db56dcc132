"""What `streamlit run serve.py` serves (scripts/run.sh): the Streamlit app of `app.py`, plus the app's own HTTP
routes that set and clear the session cookie (`lit_analytics/web.py`). Streamlit 1.67 detects this `st.App`
and serves it with uvicorn; `app.py` stays the Streamlit script (AppTests run it directly)."""

import streamlit as st

from lit_analytics.web import ROUTES

app = st.App("app.py", routes=ROUTES)
