"""Cached access to the data for the pages: one `Store` per process (`st.cache_resource`), indicator results
cached by Streamlit (`st.cache_data`) and keyed on the database path, the data version (which moves at every
write of a table the figures read, from this process or another) and the arguments, so a publication shows
everywhere at the next click; the demo notice and the source line.

It runs queries (through `indicators`) and, on the first run, builds the demo database when asked (`LIT_DEMO=1`,
see `bootstrap.app_store`); no other write happens here. The Store is the process's one for that file, shared with
the session-cookie routes (`lit_analytics.web`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from lit_analytics import config, indicators
from lit_analytics.bootstrap import app_store
from lit_analytics.formats import fmt_date
from lit_analytics.store import Store

DEMO_NOTICE = ("**Données de démonstration** : les projets, sessions et financements affichés sont fictifs, "
               "générés pour présenter l'outil. Seuls les référentiels (régions, laboratoires et leurs sources) "
               "sont réels.")


@st.cache_resource(show_spinner="Ouverture de la base de données…")
def _open_store(path: str) -> Store:
    return app_store(path, build_demo=config.demo_requested())


def get_store() -> Store:
    return _open_store(str(config.db_path()))


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_call(_fn: Callable, name: str, db: str, version: int, args: tuple, kwargs: tuple) -> Any:
    return _fn(get_store(), *args, **dict(kwargs))


def query(fn: Callable, *args, **kwargs) -> Any:
    """Run an indicator function on the store, cached until the data changes."""
    store = get_store()
    return _cached_call(fn, f"{fn.__module__}.{fn.__qualname__}", str(store.path), store.data_version(),
                        args, tuple(sorted(kwargs.items())))


def demo_notice() -> None:
    """The visible notice shown on every page whenever demo rows are loaded."""
    if query(indicators.has_demo_data):
        st.warning(DEMO_NOTICE, icon=":material/warning:")


def data_caption() -> str:
    date = query(indicators.data_date)
    return f"Source : {query(indicators.data_source)} — données au {fmt_date(date)}" if date else ""
