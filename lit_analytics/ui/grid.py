"""The report grid of the page « Dépôt trimestriel »: a quarterly report edited in the browser, column types
from the exchange format (enumerated columns as choices, dates as dates, numbers as numbers, the partner types
as a multiple choice), rows added and removed. What it returns goes through `lit_analytics.ingest.grid`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lit_analytics import audit
from lit_analytics.ingest import templates
from lit_analytics.ingest.schema import Field, load_schema
from lit_analytics.store import Store

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _column(f: Field):
    label, help_text = f.name, f"{f.title}. {f.description}".strip()
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
    """Two buttons: the pre-filled template as CSV and XLSX, made when clicked; each download is audited as an
    export (it carries the lab's data)."""
    def produce(fmt: str):
        def run() -> bytes:
            rows = templates.prefill_rows(store, kind, lab_id, quarter)
            data = templates.template_csv(kind, rows) if fmt == "csv" else templates.template_xlsx(kind, rows)
            audit.log_export(store, email, f"modèle {kind} {lab_id} {quarter} pré-rempli ({fmt})", data)
            return data
        return run

    cols = st.columns(3)
    cols[0].download_button("Modèle pré-rempli CSV (;)", produce("csv"),
                            templates.template_name(kind, "csv", lab_id, quarter), mime="text/csv",
                            key=f"pre_csv_{kind}", on_click="ignore")
    cols[1].download_button("Modèle pré-rempli Excel (XLSX)", produce("xlsx"),
                            templates.template_name(kind, "xlsx", lab_id, quarter), mime=XLSX_MIME,
                            key=f"pre_xlsx_{kind}", on_click="ignore")
