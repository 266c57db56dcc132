"""How long verifying a large quarterly file takes, against Frictionless (`python -m lit_analytics bench-import`).

Generates a `sessions` file of N rows (default 100 000) written the way French spreadsheets export it (`;`,
UTF-8 with BOM, decimal comma, dates JJ/MM/AAAA), verifies it with `ingest.verify` on a fresh database holding
the reference labs (best of several runs), then validates the same file against the same Table Schema with
Frictionless (`frictionless.validate`, in process, so its start-up time is not counted), and writes both under
« ## Import des rapports trimestriels » in docs/benchmarks.md (other sections of that file are kept).
"""

from __future__ import annotations

import csv
import io
import json
import os
import platform
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from lit_analytics import config
from lit_analytics.domain import SESSION_FORMATS
from lit_analytics.formats import quarter_end, quarter_start

SECTION = "## Import des rapports trimestriels"
LAB, QUARTER = "siilab", "2021-T3"


def generate_sessions_csv(rows: int, seed: int = 1, quarter: str = QUARTER) -> bytes:
    """A valid `sessions` file of `rows` rows, French style."""
    rng = random.Random(seed)
    start = quarter_start(quarter)
    span = (quarter_end(quarter) - start).days
    titles = ["Initiation au design de services", "Atelier usagers", "Webinaire retour d'expérience",
              "Sensibilisation à l'innovation publique", "Conduire une expérimentation"]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["id_session", "date", "intitule", "format", "duree_heures", "participants_agents",
                     "participants_autres"])
    for n in range(rows):
        day = start + timedelta(days=rng.randint(0, span))
        writer.writerow([f"S-{n + 1:06d}", day.strftime("%d/%m/%Y"), rng.choice(titles), rng.choice(SESSION_FORMATS),
                         rng.choice(["1", "2", "3,5", "6", "7", "14", "0,5"]), rng.randint(0, 40),
                         rng.choice(["", str(rng.randint(0, 30))])])
    return out.getvalue().encode("utf-8-sig")


HISTORY_LABS = ("siilab", "lab-zero", "liric", "ti-lab", "archipel", "lab-o", "fabrique-rh", "etat-lin", "lab-est",
                "lab-l")


def generate_sessions_history_csv(rows: int, seed: int = 2) -> bytes:
    """A valid `sessions` history file of `rows` rows: 10 labs × 20 quarters (2020-T1 … 2024-T4), French style,
    with the `id_lab` and `trimestre` columns."""
    from lit_analytics.formats import fmt_quarter, quarter_range
    rng = random.Random(seed)
    targets = [(lab, q) for lab in HISTORY_LABS for q in quarter_range("2020-T1", "2024-T4")]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["id_lab", "trimestre", "id_session", "date", "intitule", "format", "duree_heures",
                     "participants_agents", "participants_autres"])
    for n in range(rows):
        lab, quarter = targets[n % len(targets)]
        start = quarter_start(quarter)
        day = start + timedelta(days=rng.randint(0, (quarter_end(quarter) - start).days))
        writer.writerow([lab, fmt_quarter(quarter), f"S-{n + 1:06d}", day.strftime("%d/%m/%Y"), "Atelier usagers",
                         rng.choice(SESSION_FORMATS), rng.choice(["1", "2", "3,5", "6"]), rng.randint(0, 40), ""])
    return out.getvalue().encode("utf-8-sig")


def _best(repeat: int, call) -> tuple[float, list[float], object]:
    """Best wall time of `repeat` calls, every wall time, the last result; the best CPU time of this process goes
    to `_CPU[call]` (on a shared machine, wall times grow with the load; CPU times much less)."""
    timings, cpu, result = [], [], None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = call()
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    _CPU.append(min(cpu))
    return min(timings), timings, result


_CPU: list[float] = []


