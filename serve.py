"""What `streamlit run serve.py` serves (scripts/run.sh): the Streamlit app of `app.py`, plus the app's own HTTP
routes that set and clear the session cookie (`lit_analytics/web.py`). Streamlit 1.67 detects this `st.App`
and serves it with uvicorn; `app.py` stays the Streamlit script (AppTests run it directly).

At start-up, before any browser connects, Streamlit's legacy `pages/` directory mode is switched off: every run
goes through `app.py` (its sign-in gate and its navigation), and no first load ever shows Streamlit's own list of
the `pages/` files (`lit_analytics.ui.streamlit_compat.route_every_page_through_app` says why and how), and the
theme each run sends is built once (`theme_once`). Logs become
JSON lines on stderr then too (`lit_analytics.logs`); `/metrics` is one of the routes (`lit_analytics.metrics`)."""

from contextlib import asynccontextmanager

import streamlit as st

from starlette.middleware import Middleware

from lit_analytics.web import ROUTES, BrowserNonce


@asynccontextmanager
async def lifespan(app):
    from lit_analytics import logs
    from lit_analytics.ui.streamlit_compat import route_every_page_through_app, theme_once
    route_every_page_through_app()
    theme_once()   # the theme of each run's first message, built once per process
    logs.setup()   # JSON lines on stderr, Streamlit's and uvicorn's loggers included (lit_analytics.logs)
    yield


app = st.App("app.py", routes=ROUTES, lifespan=lifespan, middleware=[Middleware(BrowserNonce)])
