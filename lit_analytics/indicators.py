"""Every figure the pages and exports show: SQL run by DuckDB through the store, returned as data.

Functions take the store and a `Filters` value and return DataFrames or small dataclasses. They read
only current report versions (the `current_*` views and `projects`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from lit_analytics import domain
from lit_analytics.filters import Filters
from lit_analytics.formats import quarter_end
from lit_analytics.store import Store

SOURCE_PUBLIC = "DITP, rapports trimestriels des laboratoires"
SOURCE_DEMO = "données de démonstration (fictives)"


@dataclass(frozen=True)
class Headline:
    labs_funded: int
    labs_active: int
    projects: int
    sessions: int
    participants: int
    committed_by_source: dict[str, float]
    paid_by_source: dict[str, float]

    @property
    def committed_total(self) -> float:
        return float(sum(self.committed_by_source.values()))


def _labs_cte(filters: Filters) -> tuple[str, list]:
    where, params = filters.lab_where("l")
    return f"WITH sel_labs AS (SELECT l.* FROM labs l WHERE {where})", params


def headline(store: Store, filters: Filters = Filters()) -> Headline:
    """The home page's figures over the filtered labs and period."""
    cte, params = _labs_cte(filters)
    end = filters.end_date or date(9999, 12, 31)
    start = filters.start_date or date(1, 1, 1)
    labs_funded, labs_active = store.query(
        f"""{cte}
        SELECT count(*) FILTER (WHERE opened_on IS NULL OR opened_on <= ?),
               count(*) FILTER (WHERE (opened_on IS NULL OR opened_on <= ?)
                                  AND (closed_on IS NULL OR closed_on >= ?))
        FROM sel_labs""", params + [end, end, min(end, date.today())])[0]
    projects = store.scalar(
        f"""{cte}
        SELECT count(*) FROM projects p JOIN sel_labs l USING (lab_id)
        WHERE p.started_on <= ? AND (p.ended_on IS NULL OR p.ended_on >= ?)""", params + [end, start])
    sess_where, sess_params = filters.period_where("s.held_on")
    sessions, participants = store.query(
        f"""{cte}
        SELECT count(*), coalesce(sum(s.participants_agents + coalesce(s.participants_others, 0)), 0)
        FROM current_training_sessions s JOIN sel_labs l USING (lab_id) WHERE {sess_where}""",
        params + sess_params)[0]
    com_where, com_params = filters.period_where("f.committed_on")
    committed = dict(store.query(
        f"""{cte}
        SELECT f.source, sum(f.amount_eur)::DOUBLE FROM current_funding_tranches f JOIN sel_labs l USING (lab_id)
        WHERE {com_where} GROUP BY f.source""", params + com_params))
    paid_where, paid_params = filters.period_where("f.paid_on")
    paid = dict(store.query(
        f"""{cte}
        SELECT f.source, sum(f.amount_eur)::DOUBLE FROM current_funding_tranches f JOIN sel_labs l USING (lab_id)
        WHERE f.paid_on IS NOT NULL AND {paid_where} GROUP BY f.source""", params + paid_params))
    return Headline(
        labs_funded=int(labs_funded), labs_active=int(labs_active), projects=int(projects),
        sessions=int(sessions), participants=int(participants),
        committed_by_source={s: float(committed.get(s, 0.0)) for s in domain.FUNDING_SOURCES},
        paid_by_source={s: float(paid.get(s, 0.0)) for s in domain.FUNDING_SOURCES},
    )


def has_demo_data(store: Store) -> bool:
    return bool(store.scalar("SELECT count(*) FROM report_versions WHERE is_current AND is_demo"))


def data_date(store: Store, filters: Filters = Filters()) -> date | None:
    """The date the data is complete to: end of the latest reported quarter (capped by the period)."""
    last = store.scalar("SELECT max(quarter) FROM report_versions WHERE is_current AND quarter IS NOT NULL")
    if last is None:
        return None
    if filters.quarter_to and filters.quarter_to < last:
        last = filters.quarter_to
    return quarter_end(last)


def data_source(store: Store) -> str:
    return SOURCE_DEMO if has_demo_data(store) else SOURCE_PUBLIC


def quarters_available(store: Store) -> list[str]:
    return [r[0] for r in store.query(
        "SELECT DISTINCT quarter FROM report_versions WHERE is_current AND quarter IS NOT NULL ORDER BY 1")]


def regions(store: Store) -> pd.DataFrame:
    return store.query_df("SELECT region_code, name, is_overseas FROM regions ORDER BY region_code")


def labs(store: Store) -> pd.DataFrame:
    return store.query_df("""
        SELECT l.*, r.name AS region_name FROM labs l LEFT JOIN regions r USING (region_code)
        ORDER BY l.cohort, l.name""")
