"""The French wording of the events on the time charts (`indicators.events`): each mark's label, the « Repères »
column the chart's data table gains, and the table of the events' administration."""

from __future__ import annotations

import pandas as pd

from lit_analytics.formats import fmt_date, fmt_eur, fmt_quarter
from lit_analytics.indicators.events import TRANCHE

KIND_LABELS = {"programme": "Programme", "lab-funding": "Financement d'un laboratoire", "other": "Autre"}
MARKS_COLUMN = "Repères"                 # the column of a time chart's data table listing its events
QUARTER_COLUMN = "Trimestre"             # the column of the French tables the marks are matched on
TRANCHE_SOURCES = {"relance": "France Relance", "autre": "Cofinancement"}


def mark_label(row) -> str:
    """What the chart writes beside a mark: the event's label, or « PIA : 125 000 € engagés » for a tranche."""
    if row.origin == TRANCHE:
        return f"{TRANCHE_SOURCES.get(row.source, row.source)} : {fmt_eur(row.amount)} engagés"
    return str(row.label)


def mark_detail(row) -> str:
    """The mark's full wording for its hover text and the data table: date, label, lab, source."""
    parts = [f"{fmt_date(row.event_date)} : {mark_label(row)}"]
    if isinstance(row.lab_name, str) and row.lab_name:
        parts.append(f"({row.lab_name})")
    if isinstance(row.source_title, str) and row.source_title:
        parts.append(f"— source : {row.source_title}")
    return " ".join(parts)


def marks(events: pd.DataFrame) -> pd.DataFrame:
    """The marks of a chart, one row per quarter (French quarter label, « T4 2016 »), in time order: `quarter`,
    `labels` (short, for the chart) and `details` (full, for hover texts and tables)."""
    if events.empty:
        return pd.DataFrame(columns=["quarter", "labels", "details"])
    rows = {}
    for row in events.sort_values(["event_date"], kind="stable").itertuples():
        entry = rows.setdefault(row.quarter, ([], []))
        entry[0].append(mark_label(row))
        entry[1].append(mark_detail(row))
    return pd.DataFrame([(fmt_quarter(q), labels, details) for q, (labels, details) in sorted(rows.items())],
                        columns=["quarter", "labels", "details"])


def with_marks_column(table: pd.DataFrame, quarter_marks: pd.DataFrame) -> pd.DataFrame:
    """A time chart's French table with a « Repères » column: the events of each row's quarter (« 18/11/2016 :
    Annonce des 12 lauréats — source : … »), empty where none. Tables without a « Trimestre » column are kept."""
    if QUARTER_COLUMN not in table.columns or MARKS_COLUMN in table.columns:
        return table
    by_quarter = {q: " ; ".join(details) for q, details in zip(quarter_marks["quarter"], quarter_marks["details"])}
    return table.assign(**{MARKS_COLUMN: [by_quarter.get(q, "") for q in table[QUARTER_COLUMN]]})


def events_table(events: pd.DataFrame) -> pd.DataFrame:
    """`indicators.events.all_events` in French, for the administration page and `events list`."""
    return pd.DataFrame({
        "N°": events["event_id"], "Date": events["event_date"], "Libellé": events["label"],
        "Type": [KIND_LABELS.get(k, k) for k in events["kind"]],
        "Laboratoire": [n if isinstance(n, str) else lab if isinstance(lab, str) else "" for n, lab in
                        zip(events["lab_name"], events["lab_id"])],
        "Source": events["source_title"].fillna(""), "Adresse": events["source_url"].fillna(""),
        "Ajouté par": events["created_by"],
        "Modifié par": events["updated_by"].fillna("")})
