"""Charts restyled for a 16:9 slide, rendered at the size they take on the slide.

A chart drawn for the screen (≈1 200 px wide, 13 px text) and shrunk onto a slide comes out around 6 pt. Here
the figure is laid out at one CSS pixel per point of the slide's picture box (a 12.3 × 4.95 in box is
886 × 356 px), so a 14 px font *is* 14 pt on the slide, and rendered at `SCALE`× for sharp pixels. Text
sizes: 14 pt at least (axes, legend, labels, annotations, colour bars), 16 pt for subplot titles; the slide
writes the title (larger) and the source itself.
"""

from __future__ import annotations

import re

import plotly.graph_objects as go

from lit_analytics.export import flat_map

POINTS_PER_INCH = 72
MIN_PT = 14            # smallest text of a chart on a slide
TITLE_PT = 16          # subplot titles, colour-bar titles
SCALE = 3              # PNG pixels per point: a 12.3 in picture is 2 660 px wide


def size_px(width_in: float, height_in: float) -> tuple[int, int]:
    """The figure's layout size for a picture box of this size on the slide (1 px = 1 pt)."""
    return round(width_in * POINTS_PER_INCH), round(height_in * POINTS_PER_INCH)


def _at_least(font, size: int) -> dict:
    current = font.size if font is not None and font.size else None
    return dict(size=max(current or 0, size))


def for_slide(fig: go.Figure, width_in: float, height_in: float) -> go.Figure:
    """A copy of `fig` laid out for a `width_in` × `height_in` picture on a slide: no title block or caption
    (the slide carries them), every text at least `MIN_PT` points, margins for that size; a tile map is
    redrawn on plain axes (see `flat_map`)."""
    out = go.Figure(flat_map.flatten(fig))
    width, height = size_px(width_in, height_in)
    out.layout.title = None
    annotations = [a for a in out.layout.annotations if a.name != "caption"]
    out.layout.annotations = annotations
    above = out.layout.showlegend is not False or any(_above_plot(a) for a in annotations)
    out.update_layout(
        width=width, height=height, font=dict(size=MIN_PT),
        legend=dict(font=dict(size=MIN_PT), yref="paper", y=1.0, yanchor="bottom", x=0, xanchor="left",
                    orientation="h"),
        margin=dict(t=46 if above else 16, b=10, l=10, r=10, autoexpand=True),
        hoverlabel=dict(font=dict(size=MIN_PT)),
        uniformtext=dict(minsize=MIN_PT, mode="show"))   # plotly would shrink text that overflows its bar
    for annotation in out.layout.annotations:
        annotation.font = _at_least(annotation.font, TITLE_PT if _above_plot(annotation) else MIN_PT)
    out.for_each_xaxis(lambda ax: ax.update(tickfont=_at_least(ax.tickfont, MIN_PT),
                                            title=dict(font=_at_least(ax.title.font, MIN_PT))))
    out.for_each_yaxis(lambda ax: ax.update(tickfont=_at_least(ax.tickfont, MIN_PT),
                                            title=dict(font=_at_least(ax.title.font, MIN_PT))))
    _shorten_categories(out)
    _name_every_bar(out, height)
    for trace in out.data:
        if trace.type == "bar" and trace.orientation == "h":
            _fit_horizontal_bars(out, trace, width)
        elif trace.type == "bar" and trace.text is not None and not isinstance(trace.text, str):
            limit = _label_chars(out, trace, width)
            trace.text = [_wrap(t, limit) for t in trace.text]     # long labels above narrow bars: two lines
        if getattr(trace, "textfont", None) is not None and "textfont" in trace:
            trace.textfont = _at_least(trace.textfont, MIN_PT)
        colorbar = _colorbar(trace)
        if colorbar is not None:
            colorbar.update(tickfont=_at_least(colorbar.tickfont, MIN_PT),
                            title=dict(font=_at_least(colorbar.title.font, TITLE_PT)), len=0.9, thickness=18)
    return out


def _above_plot(annotation) -> bool:
    """A subplot's title, or a label written above the plot (the PIA ceiling's)."""
    return annotation.yref == "paper" and annotation.y is not None and annotation.y >= 1


LABEL_CHARS = 34        # category labels of horizontal bars wrap beyond this (long lab names)
CHAR_PX = 0.55 * MIN_PT  # average width of a character of 14 pt Arial


