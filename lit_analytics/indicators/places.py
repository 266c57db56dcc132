"""Where the labs are and who they are: the map's figures per region, the labs on the map, the lab
directory, one lab's profile and tranches, region and lab names, and what changed in a lab's quarter.

The region of labs without a known place is a NULL code and name; `lit_analytics.presentation` names it.
"""

from __future__ import annotations

import pandas as pd

from lit_analytics.filters import Filters
from lit_analytics.formats import shift_quarter
from lit_analytics.indicators.common import PARTICIPANTS, bounds, projects_cte
from lit_analytics.lab_names import lab_names, shown_name
from lit_analytics.store import Store


def region_indicators(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """One row per region (18), plus one row with a NULL code for labs without a known region: labs open
    during the period, projects alive, sessions held, participants and money committed by source.

    The region filter is not applied (the map shows every region; the selection is highlighted)."""
    f = filters.with_(regions=())
    cte, params = projects_cte(f)
    start, end = bounds(f)
    s_where, s_params = f.period_where("s.held_on")
    c_where, c_params = f.period_where("x.committed_on")
    return store.query_df(f"""{cte},
        lab_n AS (SELECT region_code, count(*) AS labs FROM sel_labs
                  WHERE (opened_on IS NULL OR opened_on <= ?) AND (closed_on IS NULL OR closed_on >= ?) GROUP BY 1),
        all_labs AS (SELECT region_code, count(*) AS labs_ever FROM sel_labs GROUP BY 1),
        proj AS (SELECT l.region_code, count(*) AS projects FROM sel_projects p JOIN sel_labs l USING (lab_id)
                 GROUP BY 1),
        sess AS (SELECT l.region_code, count(*) AS sessions,
                        sum({PARTICIPANTS}) AS participants
                 FROM current_training_sessions s JOIN sel_labs l USING (lab_id) WHERE {s_where} GROUP BY 1),
        money AS (SELECT l.region_code,
                         sum(x.amount_eur) FILTER (WHERE x.source = 'PIA')::DOUBLE AS pia,
                         sum(x.amount_eur) FILTER (WHERE x.source = 'FTAP')::DOUBLE AS ftap,
                         sum(x.amount_eur) FILTER (WHERE x.source = 'relance')::DOUBLE AS relance,
                         sum(x.amount_eur) FILTER (WHERE x.source = 'autre')::DOUBLE AS autre
                  FROM current_funding_tranches x JOIN sel_labs l USING (lab_id) WHERE {c_where} GROUP BY 1),
        codes AS (SELECT region_code, name, is_overseas FROM regions
                  UNION ALL SELECT NULL, NULL, false)
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
    cte, params = projects_cte(filters.with_(regions=()))
    return store.query_df(f"""{cte},
        proj AS (SELECT lab_id, count(*) AS projects FROM sel_projects GROUP BY 1)
        SELECT l.lab_id, {shown_name()} AS name, l.city, l.region_code, r.name AS region, l.latitude, l.longitude,
               coalesce(c.label, l.cohort) AS cohort, l.opened_on, l.closed_on,
               coalesce(proj.projects, 0)::BIGINT AS projects
        FROM sel_labs l LEFT JOIN regions r USING (region_code) LEFT JOIN proj USING (lab_id)
        LEFT JOIN cohorts c ON c.code = l.cohort
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
        SELECT l.lab_id, l.name, r.name AS region, l.city, coalesce(c.label, l.cohort) AS cohort, l.opened_on,
               l.closed_on, l.themes, l.lead_administration, l.identified, l.source
        FROM labs l LEFT JOIN regions r USING (region_code) LEFT JOIN cohorts c ON c.code = l.cohort
        WHERE {where} ORDER BY c.starts_on NULLS LAST, l.cohort, l.name""", params)


def lab_profile(store: Store, lab_id: str) -> dict | None:
    """Every fact about one lab, with its region's name; None for an unknown lab."""
    df = store.query_df("""SELECT l.* REPLACE (coalesce(c.label, l.cohort) AS cohort), l.budget_eur::DOUBLE AS budget,
                                  r.name AS region_name
                           FROM labs l LEFT JOIN regions r USING (region_code) LEFT JOIN cohorts c ON c.code = l.cohort
                           WHERE l.lab_id = ?""", [lab_id])
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


def lab_choices(store: Store) -> pd.DataFrame:
    """Every lab (id, name), by name: the choices of the lab filter (`lab_names`, as a frame)."""
    return pd.DataFrame(list(lab_names(store).items()), columns=["lab_id", "name"])


def cohort_choices(store: Store) -> dict[str, str]:
    """Every cohort of the registry (`cohorts`, migration 008), code -> French label, oldest first: the choices of
    the cohort filter."""
    return dict(store.query("SELECT code, label FROM cohorts ORDER BY starts_on NULLS LAST, code"))


def region_names(store: Store, codes: tuple[str, ...] | list[str] | None = None) -> dict[str, str]:
    """Region code -> name, for the given codes (every region when None), in the order of `codes`."""
    names = dict(store.query("SELECT region_code, name FROM regions ORDER BY region_code"))
    return names if codes is None else {code: names[code] for code in codes if code in names}


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


# --- what changed this quarter (a lab's profile, the lab preset of the briefing deck) -------------------------

QUARTER_CHANGE_MEASURES = ("new", "stage_changed", "finished", "abandoned", "sessions")


def lab_report_quarters(store: Store, lab_id: str) -> list[str]:
    """The quarters for which the lab has a current report (projects or sessions), newest first."""
    return [q for (q,) in store.query("SELECT DISTINCT quarter FROM report_versions WHERE lab_id = ? AND is_current "
                                      "AND kind IN ('projets', 'sessions') ORDER BY quarter DESC", [lab_id])]


def _quarter_changes(store: Store, lab_id: str, quarter: str) -> dict[str, int]:
    previous = shift_quarter(quarter, -1)
    row = store.query(
        """WITH now AS (SELECT project_id, status FROM current_project_snapshots WHERE lab_id = ? AND quarter = ?),
                before AS (SELECT project_id, status FROM current_project_snapshots WHERE lab_id = ? AND quarter = ?)
           SELECT count(*) FILTER (WHERE b.project_id IS NULL AND n.status NOT IN ('terminé', 'abandonné')),
                  count(*) FILTER (WHERE b.project_id IS NOT NULL AND n.status <> b.status
                                   AND n.status NOT IN ('terminé', 'abandonné')),
                  count(*) FILTER (WHERE n.status = 'terminé' AND b.status IS DISTINCT FROM 'terminé'),
                  count(*) FILTER (WHERE n.status = 'abandonné' AND b.status IS DISTINCT FROM 'abandonné')
           FROM now n LEFT JOIN before b USING (project_id)""", [lab_id, quarter, lab_id, previous])[0]
    sessions = store.scalar("SELECT count(*) FROM current_training_sessions WHERE lab_id = ? AND quarter = ?",
                            [lab_id, quarter])
    return dict(zip(QUARTER_CHANGE_MEASURES, [int(v) for v in row] + [int(sessions)]))


def quarter_changes(store: Store, lab_id: str, quarter: str | None = None) -> pd.DataFrame:
    """What changed in a lab's portfolio in `quarter` (default: its latest reported quarter), compared with the
    previous quarter: one row per measure (`QUARTER_CHANGE_MEASURES`: projects new this quarter, projects that
    changed stage, finished, abandoned, sessions held) with columns measure, quarter, current, previous_quarter,
    previous. A project is compared with its row of the previous quarter's report (by its id). Empty when the
    lab never reported."""
    if quarter is None:
        reported = lab_report_quarters(store, lab_id)
        if not reported:
            return pd.DataFrame(columns=["measure", "quarter", "current", "previous_quarter", "previous"])
        quarter = reported[0]
    previous = shift_quarter(quarter, -1)
    now, before = _quarter_changes(store, lab_id, quarter), _quarter_changes(store, lab_id, previous)
    return pd.DataFrame({"measure": list(QUARTER_CHANGE_MEASURES), "quarter": quarter,
                         "current": [now[m] for m in QUARTER_CHANGE_MEASURES], "previous_quarter": previous,
                         "previous": [before[m] for m in QUARTER_CHANGE_MEASURES]})
