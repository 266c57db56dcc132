"""Region geometry (data/geo/regions.geojson) and the overseas inset helper."""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Point, shape

from lit_analytics import geo

REPO_ROOT = Path(__file__).resolve().parents[1]
GEOJSON = REPO_ROOT / "data" / "geo" / "regions.geojson"

EXPECTED_NAMES = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
}
OVERSEAS = {"01", "02", "03", "04", "06"}
METRO = set(EXPECTED_NAMES) - OVERSEAS

# Coarse real-world extents (lon_min, lat_min, lon_max, lat_max) of the overseas regions.
OVERSEAS_EXTENT = {
    "01": (-62.0, 15.7, -60.8, 16.7),
    "02": (-61.4, 14.3, -60.7, 15.0),
    "03": (-55.0, 2.0, -51.4, 6.0),
    "04": (55.1, -21.5, 56.0, -20.7),
    "06": (44.9, -13.1, 45.4, -12.5),
}


@pytest.fixture(scope="module")
def collection() -> dict:
    with open(GEOJSON, encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def shapes(collection) -> dict:
    return {f["id"]: shape(f["geometry"]) for f in collection["features"]}


@pytest.fixture(scope="module")
def display_shapes() -> dict:
    return {f["id"]: shape(f["geometry"]) for f in geo.inset_geojson()["features"]}


def _polygons(geom):
    return list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]


def _coords(obj):
    if isinstance(obj[0], (int, float)):
        yield obj
    else:
        for item in obj:
            yield from _coords(item)


def _within(geom, lon0, lat0, lon1, lat1) -> bool:
    x0, y0, x1, y1 = geom.bounds
    return lon0 <= x0 and x1 <= lon1 and lat0 <= y0 and y1 <= lat1


def _mercator_y(lat: float) -> float:
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


# --- the built file -----------------------------------------------------------


def test_regions_file_stays_under_150_kib():
    assert GEOJSON.stat().st_size <= 150 * 1024


def test_feature_collection_ids_and_names(collection):
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) == 18
    ids = [f["id"] for f in features]
    assert sorted(ids) == sorted(EXPECTED_NAMES)
    assert len(set(ids)) == 18
    for f in features:
        assert f["type"] == "Feature"
        assert isinstance(f["id"], str)
        assert f["properties"]["region_code"] == f["id"]
        assert f["properties"]["name"] == EXPECTED_NAMES[f["id"]]


def test_geometries_valid_polygonal(shapes):
    for code, geom in shapes.items():
        assert geom.geom_type in ("Polygon", "MultiPolygon"), code
        assert not geom.is_empty, code
        assert geom.is_valid, (code, shapely.is_valid_reason(geom))


def test_rings_oriented_clockwise_outer_ccw_holes(shapes):
    # orient(sign=-1): exterior rings clockwise in lon/lat, holes counter-clockwise
    # (d3-geo / plotly ``geo`` convention).  At least one region has holes.
    holes = 0
    for code, geom in shapes.items():
        for poly in _polygons(geom):
            assert not shapely.is_ccw(poly.exterior), code
            for ring in poly.interiors:
                holes += 1
                assert shapely.is_ccw(ring), code
    assert holes > 0


def test_coordinates_rounded(collection):
    for f in collection["features"]:
        for lon, lat in _coords(f["geometry"]["coordinates"]):
            assert round(lon, 4) == lon and round(lat, 4) == lat


def test_regions_form_a_coverage(shapes):
    # no overlaps, shared borders identical after simplification
    assert shapely.coverage_is_valid(list(shapes.values()))


def test_ile_de_france_border_fully_shared(shapes):
    # Île-de-France is landlocked: its whole outline is shared with neighbours.
    idf = shapes["11"]
    others = shapely.union_all([g.boundary for c, g in shapes.items() if c in METRO - {"11"}])
    assert idf.boundary.difference(others).length < 1e-6
    assert idf.boundary.length > 1.0


