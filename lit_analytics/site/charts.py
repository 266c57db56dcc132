"""The catalogue's charts for the public site: an SVG picture (kaleido, maps redrawn flat with their overseas
insets) in two widths — the wide one, and a narrow one for phones whose text stays readable at 390 px (no title nor
caption inside: the page writes them in HTML above and below; the legend under the plot) —, a text alternative, and
the chart's French table written the French way, to show beside it.

Rendering is what a build spends its time on (three charts per lab page): `Pictures` keeps, beside the site, the
fingerprint of every figure it rendered, and takes the previous site's file again when a figure did not change, so
a refresh after one publication renders only the charts whose data moved."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from lit_analytics.catalogue import Chart, build_chart
from lit_analytics.export.flat_map import is_map
from lit_analytics.filters import Filters
from lit_analytics.presentation.screen_tables import display_table
from lit_analytics.store import Store

SVG_WIDTH, SVG_HEIGHT = 1000, 600
NARROW_WIDTH = 420          # shown at 358 px on a 390 px phone (DSFR margins): 13 px text stays about 11 px
NARROW_SUFFIX = "-etroit"
FINGERPRINTS = "empreintes.json"   # in the site's `graphiques/`: image path → fingerprint of what it was drawn from
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
    narrow: str       # the same chart drawn for a phone
    narrow_height: int
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


def narrow_figure(figure):
    """The figure laid out for a phone: no title nor caption inside (the page shows them as text), the legend under
    the plot, small margins, a little taller. The wide figure is left as it is."""
    fig = go.Figure(data=figure.data, layout=figure.layout)   # a copy (arrays stay arrays; the memo's is untouched)
    annotations = [a for a in fig.layout.annotations if a.name != "caption"]
    height = min(max(int((fig.layout.height or 460) * 1.1), 420), 1600)
    # numbers written right of horizontal bars need room inside the picture
    outside = [str(text) for t in fig.data if t.type == "bar" and t.orientation == "h" and t.textposition == "outside"
               for text in (t.text if t.text is not None and not isinstance(t.text, str) else [t.text or ""])]
    right = min(200, 12 + 7 * max(map(len, outside))) if outside else 12
    fig.layout.annotations = annotations    # (update_layout takes an empty list as « nothing to change »)
    fig.layout.title = None
    fig.update_layout(height=height, width=NARROW_WIDTH,
                      margin=dict(t=16, b=16, l=8, r=right),
                      legend=dict(orientation="h", x=0, xanchor="left", y=-0.08, yanchor="top"))
    if is_map(fig):   # the insets' names left of the map, the colour scale under it
        fig.update_layout(height=560, margin=dict(t=0, b=8, l=72, r=8), legend=dict(y=-0.2))
        fig.update_traces(colorbar=dict(orientation="h", x=0, xanchor="left", y=-0.01, yanchor="top", len=1,
                                        thickness=10, title=dict(side="top")),
                          selector=lambda t: t.type.startswith("choropleth"))
    return fig


class Pictures:
    """Writes the SVG pictures of one build into `root`, rendering with `render(figure, width, height) -> bytes`,
    and taking the file of the previous build (`previous`, the published site) when the figure is the same."""

    def __init__(self, root: Path, render, previous: Path | None = None):
        self.root, self.render, self.previous = root, render, previous
        self.fingerprints: dict[str, str] = {}
        self.rendered = self.reused = 0
        self._before: dict[str, str] = {}
        if previous is not None:
            try:
                self._before = json.loads((previous / "graphiques" / FINGERPRINTS).read_text("utf-8"))
            except (OSError, ValueError):
                self._before = {}

    def write(self, image: str, figure, width: int, height: int) -> None:
        spec = figure.to_plotly_json()
        key = hashlib.sha256(json.dumps([spec, width, height], sort_keys=True, default=str,
                                        ensure_ascii=False).encode("utf-8")).hexdigest()
        target = self.root / image
        target.parent.mkdir(parents=True, exist_ok=True)
        old = self.previous / image if self.previous is not None else None
        if old is not None and self._before.get(image) == key and old.is_file():
            shutil.copyfile(old, target)
            self.reused += 1
        else:
            target.write_text(_shrink_svg(self.render(figure, width, height).decode("utf-8")), "utf-8")
            self.rendered += 1
        self.fingerprints[image] = key

    def close(self) -> None:
        folder = self.root / "graphiques"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / FINGERPRINTS).write_text(json.dumps(self.fingerprints, sort_keys=True, indent=0) + "\n", "utf-8")


def site_chart(store: Store, chart_id: str, filters: Filters, name: str, pictures: Pictures) -> SiteChart:
    """Build `chart_id` for `filters`, write its two pictures (`graphiques/<name>.svg` and the narrow one); return
    what the page shows."""
    chart = build_chart(store, chart_id, filters)
    image, narrow = f"graphiques/{name}.svg", f"graphiques/{name}{NARROW_SUFFIX}.svg"
    pictures.write(image, chart.figure, SVG_WIDTH, SVG_HEIGHT)
    small = narrow_figure(chart.figure)
    pictures.write(narrow, small, NARROW_WIDTH, small.layout.height)
    return SiteChart(id=chart.id, title=chart.title, subtitle=chart.subtitle, caption=chart.caption,
                     definition=chart.definition, notes=chart.notes, alt=alt_text(chart), image=image, narrow=narrow,
                     narrow_height=int(small.layout.height),
                     table=table_of(chart.data, f"Données du graphique « {chart.title} »"), empty=chart.empty)
