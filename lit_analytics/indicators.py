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

# The people present at a session (alias `s`): public agents, and others when the lab reports them (else 0).
_PARTICIPANTS = "s.participants_agents + coalesce(s.participants_others, 0)"


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
    labs_funded, labs_active = store.query(
        f"""{cte}
        SELECT count(*) FILTER (WHERE opened_on IS NULL OR opened_on <= ?),
               count(*) FILTER (WHERE (opened_on IS NULL OR opened_on <= ?)
                                  AND (closed_on IS NULL OR closed_on >= ?))
        FROM sel_labs""", params + [end, end, min(end, date.today())])[0]
    p_cte, p_params = _projects_cte(filters)
    projects = store.scalar(f"{p_cte} SELECT count(*) FROM sel_projects", p_params)
    sess_where, sess_params = filters.period_where("s.held_on")
    sessions, participants = store.query(
        f"""{cte}
        SELECT count(*), coalesce(sum({_PARTICIPANTS}), 0)
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


# =============================================================================================
# Dashboard queries (issue 5). Every function: (store, filters[, option]) -> DataFrame with English
# column names; `lit_analytics.catalogue` turns them into French tables and figures.
# =============================================================================================

_FAR_PAST = date(1, 1, 1)
_FAR_FUTURE = date(9999, 12, 31)
_QUARTER_OF = "(CAST(year({d}) AS VARCHAR) || '-T' || CAST(quarter({d}) AS VARCHAR))"


def _quarter_sql(column: str) -> str:
    """SQL turning a DATE column into the stored quarter form '2021-T3'."""
    return _QUARTER_OF.format(d=column)


def _bounds(filters: Filters) -> tuple[date, date]:
    return filters.start_date or _FAR_PAST, filters.end_date or _FAR_FUTURE


def _projects_cte(filters: Filters) -> tuple[str, list]:
    """`sel_labs` (labs in scope) and `sel_projects` (their projects alive at some point of the period,
    in their latest reported state)."""
    cte, params = _labs_cte(filters)
    start, end = _bounds(filters)
    # Same rows as the `projects` view, computed by aggregation after the lab filter (5× faster at 100×
    # volume than the view's window function).
    return (cte + """, latest_projects AS (
                SELECT s.lab_id, s.project_id, min(s.started_on) AS started_on,
                       arg_max_null(s.ended_on, s.quarter) AS ended_on, arg_max(s.status, s.quarter) AS status,
                       arg_max(s.theme, s.quarter) AS theme,
                       arg_max_null(s.partner_types, s.quarter) AS partner_types
                FROM current_project_snapshots s JOIN sel_labs l ON l.lab_id = s.lab_id
                WHERE s.started_on <= ? GROUP BY s.lab_id, s.project_id),
            sel_projects AS (SELECT * FROM latest_projects WHERE ended_on IS NULL OR ended_on >= ?)""",
            params + [end, start])


# --- overview -----------------------------------------------------------------------------------

def projects_by_status(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Projects alive during the period, by their latest reported stage (life-cycle order)."""
    cte, params = _projects_cte(filters)
    df = store.query_df(f"{cte} SELECT status, count(*)::BIGINT AS projects FROM sel_projects GROUP BY status",
                        params)
    order = {s: i for i, s in enumerate(domain.PROJECT_STATUSES)}
    return df.sort_values("status", key=lambda s: s.map(order)).reset_index(drop=True)


def activity_over_time(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per quarter of the period: projects started, sessions held, participants, and running totals."""
    cte, params = _labs_cte(filters)
    p_where, p_params = filters.period_where("p.started_on")
    s_where, s_params = filters.period_where("s.held_on")
    return store.query_df(f"""{cte},
        started AS (
            SELECT {_quarter_sql('p.started_on')} AS quarter, count(*) AS projects_started
            FROM (SELECT lab_id, project_id, min(started_on) AS started_on
                  FROM current_project_snapshots GROUP BY lab_id, project_id) p
            JOIN sel_labs l USING (lab_id) WHERE {p_where} GROUP BY 1),
        held AS (
            SELECT s.quarter, count(*) AS sessions,
                   sum({_PARTICIPANTS}) AS participants
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

    `indicator` is a code (`labs_active`, `projects_2020`, `sessions_2020`); `catalogue` names it in French."""
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
    """The most recent published report versions of labs in scope (and of the funding ledger)."""
    cte, params = _labs_cte(filters)
    return store.query_df(f"""{cte}
        SELECT v.published_at, v.kind, v.quarter, coalesce(l.name, 'Registre des financements (DITP)') AS lab,
               v.published_by, v.is_demo
        FROM report_versions v LEFT JOIN sel_labs l USING (lab_id)
        WHERE v.is_current AND (v.lab_id IS NULL OR l.lab_id IS NOT NULL)
        ORDER BY v.published_at DESC, v.quarter DESC NULLS LAST, lab
        LIMIT ?""", params + [int(limit)])


# --- impact -------------------------------------------------------------------------------------

def projects_by_stage_over_time(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per quarter of the period and stage: projects in the portfolio reported at the quarter's end."""
    cte, params = _labs_cte(filters)
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
    cte, params = _projects_cte(filters)
    return store.query_df(f"""{cte}
        SELECT theme, count(*)::BIGINT AS projects,
               round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS share_pct
        FROM sel_projects GROUP BY theme ORDER BY projects DESC, theme""", params)


def partner_types(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Co-construction: for each partner type, the projects alive during the period that involve it."""
    cte, params = _projects_cte(filters)
    df = store.query_df(f"""{cte},
        total AS (SELECT count(*) AS n FROM sel_projects),
        pairs AS (SELECT DISTINCT lab_id, project_id, trim(unnest(string_split(partner_types, ','))) AS partner
                  FROM sel_projects WHERE partner_types IS NOT NULL AND partner_types <> '')
        SELECT partner, count(*)::BIGINT AS projects, round(100.0 * count(*) / any_value(total.n), 1) AS share_pct
        FROM pairs, total WHERE partner <> '' GROUP BY partner ORDER BY projects DESC, partner""", params)
    return df


def sessions_by_quarter(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per quarter and format: training sessions held during the period and their hours."""
    cte, params = _labs_cte(filters)
    where, p = filters.period_where("s.held_on")
    return store.query_df(f"""{cte}
        SELECT s.quarter, s.format, count(*)::BIGINT AS sessions, sum(s.duration_hours) AS hours
        FROM current_training_sessions s JOIN sel_labs l USING (lab_id)
        WHERE {where} GROUP BY ALL ORDER BY s.quarter, s.format""", params + p)


def participants_by_quarter(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per quarter: participants of the sessions held, agents and others (others may be unreported: 0)."""
    cte, params = _labs_cte(filters)
    where, p = filters.period_where("s.held_on")
    return store.query_df(f"""{cte}
        SELECT s.quarter, sum(s.participants_agents)::BIGINT AS agents,
               coalesce(sum(s.participants_others), 0)::BIGINT AS others
        FROM current_training_sessions s JOIN sel_labs l USING (lab_id)
        WHERE {where} GROUP BY ALL ORDER BY s.quarter""", params + p)


def essaimage_share(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per year of start (within the period): projects started and those that ever reached `essaimage`."""
    cte, params = _labs_cte(filters)
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
    cte, params = _projects_cte(filters)
    s_where, s_params = filters.period_where("s.held_on")
    f_where, f_params = filters.period_where("f.committed_on")
    return store.query_df(f"""{cte},
        proj AS (SELECT lab_id, count(*) AS projects FROM sel_projects GROUP BY 1),
        ess AS (SELECT s.lab_id, count(DISTINCT s.project_id) AS reached
                FROM current_project_snapshots s JOIN sel_projects USING (lab_id, project_id)
                WHERE s.status = 'essaimage' GROUP BY 1),
        sess AS (SELECT s.lab_id, count(*) AS sessions,
                        sum({_PARTICIPANTS}) AS participants
                 FROM current_training_sessions s JOIN sel_labs l USING (lab_id) WHERE {s_where} GROUP BY 1),
        money AS (SELECT f.lab_id, sum(f.amount_eur)::DOUBLE AS committed
                  FROM current_funding_tranches f JOIN sel_labs l USING (lab_id) WHERE {f_where} GROUP BY 1)
        SELECT l.lab_id, l.name, r.name AS region, l.cohort,
               coalesce(proj.projects, 0)::BIGINT AS projects,
               coalesce(ess.reached, 0)::BIGINT AS reached,
               coalesce(sess.sessions, 0)::BIGINT AS sessions,
               coalesce(sess.participants, 0)::BIGINT AS participants,
               coalesce(money.committed, 0)::DOUBLE AS committed
        FROM sel_labs l LEFT JOIN regions r USING (region_code)
        LEFT JOIN proj USING (lab_id) LEFT JOIN ess USING (lab_id) LEFT JOIN sess USING (lab_id)
        LEFT JOIN money USING (lab_id)
        ORDER BY projects DESC, sessions DESC, l.name""", params + s_params + f_params)


# --- funding ------------------------------------------------------------------------------------

def funding_by_quarter(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per quarter and source: money committed (by commitment date) and paid (by payment date) in the
    period, with running totals from the start of the period."""
    cte, params = _labs_cte(filters)
    c_where, c_params = filters.period_where("f.committed_on")
    p_where, p_params = filters.period_where("f.paid_on")
    return store.query_df(f"""{cte},
        moves AS (
            SELECT {_quarter_sql('f.committed_on')} AS quarter, f.source, f.amount_eur AS committed, 0 AS paid
            FROM current_funding_tranches f JOIN sel_labs l USING (lab_id) WHERE {c_where}
            UNION ALL
            SELECT {_quarter_sql('f.paid_on')}, f.source, 0, f.amount_eur
            FROM current_funding_tranches f JOIN sel_labs l USING (lab_id)
            WHERE f.paid_on IS NOT NULL AND {p_where}),
        q AS (SELECT quarter, source, sum(committed)::DOUBLE AS committed, sum(paid)::DOUBLE AS paid
              FROM moves GROUP BY ALL)
        SELECT quarter, source, committed, paid,
               sum(committed) OVER (PARTITION BY source ORDER BY quarter) AS committed_cumulative,
               sum(paid) OVER (PARTITION BY source ORDER BY quarter) AS paid_cumulative
        FROM q ORDER BY quarter, source""", params + c_params + p_params)


def committed_vs_paid(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per source: money committed during the period, and how much of it is paid by the period's end."""
    cte, params = _labs_cte(filters)
    where, p = filters.period_where("f.committed_on")
    _, end = _bounds(filters)
    df = store.query_df(f"""{cte}
        SELECT f.source, sum(f.amount_eur)::DOUBLE AS committed,
               coalesce(sum(f.amount_eur) FILTER (WHERE f.paid_on IS NOT NULL AND f.paid_on <= ?), 0)::DOUBLE AS paid
        FROM current_funding_tranches f JOIN sel_labs l USING (lab_id) WHERE {where} GROUP BY 1""",
                        params + [end] + p)
    order = {s: i for i, s in enumerate(domain.FUNDING_SOURCES)}
    df = df.sort_values("source", key=lambda s: s.map(order)).reset_index(drop=True)
    df["paid_pct"] = (100 * df["paid"] / df["committed"]).round(1)
    return df


def funding_by_lab(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per lab in scope and source: money committed during the period (labs ranked by total)."""
    cte, params = _labs_cte(filters)
    where, p = filters.period_where("f.committed_on")
    return store.query_df(f"""{cte},
        m AS (SELECT f.lab_id, f.source, sum(f.amount_eur)::DOUBLE AS committed
              FROM current_funding_tranches f JOIN sel_labs l USING (lab_id) WHERE {where} GROUP BY ALL)
        SELECT m.lab_id, l.name, m.source, m.committed, sum(m.committed) OVER (PARTITION BY m.lab_id) AS lab_total
        FROM m JOIN sel_labs l USING (lab_id)
        ORDER BY lab_total DESC, l.name, m.source""", params + p)


def funding_by_region(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per region and source: money committed during the period to the labs in scope. Labs without a known
    region are grouped under « Région non connue »."""
    cte, params = _labs_cte(filters)
    where, p = filters.period_where("f.committed_on")
    return store.query_df(f"""{cte},
        m AS (SELECT l.region_code, f.source, sum(f.amount_eur)::DOUBLE AS committed
              FROM current_funding_tranches f JOIN sel_labs l USING (lab_id) WHERE {where} GROUP BY ALL)
        SELECT m.region_code, coalesce(r.name, 'Région non connue') AS region, m.source, m.committed,
               sum(m.committed) OVER (PARTITION BY m.region_code) AS region_total
        FROM m LEFT JOIN regions r USING (region_code)
        ORDER BY region_total DESC, region, m.source""", params + p)


PIA_COMPLIANT, PIA_BREACH, PIA_TO_CHECK = "compliant", "breach", "to_check"   # pia_rule_checks' `status`


def pia_rule_checks(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """The 2016 call's rules, checked per lab that received PIA money or is a 2016 laureate (lab filters
    apply; the period does not: the rules concern the whole PIA grant).

    Columns: amounts, the four checks as booleans (NULL when it cannot be checked: budget unknown, nothing
    paid yet), `unpaid_tranches`, and `status`: `PIA_BREACH` when a check fails, else `PIA_TO_CHECK` when the
    budget is unknown, no PIA is recorded or some PIA is not paid yet, else `PIA_COMPLIANT`. The French
    verdict is written by `catalogue`.
    """
    where, params = filters.lab_where("l")
    df = store.query_df(f"""
        WITH pia AS (
            SELECT lab_id, sum(amount_eur)::DOUBLE AS pia_committed,
                   coalesce(sum(amount_eur) FILTER (WHERE paid_on IS NOT NULL), 0)::DOUBLE AS pia_paid,
                   count(*) FILTER (WHERE paid_on IS NULL) AS unpaid, max(paid_on) AS last_paid_on
            FROM current_funding_tranches WHERE source = 'PIA' GROUP BY 1)
        SELECT l.lab_id, l.name, l.opened_on, l.budget_eur::DOUBLE AS budget,
               coalesce(pia.pia_committed, 0) AS pia_committed, coalesce(pia.pia_paid, 0) AS pia_paid,
               pia.last_paid_on, (l.opened_on + INTERVAL ({domain.PIA_WINDOW_MONTHS}) MONTH)::DATE AS window_end,
               coalesce(pia.unpaid, 0)::INTEGER AS unpaid_tranches,
               CASE WHEN l.budget_eur > 0 THEN round(100.0 * coalesce(pia.pia_committed, 0) / l.budget_eur, 1)
               END AS share_pct
        FROM labs l LEFT JOIN pia USING (lab_id)
        WHERE (l.cohort = 'laureat-2016' OR pia.lab_id IS NOT NULL) AND {where}
        ORDER BY l.name""", params)
    if df.empty:
        return df.assign(ceiling_ok=[], share_ok=[], budget_ok=[], window_ok=[], status=[])
    budget_known = df["budget"].notna()
    df["ceiling_ok"] = df["pia_committed"] <= domain.PIA_MAX_PER_LAUREATE_EUR
    df["share_ok"] = (df["pia_committed"] <= domain.PIA_MAX_SHARE_OF_BUDGET * df["budget"]).where(budget_known)
    df["budget_ok"] = (df["budget"] <= domain.LAB_BUDGET_MAX_EUR).where(budget_known)
    paid_any = df["last_paid_on"].notna() & df["opened_on"].notna()
    df["window_ok"] = (pd.to_datetime(df["last_paid_on"]) <= pd.to_datetime(df["window_end"])).where(paid_any)
    for col in ("share_ok", "budget_ok", "window_ok"):
        df[col] = df[col].astype("boolean")

    breach = ~(df["ceiling_ok"] & df["share_ok"].fillna(True) & df["budget_ok"].fillna(True)
               & df["window_ok"].fillna(True)).astype(bool)
    to_check = df["budget"].isna() | (df["pia_committed"] == 0) | (df["unpaid_tranches"] > 0)
    df["status"] = [PIA_BREACH if b else PIA_TO_CHECK if c else PIA_COMPLIANT for b, c in zip(breach, to_check)]
    return df


# --- map ----------------------------------------------------------------------------------------

def region_indicators(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """One row per region (18), plus one row with a NULL code for labs without a known region: labs open
    during the period, projects alive, sessions held, participants and money committed by source.

    The region filter is not applied (the map shows every region; the selection is highlighted)."""
    f = filters.with_(regions=())
    cte, params = _projects_cte(f)
    start, end = _bounds(f)
    s_where, s_params = f.period_where("s.held_on")
    c_where, c_params = f.period_where("x.committed_on")
    return store.query_df(f"""{cte},
        lab_n AS (SELECT region_code, count(*) AS labs FROM sel_labs
                  WHERE (opened_on IS NULL OR opened_on <= ?) AND (closed_on IS NULL OR closed_on >= ?) GROUP BY 1),
        all_labs AS (SELECT region_code, count(*) AS labs_ever FROM sel_labs GROUP BY 1),
        proj AS (SELECT l.region_code, count(*) AS projects FROM sel_projects p JOIN sel_labs l USING (lab_id)
                 GROUP BY 1),
        sess AS (SELECT l.region_code, count(*) AS sessions,
                        sum({_PARTICIPANTS}) AS participants
                 FROM current_training_sessions s JOIN sel_labs l USING (lab_id) WHERE {s_where} GROUP BY 1),
        money AS (SELECT l.region_code,
                         sum(x.amount_eur) FILTER (WHERE x.source = 'PIA')::DOUBLE AS pia,
                         sum(x.amount_eur) FILTER (WHERE x.source = 'FTAP')::DOUBLE AS ftap,
                         sum(x.amount_eur) FILTER (WHERE x.source = 'relance')::DOUBLE AS relance,
                         sum(x.amount_eur) FILTER (WHERE x.source = 'autre')::DOUBLE AS autre
                  FROM current_funding_tranches x JOIN sel_labs l USING (lab_id) WHERE {c_where} GROUP BY 1),
        codes AS (SELECT region_code, name, is_overseas FROM regions
                  UNION ALL SELECT NULL, 'Région non connue', false)
        SELECT c.region_code, c.name AS region, c.is_overseas,
               coalesce(all_labs.labs_ever, 0)::BIGINT AS labs_ever,
               coalesce(lab_n.labs, 0)::BIGINT AS labs,
               coalesce(proj.projects, 0)::BIGINT AS projects,
               coalesce(sess.sessions, 0)::BIGINT AS sessions,
               coalesce(sess.participants, 0)::BIGINT AS participants,
               coalesce(pia, 0) AS committed_pia, coalesce(ftap, 0) AS committed_ftap,
               coalesce(relance, 0) AS committed_relance, coalesce(autre, 0) AS committed_autre,
               coalesce(pia, 0) + coalesce(ftap, 0) + coalesce(relance, 0) + coalesce(autre, 0) AS committed
        FROM codes c
        LEFT JOIN lab_n ON lab_n.region_code IS NOT DISTINCT FROM c.region_code
        LEFT JOIN all_labs ON all_labs.region_code IS NOT DISTINCT FROM c.region_code
        LEFT JOIN proj ON proj.region_code IS NOT DISTINCT FROM c.region_code
        LEFT JOIN sess ON sess.region_code IS NOT DISTINCT FROM c.region_code
        LEFT JOIN money ON money.region_code IS NOT DISTINCT FROM c.region_code
        ORDER BY c.region_code NULLS LAST""", params + [end, start] + s_params + c_params)


MAP_COLUMNS = {"laboratoires": "labs", "projets": "projects", "sessions": "sessions",
               "participants": "participants", "engage": "committed", "engage-PIA": "committed_pia",
               "engage-FTAP": "committed_ftap", "engage-relance": "committed_relance",
               "engage-autre": "committed_autre"}


def map_labs(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Labs in scope (region filter not applied) that have a place, with their projects in the period."""
    cte, params = _projects_cte(filters.with_(regions=()))
    return store.query_df(f"""{cte},
        proj AS (SELECT lab_id, count(*) AS projects FROM sel_projects GROUP BY 1)
        SELECT l.lab_id, l.name, l.city, l.region_code, r.name AS region, l.latitude, l.longitude, l.cohort,
               l.opened_on, l.closed_on, coalesce(proj.projects, 0)::BIGINT AS projects
        FROM sel_labs l LEFT JOIN regions r USING (region_code) LEFT JOIN proj USING (lab_id)
        WHERE l.latitude IS NOT NULL AND l.longitude IS NOT NULL
        ORDER BY l.name""", params)


# --- labs ---------------------------------------------------------------------------------------

def lab_directory(store: Store, filters: Filters = Filters(), search: str = "") -> pd.DataFrame:
    """Labs in scope, optionally matching a search text (name, city, region, themes, lead)."""
    where, params = filters.lab_where("l")
    text = (search or "").strip()
    if text:
        # Accents and case do not matter (« ile-de-france » finds Île-de-France); % and _ are plain characters.
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where += (" AND strip_accents(concat_ws(' ', l.name, l.city, r.name, l.themes, l.lead_administration, "
                  "l.lab_id)) ILIKE strip_accents(?) ESCAPE '\\'")
        params = params + [pattern]
    return store.query_df(f"""
        SELECT l.lab_id, l.name, r.name AS region, l.city, l.cohort, l.opened_on, l.closed_on, l.themes,
               l.lead_administration, l.identified, l.source
        FROM labs l LEFT JOIN regions r USING (region_code)
        WHERE {where} ORDER BY l.cohort, l.name""", params)


def lab_profile(store: Store, lab_id: str) -> dict | None:
    """Every fact about one lab, with its region's name; None for an unknown lab."""
    df = store.query_df("""SELECT l.*, l.budget_eur::DOUBLE AS budget, r.name AS region_name
                           FROM labs l LEFT JOIN regions r USING (region_code) WHERE l.lab_id = ?""", [lab_id])
    if df.empty:
        return None
    row = df.iloc[0].to_dict()
    return {k: (None if _is_missing(v) else v) for k, v in row.items()}


def lab_tranches(store: Store, lab_id: str) -> pd.DataFrame:
    """The funding tranches of one lab, oldest first."""
    return store.query_df("""SELECT tranche_id, source, amount_eur::DOUBLE AS amount, committed_on, paid_on, purpose
                             FROM current_funding_tranches WHERE lab_id = ? ORDER BY committed_on, tranche_id""",
                          [lab_id])


def _is_missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# --- names and scopes ----------------------------------------------------------------------------

def lab_choices(store: Store) -> pd.DataFrame:
    """Every lab (id, name), by name: the choices of the lab filter."""
    return store.query_df("SELECT lab_id, name FROM labs ORDER BY name")


def region_names(store: Store, codes: tuple[str, ...] | list[str] | None = None) -> dict[str, str]:
    """Region code -> name, for the given codes (every region when None), in the order of `codes`."""
    names = dict(store.query("SELECT region_code, name FROM regions ORDER BY region_code"))
    return names if codes is None else {code: names[code] for code in codes if code in names}


def lab_names(store: Store, lab_ids: tuple[str, ...] | list[str] | None = None) -> dict[str, str]:
    """Lab id -> name for the given labs (unknown ids left out); every lab, by cohort then name, when None."""
    if lab_ids is None:
        return dict(store.query("SELECT lab_id, name FROM labs ORDER BY cohort, name"))
    if not lab_ids:
        return {}
    return dict(store.query(f"SELECT lab_id, name FROM labs WHERE lab_id IN ({', '.join('?' * len(lab_ids))})",
                            list(lab_ids)))


def region_with_most_labs(store: Store) -> tuple[str, str] | None:
    """(code, name) of the region with the most labs (ties: smallest code), None without any lab placed."""
    row = store.query("""SELECT l.region_code, r.name, count(*) AS n FROM labs l JOIN regions r USING (region_code)
                         GROUP BY ALL ORDER BY n DESC, l.region_code LIMIT 1""")
    return (row[0][0], row[0][1]) if row else None


def lab_with_most_projects(store: Store) -> tuple[str, str] | None:
    """(id, name) of the publicly identified lab with the most projects (ties: smallest id)."""
    row = store.query("""SELECT l.lab_id, l.name, count(DISTINCT p.project_id) AS n
                         FROM labs l LEFT JOIN current_project_snapshots p USING (lab_id)
                         WHERE l.identified GROUP BY ALL ORDER BY n DESC, l.lab_id LIMIT 1""")
    return (row[0][0], row[0][1]) if row else None


def funding_ledger(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """The funding tranches of labs in scope committed during the period (the workbook's ledger sheet)."""
    cte, params = _labs_cte(filters)
    where, p = filters.period_where("f.committed_on")
    return store.query_df(f"""{cte}
        SELECT f.tranche_id, l.name AS lab, r.name AS region, f.source, f.amount_eur::DOUBLE AS amount,
               f.committed_on, f.paid_on, f.purpose, f.is_demo
        FROM current_funding_tranches f JOIN sel_labs l USING (lab_id) LEFT JOIN regions r USING (region_code)
        WHERE {where} ORDER BY f.committed_on, f.tranche_id""", params + p)
