"""Server-side run time of every dashboard page (`python -m lit_analytics bench`).

Each page of the dashboard is run by Streamlit's AppTest (the whole app: navigation, sign-in gate, sidebar
filters, queries, figures), signed in as an administrator, on the demo data and on a 100× dataset from the
generator. The first run of a page is "cold" (empty caches for that database); the median of the following
runs is "warm" (cached query results and figures: what a user waits for when changing page or filter back).
The same measure of an empty Streamlit page is the baseline. Results replace the section
« ## Pages du tableau de bord » of docs/benchmarks.md; other sections of that file are kept.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from datetime import datetime
from pathlib import Path

from lit_analytics import config, navigation

PAGES = [(p.title, p.script) for p in navigation.PAGES if p.charts]   # the dashboard pages (page registry)
SECTION = "## Pages du tableau de bord"
TARGET_WARM_DEMO_MS = 300
TARGET_LARGE_MS = 1000
BENCH_UNTIL = "2026-T3"


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def measure_app(db_path: Path, page: str | None, runs: int) -> tuple[float, float, int]:
    """(cold ms, warm median ms, figures shown) of one page of the app on one database."""
    from streamlit.testing.v1 import AppTest

    from lit_analytics.permissions import Actor
    os.environ["LIT_DB"] = str(db_path)
    at = AppTest.from_file(str(config.REPO_ROOT / "app.py"), default_timeout=300)
    at.session_state["actor"] = Actor("bench@ditp.example", "admin")
    if page is not None:
        at.switch_page(page)
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"la page {page} a levé une erreur : {at.exception[0].value}")
    warm = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
    return _ms(cold), _ms(statistics.median(warm)), len(at.get("plotly_chart"))


def measure_empty(runs: int) -> tuple[float, float]:
    """The same measure on a page that draws nothing: AppTest's own cost."""
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_string("import streamlit as st\n", default_timeout=60)
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    warm = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
    return _ms(cold), _ms(statistics.median(warm))


def _dataset(path: Path, scale: int, reuse: bool) -> dict:
    from lit_analytics.bootstrap import init_database
    if not (reuse and path.exists()):
        init_database(path, demo=True, scale=scale, force=True, until=BENCH_UNTIL).close()
    from lit_analytics.store import Store
    with Store(path, read_only=True) as store:
        counts = store.row_counts()
    return {"labs": counts["labs"], "project_snapshots": counts["project_snapshots"],
            "training_sessions": counts["training_sessions"], "funding_tranches": counts["funding_tranches"]}


def run(workdir: Path, runs: int = 5, large_scale: int = 100, reuse: bool = False) -> dict:
    """Build (or reuse) the demo and large databases in `workdir`, and measure every page on each."""
    workdir.mkdir(parents=True, exist_ok=True)
    datasets = {"démo (×1)": (workdir / "bench-x1.duckdb", 1)}
    if large_scale > 1:
        datasets[f"×{large_scale}"] = (workdir / f"bench-x{large_scale}.duckdb", large_scale)
    result = {"runs": runs, "datasets": {}, "pages": {}}
    # Import what the pages import (plotly, shapely, the package) so the first "cold" page is not also
    # paying the process's one-off module imports.
    import lit_analytics.catalogue  # noqa: F401
    import lit_analytics.ui  # noqa: F401
    import plotly.io  # noqa: F401
    from lit_analytics import geo
    geo.inset_geojson()
    empty_cold, empty_warm = measure_empty(runs)
    result["empty"] = (empty_cold, empty_warm)
    for label, (path, scale) in datasets.items():
        print(f"Jeu de données {label} : {path}", flush=True)
        result["datasets"][label] = _dataset(path, scale, reuse)
        for title, page in PAGES:
            cold, warm, figures = measure_app(path, page, runs)
            result["pages"][(label, title)] = (cold, warm, figures)
            print(f"  {title:<22} à froid {cold:8.0f} ms   à chaud {warm:7.0f} ms   ({figures} graphiques)",
                  flush=True)
    return result


def _fmt(value: float) -> str:
    from lit_analytics.formats import fmt_number
    return fmt_number(value, 0)


def render(result: dict) -> str:
    empty_cold, empty_warm = result["empty"]
    labels = list(result["datasets"])
    lines = [SECTION, "",
             f"Measured by `python -m lit_analytics bench` on {datetime.now():%Y-%m-%d %H:%M} "
             f"({platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
             f"{os.cpu_count()} CPUs). Server-side run time of each page with Streamlit's AppTest, signed in as "
             "an administrator, no filter: **cold** = first run on that database (empty query and figure caches, "
             "modules already imported), **warm** = "
             f"median of {result['runs']} following runs (cached queries and figures). Baseline: an empty "
             f"Streamlit page, {_fmt(empty_cold)} ms cold, {_fmt(empty_warm)} ms warm. Targets: warm under "
             f"{TARGET_WARM_DEMO_MS} ms on the demo data, under {TARGET_LARGE_MS} ms at 100×.", ""]
    lines.append("| data set | labs | project snapshots | sessions | funding tranches |")
    lines.append("|---|---:|---:|---:|---:|")
    for label, d in result["datasets"].items():
        lines.append(f"| {label} | {_fmt(d['labs'])} | {_fmt(d['project_snapshots'])} | "
                     f"{_fmt(d['training_sessions'])} | {_fmt(d['funding_tranches'])} |")
    lines += ["", "| page | " + " | ".join(f"{lab} cold (ms) | {lab} warm (ms) | warm ÷ empty" for lab in labels)
              + " | figures |",
              "|---|" + "---:|---:|---:|" * len(labels) + "---:|"]
    for title, _ in PAGES:
        cells = []
        figures = 0
        for lab in labels:
            cold, warm, figures = result["pages"][(lab, title)]
            cells += [_fmt(cold), _fmt(warm), f"{warm / max(empty_warm, 0.001):.1f}".replace(".", ",")]
        lines.append(f"| {title} | " + " | ".join(cells) + f" | {figures} |")
    verdict = []
    demo, large = labels[0], labels[-1]
    worst_demo = max(result["pages"][(demo, t)][1] for t, _ in PAGES)
    verdict.append(f"Slowest warm page on the demo data: {_fmt(worst_demo)} ms "
                   f"({'within' if worst_demo < TARGET_WARM_DEMO_MS else 'OVER'} the {TARGET_WARM_DEMO_MS} ms target).")
    if large != demo:
        worst_cold = max(result["pages"][(large, t)][0] for t, _ in PAGES)
        worst_warm = max(result["pages"][(large, t)][1] for t, _ in PAGES)
        verdict.append(f"At {large}: slowest page {_fmt(worst_warm)} ms warm, {_fmt(worst_cold)} ms cold "
                       f"({'within' if worst_warm < TARGET_LARGE_MS else 'OVER'} the {TARGET_LARGE_MS} ms target "
                       "warm; cold includes building every figure once).")
    lines += ["", *verdict, ""]
    return "\n".join(lines)
