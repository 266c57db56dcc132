"""The regional map: one figure of France's regions (overseas regions as insets) coloured by an indicator,
regions without any lab grey and hatched, labs as points.

Apart from `charts` because it is the one figure that needs the map geometry (`geo`, geopandas, shapely) and
half of the figure code; it uses the same frame (title, scope and caption inside the figure) as every chart.
This module does not import Streamlit.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go
from shapely.geometry import LineString

from lit_analytics import domain, geo
from lit_analytics.charts import ChartText, frame, html_text
from lit_analytics.formats import BLEU_FRANCE, ROUGE_MARIANNE, TEXT_COLOR, fmt_date, fmt_eur, fmt_int

NO_LAB_FILL = "#E5E5E5"
NO_LAB_HATCH = "#8A8A8A"
MAP_SCALE = [[0.0, "#EEF1FF"], [0.25, "#B8C3F5"], [0.5, "#6E80E0"], [0.75, "#2F3FB8"], [1.0, BLEU_FRANCE]]

# The map is drawn for a map area of MAP_WIDTH × MAP_AREA_HEIGHT px (the page's map column, two thirds of the page
# at 1 400 px beside the « Par région » table, less the colour bar), with room on the left for the insets' names.
MAP_WIDTH = 490
INSET_LABEL_ROOM = 3.6          # degrees of longitude left of the insets, for their names
MAP_AREA_HEIGHT = 360         # the map is as wide as its column allows: no taller
MAP_TOP = 146                   # the tool bar, title, subtitle and two rows of legend (more rows push the map down)
MAP_HEIGHT = MAP_AREA_HEIGHT + MAP_TOP + 150     # + the caption's five lines


def region_map(regions: pd.DataFrame, text: ChartText, *, value: str, value_label: str, money: bool = False,
               labs: pd.DataFrame | None = None, selected: tuple[str, ...] = ()) -> go.Figure:
    """Choropleth of the 18 regions (overseas as insets), regions without lab grey and hatched, labs as
    markers whose `customdata[0]` is their region code (so a click on a marker selects its region)."""
    regions = regions[regions["region_code"].notna()]
    geojson = geo.inset_geojson()
    has_lab = regions["labs_ever"] > 0
    fig = go.Figure()
    _add_valued_regions(fig, geojson, regions[has_lab], value, value_label, money)
    _add_regions_without_lab(fig, geojson, regions[~has_lab])
    chosen = [c for c in selected if c in set(regions["region_code"])]
    if chosen:
        fig.add_trace(go.Choroplethmap(
            geojson=_subset(geojson, chosen), locations=chosen, z=[0] * len(chosen), featureidkey="id",
            colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
            marker_line_color=ROUGE_MARIANNE, marker_line_width=3, name="Région sélectionnée (contour rouge)",
            showlegend=True, hoverinfo="skip"))
    frames = _add_inset_frames(fig)
    text = ChartText(text.title, text.subtitle, "\n".join([
        text.caption, "Encadrés à gauche, de haut en bas : " + ", ".join(b["label"] for b in frames) + "."]))
    if labs is not None and not labs.empty:
        _add_lab_markers(fig, labs)
    view = geo.map_view(height=MAP_AREA_HEIGHT, width=MAP_WIDTH, room_left=INSET_LABEL_ROOM)
    fig.update_layout(map=dict(style="white-bg", **view), clickmode="event+select", dragmode=False)
    _add_inset_labels(fig, view, frames)
    return frame(fig, text, height=MAP_HEIGHT, top=MAP_TOP, left=10, right=10)


def _add_inset_labels(fig: go.Figure, view: dict, frames: list[dict]) -> None:
    """The insets' names left of their frames. MapLibre cannot write text without a glyph server, so they are
    plotly annotations placed in pixels from the map's centre (the map is centred in its area at any width)."""
    for box in frames:
        x0, y0, _, y1 = box["bounds"]
        dx, dy = geo.pixels_from_center(view, x0, (y0 + y1) / 2)
        fig.add_annotation(text=html_text(box["label"]), xref="paper", yref="paper", x=0.5, y=0.5, xshift=dx - 6,
                           yshift=dy, xanchor="right", yanchor="middle", showarrow=False,
                           font=dict(size=13, color=TEXT_COLOR), name="inset-label")


def _add_valued_regions(fig: go.Figure, geojson: dict, with_labs: pd.DataFrame, value: str, value_label: str,
                        money: bool) -> None:
    """Regions that have had a lab, coloured by `value` (with its colour bar)."""
    if with_labs.empty:
        return
    fmt_value = (lambda v: fmt_eur(v)) if money else (lambda v: fmt_int(v))
    fig.add_trace(go.Choroplethmap(
        geojson=_subset(geojson, with_labs["region_code"]), locations=with_labs["region_code"],
        z=with_labs[value].astype(float),
        featureidkey="id", colorscale=MAP_SCALE, zmin=0, zmax=max(float(with_labs[value].max()), 1.0),
        marker_line_color="white", marker_line_width=1, name=value_label,
        customdata=list(zip(with_labs["region"], [fmt_value(v) for v in with_labs[value]],
                            [fmt_int(n) for n in with_labs["labs_ever"]])),
        hovertemplate=(f"<b>%{{customdata[0]}}</b><br>{html_text(value_label)} : %{{customdata[1]}}"
                       "<br>Laboratoires dans la région : %{customdata[2]}<extra></extra>"),
        colorbar=dict(title=dict(text=html_text(value_label), side="right"), thickness=14, len=0.6,
                      tickformat=",.0f", ticksuffix=" €" if money else "", x=1.0, xanchor="left",
                      dtick=None if money or with_labs[value].max() > 10 else 1)))


