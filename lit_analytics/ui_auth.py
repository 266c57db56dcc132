"""Streamlit glue for who is signed in (explicitly UI glue).

Contract used by every page: the signed-in user is an `Actor` kept in `st.session_state["actor"]`;
`current_actor()` returns it or None, `require_actor()` stops the page with a French message when nobody
is signed in. (Provisional: the sign-in page, session expiry and OIDC are being built in the access-control
issue and will live here.)
"""

from __future__ import annotations

import streamlit as st

from lit_analytics.permissions import Actor


def current_actor() -> Actor | None:
    actor = st.session_state.get("actor")
    return actor if isinstance(actor, Actor) else None


def require_actor() -> Actor:
    actor = current_actor()
    if actor is None:
        st.info("Connectez-vous pour accéder à cette page.")
        st.stop()
    return actor
