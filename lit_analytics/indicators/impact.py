"""Impact indicators: projects by stage over time, by theme, partner types, training sessions and their
participants, the share of projects reaching `essaimage`, and the labs compared.

Statuses, themes, partner types and formats are the data's own codes (`domain`); French tables come from
`lit_analytics.presentation`.
"""

from __future__ import annotations

import pandas as pd

from lit_analytics import domain
from lit_analytics.filters import Filters
from lit_analytics.indicators.common import PARTICIPANTS, labs_cte, projects_cte
from lit_analytics.store import Store
from lit_analytics.lab_names import shown_name


def projects_by_stage_over_time(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per quarter of the period and stage: projects in the portfolio reported at the quarter's end."""
    cte, params = labs_cte(filters)
    where, q_params = filters.quarter_where("s.quarter")
    df = store.query_df(f"""{cte}
        SELECT s.quarter, s.status, count(*)::BIGINT AS projects
        FROM current_project_snapshots s JOIN sel_labs l USING (lab_id)
        WHERE {where} GROUP BY ALL""", params + q_params)
    order = {s: i for i, s in enumerate(domain.PROJECT_STATUSES)}
    return (df.assign(_o=df["status"].map(order)).sort_values(["quarter", "_o"]).drop(columns="_o")
            .reset_index(drop=True))


def projects_by_theme(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Projects alive during the period by theme, with their share of all such projects (%)."""
    cte, params = projects_cte(filters)
    return store.query_df(f"""{cte}
        SELECT theme, count(*)::BIGINT AS projects,
               round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS share_pct
        FROM sel_projects GROUP BY theme ORDER BY projects DESC, theme""", params)


def partner_types(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Co-construction: for each partner type, the projects alive during the period that involve it."""
    cte, params = projects_cte(filters)
    df = store.query_df(f"""{cte},
        total AS (SELECT count(*) AS n FROM sel_projects),
        pairs AS (SELECT DISTINCT lab_id, project_id, trim(unnest(string_split(partner_types, ','))) AS partner
                  FROM sel_projects WHERE partner_types IS NOT NULL AND partner_types <> '')
        SELECT partner, count(*)::BIGINT AS projects, round(100.0 * count(*) / any_value(total.n), 1) AS share_pct
        FROM pairs, total WHERE partner <> '' GROUP BY partner ORDER BY projects DESC, partner""", params)
    return df


def sessions_by_quarter(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per quarter and format: training sessions held during the period and their hours."""
    cte, params = labs_cte(filters)
    where, p = filters.period_where("s.held_on")
    return store.query_df(f"""{cte}
        SELECT s.quarter, s.format, count(*)::BIGINT AS sessions, sum(s.duration_hours) AS hours
        FROM current_training_sessions s JOIN sel_labs l USING (lab_id)
        WHERE {where} GROUP BY ALL ORDER BY s.quarter, s.format""", params + p)


def participants_by_quarter(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per quarter: participants of the sessions held, agents and others (others may be unreported: 0)."""
    cte, params = labs_cte(filters)
    where, p = filters.period_where("s.held_on")
    return store.query_df(f"""{cte}
        SELECT s.quarter, sum(s.participants_agents)::BIGINT AS agents,
               coalesce(sum(s.participants_others), 0)::BIGINT AS others
        FROM current_training_sessions s JOIN sel_labs l USING (lab_id)
        WHERE {where} GROUP BY ALL ORDER BY s.quarter""", params + p)


def essaimage_share(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per year of start (within the period): projects started and those that ever reached `essaimage`."""
    cte, params = labs_cte(filters)
    where, p = filters.period_where("started_on")
    return store.query_df(f"""{cte},
        p AS (SELECT s.lab_id, s.project_id, min(s.started_on) AS started_on,
                     bool_or(s.status = 'essaimage') AS reached
              FROM current_project_snapshots s JOIN sel_labs l USING (lab_id) GROUP BY ALL)
        SELECT year(started_on)::INTEGER AS year, count(*)::BIGINT AS projects,
               count(*) FILTER (WHERE reached)::BIGINT AS reached,
               round(100.0 * count(*) FILTER (WHERE reached) / count(*), 1) AS share_pct
        FROM p WHERE {where} GROUP BY 1 ORDER BY 1""", params + p)


def lab_comparison(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """One row per lab in scope: its projects, sessions, participants, projects that reached `essaimage`
    and money committed over the period, ranked by projects."""
    cte, params = projects_cte(filters)
    s_where, s_params = filters.period_where("s.held_on")
    f_where, f_params = filters.period_where("f.committed_on")
    return store.query_df(f"""{cte},
        proj AS (SELECT lab_id, count(*) AS projects FROM sel_projects GROUP BY 1),
        ess AS (SELECT s.lab_id, count(DISTINCT s.project_id) AS reached
                FROM current_project_snapshots s JOIN sel_projects USING (lab_id, project_id)
                WHERE s.status = 'essaimage' GROUP BY 1),
        sess AS (SELECT s.lab_id, count(*) AS sessions,
                        sum({PARTICIPANTS}) AS participants
                 FROM current_training_sessions s JOIN sel_labs l USING (lab_id) WHERE {s_where} GROUP BY 1),
        money AS (SELECT f.lab_id, sum(f.amount_eur)::DOUBLE AS committed
                  FROM current_funding_tranches f JOIN sel_labs l USING (lab_id) WHERE {f_where} GROUP BY 1)
        SELECT l.lab_id, {shown_name()} AS name, r.name AS region, coalesce(c.label, l.cohort) AS cohort,
               coalesce(proj.projects, 0)::BIGINT AS projects,
               coalesce(ess.reached, 0)::BIGINT AS reached,
               coalesce(sess.sessions, 0)::BIGINT AS sessions,
               coalesce(sess.participants, 0)::BIGINT AS participants,
               coalesce(money.committed, 0)::DOUBLE AS committed
        FROM sel_labs l LEFT JOIN regions r USING (region_code) LEFT JOIN cohorts c ON c.code = l.cohort
        LEFT JOIN proj USING (lab_id) LEFT JOIN ess USING (lab_id) LEFT JOIN sess USING (lab_id)
        LEFT JOIN money USING (lab_id)
        ORDER BY projects DESC, sessions DESC, name""", params + s_params + f_params)

