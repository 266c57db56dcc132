"""What an operator watches, in Prometheus' text format (`prometheus-client`): the definitions of every metric of
the app process and how `/metrics` renders them (the route is `lit_analytics.web`'s; `deploy/` says what to
scrape and alert on). No Streamlit here: the page-run glue (`ui.observe`) reports into it.

Per process (each replica is scraped on its own), since the process started:

* `lit_page_run_seconds{page}` — histogram of page runs (one execution of app.py from the sign-in gate on: the
  process's first run also opens the database, not counted), by the page's url path of the registry
  (`navigation.PAGES`, else `autre`): never a free-form value;
* `lit_user_errors_total{page}` — runs that showed the user an error instead of the page (an exception in
  Streamlit's error box, or the database unavailable); French answers to a refused action are not errors;
* `lit_snapshot_refresh_seconds` — copies of the database into the in-memory snapshot, and
  `lit_snapshot_refresh_deferred_total` (put off while a write held the database: the previous state served);
* `lit_write_wait_seconds` — how long each write waited to hold the database, `lit_write_conflicts_total` —
  writes that gave up after `LIT_LOCK_TIMEOUT` (the user read « base occupée ») — from `store.stats`, which the
  store keeps without depending on anything (it imports nothing above `config`);
* `lit_memo_bytes`, `lit_memo_max_bytes`, `lit_memo_entries`, `lit_memo_{hits,misses,evictions}_total` — the
  figures and query results kept in memory (`memo.Memo`, the one `watch_memo` was given);
* `lit_sessions_open` — signed-in sessions not ended nor expired, **read from the `sessions` table** at scrape
  time (so the same value on every replica of one database: aggregate with `max`, not `sum`);
* `process_*`, `python_*` — the process's memory, CPU and file descriptors (prometheus-client's collectors).

Every page's series exist from the start at 0, so `increase(...) > 0` sees the first error.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
from collections.abc import Iterator, Mapping
from datetime import datetime

from prometheus_client import (CONTENT_TYPE_PLAIN_0_0_4, CollectorRegistry, Counter, GCCollector, Histogram,
                               PlatformCollector, ProcessCollector, disable_created_metrics, generate_latest)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric

from lit_analytics import config, navigation, sessions
from lit_analytics.memo import Memo
from lit_analytics.store import Store, StoreError, stats

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4   # the classic text format `generate_latest` writes, read by every Prometheus
OTHER_PAGE = "autre"           # a run whose page is not (yet) known: before the gate decides, or an unknown address
PAGE_LABELS = tuple(p.url_path for p in navigation.PAGES) + (OTHER_PAGE,)
PAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0)   # the p95 alert's 2 s is a bound

disable_created_metrics()   # no `_created` series beside each counter (Prometheus reads the process start instead)
REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

PAGE_RUNS = Histogram("lit_page_run_seconds", "Durée d'une exécution de page (app.py : contrôle de session et page)",
                      ["page"], buckets=PAGE_BUCKETS, registry=REGISTRY)
USER_ERRORS = Counter("lit_user_errors", "Exécutions de page qui ont montré une erreur à l'utilisateur",
                      ["page"], registry=REGISTRY)
for _page in PAGE_LABELS:
    PAGE_RUNS.labels(_page)
    USER_ERRORS.labels(_page)

_WATCHED: list[Memo] = []


def page_label(url_path: str | None) -> str:
    """The label of a page: its url path in the registry, else `autre` (labels never take a free-form value)."""
    return url_path if url_path in PAGE_LABELS else OTHER_PAGE


def observe_page_run(url_path: str | None, seconds: float, *, error: bool = False) -> None:
    page = page_label(url_path)
    PAGE_RUNS.labels(page).observe(seconds)
    if error:
        USER_ERRORS.labels(page).inc()


def count_user_error(url_path: str | None) -> None:
    USER_ERRORS.labels(page_label(url_path)).inc()


def watch_memo(memo: Memo) -> None:
    """Export `memo`'s size and hit counts (`ui.cache` gives the process's memo of figures and query results)."""
    _WATCHED[:] = [memo]


def _histogram(name: str, documentation: str, timings: stats.Timings) -> HistogramMetricFamily:
    cumulative, total, _ = timings.read()
    buckets = [("+Inf" if bound == float("inf") else repr(bound), count) for bound, count in cumulative]
    return HistogramMetricFamily(name, documentation, buckets=buckets, sum_value=total)


class _StoreAndMemo:
    """The store's own counters (`store.stats`) and the memo's, read when scraped."""

    def collect(self) -> Iterator[Metric]:
        yield _histogram("lit_snapshot_refresh_seconds", "Durée des copies de la base dans l'instantané en mémoire",
                         stats.SNAPSHOT_REFRESHES)
        yield CounterMetricFamily("lit_snapshot_refresh_deferred", "Rafraîchissements reportés (écriture en cours)",
                                  value=stats.SNAPSHOT_DEFERRED.value)
        yield _histogram("lit_write_wait_seconds", "Attente d'une écriture avant d'avoir la base", stats.WRITE_WAITS)
        yield CounterMetricFamily("lit_write_conflicts", "Écritures abandonnées : base occupée (LIT_LOCK_TIMEOUT)",
                                  value=stats.WRITE_CONFLICTS.value)
        memo = _WATCHED[0] if _WATCHED else None
        yield GaugeMetricFamily("lit_memo_bytes", "Taille estimée des résultats gardés en mémoire (octets)",
                                value=memo.bytes if memo else 0)
        yield GaugeMetricFamily("lit_memo_max_bytes", "Borne de cette taille (LIT_MEMO_MB)",
                                value=(memo.max_bytes or 0) if memo else 0)
        yield GaugeMetricFamily("lit_memo_entries", "Résultats gardés en mémoire", value=len(memo) if memo else 0)
        for name, text in (("hits", "trouvés"), ("misses", "calculés"), ("evictions", "écartés (borne atteinte)")):
            yield CounterMetricFamily(f"lit_memo_{name}", f"Résultats {text}",
                                      value=getattr(memo, name) if memo else 0)


REGISTRY.register(_StoreAndMemo())


class _OpenSessions:
    """`lit_sessions_open`, read from the store's `sessions` table (its in-memory snapshot: no database round
    trip beyond the store's usual freshness check); absent when the app has not opened its database yet."""

    def __init__(self, store: Store | None):
        self.store = store

    def collect(self) -> Iterator[Metric]:
        if self.store is None or self.store.closed:
            return
        try:
            count = sessions.count_open(self.store, datetime.now())
        except StoreError:
            return
        yield GaugeMetricFamily("lit_sessions_open", "Sessions ouvertes (table sessions : ni fermées ni expirées)",
                                value=count)