def test_metropolitan_extent(shapes):
    for code in METRO:
        assert _within(shapes[code], -5.5, 41.0, 10.0, 51.5), code


def test_metropolitan_regions_have_real_size(shapes):
    # not collapsed by simplification: every metropolitan region except Corse
    # spans more than 1.5 degree of longitude.
    for code in METRO - {"94"}:
        x0, _, x1, _ = shapes[code].bounds
        assert x1 - x0 > 1.5, code


@pytest.mark.parametrize("code", sorted(OVERSEAS))
def test_overseas_in_real_place(shapes, code):
    assert _within(shapes[code], *OVERSEAS_EXTENT[code])


def test_reunion_near_known_point(shapes):
    c = shapes["04"].centroid
    assert abs(c.x - 55.5) < 0.3 and abs(c.y - -21.1) < 0.3
    assert shapes["04"].contains(Point(55.45, -21.0))


def test_known_cities_in_their_region(shapes):
    cities = {
        "11": (2.35, 48.86),  # Paris
        "84": (4.84, 45.76),  # Lyon
        "93": (5.37, 43.30),  # Marseille
        "53": (-1.68, 48.11),  # Rennes
        "75": (-0.58, 44.84),  # Bordeaux
        "44": (7.75, 48.58),  # Strasbourg
        "94": (9.15, 42.31),  # Corte
        "03": (-52.33, 4.92),  # Cayenne
    }
    for code, (lon, lat) in cities.items():
        assert shapes[code].contains(Point(lon, lat)), code


# --- loader and inset helper ----------------------------------------------------


def test_module_imports_without_streamlit():
    code = "import sys, lit_analytics.geo; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


def test_load_regions_geojson_default_and_fresh_copies(collection):
    a = geo.load_regions_geojson()
    assert a == collection
    a["features"].clear()
    assert geo.load_regions_geojson() == collection
    assert geo.load_regions_geojson(GEOJSON) == collection


def test_inset_geojson_same_features(collection, shapes):
    shown = geo.inset_geojson()
    assert [f["id"] for f in shown["features"]] == [f["id"] for f in collection["features"]]
    for orig, disp in zip(collection["features"], shown["features"]):
        assert disp["properties"] == orig["properties"]
        if orig["id"] in METRO:
            assert disp["geometry"] == orig["geometry"]
        else:
            assert disp["geometry"] != orig["geometry"]


def test_display_geometries_valid_and_in_window(display_shapes):
    for code, geom in display_shapes.items():
        assert geom.is_valid, code
        assert _within(geom, -12.0, 40.0, 10.0, 52.0), code
        for poly in _polygons(geom):
            assert not shapely.is_ccw(poly.exterior), code


def test_insets_inside_their_frames(display_shapes):
    frames = {f["region_code"]: f for f in geo.inset_frames()}
    assert set(frames) == OVERSEAS
    for code, frame in frames.items():
        assert frame["label"] == EXPECTED_NAMES[code]
        frame_poly = shape(frame["box"])
        assert frame_poly.is_valid and frame_poly.area > 0
        assert frame_poly.bounds == pytest.approx(frame["bounds"])
        assert list(zip(frame["lons"], frame["lats"])) == [tuple(p) for p in frame["box"]["coordinates"][0]]
        assert frame_poly.contains(display_shapes[code]), code
        assert frame_poly.contains(Point(frame["label_lon"], frame["label_lat"])), code
        # the label sits above the drawn region
        assert frame["label_lat"] > display_shapes[code].bounds[3], code


def test_insets_readable_size(display_shapes):
    frames = {f["region_code"]: shape(f["box"]) for f in geo.inset_frames()}
    for code in OVERSEAS:
        fx0, fy0, fx1, fy1 = frames[code].bounds
        x0, y0, x1, y1 = display_shapes[code].bounds
        fill = max((x1 - x0) / (fx1 - fx0), (y1 - y0) / (fy1 - fy0))
        assert fill > 0.5, code


