"""Every page run measured (`lit_analytics.metrics`) and logged (`lit_analytics.logs`), around app.py's gate and
page:

    with observe.page_run(store) as run, store.one_view():
        run.actor = resolve_session(store)          # the account id in the log line (a keyed hash)
        ...
        run.shows(navigation_menu)                  # the page, by the registry's url path
        navigation_menu.run()

A run ends normally, by `st.stop()` or `st.rerun()` (Streamlit's control flow, not errors: they are
`BaseException`s), or by an exception, which Streamlit then shows in its error box: that one counts as an error
shown to the user (`lit_user_errors_total`) and is logged with its page and account (Streamlit logs its
traceback). Every run is one `page_run` line (page, account, duration, outcome) at INFO.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from lit_analytics import logs, metrics, navigation
from lit_analytics.permissions import Actor
from lit_analytics.store import Store, StoreError

log = logging.getLogger("lit_analytics.page")
_DEFAULT = next(p.url_path for p in navigation.PAGES if p.default)


class PageRun:
    def __init__(self, store: Store | None):
        self.store = store
        self.page: str | None = None       # the registry's url path of the page shown
        self._actor: Actor | None = None
        self._account: str | None = None

    @property
    def actor(self) -> Actor | None:
        return self._actor

    @actor.setter
    def actor(self, actor: Actor | None) -> None:
        """Set inside the run's view of the data: the account id is made then, from the instance that view reads
        (made at the end, it would check the database's freshness once more: on PostgreSQL, a round trip)."""
        self._actor = actor
        self._account = None if actor is None else logs.account_id(actor.email, self._instance())

    def _instance(self) -> str:
        try:
            if self.store is not None and not self.store.closed:
                return self.store.cache_key()[1]
        except StoreError:
            pass
        return ""

    def shows(self, page) -> None:
        """The page `st.navigation` returned (its `url_path` is "" for the default page)."""
        self.page = page.url_path or _DEFAULT

    def account(self) -> str | None:
        return self._account


@contextmanager
def page_run(store: Store | None) -> Iterator[PageRun]:
    logs.setup()
    run = PageRun(store)
    started = time.perf_counter()
    outcome = "stopped"    # st.stop() or st.rerun() (BaseExceptions: Streamlit's control flow)
    try:
        yield run
        outcome = "ok"
    except Exception as exc:
        outcome = "error"
        log.error("page_error", extra={"page": metrics.page_label(run.page), "account": run.account(),
                                       "error": exc.__class__.__name__, "detail": _first_line(exc)})
        raise
    finally:
        seconds = time.perf_counter() - started
        metrics.observe_page_run(run.page, seconds, error=outcome == "error")
        log.info("page_run", extra={"page": metrics.page_label(run.page), "account": run.account(),
                                    "duration": round(seconds, 4), "outcome": outcome})


def error_shown(page: str | None, exc: BaseException) -> None:
    """An error the app itself showed instead of the page (e.g. the database unavailable)."""
    logs.setup()
    metrics.count_user_error(page)
    log.error("page_error", extra={"page": metrics.page_label(page), "account": None,
                                   "error": exc.__class__.__name__, "detail": _first_line(exc)})


def _first_line(exc: BaseException) -> str:
    """The exception's first line, short (the log's redaction masks what it may carry)."""
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else ""
