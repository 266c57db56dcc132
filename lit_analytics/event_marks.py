"""Events drawn on a time chart: a dotted vertical line at the event's quarter and its label at the top of the
plot, with the full wording (date, lab, source) as hover text. Labels of neighbouring marks are put on staggered
rows so they do not run over each other; several events of one quarter share one mark, one line each.

Works on the quarter axes of `charts` (a category axis whose `categoryarray` lists the quarters, « T3 2021 »):
a mark whose quarter is not on the axis is left out (it is not in the chart's data table either). The slide
layout (`export/slide_charts`) keeps these annotations and only enlarges their text.
"""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from lit_analytics.charts import MUTED, html_text

MARK_NAME = "event"       # the `name` of every annotation and line of a mark (tests and slides find them by it)
LINE_COLOR = "#6A6A6A"
WRAP = 26                 # characters per line of a label
# Room a label takes, estimated for the widest case (a slide: 14 pt text on an ~800 px plot) so that labels set
# on one row do not run over each other anywhere: its share of the plot's width and, per line, of its height.
CHAR_SHARE = 8 / 800
LINE_SHARE = 0.062
TOP = 0.985               # below 1: the slide layout treats annotations at the top edge as subplot titles


def quarters_on_axis(fig: go.Figure) -> list[str]:
    """The quarters (French labels) of the figure's category x axis, in order; [] for another kind of axis."""
    axis = fig.layout.xaxis
    return list(axis.categoryarray) if axis.type == "category" and axis.categoryarray is not None else []


def _rows(starts: list[float], widths: list[float]) -> list[int]:
    """A row for each label (in axis order): the first row where it starts after the previous label ends."""
    ends: list[float] = []
    rows = []
    for start, width in zip(starts, widths):
        row = next((r for r, end in enumerate(ends) if end < start), len(ends))
        if row == len(ends):
            ends.append(0.0)
        ends[row] = start + width
        rows.append(row)
    return rows


def add_marks(fig: go.Figure, marks: pd.DataFrame) -> list[str]:
    """Draw `marks` (`presentation.events.marks`: quarter, labels, details) on `fig`; returns the quarters drawn."""
    quarters = quarters_on_axis(fig)
    position = {q: i / max(len(quarters), 1) for i, q in enumerate(quarters)}
    shown = [row for row in marks.itertuples() if row.quarter in position]
    lines = [[line for label in row.labels for line in textwrap.wrap(label, WRAP, break_long_words=False)]
             for row in shown]
    rows = _rows([position[row.quarter] for row in shown],
                 [max(len(line) for line in text) * CHAR_SHARE + 0.01 for text in lines])
    heights: dict[int, int] = {}
    for row, text in zip(rows, lines):
        heights[row] = max(heights.get(row, 0), len(text))
    tops = {r: TOP - sum(heights[k] for k in range(r)) * LINE_SHARE - 0.01 * r for r in heights}
    for row, text, level in zip(shown, lines, rows):
        fig.add_shape(type="line", xref="x", yref="paper", x0=row.quarter, x1=row.quarter, y0=0, y1=1,
                      line=dict(color=LINE_COLOR, width=1.5, dash="dot"), layer="above", name=MARK_NAME)
        fig.add_annotation(
            x=row.quarter, xref="x", y=tops[level], yref="paper", xanchor="left", yanchor="top",
            xshift=3, showarrow=False, align="left", text="<br>".join(html_text(line) for line in text),
            font=dict(size=11, color=MUTED), bgcolor="rgba(255,255,255,0.85)", borderpad=2,
            hovertext="<br>".join(html_text(d) for d in row.details), name=MARK_NAME)
    return [row.quarter for row in shown]
