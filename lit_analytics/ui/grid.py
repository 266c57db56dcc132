"""The report grid of the page « Dépôt trimestriel »: a quarterly report edited in the browser, column types
from the exchange format (enumerated columns as choices, dates as dates, numbers as numbers, the partner types
as a multiple choice), rows added and removed. What it returns goes through `lit_analytics.ingest.grid`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lit_analytics.ingest.schema import Field, load_schema


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
                          hide_index=False)