def _shorten(label, limit: int = LABEL_CHARS) -> str:
    """A long name cut at a word, with « … » (the full names are in the workbook and on screen)."""
    label = str(label)
    if len(label) <= limit:
        return label
    cut = label[:limit]
    cut = (cut.rsplit(" ", 1)[0] if " " in cut else cut[:limit - 1]).rstrip(" ,(-'")
    return cut + "…"


def _label_chars(fig: go.Figure, trace, width: int) -> int:
    """How many characters of a label fit over one vertical bar: the plot's width shared between the bars
    (side by side when the figure groups them), at most 16."""
    categories = len(trace.x) if trace.x is not None else 1
    grouped = fig.layout.barmode not in ("stack", "relative", "overlay")
    side_by_side = sum(1 for t in fig.data if t.type == "bar" and t.orientation != "h") if grouped else 1
    slot = (width - 60) / max(categories * side_by_side, 1)
    return max(6, min(16, int(slot * 0.9 / CHAR_PX)))


def _wrap(text, limit: int = 16) -> str:
    words, lines, line = str(text).split(" "), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > limit:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join(lines + [line])


def _fit_horizontal_bars(fig: go.Figure, trace, width: int) -> None:
    """Values written after the bars keep room inside the picture."""
    texts = [str(t) for t in (trace.text or [])] if trace.textposition == "outside" else []
    if not texts or trace.x is None or not len(trace.x):
        return
    longest = max(len(t) for t in texts) * CHAR_PX + 10
    plot = width * 0.62                                   # the labels take the rest
    share = min(longest / plot, 0.6)
    top = max(float(v) for v in trace.x if v is not None)
    current = fig.layout.xaxis.range
    wanted = top / (1 - share) if top > 0 else 1
    if current is None or current[1] is None or float(current[1]) < wanted:
        fig.update_xaxes(range=[0, wanted])


def _shorten_categories(fig: go.Figure) -> None:
    """The long category names of horizontal bars shortened, the same way on every trace and axis that names
    them (a text column or a values axis beside the bars keeps matching its bar)."""
    names = {str(v) for t in fig.data if t.type == "bar" and t.orientation == "h" and t.y is not None for v in t.y}
    short = {name: _shorten(name) for name in names if _shorten(name) != name}
    if not short:
        return
    for trace in fig.data:
        if getattr(trace, "y", None) is not None and any(isinstance(v, str) and v in short for v in trace.y):
            trace.y = [short.get(v, v) if isinstance(v, str) else v for v in trace.y]
    fig.for_each_yaxis(lambda ax: ax.update(tickvals=[short.get(v, v) for v in ax.tickvals])
                       if ax.tickvals is not None else None)


def _name_every_bar(fig: go.Figure, height: int) -> None:
    """Every category of horizontal bars named when the names fit one under the other (plotly would otherwise
    skip every other name to keep a margin between them)."""
    names = {str(v) for t in fig.data if t.type == "bar" and t.orientation == "h" and t.y is not None for v in t.y}
    if names and len(names) * (MIN_PT + 3) <= height - 60:   # 17 px a row for 14 px text
        fig.for_each_yaxis(lambda ax: ax.update(tickmode="linear", dtick=1) if ax.tickvals is None else None)


def _colorbar(trace):
    marker = getattr(trace, "marker", None)
    if marker is not None and "colorbar" in marker and getattr(marker, "showscale", None):
        return marker.colorbar
    if "colorbar" in trace:
        return trace.colorbar
    return None


FONT_SIZE = re.compile(r"font-size:\s*([\d.]+)px")
TEXT_ELEMENT = re.compile(r"<text\b([^>]*)>")
SCALE_OF = re.compile(r"scale\(([\d.]+)")


def text_sizes_px(svg: str) -> list[float]:
    """The size of every text of a plotly SVG as drawn: its font size times any scale() of its transform
    (plotly shrinks a bar's text that overflows it that way)."""
    sizes = []
    for attributes in TEXT_ELEMENT.findall(svg):
        font = FONT_SIZE.search(attributes)
        if not font:
            continue
        scale = SCALE_OF.search(attributes)
        sizes.append(float(font.group(1)) * (float(scale.group(1)) if scale else 1.0))
    return sizes


def smallest_text_pt(svg: str, picture_width_in: float) -> float:
    """The smallest text of a chart's SVG, in points once the SVG is shown `picture_width_in` wide."""
    width = float(re.search(r'<svg[^>]*\swidth="([\d.]+)"', svg).group(1))
    return min(text_sizes_px(svg)) * picture_width_in * POINTS_PER_INCH / width
