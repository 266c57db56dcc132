"""Cached access to the data for the pages: the process's one `Store` (`bootstrap.app_store`), indicator results
kept in the process's memo (`lit_analytics.memo`) and keyed on the database, its data version (which moves at
every write of a table the figures read, from this process or another) and the arguments, so a publication shows
everywhere at the next click; the demo notice and the source line.

It runs queries (through `indicators`) and, on the first run, builds the demo database when asked (`LIT_DEMO=1`,
see `bootstrap.app_store`); no other write happens here. The Store is the process's one for that file, shared with
the session-cookie routes (`lit_analytics.web`).
"""

from __future__ import annotations

import base64
import functools
import gc
from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st

from lit_analytics import config, indicators, metrics, presentation
from lit_analytics.bootstrap import app_store, app_store_is_open
from lit_analytics.filters import Filters
from lit_analytics.formats import fmt_date
from lit_analytics.memo import Memo
from lit_analytics.store import Store

DEMO_NOTICE = ("**Données de démonstration** : les projets, sessions et financements affichés sont fictifs, "
               "générés pour présenter l'outil. Seuls les référentiels (régions, laboratoires et leurs sources) "
               "sont réels.")


def get_store() -> Store:
    """The app's one Store (`bootstrap.app_store`, shared with the HTTP routes of `web`): a dictionary look-up once
    open; the first call of the process opens it (building the demo database when asked, `LIT_DEMO=1`)."""
    if app_store_is_open():
        return app_store()
    with st.spinner("Ouverture de la base de données…"):
        store = app_store()
    _freeze_once()
    return store


_FROZEN = []


GC_THRESHOLDS = (10_000, 10, 10)   # Python's default is (700, 10, 10)


def _freeze_once() -> None:
    """Everything imported and built before the first page run lives as long as the process: keep it out of the
    garbage collector's full passes, once per process. (Streamlit's forced full collection after every run,
    `runner.postScriptGC`, is off in .streamlit/config.toml: it took ~60 ms of each page run, holding every
    session up; Python's own generational collection still runs.) A page run allocates tens of thousands of
    objects (messages, widgets' states): with Python's default thresholds the collector ran about once per page
    run and a full pass every ~100 runs (20-130 ms, every session waiting); `GC_THRESHOLDS` makes young passes
    rarer and the full ones about 14 times rarer, for a few MB of garbage kept a little longer (issue 19, point 7)."""
    if not _FROZEN:
        _FROZEN.append(True)
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)


MEMO = Memo(max_bytes=config.memo_bytes())   # query results and figures of this process (lit_analytics.memo)
metrics.watch_memo(MEMO)                      # its size and hits on /metrics


def _hashable(value: Any) -> Hashable:
    if isinstance(value, Filters):
        return value.canonical()
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


_LATEST: dict[str, tuple] = {}   # by database: the newest cache key seen (older entries are dropped)


def _forget_older(version: tuple) -> None:
    """A newer data version of a database is in use: its older entries will never be hit again, drop them (a page
    run that began before the change may still add one; the next change drops it)."""
    db, instance, number = version
    latest = _LATEST.get(db)
    if latest == version or (latest is not None and latest[1] == instance and latest[2] > number):
        return
    _LATEST[db] = version
    if latest is not None:
        MEMO.discard(lambda key: key[0][0] == db and key[0] != version)


def memoized(name: str, args: tuple, compute: Callable[[], Any]) -> Any:
    """`compute()` kept until the data changes, under `name` and `args` (hashable once lists become tuples)."""
    version = get_store().cache_key()
    _forget_older(version)
    key = (version, name, _hashable(args))
    try:
        hash(key)
    except TypeError:          # an argument that cannot key a cache: computed every time
        return compute()
    return MEMO.get(key, compute)


def query(fn: Callable, *args, **kwargs) -> Any:
    """Run an indicator function on the store, kept until the data changes. The value is shared between
    sessions: read it, never modify it in place."""
    return memoized(f"{fn.__module__}.{fn.__qualname__}", (args, tuple(sorted(kwargs.items()))),
                    lambda: fn(get_store(), *args, **kwargs))


def demo_notice() -> None:
    """The visible notice shown on every page whenever demo rows are loaded."""
    if query(indicators.has_demo_data):
        st.warning(DEMO_NOTICE, icon=":material/warning:")


def data_caption() -> str:
    date = query(indicators.data_date)
    return f"Source : {query(presentation.data_source)} — données au {fmt_date(date)}" if date else ""


@functools.cache
def favicon(path: str) -> str:
    """An SVG favicon as the data URI `st.set_page_config` makes of the file (base64), made once per process:
    given the file, Streamlit reads and encodes it at every run."""
    with open(path, encoding="utf-8") as svg:
        return "data:image/svg+xml;base64," + base64.b64encode(svg.read().encode("utf-8")).decode("ascii")