def run(rows: int = 100_000, repeat: int = 3, with_frictionless: bool = True) -> dict:
    from lit_analytics import ingest
    from lit_analytics.ingest import fastcheck
    from lit_analytics.ingest.history_file import verify_history
    from lit_analytics.reference import load_reference
    from lit_analytics.store import Store

    data = generate_sessions_csv(rows)
    history = generate_sessions_history_csv(rows)
    load_before = os.getloadavg()[0]
    _CPU.clear()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sessions.csv"
        path.write_bytes(data)
        with Store(Path(tmp) / "bench.duckdb") as store:
            load_reference(store)
            verify = lambda: ingest.verify(store, data, path.name, kind="sessions", lab_id=LAB, quarter=QUARTER)  # noqa: E731
            best, timings, report = _best(repeat, verify)
            if not report.ok or report.row_count != rows:
                raise RuntimeError(f"le fichier de mesure devrait être valide : {report.errors[:3]}")
            threshold, fastcheck.FAST_MIN_BYTES = fastcheck.FAST_MIN_BYTES, 10**12   # the row reader, for comparison
            try:
                row_reader, _, _ = _best(repeat, verify)
            finally:
                fastcheck.FAST_MIN_BYTES = threshold
            history_best, _, hist = _best(repeat, lambda: verify_history(store, history, "historique.csv",
                                                                        kind="sessions"))
            if not hist.ok:
                raise RuntimeError(f"l'historique de mesure devrait être valide : {hist.errors[:3]}")
        result = {"rows": rows, "bytes": len(data), "verify_s": best, "verify_runs": timings,
                  "row_reader_s": row_reader, "history_s": history_best, "history_bytes": len(history),
                  "history_batches": len(hist.batches), "load": (load_before, os.getloadavg()[0]),
                  "cpu": list(_CPU)}
        if with_frictionless:
            result.update(_frictionless(path))
    return result


def _frictionless(path: Path) -> dict:
    from frictionless import Dialect, Resource, Schema, formats

    descriptor = json.loads((config.SCHEMA_DIR / "sessions.json").read_text(encoding="utf-8"))
    schema = Schema.from_descriptor(descriptor)
    resource = Resource(path.name, basepath=str(path.parent), schema=schema, encoding="utf-8-sig",
                        dialect=Dialect(controls=[formats.CsvControl(delimiter=";")]))
    started, started_cpu = time.perf_counter(), time.process_time()
    report = resource.validate()
    elapsed = time.perf_counter() - started
    return {"frictionless_s": elapsed, "frictionless_cpu": time.process_time() - started_cpu, "frictionless_valid": report.valid,
            "frictionless_rows": report.tasks[0].stats.get("rows") if report.tasks else None}


