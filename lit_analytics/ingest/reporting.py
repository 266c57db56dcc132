"""The reporting status: for every lab and every quarter it was open, which quarterly reports are in.

A report is *reçu* when a current version exists for its (lab, quarter, kind); *en retard* when the quarter
ended more than 30 days ago and nothing was received; *attendu* otherwise (quarter in progress or just ended).
The grid writes the status as a word with a symbol, so it reads without colour.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from lit_analytics.formats import fmt_quarter, quarter_end, quarter_of, quarter_range, shift_quarter
from lit_analytics.ingest.schema import LAB_REPORT_KINDS
from lit_analytics.lab_names import shown_name
from lit_analytics.store import Store

GRACE_DAYS = 30
RECEIVED, LATE, EXPECTED = "reçu", "en retard", "attendu"
SYMBOLS = {RECEIVED: "✔ reçu", LATE: "✖ en retard", EXPECTED: "… attendu", "partiel": "◐ partiel"}
STATUS_COLORS = {RECEIVED: "#B8FEC9", LATE: "#FFE9E6", EXPECTED: "#E8EDFF", "partiel": "#FEECC2"}


def status_of(quarter: str, received: bool, today: date) -> str:
    if received:
        return RECEIVED
    return LATE if quarter_end(quarter) + timedelta(days=GRACE_DAYS) < today else EXPECTED


def reporting_status(store: Store, *, today: date | None = None, first_quarter: str | None = None,
                     last_quarter: str | None = None, labs: tuple[str, ...] | None = None,
                     kind: str | None = None) -> pd.DataFrame:
    """One row per (lab, quarter open, kind): lab_id, lab_name (its shown name: the short name when it has
    one, as every list names labs), quarter, kind, status, published_at, is_demo. `labs` and `kind` narrow it
    (None: every lab, both kinds)."""
    today = today or date.today()
    last_quarter = last_quarter or quarter_of(today)
    first_quarter = first_quarter or shift_quarter(last_quarter, -7)
    lab_rows = store.query(f"SELECT lab_id, {shown_name('labs')} AS shown, opened_on, closed_on FROM labs "
                           "ORDER BY shown, lab_id")   # the names readers know labs by (`lab_names`)
    received = {(k, lab, q): (at, demo) for k, lab, q, at, demo in store.query(
        "SELECT kind, lab_id, quarter, published_at, is_demo FROM report_versions "
        "WHERE is_current AND quarter BETWEEN ? AND ?", [first_quarter, last_quarter])}
    rows = []
    for lab_id, name, opened, closed in lab_rows:
        if labs is not None and lab_id not in labs:
            continue
        first = max(first_quarter, quarter_of(opened)) if opened else first_quarter
        last = min(last_quarter, quarter_of(closed)) if closed else last_quarter
        for quarter in quarter_range(first, last) if first <= last else []:
            for report_kind in (LAB_REPORT_KINDS if kind is None else (kind,)):
                got = received.get((report_kind, lab_id, quarter))
                rows.append((lab_id, name, quarter, report_kind, status_of(quarter, got is not None, today),
                             got[0] if got else None, bool(got[1]) if got else False))
    return pd.DataFrame(rows, columns=["lab_id", "lab_name", "quarter", "kind", "status", "published_at", "is_demo"])


def reporting_grid(status: pd.DataFrame, kind: str | None = None) -> pd.DataFrame:
    """Labs as rows, quarters (`T3 2021`) as columns, each cell a word with a symbol (`✔ reçu`, `✖ en retard`…).

    With `kind=None` both reports count: `✔ reçu` when both are in, `◐ partiel` when one is, else late/expected.
    Empty cells are quarters when the lab was not open."""
    if status.empty:
        return pd.DataFrame()
    frame = status if kind is None else status[status["kind"] == kind]
    cells = frame.groupby(["lab_name", "quarter"])["status"].agg(_combine).map(SYMBOLS)
    grid = cells.unstack("quarter")
    grid = grid[sorted(grid.columns)]
    grid.columns = [fmt_quarter(q) for q in grid.columns]
    grid.index.name = "Laboratoire"
    return grid.fillna("")


def _combine(statuses: pd.Series) -> str:
    values = set(statuses)
    if values == {RECEIVED}:
        return RECEIVED
    if RECEIVED in values:
        return "partiel"
    return LATE if LATE in values else EXPECTED


def late_reports(status: pd.DataFrame) -> pd.DataFrame:
    """The reports that are late, in French, oldest first."""
    late = status[status["status"] == LATE].sort_values(["quarter", "lab_name", "kind"])
    return pd.DataFrame({"Laboratoire": late["lab_name"], "Trimestre": late["quarter"].map(fmt_quarter),
                         "Rapport": late["kind"]}).reset_index(drop=True)


def counts(status: pd.DataFrame) -> dict[str, int]:
    return {s: int((status["status"] == s).sum()) for s in (RECEIVED, LATE, EXPECTED)}
