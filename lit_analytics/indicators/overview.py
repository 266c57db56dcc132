"""The overview's figures: headline counts and amounts, the data's date and source, projects by stage,
activity over time, the DITP's published figures beside the data, the latest reports, a year earlier.

Everything is returned as codes and numbers (report kinds, statuses, sources, a NULL lab for the funding
ledger); `lit_analytics.presentation` writes them in French.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from lit_analytics import domain
from lit_analytics.filters import Filters
from lit_analytics.formats import quarter_end, shift_quarter
from lit_analytics.indicators.common import PARTICIPANTS, labs_cte, projects_cte, quarter_sql
from lit_analytics.store import Store
from lit_analytics.lab_names import shown_name


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


def headline(store: Store, filters: Filters, today: date) -> Headline:
    """The home page's figures over the filtered labs and period. `today` is an argument, not read here:
    cached callers pass it so that the labs active "today" are counted again after midnight."""
    cte, params = labs_cte(filters)
    end = filters.end_date or domain.FAR_FUTURE
    labs_funded, labs_active = store.query(
        f"""{cte}
        SELECT count(*) FILTER (WHERE opened_on IS NULL OR opened_on <= ?),
               count(*) FILTER (WHERE (opened_on IS NULL OR opened_on <= ?)
                                  AND (closed_on IS NULL OR closed_on >= ?))
        FROM sel_labs""", params + [end, end, min(end, today)])[0]
    p_cte, p_params = projects_cte(filters)
    projects = store.scalar(f"{p_cte} SELECT count(*) FROM sel_projects", p_params)
    sess_where, sess_params = filters.period_where("s.held_on")
    sessions, participants = store.query(
        f"""{cte}
        SELECT count(*), coalesce(sum({PARTICIPANTS}), 0)
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
        committed_by_source={s: float(committed.get(s, 0.0)) for s in _sources(committed, paid)},
        paid_by_source={s: float(paid.get(s, 0.0)) for s in _sources(committed, paid)},
    )


def _sources(*amounts: dict) -> list[str]:
    """The programme's funding sources, then any other source with money (added in the registry)."""
    others = sorted({s for a in amounts for s in a} - set(domain.FUNDING_SOURCES))
    return list(domain.FUNDING_SOURCES) + others


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


def quarters_available(store: Store) -> list[str]:
    return [r[0] for r in store.query(
        "SELECT DISTINCT quarter FROM report_versions WHERE is_current AND quarter IS NOT NULL ORDER BY 1")]


def regions(store: Store) -> pd.DataFrame:
    return store.query_df("SELECT region_code, name, is_overseas FROM regions ORDER BY region_code")


def labs(store: Store) -> pd.DataFrame:
    return store.query_df("""
        SELECT l.*, r.name AS region_name FROM labs l LEFT JOIN regions r USING (region_code)
        ORDER BY l.cohort, l.name""")


# --- overview -----------------------------------------------------------------------------------

def projects_by_status(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Projects alive during the period, by their latest reported stage (life-cycle order)."""
    cte, params = projects_cte(filters)
    df = store.query_df(f"{cte} SELECT status, count(*)::BIGINT AS projects FROM sel_projects GROUP BY status",
                        params)
    order = {s: i for i, s in enumerate(domain.PROJECT_STATUSES)}
    return df.sort_values("status", key=lambda s: s.map(order)).reset_index(drop=True)


def activity_over_time(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per quarter of the period: projects started, sessions held, participants, and running totals."""
    cte, params = labs_cte(filters)
    p_where, p_params = filters.period_where("p.started_on")
    s_where, s_params = filters.period_where("s.held_on")
    return store.query_df(f"""{cte},
        started AS (
            SELECT {quarter_sql('p.started_on')} AS quarter, count(*) AS projects_started
            FROM (SELECT lab_id, project_id, min(started_on) AS started_on
                  FROM current_project_snapshots GROUP BY lab_id, project_id) p
            JOIN sel_labs l USING (lab_id) WHERE {p_where} GROUP BY 1),
        held AS (
            SELECT s.quarter, count(*) AS sessions,
                   sum({PARTICIPANTS}) AS participants
            FROM current_training_sessions s JOIN sel_labs l USING (lab_id) WHERE {s_where} GROUP BY 1)
        SELECT quarter,
               coalesce(projects_started, 0)::BIGINT AS projects_started,
               coalesce(sessions, 0)::BIGINT AS sessions,
               coalesce(participants, 0)::BIGINT AS participants,
               sum(coalesce(projects_started, 0)) OVER (ORDER BY quarter)::BIGINT AS projects_cumulative,
               sum(coalesce(sessions, 0)) OVER (ORDER BY quarter)::BIGINT AS sessions_cumulative
        FROM started FULL OUTER JOIN held USING (quarter)
        ORDER BY quarter""", params + p_params + s_params)


def reference_comparison(store: Store) -> pd.DataFrame:
    """The DITP's published figures (01/12/2020) beside what the data says, nationally (no filter).

    `indicator` is a code (`labs_active`, `projects_2020`, `sessions_2020`); `presentation` names it in French."""
    ref_day = domain.REFERENCE_DATE
    end_2020 = date(2020, 12, 31)
    labs_active = store.scalar(
        "SELECT count(*) FROM labs WHERE opened_on <= ? AND (closed_on IS NULL OR closed_on >= ?)",
        [ref_day, ref_day])
    projects = store.scalar(
        """SELECT count(*) FROM (SELECT lab_id, project_id, min(started_on) AS started_on
                                 FROM current_project_snapshots GROUP BY ALL) WHERE started_on <= ?""", [end_2020])
    sessions = store.scalar("SELECT count(*) FROM current_training_sessions WHERE held_on <= ?", [end_2020])
    return pd.DataFrame({
        "indicator": ["labs_active", "projects_2020", "sessions_2020"],
        "reference": [domain.REFERENCE_ACTIVE_LABS, domain.REFERENCE_PROJECTS_2020, domain.REFERENCE_SESSIONS_2020],
        "data": [int(labs_active or 0), int(projects or 0), int(sessions or 0)],
    })


def latest_reports(store: Store, filters: Filters = Filters(), limit: int = 10) -> pd.DataFrame:
    """The most recent published report versions of labs in scope and of the funding ledger (whose `lab` is
    NULL: it belongs to no lab)."""
    cte, params = labs_cte(filters)
    return store.query_df(f"""{cte}
        SELECT v.published_at, v.kind, v.quarter, {shown_name()} AS lab, v.published_by, v.is_demo
        FROM report_versions v LEFT JOIN sel_labs l USING (lab_id)
        WHERE v.is_current AND (v.lab_id IS NULL OR l.lab_id IS NOT NULL)
        ORDER BY v.published_at DESC, v.quarter DESC NULLS LAST, lab NULLS LAST
        LIMIT ?""", params + [int(limit)])


# --- headline figures compared with a year earlier (issue 14) -------------------------------------------

def year_earlier(store: Store, filters: Filters = Filters()) -> Filters | None:
    """The same period one year (four quarters) earlier: both bounds moved back (an open start stays open,
    an open end is the last reported quarter). None when that period ends before the first reported quarter."""
    available = quarters_available(store)
    if not available:
        return None
    last = filters.quarter_to or available[-1]
    earlier_to = shift_quarter(last, -4)
    if earlier_to < available[0]:
        return None
    earlier_from = shift_quarter(filters.quarter_from, -4) if filters.quarter_from else None
    return filters.with_(quarter_from=earlier_from, quarter_to=earlier_to)