def render(store: Store | None = None) -> bytes:
    """The text `/metrics` answers: this process's metrics, and the open sessions of `store` (the app's own)."""
    return generate_latest(REGISTRY) + generate_latest(_OpenSessions(store))


# -- who may read them (`web`'s /metrics route) --------------------------------------------------------------

LOOPBACK = frozenset({"127.0.0.1", "::1"})
_FORWARDING = ("x-forwarded-for", "x-real-ip", "forwarded")
log = logging.getLogger(__name__)


def _address(text: str) -> str:
    """An address as a header gives it (`for="[::1]:80"`, `127.0.0.1:8080`), without port nor brackets;
    IPv4-mapped IPv6 as IPv4."""
    text = text.strip().strip('"')
    text = text[1:text.index("]")] if text.startswith("[") and "]" in text else text
    if text.count(":") == 1:
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text
    return str(getattr(address, "ipv4_mapped", None) or address)


def _forwarded_for(headers) -> list[str]:
    """Every address the forwarding headers name (X-Forwarded-For, X-Real-IP, RFC 7239 Forwarded's `for=`)."""
    found = []
    for name in _FORWARDING:
        for value in headers.getlist(name) if hasattr(headers, "getlist") else [headers.get(name) or ""]:
            if name == "forwarded":
                found += re.findall(r'for=("[^"]*"|[^;,\s]+)', value, re.IGNORECASE)
            else:
                found += value.split(",")
    return [_address(a) for a in found if a.strip()]


def is_from_this_host(client: str | None, headers: Mapping[str, str]) -> bool:
    """The client is the host itself: 127.0.0.1 or ::1, and any forwarding header names only those (a reverse proxy
    on the host relays other clients; uvicorn already puts the address a proxy on 127.0.0.1 forwards as client)."""
    return _address(client or "") in LOOPBACK and all(a in LOOPBACK for a in _forwarded_for(headers))


def has_token(headers: Mapping[str, str]) -> bool:
    """`Authorization: Bearer <LIT_METRICS_TOKEN>`, compared in constant time; never true without a token set."""
    token = config.metrics_token()
    scheme, _, given = (headers.get("authorization") or "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode("utf-8"),
                                                                               token.encode("utf-8"))


def may_read(client: str | None, headers: Mapping[str, str]) -> bool:
    """Whether a request may read /metrics: from the host itself, or with the token. A refusal is logged."""
    if is_from_this_host(client, headers) or has_token(headers):
        return True
    log.warning("metrics_refused", extra={"client": client})
    return False
