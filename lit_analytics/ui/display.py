"""How every page shows a chart and a table: the figure (or a French message when there is nothing to show),
its definition and notes, its data as a French table, and the export buttons for a signed-in user."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lit_analytics import catalogue, screen_tables
from lit_analytics.filters import Filters
from lit_analytics.ui.auth import current_actor
from lit_analytics.ui.cache import get_store
from lit_analytics.ui.export import chart_downloads


@st.cache_resource(show_spinner=False, max_entries=256)
def _cached_chart(chart_id: str, db: str, version: int, filters: Filters, variant: str | None):
    # A resource cache (no pickling): a Chart holds a plotly figure; it is never modified after it is built.
    return catalogue.build_chart(get_store(), chart_id, filters, variant)


def chart(chart_id: str, filters: Filters, variant: str | None = None) -> catalogue.Chart:
    """A catalogue chart for these filters, built once per data version."""
    store = get_store()
    return _cached_chart(chart_id, str(store.path), store.data_version(), filters, variant)


def show_chart(item: catalogue.Chart, *, key: str | None = None, on_select=None, table_open: bool = False) -> None:
    """A chart as every page shows it: the figure (or a French message when there is nothing to show), its
    definition, notes, and its data as a table (accessibility: the chart's content without the picture)."""
    with st.container(border=True):
        if item.empty:
            st.markdown(f"**{item.title}** — {item.subtitle}")
            st.info(item.empty_message, icon="ℹ️")
        elif on_select is not None:
            st.plotly_chart(item.figure, key=key, on_select=on_select, selection_mode=("points",),
                            config={"displaylogo": False, "locale": "fr"}, theme=None)
        else:
            st.plotly_chart(item.figure, key=key, config={"displaylogo": False, "locale": "fr"}, theme=None)
        for note in item.notes:
            st.caption(note)
        st.caption(f"**Définition.** {item.definition}")
        if not item.empty:
            with st.expander(f"Données du graphique « {item.title} » (tableau)", expanded=table_open):
                st.dataframe(screen_tables.display_table(item.data), hide_index=True, width="stretch")
                st.caption(item.caption)
            actor = current_actor()
            if actor is not None:
                with st.popover("Exporter", icon=":material/download:"):
                    st.caption("Image avec titre, périmètre et source ; données pour Excel.")
                    chart_downloads(get_store(), item, actor.email, key or item.id)


def show_table(df: pd.DataFrame, *, empty_message: str = "Aucune ligne pour ces filtres.") -> None:
    """A French-formatted table, or a French message when it is empty."""
    if df.empty:
        st.info(empty_message, icon="ℹ️")
    else:
        st.dataframe(screen_tables.display_table(df), hide_index=True, width="stretch")


def page_charts(page: str, filters: Filters) -> None:
    """Every chart the catalogue lists for a page, in order."""
    for spec in catalogue.charts_for_page(page):
        show_chart(chart(spec.id, filters), key=f"chart-{page}-{spec.id}")
