"""The catalogue's charts for the public site: an SVG picture (kaleido, maps redrawn flat with their overseas
insets), a text alternative, and the chart's French table written the French way, to show beside it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from lit_analytics.catalogue import Chart, build_chart
from lit_analytics.filters import Filters
from lit_analytics.presentation.screen_tables import display_table
from lit_analytics.store import Store

SVG_WIDTH, SVG_HEIGHT = 1000, 600
_LONG_DECIMALS = re.compile(r"(\d+\.\d)\d+")
_PATH_DATA = re.compile(r'( d=")([^"]*)(")')


@dataclass
class Table:
    """A table as the templates write it: a caption, column names, rows of French text."""
    caption: str
    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool] = field(default_factory=list)   # right-aligned columns


@dataclass
class SiteChart:
    id: str
    title: str
    subtitle: str
    caption: str
    definition: str
    notes: tuple[str, ...]
    alt: str          # the text alternative of the picture
    image: str        # path of the SVG file, relative to the site's root
    table: Table
    empty: bool


def table_of(data: pd.DataFrame, caption: str) -> Table:
    """A French table (raw values) as text the French way (numbers, euros, dates)."""
    shown = display_table(data) if not data.empty else data
    numeric = [pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c])
               for c in data.columns]
    rows = [["" if pd.isna(v) else str(v) for v in row] for row in shown.itertuples(index=False)]
    return Table(caption, [str(c) for c in data.columns], rows, numeric)


def _shrink_svg(svg: str) -> str:
    """Path coordinates to one decimal (a tenth of a pixel): the map's regions weigh a fraction as much."""
    return _PATH_DATA.sub(lambda m: m.group(1) + _LONG_DECIMALS.sub(r"\1", m.group(2)) + m.group(3), svg)


def alt_text(chart: Chart) -> str:
    if chart.empty:
        return f"{chart.title} ({chart.subtitle}) : {chart.empty_message}"
    return (f"{chart.title} ({chart.subtitle}). Graphique ; ses données figurent dans le tableau qui suit.")


def site_chart(store: Store, chart_id: str, filters: Filters, image: str, render) -> tuple[SiteChart, str]:
    """Build `chart_id` for `filters`, render its SVG with `render(figure) -> bytes`; return what the page shows
    and the SVG text (the builder writes it at `image`)."""
    chart = build_chart(store, chart_id, filters)
    svg = _shrink_svg(render(chart.figure).decode("utf-8"))
    return SiteChart(id=chart.id, title=chart.title, subtitle=chart.subtitle, caption=chart.caption,
                     definition=chart.definition, notes=chart.notes, alt=alt_text(chart), image=image,
                     table=table_of(chart.data, f"Données du graphique « {chart.title} »"), empty=chart.empty), svg
