"""How every page shows a chart and a table: the figure (or a French message when there is nothing to show),
its definition and notes, its data as a French table, and the export buttons for a signed-in user."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st

from lit_analytics import catalogue, navigation, presentation
from lit_analytics.presentation import screen_tables
from lit_analytics.filters import Filters
from lit_analytics.memo import Memo
from lit_analytics.ui.auth import current_actor
from lit_analytics.ui.cache import get_store, memoized
from lit_analytics.ui.export import chart_downloads
from lit_analytics.ui.streamlit_compat import PreparedFigure, page


@dataclass(frozen=True)
class Shown:
    """A catalogue chart and what every page run draws of it, prepared once per data version and scope."""
    item: catalogue.Chart
    figure: go.Figure                 # the chart's figure, ready for `st.plotly_chart`
    table: pa.Table | None            # its data written the French way, as Arrow (None when the chart is empty)


def _arrow(df: pd.DataFrame) -> pa.Table:
    """A French table as the Arrow table `st.dataframe` sends (given a DataFrame, it converts it at every run)."""
    return pa.Table.from_pandas(df, preserve_index=False)


def _shown(chart_id: str, filters: Filters, variant: str | None) -> Shown:
    item = catalogue.build_chart(get_store(), chart_id, filters, variant)
    return Shown(item, PreparedFigure(item.figure),
                 None if item.empty else _arrow(screen_tables.display_table(item.data)))


def chart(chart_id: str, filters: Filters, variant: str | None = None) -> Shown:
    """A catalogue chart for these filters (`.item`) and what a page draws of it, built once per data version
    and shared by every session."""
    return memoized("chart", (chart_id, filters, variant), lambda: _shown(chart_id, filters, variant))


def show_chart(shown: Shown, *, key: str | None = None, on_select=None, table_open: bool = False) -> None:
    """A chart (from `chart`) as every page shows it: the figure (or a French message when there is nothing to
    show), its definition, notes, and one section, drawn once opened (every element costs every page run of every
    session), with its data as a table (accessibility: the chart's content without the picture) and, for a
    signed-in user, its export buttons."""
    item, figure, table = shown.item, shown.figure, shown.table
    with st.container(border=True):
        if item.empty:
            st.markdown(f"**{item.title}** — {item.subtitle}")
            st.info(item.empty_message, icon=":material/info:")
        elif on_select is not None:
            st.plotly_chart(figure, key=key, on_select=on_select, selection_mode=("points",),
                            config={"displaylogo": False, "locale": "fr"}, theme=None)
        else:
            st.plotly_chart(figure, key=key, config={"displaylogo": False, "locale": "fr"}, theme=None)
        st.caption("  \n".join([*item.notes, f"**Définition.** {item.definition}"]))   # one element, a line each
        st.page_link(page(navigation.page("definitions")), label="Toutes les définitions", icon=":material/menu_book:",
                     query_params={"terme": catalogue.CATALOGUE[item.id].title_for()})
        if item.empty:
            return
        name, actor = key or item.id, current_actor()
        label = "Données et export" if actor is not None else "Données du graphique"
        section = st.expander(f"{label} : « {item.title} » (tableau)", expanded=table_open,
                              icon=":material/table_view:", key=f"{name}-table", on_change="rerun")
        if not section.open:
            return
        with section:
            st.dataframe(table, hide_index=True, width="stretch", placeholder="")
            st.caption(item.caption)
            if actor is None:
                return
            # A section open from the start (a table the page shows) keeps its buttons one click further.
            exports = (st.popover("Exporter", icon=":material/download:", key=f"{name}-exports",
                                  on_change="rerun") if table_open else None)
            if exports is not None and not exports.open:
                return
            with exports if exports is not None else nullcontext():
                st.caption("**Exporter** : l'image avec son titre, son périmètre et sa source ; les données pour "
                           "Excel.")
                chart_downloads(get_store(), item, actor.email, name)


_DISPLAYED = Memo(max_entries=256, max_bytes=32 * 1024 * 1024)   # French renderings of the tables pages show, by the table's identity


def _display_table(df: pd.DataFrame) -> pa.Table:
    """`screen_tables.display_table(df)` as Arrow, once per table object: a table from `ui.query` is the same
    object at every run until the data changes (the memo holds the table itself, so its identity is not
    reused)."""
    held, shown_table = _DISPLAYED.get(id(df), lambda: (df, _arrow(screen_tables.display_table(df))))
    return shown_table if held is df else _arrow(screen_tables.display_table(df))


def show_table(df: pd.DataFrame, *, empty_message: str = "Aucune ligne pour ces filtres.",
               all_rows: bool = False, width: int | str = "stretch") -> None:
    """A French-formatted table, or a French message when it is empty; `all_rows`: tall enough for every row
    (no inner scrolling, e.g. the 19 regions beside the map); `width`: pixels, or the width available."""
    if df.empty:
        st.info(empty_message, icon=":material/info:", width=width)
    else:
        st.dataframe(_display_table(df), hide_index=True, width=width,
                     height=(len(df) + 1) * 35 + 3 if all_rows else "auto", placeholder="")


def map_table(shown: Shown) -> pd.DataFrame:
    """The values of the map, region by region, as the map page lists them beside it (kept with the map)."""
    return memoized("map_table", (shown.item.filters, shown.item.variant),
                    lambda: screen_tables.map_values_table(shown.item.data, shown.item.variant))


def page_charts(page: str, filters: Filters) -> None:
    """Every chart the catalogue lists for a page, in order."""
    for spec in catalogue.charts_for_page(page):
        show_chart(chart(spec.id, filters), key=f"chart-{page}-{spec.id}")


def headline_metric(container, label: str, value: str, compared: presentation.HeadlineChanges | None,
                    figure: str) -> None:
    """A headline figure and its change against the same period a year earlier (`compared`, from
    `presentation.headline_changes`; `figure` names it there): an arrow, grey, since a change is neither good nor
    bad in itself; the period compared is said once, under the figures."""
    change = compared.changes.get(figure) if compared else None
    container.metric(label, value, delta=change.text if change else None, delta_color="off",
                     delta_arrow=change.direction if change else "auto")
