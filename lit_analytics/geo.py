"""Region geometry of France and the overseas map insets.

``data/geo/regions.geojson`` (built by ``scripts/build_regions_geojson.py``)
holds the 18 regions in their real places, ``id`` = INSEE region code.

To show the whole of France in one plotly ``choropleth_map`` figure (MapLibre,
``map_style="white-bg"``: no tiles, no network), the five overseas regions are
drawn as *display geometry*: each is scaled and moved into a small box in the
Atlantic west of metropolitan France (a column at lon -8.3..-5.9,
lat 41.9..50.9).  Metropolitan regions are unchanged.

Every overseas transform is, for a point (lon, lat)::

    lon' = target_lon + scale * cos(origin_lat) / cos(target_lat) * (lon - origin_lon)
    lat' = target_lat + scale * (lat - origin_lat)

i.e. a uniform enlargement (or reduction, for Guyane) by ``scale`` measured in
ground distance, so shapes keep their true proportions on the Web-Mercator
map.  All parameters live in :data:`INSETS`.

Do not use plotly ``geo`` traces (``go.Choropleth``/``px.choropleth``): they
download a world topojson from a CDN at render time.

This module does not import Streamlit.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
from shapely import affinity
from shapely.geometry import mapping

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REGIONS_PATH = REPO_ROOT / "data" / "geo" / "regions.geojson"

# One row per overseas region (INSEE code):
#   label   French label drawn with the frame
#   box     frame (lon_min, lat_min, lon_max, lat_max); the five frames have the
#           same size on the Web-Mercator map
#   label_at  (lon, lat) of the label, centred in the top strip of the frame
#   origin  (lon, lat) real-world point mapped onto ``target`` (bbox centre)
#   target  (lon, lat) where ``origin`` lands, centre of the frame below the label
#   scale   ground-distance scale factor (1 = true size)
INSETS: dict[str, dict] = {
    "01": {"label": "Guadeloupe", "box": (-8.3, 49.43, -5.9, 50.90), "label_at": (-7.1, 50.76),
           "origin": (-61.39, 16.18), "target": (-7.1, 50.06), "scale": 1.65},
    "02": {"label": "Martinique", "box": (-8.3, 47.64, -5.9, 49.17), "label_at": (-7.1, 49.02),
           "origin": (-61.02, 14.64), "target": (-7.1, 48.30), "scale": 2.42},
    "03": {"label": "Guyane", "box": (-8.3, 45.79, -5.9, 47.37), "label_at": (-7.1, 47.22),
           "origin": (-53.13, 3.93), "target": (-7.1, 46.47), "scale": 0.32},
    "04": {"label": "La Réunion", "box": (-8.3, 43.87, -5.9, 45.51), "label_at": (-7.1, 45.35),
           "origin": (55.54, -21.12), "target": (-7.1, 44.58), "scale": 2.37},
    "06": {"label": "Mayotte", "box": (-8.3, 41.90, -5.9, 43.58), "label_at": (-7.1, 43.42),
           "origin": (45.17, -12.82), "target": (-7.1, 42.62), "scale": 3.63},
}

# MapLibre (plotly ``map`` subplots) renders the world 512 px wide at zoom 0.
_TILE_PX = 512.0


def _factors(code: str) -> tuple[float, float, float, float, float, float]:
    """(xfact, yfact, origin_lon, origin_lat, target_lon, target_lat) of an inset."""
    p = INSETS[code]
    (olon, olat), (tlon, tlat), s = p["origin"], p["target"], p["scale"]
    xfact = s * math.cos(math.radians(olat)) / math.cos(math.radians(tlat))
    return xfact, s, olon, olat, tlon, tlat


@lru_cache(maxsize=4)
def _load_text(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def load_regions_geojson(path: str | Path | None = None) -> dict:
    """The 18 regions as a GeoJSON FeatureCollection (real coordinates).

    The file is read once and cached; every call returns a fresh dict, so
    callers may modify it.
    """
    return json.loads(_load_text(str(Path(path) if path else DEFAULT_REGIONS_PATH)))


@lru_cache(maxsize=4)
def _regions_frame(path: str) -> gpd.GeoDataFrame:
    return gpd.read_file(path, engine="pyogrio").set_index("region_code", drop=False)


def regions_frame(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """The 18 regions as a GeoDataFrame indexed by INSEE code (columns ``id``, ``region_code``, ``name``,
    ``geometry``; real coordinates, EPSG:4326). Read once and cached; every call returns a copy."""
    return _regions_frame(str(Path(path) if path else DEFAULT_REGIONS_PATH)).copy()


def display_geometry(code: str, geometry):
    """Shapely geometry of region ``code`` as drawn on the inset map."""
    if code not in INSETS:
        return geometry
    xfact, yfact, olon, olat, tlon, tlat = _factors(code)
    scaled = affinity.scale(geometry, xfact=xfact, yfact=yfact, origin=(olon, olat))
    return affinity.translate(scaled, xoff=tlon - olon, yoff=tlat - olat)


def _round(obj, ndigits: int = 4):
    if isinstance(obj, float):
        return round(obj, ndigits)
    if isinstance(obj, (list, tuple)):
        return [_round(x, ndigits) for x in obj]
    return obj


@lru_cache(maxsize=4)
def _inset_text(path: str | None) -> str:
    shown = regions_frame(path).geometry
    moved = {code: display_geometry(code, shown[code]) for code in INSETS if code in shown.index}
    collection = load_regions_geojson(path)
    for feature in collection["features"]:
        if feature["id"] in moved:
            geo = mapping(moved[feature["id"]])  # affine maps with positive factors keep orientation
            feature["geometry"] = {"type": geo["type"], "coordinates": _round(geo["coordinates"])}
    return json.dumps(collection, ensure_ascii=False)


def inset_geojson(path: str | Path | None = None) -> dict:
    """Regions FeatureCollection with the overseas regions moved into their insets.

    Same features, ids and properties as :func:`load_regions_geojson`; only the
    geometry of regions 01, 02, 03, 04 and 06 differs.  Cached; returns a fresh
    dict on every call.
    """
    return json.loads(_inset_text(str(path) if path else None))


@lru_cache(maxsize=4)
def _inset_frame(path: str | None) -> gpd.GeoDataFrame:
    features = json.loads(_inset_text(path))["features"]
    return gpd.GeoDataFrame.from_features(features, crs="EPSG:4326").set_index("region_code", drop=False)


def inset_frame(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """The regions as drawn on the map (:func:`inset_geojson`, coordinates rounded as drawn) as a
    GeoDataFrame indexed by INSEE code. Cached; every call returns a copy."""
    return _inset_frame(str(path) if path else None).copy()


def inset_frames() -> list[dict]:
    """One dict per inset, top to bottom, for drawing frames and labels.

    Keys: ``region_code``, ``label`` (French), ``bounds`` (lon_min, lat_min,
    lon_max, lat_max), ``box`` (GeoJSON Polygon of the frame, clockwise like the
    regions), ``lons`` / ``lats`` (closed outline, ready for a
    ``go.Scattermap(mode="lines")``), ``label_lon`` / ``label_lat``.
    """
    frames = []
    for code, p in INSETS.items():
        x0, y0, x1, y1 = p["box"]
        ring = [(x0, y0), (x0, y1), (x1, y1), (x1, y0), (x0, y0)]  # clockwise
        frames.append(
            {
                "region_code": code,
                "label": p["label"],
                "bounds": (x0, y0, x1, y1),
                "box": {"type": "Polygon", "coordinates": [[list(pt) for pt in ring]]},
                "lons": [pt[0] for pt in ring],
                "lats": [pt[1] for pt in ring],
                "label_lon": p["label_at"][0],
                "label_lat": p["label_at"][1],
            }
        )
    return frames


def to_display_point(region_code: str | None, lon: float, lat: float) -> tuple[float, float]:
    """Where a real-world point of region ``region_code`` is drawn on the inset map.

    Identity for metropolitan regions (and for unknown/missing codes).
    """
    if region_code not in INSETS:
        return (lon, lat)
    xfact, yfact, olon, olat, tlon, tlat = _factors(region_code)
    return (tlon + xfact * (lon - olon), tlat + yfact * (lat - olat))


def _mercator_y(lat: float) -> float:
    """Web-Mercator y in degree-like units (equal to lon units)."""
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _inverse_mercator_y(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(math.radians(y))) - math.pi / 2)


@lru_cache(maxsize=1)
def _metro_bounds() -> tuple[float, float, float, float]:
    regions = _regions_frame(str(DEFAULT_REGIONS_PATH))
    x0, y0, x1, y1 = regions[~regions.index.isin(list(INSETS))].total_bounds
    return (float(x0), float(y0), float(x1), float(y1))


def display_bounds() -> tuple[float, float, float, float]:
    """(lon_min, lat_min, lon_max, lat_max) of metropolitan France plus the insets."""
    metro = _metro_bounds()
    xs = [metro[0], metro[2]]
    ys = [metro[1], metro[3]]
    for p in INSETS.values():
        xs += [p["box"][0], p["box"][2]]
        ys += [p["box"][1], p["box"][3]]
    return (min(xs), min(ys), max(xs), max(ys))


def map_view(height: int = 700, width: int | None = None, padding: float = 0.03) -> dict:
    """``center`` and ``zoom`` framing metropolitan France and the insets.

    ``height`` / ``width`` are the pixel size of the map area (figure size minus
    layout margins).  With ``width=None`` the map is assumed to be at least as
    wide as it is tall (a square is the safe default); pass the real width to
    get the largest zoom that fits.  ``padding`` is the fraction of the
    extent left free on each side.  A vertical colorbar takes about 80 px of
    the figure width away from the map (plotly shrinks the map domain), so
    subtract it from ``width`` or put the colorbar horizontally below.

    Use as ``fig.update_layout(map=dict(style="white-bg", **map_view()))``.
    """
    lon0, lat0, lon1, lat1 = display_bounds()
    y0, y1 = _mercator_y(lat0), _mercator_y(lat1)
    span_x = (lon1 - lon0) * (1 + 2 * padding)
    span_y = (y1 - y0) * (1 + 2 * padding)
    w = float(width if width is not None else height)
    px_per_unit = min(w / span_x, height / span_y)  # pixels per degree of lon
    zoom = math.log2(px_per_unit * 360.0 / _TILE_PX)
    center = {"lon": round((lon0 + lon1) / 2, 4), "lat": round(_inverse_mercator_y((y0 + y1) / 2), 4)}
    return {"center": center, "zoom": round(zoom, 3)}
