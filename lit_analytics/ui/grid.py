"""The report grid of the page « Dépôt trimestriel »: a quarterly report edited in the browser, its columns
headed with the exchange format's French titles (the identifiers stay in files), column types from the
exchange format (enumerated columns as choices, dates as dates, numbers as numbers, the partner types as a
multiple choice), rows added and removed. What it returns goes through `lit_analytics.ingest.grid`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lit_analytics.ingest import templates
from lit_analytics.ingest.schema import Field, load_schema
from lit_analytics.store import Store
from lit_analytics.ui.export import deferred_download

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def column_label(f: Field) -> tuple[str, str]:
    """The header of a field's column in the grid, in the users' words (the Table Schema's French title,
    « Date de début »), and its help: the field's description and the identifier files use (`date_debut`)."""
    description = f.description.strip().rstrip(".")
    return f.title or f.name, (f"{description}. " if description else "") + f"Colonne « {f.name} » des fichiers."


def _column(f: Field):
    label, help_text = column_label(f)
    if f.enum:
        return st.column_config.SelectboxColumn(label, help=help_text, options=list(f.enum), required=f.required)
    if f.item_enum:
        return st.column_config.MultiselectColumn(label, help=help_text, options=list(f.item_enum))
    if f.type == "date":
        return st.column_config.DateColumn(label, help=help_text, format="DD/MM/YYYY", required=f.required)
    if f.type == "integer":
        return st.column_config.NumberColumn(label, help=help_text, step=1, format="%d", required=f.required,
                                             min_value=0)
    if f.type == "number":
        return st.column_config.NumberColumn(label, help=help_text, format="localized", required=f.required)
    return st.column_config.TextColumn(label, help=help_text, max_chars=f.max_length, required=f.required)


def report_grid(kind: str, rows: pd.DataFrame, key: str) -> pd.DataFrame:
    """An editable grid of a report (`rows` from `ingest.grid.start_rows`), rows numbered from 1; returns the
    edited rows."""
    config = {f.name: _column(f) for f in load_schema(kind).fields}
    config["_index"] = st.column_config.NumberColumn("Ligne", disabled=True, width="small")
    return st.data_editor(rows, column_config=config, num_rows="dynamic", width="stretch", key=key,
                          hide_index=False, placeholder="")   # an empty cell is blank, not « None »


def prefilled_downloads(store: Store, email: str, kind: str, lab_id: str, quarter: str) -> None:
    """Two buttons: the pre-filled template as CSV and XLSX, made when clicked; each download re-checks the
    session and is audited as an export (it carries the lab's data)."""
    def produce(fmt: str):
        def run() -> bytes:
            rows = templates.prefill_rows(store, kind, lab_id, quarter)
            return templates.template_csv(kind, rows) if fmt == "csv" else templates.template_xlsx(kind, rows)
        return run

    cols = st.columns(3)
    for column, fmt, label, mime in ((cols[0], "csv", "Modèle pré-rempli CSV (;)", "text/csv"),
                                     (cols[1], "xlsx", "Modèle pré-rempli Excel (XLSX)", XLSX_MIME)):
        deferred_download(column, label, produce(fmt), store=store, email=email,
                          target=f"modèle {kind} {lab_id} {quarter} pré-rempli", fmt=fmt,
                          file_name=templates.template_name(kind, fmt, lab_id, quarter), mime=mime,
                          key=f"pre_{fmt}_{kind}")
