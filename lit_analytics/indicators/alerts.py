"""What the data alerts of « Suivi des dépôts » read (`lit_analytics.alerts` words them and applies the
thresholds of `alert_settings`): labs silent for several quarters, a météo at « orage », indicators falling
against the same quarter a year earlier. Codes and numbers only; quarters in the stored form '2026-T3'.
"""

from __future__ import annotations

import pandas as pd

from lit_analytics.formats import quarter_end, quarter_start, shift_quarter
from lit_analytics.store import Store

# The météo of each lab's quarterly report (issue 22, point 2: migration 009 of the `meteo` branch, versioned like
# the reports). Until that table exists, the « orage » alert finds nothing; `storms` is the one place naming it.
WEATHER_TABLE = "meteo_reports"
STORM = "orage"

# Measures compared with the same quarter a year earlier, and the report that carries each of them.
DROP_MEASURES = {"sessions": "sessions", "participants": "sessions", "projects_in_progress": "projets"}


def settings(store: Store) -> dict[str, float]:
    """The thresholds administrators set (`alert_settings`, migration 011)."""
    return {k: float(v) for k, v in store.query("SELECT setting, value FROM alert_settings")}


def labs_without_reports(store: Store, last_quarter: str, quarters: int) -> pd.DataFrame:
    """Labs expected to report for each of the `quarters` quarters ending with `last_quarter` (open from the first
    to the last, as « Suivi des dépôts » counts them) that published no report (neither projects nor sessions) for
    any of them: lab_id, name, first_quarter, last_reported (NULL: never)."""
    first = shift_quarter(last_quarter, -(quarters - 1))
    return store.query_df("""
        SELECT l.lab_id, l.name, ? AS first_quarter,
               (SELECT max(v.quarter) FROM report_versions v
                WHERE v.is_current AND v.lab_id = l.lab_id AND v.kind IN ('projets', 'sessions')) AS last_reported
        FROM labs l
        WHERE coalesce(l.opened_on, DATE '1900-01-01') <= ? AND (l.closed_on IS NULL OR l.closed_on >= ?)
          AND NOT EXISTS (SELECT 1 FROM report_versions v WHERE v.is_current AND v.lab_id = l.lab_id
                          AND v.kind IN ('projets', 'sessions') AND v.quarter BETWEEN ? AND ?)
        ORDER BY l.name""", [first, quarter_end(first), quarter_start(last_quarter), first, last_quarter])


def storms(store: Store, quarter: str) -> pd.DataFrame:
    """Labs whose météo of `quarter` is « orage »: lab_id, name, quarter. Empty while the météo is not recorded."""
    if not store.table_exists(WEATHER_TABLE):
        return pd.DataFrame(columns=["lab_id", "name", "quarter"])
    return store.query_df(f"""
        SELECT w.lab_id, l.name, w.quarter FROM {WEATHER_TABLE} w JOIN labs l ON l.lab_id = w.lab_id
        WHERE w.is_current AND w.quarter = ? AND w.level = ? ORDER BY l.name""", [quarter, STORM])


def year_on_year(store: Store, quarter: str) -> pd.DataFrame:
    """Each lab's measures (`DROP_MEASURES`) in `quarter` and in the same quarter a year earlier, for the labs
    that published the report carrying the measure for both quarters (a missing report is another alert):
    lab_id, name, measure, now, before."""
    earlier = shift_quarter(quarter, -4)
    return store.query_df("""
        WITH reported AS (
            SELECT lab_id, kind, quarter FROM report_versions
            WHERE is_current AND quarter IN (?, ?) AND kind IN ('projets', 'sessions')),
        sessions AS (
            SELECT r.lab_id, r.quarter, count(s.session_id) AS sessions,
                   coalesce(sum(s.participants_agents + coalesce(s.participants_others, 0)), 0) AS participants
            FROM reported r LEFT JOIN current_training_sessions s ON s.lab_id = r.lab_id AND s.quarter = r.quarter
            WHERE r.kind = 'sessions' GROUP BY r.lab_id, r.quarter),
        projects AS (
            SELECT r.lab_id, r.quarter,
                   count(p.project_id) FILTER (WHERE p.status NOT IN ('terminé', 'abandonné')) AS projects_in_progress
            FROM reported r LEFT JOIN current_project_snapshots p ON p.lab_id = r.lab_id AND p.quarter = r.quarter
            WHERE r.kind = 'projets' GROUP BY r.lab_id, r.quarter),
        measures AS (
            SELECT lab_id, quarter, 'sessions' AS measure, sessions::DOUBLE AS value FROM sessions
            UNION ALL SELECT lab_id, quarter, 'participants', participants::DOUBLE FROM sessions
            UNION ALL SELECT lab_id, quarter, 'projects_in_progress', projects_in_progress::DOUBLE FROM projects)
        SELECT n.lab_id, l.name, n.measure, n.value AS now, b.value AS before
        FROM measures n JOIN measures b ON b.lab_id = n.lab_id AND b.measure = n.measure AND b.quarter = ?
        JOIN labs l ON l.lab_id = n.lab_id
        WHERE n.quarter = ?
        ORDER BY l.name, n.measure""", [quarter, earlier, earlier, quarter])
