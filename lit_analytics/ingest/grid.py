"""Entry in the browser: a report edited in a grid (the page's `st.data_editor`) goes through the very same
verification and publication as a file. The grid is written as the CSV a lab lead would have saved (through
the one French-Excel writer, `formats.to_csv`), and the problems found are pointed back at the grid: the row
number the grid shows (its index) instead of the spreadsheet line, and the column.

Grid rows are numbered from 1 (`start_rows`); row n of the grid is line n + 1 of the CSV (the header is line 1).
"""

from __future__ import annotations

import re

import pandas as pd

from lit_analytics.formats import fmt_quarter, to_csv
from lit_analytics.ingest.publish import Report
from lit_analytics.ingest.schema import TableSchema, load_schema
from lit_analytics.ingest.templates import prefill_rows, typed_rows
from lit_analytics.ingest.validate import ERROR
from lit_analytics.ingest.versions import version_rows
from lit_analytics.store import Store

GRID_COLUMNS = ["Ligne de la grille", "Colonne", "Problème", "Valeur reçue"]


def file_name(kind: str, lab_id: str, quarter: str) -> str:
    """The name the upload history shows for a report entered in the browser."""
    return f"saisie-navigateur_{kind}_{lab_id}_{quarter}.csv"


def start_rows(store: Store, kind: str, lab_id: str, quarter: str) -> tuple[pd.DataFrame, str]:
    """What the grid starts with, and a French note saying where it comes from: the report published for
    this quarter if there is one (to correct it), else the pre-filled rows (`templates.prefill_rows`).
    Rows are numbered from 1; the list column (`types_partenaires`) holds lists of values."""
    schema = load_schema(kind)
    current = store.query("SELECT version_id FROM report_versions WHERE kind = ? AND lab_id = ? AND quarter = ? "
                          "AND is_current", [kind, lab_id, quarter])
    if current:
        rows = typed_rows(version_rows(store, current[0][0], kind), schema)
        note = (f"La grille reprend le rapport publié pour {fmt_quarter(quarter)} : corrigez-le puis publiez "
                "la nouvelle version.")
    else:
        rows = prefill_rows(store, kind, lab_id, quarter)
        note = (f"La grille reprend les {len(rows)} projet(s) en cours du dernier portefeuille publié : mettez à "
                "jour ce qui a changé, ajoutez les nouveaux projets (ligne vide en bas de la grille)."
                if kind == "projets" and len(rows) else
                "Ajoutez une ligne par " + ("projet" if kind == "projets" else "session") +
                " (ligne vide en bas de la grille).")
    for f in schema.fields:
        if f.type == "list":
            rows[f.name] = pd.Series([_split(v) for v in rows[f.name]], dtype="object")
        elif f.type == "date":   # a date type (empty cells blank, not « None »)
            rows[f.name] = pd.to_datetime(rows[f.name])
    rows.index = pd.RangeIndex(1, len(rows) + 1)
    return rows, note


def _split(value) -> list[str]:
    if value is None or (not isinstance(value, (str, list)) and pd.isna(value)):
        return []
    if isinstance(value, list):
        return value
    return [part.strip() for part in str(value).split(",") if part.strip()]


def to_file(edited: pd.DataFrame, kind: str) -> tuple[bytes, list]:
    """The grid as the CSV a lab lead would have saved, and the grid's row number of each CSV data line
    (line 2 is `labels[0]`). Rows are kept in the grid's order, empty ones included (the reader skips them)."""
    schema = load_schema(kind)
    frame = pd.DataFrame(index=edited.index)
    for f in schema.fields:
        column = edited[f.name] if f.name in edited else pd.Series([None] * len(edited), index=edited.index)
        if f.type == "list":
            column = column.map(lambda v: ", ".join(v) if isinstance(v, (list, tuple)) else v)
        frame[f.name] = column.astype("object")
    return to_csv(_plain(frame, schema)), list(edited.index)


def _plain(frame: pd.DataFrame, schema: TableSchema) -> pd.DataFrame:
    out = {}
    for f in schema.fields:
        values = []
        for v in frame[f.name].tolist():
            if v is None or (not isinstance(v, (str, list)) and pd.isna(v)):
                values.append(None)
            elif f.type == "integer" and isinstance(v, float) and v.is_integer():
                values.append(int(v))
            elif f.type == "date" and isinstance(v, pd.Timestamp):
                values.append(v.date())
            elif isinstance(v, str):
                values.append(v.strip() or None)
            else:
                values.append(v)
        out[f.name] = pd.Series(values, dtype="object")
    return pd.DataFrame(out, columns=schema.names)


_LINES = re.compile(r"(lignes? )(\d+(?:, \d+)*)")


def _row(line: int | None, labels: list):
    if line is None or line < 2 or line - 2 >= len(labels):
        return None
    return labels[line - 2]


def _relabel(text: str, labels: list) -> str:
    """« déjà ligne 3 » (a CSV line) → « déjà ligne 2 » (the grid's row)."""
    def swap(match: re.Match) -> str:
        rows = [_row(int(n), labels) for n in match.group(2).split(", ")]
        return match.group(1) + ", ".join(str(r) if r is not None else "?" for r in rows)
    return _LINES.sub(swap, text)


def issues_frame(report: Report, labels: list, severity: str = ERROR) -> pd.DataFrame:
    """The report's errors (or warnings) pointing at the grid: its row number, the column (its title, as the
    grid's header shows it), the problem."""
    issues = report.errors if severity == ERROR else report.warnings
    titles = {f.name: f.title or f.name for f in load_schema(report.kind).fields} if report.kind else {}
    return pd.DataFrame([(_row(i.line, labels), titles.get(i.column, i.column or ""), _relabel(i.message, labels),
                          i.value or "")
                         for i in issues], columns=GRID_COLUMNS).astype({GRID_COLUMNS[0]: "Int64"})
