"""Map figures redrawn without MapLibre for exports.

On screen the map is a tile map (`Choroplethmap` / `Scattermap`, MapLibre): hover, click to filter. In an
exported image MapLibre costs more than a second per render inside kaleido (a WebGL context in a
software-rendered, GPU-less Chromium, started for every image) and cannot write text (its glyphs need a
server). `flatten` redraws the same figure on plain cartesian axes in Web-Mercator units — regions as filled
polygons, the same colours, outlines, hatching, frames and markers, the colour bar — and writes the overseas
insets' names as text beside their frames. The figure is read as it is, so the picture is the screen's.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.colors import sample_colorscale

MAP_TYPES = ("choroplethmap", "scattermap", "choroplethmapbox", "scattermapbox")
INSET_LABELS_TRACE = "outre-mer"
INSET_LABEL_SIZE = 14


def is_map(fig: go.Figure) -> bool:
    return any(trace.type in MAP_TYPES for trace in fig.data)


def _y(lat):
    if lat is None:
        return None
    lat = max(min(float(lat), 85.0), -85.0)
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _rings(geometry: dict) -> list[list]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [poly[0] for poly in geometry["coordinates"]]
    return []


def _path(rings: list[list]) -> tuple[list, list]:
    xs, ys = [], []
    for ring in rings:
        xs += [p[0] for p in ring] + [None]
        ys += [_y(p[1]) for p in ring] + [None]
    return xs, ys


def _colour(trace, z: float) -> str:
    scale = trace.colorscale
    colours = [c for _, c in scale] if scale else ["#6E80E0"]
    if len(set(colours)) == 1:
        return colours[0]
    zmin = trace.zmin if trace.zmin is not None else min(trace.z)
    zmax = trace.zmax if trace.zmax is not None else max(trace.z)
    t = 0.0 if zmax == zmin else min(max((float(z) - zmin) / (zmax - zmin), 0.0), 1.0)
    return sample_colorscale([list(step) for step in scale], [t])[0]


def _choropleth(out: go.Figure, trace) -> None:
    key = (trace.featureidkey or "id").split(".")[-1]
    features = {(f.get(key) if key == "id" else f.get("properties", {}).get(key)): f
                for f in trace.geojson["features"]}
    line = dict(color=trace.marker.line.color or "white", width=trace.marker.line.width or 1)
    transparent = all("rgba(0,0,0,0)" in str(c) for _, c in (trace.colorscale or [[0, "x"]]))
    for location, z in zip(trace.locations, trace.z):
        feature = features.get(location)
        if feature is None:
            continue
        xs, ys = _path(_rings(feature["geometry"]))
        out.add_scatter(x=xs, y=ys, mode="lines", line=line, hoverinfo="skip",
                        fill="none" if transparent else "toself",
                        fillcolor=None if transparent else _colour(trace, z),
                        name=trace.name, legendgroup=trace.name, showlegend=False)
    if trace.showlegend:
        # the legend shows a square of the fill (or of the outline), as the tile map's legend does
        first = trace.z[0] if trace.z is not None and len(trace.z) else 0
        marker = (dict(symbol="square-open", size=14, color=line["color"], line=dict(width=2, color=line["color"]))
                  if transparent else dict(symbol="square", size=14, color=_colour(trace, first)))
        out.add_scatter(x=[None], y=[None], mode="markers", marker=marker, name=trace.name,
                        legendgroup=trace.name, showlegend=True, hoverinfo="skip")
    if trace.showscale is not False and len({c for _, c in (trace.colorscale or [])}) > 1:
        # the colour bar, carried by an invisible marker
        out.add_scatter(x=[None], y=[None], mode="markers", hoverinfo="skip", showlegend=False,
                        marker=dict(color=[trace.zmin, trace.zmax], colorscale=trace.colorscale, cmin=trace.zmin,
                                    cmax=trace.zmax, showscale=True,
                                    colorbar=trace.colorbar.to_plotly_json()))


def _scatter(out: go.Figure, trace) -> None:
    xs = list(trace.lon) if trace.lon is not None else []
    ys = [_y(v) for v in trace.lat] if trace.lat is not None else []
    if trace.name == INSET_LABELS_TRACE and trace.text is not None:
        # the insets' names, written (MapLibre could not), left of their frames
        from lit_analytics import geo
        frames = geo.inset_frames()
        out.add_scatter(x=[f["bounds"][0] for f in frames],
                        y=[(_y(f["bounds"][1]) + _y(f["bounds"][3])) / 2 for f in frames],
                        mode="text", text=[f"{f['label']} " for f in frames], textposition="middle left",
                        textfont=dict(size=INSET_LABEL_SIZE, color="#161616"), hoverinfo="skip", showlegend=False,
                        name="encadrés (noms)", cliponaxis=False)
        return
    marker = trace.marker.to_plotly_json() if trace.marker is not None else {}
    marker.pop("allowoverlap", None)
    out.add_scatter(x=xs, y=ys, mode=trace.mode or "markers", name=trace.name, showlegend=trace.showlegend,
                    legendgroup=trace.legendgroup, line=dict(color=trace.line.color, width=trace.line.width),
                    marker=marker, hoverinfo="skip", customdata=trace.customdata)


def flatten(fig: go.Figure, bounds: tuple[float, float, float, float] | None = None) -> go.Figure:
    """The map figure on cartesian axes (same layout, title, caption and legend); other figures unchanged.
    `bounds` (lon_min, lat_min, lon_max, lat_max) frames the map; by default metropolitan France and the
    overseas insets (`geo.display_bounds`)."""
    if not is_map(fig):
        return fig
    if bounds is None:
        from lit_analytics import geo
        bounds = geo.display_bounds()
    layout = fig.layout.to_plotly_json()
    layout.pop("map", None)
    layout.pop("mapbox", None)
    # labels placed in pixels from the tile map's centre: redrawn below as text at their coordinates
    layout["annotations"] = [a for a in layout.get("annotations", []) if a.get("name") != "inset-label"]
    out = go.Figure(layout=layout)
    for trace in fig.data:
        if trace.type.startswith("choropleth"):
            _choropleth(out, trace)
        elif trace.type.startswith("scatter"):
            _scatter(out, trace)
        else:
            out.add_trace(trace)
    lon0, lat0, lon1, lat1 = bounds
    pad = 0.02 * (lon1 - lon0)
    out.update_xaxes(visible=False, range=[lon0 - pad * 12, lon1 + pad], showgrid=False, zeroline=False)
    out.update_yaxes(visible=False, range=[_y(lat0) - pad, _y(lat1) + pad], showgrid=False, zeroline=False,
                     scaleanchor="x", scaleratio=1)
    out.update_layout(plot_bgcolor="white", clickmode="none", dragmode=False)
    return out