def render(result: dict) -> str:
    s = lambda v: f"{v:.2f}"  # noqa: E731  (developer docs: English number style)
    rows = f"{result['rows']:,}"
    lines = [SECTION, "",
             f"Measured on {date.today().isoformat()} by `python -m lit_analytics bench-import` "
             f"({platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPU).",
             "",
             f"A generated `sessions` file of {rows} rows ({s(result['bytes'] / 1_048_576)} MB, `;`, UTF-8 with BOM, "
             "decimal commas, dates `JJ/MM/AAAA`) is verified by `ingest.verify` (read, detect, parse every value, "
             "check the schema, the quarter, uniqueness, then diff against the published version) on a fresh "
             "database; best of the runs. Frictionless validates the same file against the same "
             "`data/schemas/sessions.json` (in process, start-up not counted; it checks types and constraints but "
             "not the quarter nor the `x-` rules).",
             "",
             "Files of at least 256 KiB that are plain CSV are read by DuckDB's own CSV reader into Arrow columns "
             "(`ingest/fastcheck.py`); the row reader (`ingest/read.py`), which every other file takes, is measured "
             "on the same file for comparison. The history file has the same rows spread over 10 labs × 20 "
             "quarters with `id_lab` and `trimestre` columns, verified as a whole by `verify_history` (preview "
             "against a database where nothing is published yet). Target (issue 21): verifying 100,000 rows "
             "≤ 0.3 s and ≥ 10× faster than Frictionless.",
             "",
             f"Machine load average (1 min) when the measures started / ended: {result['load'][0]:.1f} / "
             f"{result['load'][1]:.1f} (2 CPUs shared; other work on the machine inflates every number below).",
             "",
             "| measure | seconds (wall) | seconds (CPU of the process) |", "|---|---:|---:|",
             f"| `ingest.verify`, {rows} rows (DuckDB reader) | {s(result['verify_s'])} | {s(result['cpu'][0])} |",
             f"| `ingest.verify`, same file, row reader | {s(result['row_reader_s'])} | {s(result['cpu'][1])} |",
             f"| `verify_history`, {rows} rows, {result['history_batches']} labs × quarters "
             f"({s(result['history_bytes'] / 1_048_576)} MB) | {s(result['history_s'])} | {s(result['cpu'][2])} |"]
    if "frictionless_s" in result:
        ratio = result["frictionless_s"] / result["verify_s"]
        lines += [f"| `frictionless validate`, same file and schema | {s(result['frictionless_s'])} | "
                  f"{s(result['frictionless_cpu'])} |",
                  "", f"Ratio: Frictionless takes {s(ratio)}× as long as `ingest.verify` (wall), "
                  f"{s(result['frictionless_cpu'] / result['cpu'][0])}× (CPU) "
                  f"(Frictionless found the file {'valid' if result['frictionless_valid'] else 'INVALID'}).",
                  ]
    runs = ", ".join(s(t) for t in result["verify_runs"])
    lines += ["", f"All `ingest.verify` runs: {runs} s.", ""]
    return "\n".join(lines)


def hostile_section() -> str:
    """Hostile uploads refused: time and Python peak memory of each (issue 10), on a fresh reference database."""
    from lit_analytics.bootstrap import init_database
    with tempfile.TemporaryDirectory() as folder:
        with init_database(Path(folder) / "hostile.duckdb") as store:
            return render_hostile(measure_hostile(store))


def measure_hostile(store, repeat: int = 3) -> list[dict]:
    """Time (best of `repeat`) and Python peak memory of verifying each hostile file on `store` (bench-import)."""
    import time
    import tracemalloc

    from lit_analytics import ingest
    from devtools.hostile_files import HOSTILE
    results = []
    for hostile in HOSTILE:
        data = hostile.make()
        target = ({"kind": hostile.kind} if hostile.kind == "financements" else
                  {"kind": hostile.kind, "lab_id": "siilab", "quarter": "2021-T3"})
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            report = ingest.verify(store, data, hostile.name, **target)
            timings.append(time.perf_counter() - start)
        tracemalloc.start()
        ingest.verify(store, data, hostile.name, **target)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        results.append({"name": hostile.name, "bytes": len(data), "seconds": min(timings), "peak": peak,
                        "code": report.errors[0].code if report.errors else "accepté"})
    return results


def render_hostile(results: list[dict]) -> str:
    lines = ["## Hostile uploads (`bench-import`)", "",
             "Each file of `devtools/hostile_files.py` verified by `ingest.verify` on a reference database "
             "(best of 3; Python peak memory measured apart with tracemalloc). Target: refused in under 2 s with "
             "under 100 MB of extra memory (before issue 10: the 65 000-column CSV took ~400 MB, the `A1:XFD3002` "
             "workbook ~410 MB, a workbook declaring 20 000 rows 13 s).", "",
             "| file | size | refused as | time (s) | Python peak (MB) |", "|---|---:|---|---:|---:|"]
    for r in results:
        lines.append(f"| `{r['name']}` | {r['bytes'] / 1024:.1f} KiB | `{r['code']}` | {r['seconds']:.3f} | "
                     f"{r['peak'] / 1_048_576:.1f} |")
    return "\n".join(lines) + "\n"