def test_insets_keep_their_shape(shapes, display_shapes):
    # ground width / height ratio is preserved on the (Mercator) map
    for code in OVERSEAS:
        def ratio(g):
            x0, y0, x1, y1 = g.bounds
            mid = (y0 + y1) / 2
            return (x1 - x0) * math.cos(math.radians(mid)) / (y1 - y0)
        assert ratio(display_shapes[code]) == pytest.approx(ratio(shapes[code]), rel=0.03), code


def test_no_overlaps(display_shapes):
    metro = shapely.union_all([display_shapes[c] for c in METRO])
    frames = {f["region_code"]: shape(f["box"]) for f in geo.inset_frames()}
    for a, b in itertools.combinations(sorted(OVERSEAS), 2):
        assert not frames[a].intersects(frames[b]), (a, b)
        assert not display_shapes[a].intersects(display_shapes[b]), (a, b)
    for code in OVERSEAS:
        assert not frames[code].intersects(metro), code
        assert not display_shapes[code].intersects(metro), code


def test_to_display_point_identity_for_metropolitan(shapes):
    for code in METRO:
        p = shapes[code].representative_point()
        assert geo.to_display_point(code, p.x, p.y) == (p.x, p.y)
    assert geo.to_display_point(None, 2.35, 48.86) == (2.35, 48.86)


@pytest.mark.parametrize("code", ["84", "04", "03", "01", "02", "06"])
def test_to_display_point_lands_in_display_region(shapes, display_shapes, code):
    p = shapes[code].representative_point()
    x, y = geo.to_display_point(code, p.x, p.y)
    assert display_shapes[code].contains(Point(x, y))
    if code in OVERSEAS:
        assert (x, y) != (p.x, p.y)


def test_to_display_point_matches_geometry_transform(collection):
    shown = {f["id"]: f for f in geo.inset_geojson()["features"]}
    for f in collection["features"]:
        if f["id"] not in OVERSEAS:
            continue
        real = list(_coords(f["geometry"]["coordinates"]))
        disp = list(_coords(shown[f["id"]]["geometry"]["coordinates"]))
        assert len(real) == len(disp)
        for (lon, lat), (dlon, dlat) in list(zip(real, disp))[::7]:
            x, y = geo.to_display_point(f["id"], lon, lat)
            assert x == pytest.approx(dlon, abs=2e-4) and y == pytest.approx(dlat, abs=2e-4)


def test_real_city_markers_land_in_inset(display_shapes):
    # Saint-Denis (La Réunion) and Cayenne, moved with their region
    for code, (lon, lat) in {"04": (55.45, -20.9), "03": (-52.33, 4.92)}.items():
        x, y = geo.to_display_point(code, lon, lat)
        assert display_shapes[code].buffer(0.02).contains(Point(x, y)), code


@pytest.mark.parametrize("height,width", [(700, None), (700, 900), (700, 1200), (500, 500)])
def test_map_view_frames_everything(display_shapes, height, width):
    view = geo.map_view(height=height, width=width)
    assert set(view) == {"center", "zoom"}
    zoom, center = view["zoom"], view["center"]
    px_per_deg = 512 * 2 ** zoom / 360
    everything = shapely.union_all(list(display_shapes.values()) + [shape(f["box"]) for f in geo.inset_frames()])
    x0, y0, x1, y1 = everything.bounds
    w = width if width is not None else height
    cx, cy = center["lon"], _mercator_y(center["lat"])
    # every edge is inside the map area
    assert (cx - x0) * px_per_deg <= w / 2 and (x1 - cx) * px_per_deg <= w / 2
    assert (cy - _mercator_y(y0)) * px_per_deg <= height / 2
    assert (_mercator_y(y1) - cy) * px_per_deg <= height / 2
    # and the content uses most of the limiting dimension
    used = max((x1 - x0) * px_per_deg / w, (_mercator_y(y1) - _mercator_y(y0)) * px_per_deg / height)
    assert used > 0.85
