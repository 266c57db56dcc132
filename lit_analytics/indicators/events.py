"""Events on the time charts: programme milestones and what administrators added (table `events`, migration 011),
and each lab's funding tranches (read from the funding ledger, not stored twice).

`chart_events` returns what a time chart of a scope draws: programme-wide events always, a lab's own events when the
scope names the lab (`Filters.labs`: the lab profile, a lab's deck), and its tranches when the scope names at most
`TRANCHE_LABS` labs — a chart with every lab's tranches would be unreadable. Codes and numbers only;
`presentation.events` writes the labels.
"""

from __future__ import annotations

import pandas as pd

from lit_analytics.filters import Filters
from lit_analytics.indicators.common import quarter_sql
from lit_analytics.store import Store

EVENT = "event"        # `origin` of a row of `events`
TRANCHE = "tranche"    # `origin` of a lab's tranches committed in one quarter from one source
TRANCHE_LABS = 3       # tranches are marked on the charts of a scope naming at most this many labs

MARK_COLUMNS = ["event_date", "quarter", "origin", "kind", "label", "lab_id", "lab_name", "source", "amount",
                "source_title", "source_url"]


def all_events(store: Store) -> pd.DataFrame:
    """Every row of `events`, oldest first, with the lab's name (NULL when the lab is unknown or none)."""
    return store.query_df(
        "SELECT e.event_id, e.event_date, e.label, e.kind, e.lab_id, l.name AS lab_name, e.source_title, "
        "e.source_url, e.created_by, e.created_at, e.updated_by, e.updated_at "
        "FROM events e LEFT JOIN labs l ON l.lab_id = e.lab_id ORDER BY e.event_date, e.event_id")


def chart_events(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """What the time charts of this scope mark, inside its period, oldest first (`MARK_COLUMNS`)."""
    labs = list(filters.labs)
    in_labs = f"e.lab_id IN ({', '.join('?' * len(labs))})" if labs else "FALSE"
    e_where, e_params = filters.period_where("e.event_date")
    f_where, f_params = filters.period_where("f.committed_on")
    funded = labs if len(labs) <= TRANCHE_LABS else []
    tranches_in = f"f.lab_id IN ({', '.join('?' * len(funded))})" if funded else "FALSE"
    return store.query_df(f"""
        SELECT e.event_date, {quarter_sql('e.event_date')} AS quarter, '{EVENT}' AS origin, e.kind, e.label,
               e.lab_id, l.name AS lab_name, NULL AS source, NULL::DOUBLE AS amount, e.source_title, e.source_url
        FROM events e LEFT JOIN labs l ON l.lab_id = e.lab_id
        WHERE (e.lab_id IS NULL OR {in_labs}) AND {e_where}
        UNION ALL
        SELECT min(f.committed_on), {quarter_sql('f.committed_on')}, '{TRANCHE}', 'lab-funding', NULL, f.lab_id,
               any_value(l.name), f.source, sum(f.amount_eur)::DOUBLE, NULL, NULL
        FROM current_funding_tranches f LEFT JOIN labs l ON l.lab_id = f.lab_id
        WHERE {tranches_in} AND {f_where}
        GROUP BY f.lab_id, {quarter_sql('f.committed_on')}, f.source
        ORDER BY 1, 3, 5, 8""", labs + e_params + funded + f_params)