def _add_regions_without_lab(fig: go.Figure, geojson: dict, without: pd.DataFrame) -> None:
    """Regions that never had a lab: grey and hatched, so they are not read as « zero »."""
    if without.empty:
        return
    fig.add_trace(go.Choroplethmap(
        geojson=_subset(geojson, without["region_code"]), locations=without["region_code"], z=[0] * len(without),
        featureidkey="id", colorscale=[[0, NO_LAB_FILL], [1, NO_LAB_FILL]], showscale=False,
        marker_line_color="white", marker_line_width=1, name="Aucun laboratoire (gris hachuré)", showlegend=True,
        customdata=list(zip(without["region"])),
        hovertemplate="<b>%{customdata[0]}</b><br>aucun laboratoire<extra></extra>"))
    lons, lats = hatch_lines(tuple(sorted(without["region_code"])))
    fig.add_trace(go.Scattermap(lon=lons, lat=lats, mode="lines", line=dict(color=NO_LAB_HATCH, width=1),
                                hoverinfo="skip", showlegend=False, name="hachures"))


def _add_inset_frames(fig: go.Figure) -> list[dict]:
    """The frames of the overseas insets and a marker on each label position; returns the frames."""
    frames = geo.inset_frames()
    f_lon, f_lat = [], []
    for box in frames:
        f_lon += box["lons"] + [None]
        f_lat += box["lats"] + [None]
    fig.add_trace(go.Scattermap(lon=f_lon, lat=f_lat, mode="lines", line=dict(color="#9A9A9A", width=1),
                                hoverinfo="skip", showlegend=False, name="encadrés"))
    # Text drawn inside a MapLibre map needs a glyph server (network): the inset names go in hover text here
    # and in the caption below the map.
    fig.add_trace(go.Scattermap(lon=[b["label_lon"] for b in frames], lat=[b["label_lat"] for b in frames],
                                mode="markers", text=[b["label"] for b in frames], marker=dict(size=4, color="#9A9A9A"),
                                hovertemplate="Encadré : %{text}<extra></extra>", showlegend=False, name="outre-mer"))
    return frames


def _add_lab_markers(fig: go.Figure, labs: pd.DataFrame) -> None:
    """Open labs (full red dots) and closed ones (pale dots), overseas ones inside their inset."""
    points = [geo.to_display_point(code, lon, lat)
              for code, lon, lat in zip(labs["region_code"], labs["longitude"], labs["latitude"])]
    closed = labs["closed_on"].notna()
    for is_closed, label, color in ((False, "Laboratoire ouvert (rond plein)", ROUGE_MARIANNE),
                                    (True, "Laboratoire fermé (rond pâle)", "#9A9A9A")):
        part = labs[closed == is_closed]
        if part.empty:
            continue
        pts = [p for p, c in zip(points, closed) if c == is_closed]
        fig.add_trace(go.Scattermap(
            lon=[p[0] for p in pts], lat=[p[1] for p in pts], mode="markers", name=label,
            marker=dict(size=11 if len(labs) < 100 else 6, color=color, opacity=0.9 if not is_closed else 0.7),
            customdata=list(zip(part["region_code"], part["name"], part["city"].fillna("ville inconnue"),
                                [domain.COHORTS.get(c, c) for c in part["cohort"]],
                                [_open_text(o, c) for o, c in zip(part["opened_on"], part["closed_on"])],
                                [fmt_int(n) for n in part["projects"]])),
            hovertemplate=("<b>%{customdata[1]}</b><br>%{customdata[2]}<br>%{customdata[3]}<br>"
                           "%{customdata[4]}<br>Projets sur la période : %{customdata[5]}<extra></extra>")))


def _subset(geojson: dict, codes) -> dict:
    """Only the features of `codes`: each map trace carries just the shapes it draws (smaller pages)."""
    keep = set(codes)
    return {"type": "FeatureCollection", "features": [f for f in geojson["features"] if f["id"] in keep]}


def _open_text(opened, closed) -> str:
    if closed is not None and not pd.isna(closed):
        return f"ouvert le {fmt_date(opened)}, fermé le {fmt_date(closed)}"
    return f"ouvert depuis le {fmt_date(opened)}" if opened is not None and not pd.isna(opened) else "ouvert"


@lru_cache(maxsize=64)
def hatch_lines(codes: tuple[str, ...], spacing: float = 0.35) -> tuple[list, list]:
    """Diagonal hatching lines clipped to the displayed shapes of the given regions (None-separated)."""
    shapes = geo.inset_frame().geometry
    lons: list = []
    lats: list = []
    for code in codes:
        if code not in shapes.index:
            continue
        region = shapes[code]
        x0, y0, x1, y1 = region.bounds
        step = spacing if (x1 - x0) > 1.5 else spacing / 2
        start = x0 - (y1 - y0)
        starts = [start + k * step for k in range(int((x1 - start) // step) + 2)]
        lines = gpd.GeoSeries([LineString([(a, y0), (a + (y1 - y0), y1)]) for a in starts if a <= x1])
        for clipped in lines.intersection(region):
            for part in getattr(clipped, "geoms", [clipped]):
                if part.is_empty or part.geom_type != "LineString":
                    continue
                xs, ys = part.xy
                lons += [round(v, 4) for v in xs] + [None]
                lats += [round(v, 4) for v in ys] + [None]
    return lons, lats
