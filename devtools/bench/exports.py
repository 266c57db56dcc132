"""How long briefing exports take (`python -m lit_analytics bench-export`), written to docs/benchmarks.md
(section « ## Exports »). Targets: one warm chart export ≤ 1 s; a 10-slide deck ≤ 15 s."""

from __future__ import annotations

import platform
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from lit_analytics import catalogue

SECTION = "## Exports"
DECK_CHARTS = ["reference-ditp", "projets-etapes-trimestre", "sessions-trimestre", "participants-trimestre",
               "financements-trimestre", "engage-verse", "comparaison-laboratoires"]   # + 3 slides = 10


def _timed(fn, runs: int = 1) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def run(runs: int = 5) -> dict:
    from lit_analytics.bootstrap import init_database
    from lit_analytics.export import briefing
    with tempfile.TemporaryDirectory() as tmp:
        store = init_database(Path(tmp) / "bench.duckdb", demo=True)
        bar = catalogue.build_chart(store, "engage-verse")
        lines = catalogue.build_chart(store, "financements-trimestre")
        carte = catalogue.build_chart(store, "carte")
        scope = briefing.parse_preset(store, "national")
        result = {
            "first": _timed(lambda: briefing.chart_image(bar, "png"))[0],   # starts the browser
            "png": _timed(lambda: briefing.chart_image(lines, "png"), runs),
            "svg": _timed(lambda: briefing.chart_image(lines, "svg"), runs),
            "pdf": _timed(lambda: briefing.chart_image(lines, "pdf"), runs),
            "map": _timed(lambda: briefing.chart_image(carte, "png"), 3),
            "pptx": _timed(lambda: briefing.deck_pptx(store, scope, DECK_CHARTS), 2),
            "deck_pdf": _timed(lambda: briefing.deck_pdf(store, scope, DECK_CHARTS), 2),
            "xlsx": _timed(lambda: briefing.workbook(store, scope), 2),
        }
        store.close()
    return result


def render(r: dict) -> str:
    med = lambda xs: statistics.median(xs)  # noqa: E731
    rows = [
        ("First chart export of a process (starts Chromium)", r["first"], "—"),
        ("Chart PNG (2×, 2400 × 920 px), warm", med(r["png"]), "≤ 1 s"),
        ("Chart SVG, warm", med(r["svg"]), "≤ 1 s"),
        ("Chart PDF, warm", med(r["pdf"]), "≤ 1 s"),
        ("Map PNG with overseas insets (redrawn without MapLibre), warm", med(r["map"]), "≤ 1 s"),
        ("10-slide deck, PPTX (7 charts)", med(r["pptx"]), "≤ 15 s"),
        ("Same deck, PDF (printed by Chromium)", med(r["deck_pdf"]), "≤ 15 s"),
        ("National workbook, XLSX (10 charts' data + 2 tables)", med(r["xlsx"]), "—"),
    ]
    lines = [SECTION, "",
             f"Measured by `python -m lit_analytics bench-export` on {datetime.now():%Y-%m-%d %H:%M} "
             f"(CPython {platform.python_version()}, {platform.machine()}), demo database, kaleido "
             "with the system Chromium and one browser kept per process. Medians of the runs. Maps are exported "
             "redrawn on plain axes (`export/flat_map.py`); drawn by MapLibre inside kaleido they took 2.1 s warm.",
             "",
             "| export | seconds | target |", "|---|---:|---|"]
    lines += [f"| {name} | {value:.2f} | {target} |" for name, value, target in rows]
    lines += ["", "All runs (s): " + "; ".join(f"{k} {', '.join(f'{v:.2f}' for v in (vs if isinstance(vs, list) else [vs]))}"
                                                for k, vs in r.items()), ""]
    return "\n".join(lines)
