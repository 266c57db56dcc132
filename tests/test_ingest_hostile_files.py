"""Hostile and broken files (generated small on disk, `devtools/hostile_files.py`): each one is refused with a
French message naming its line and column, through `verify` and through the `import` command (exit code 1), in
bounded memory (measured in a separate process: Python allocations with tracemalloc, and the process's peak
resident size), and every data table stays as it was. Their timings are in docs/benchmarks.md (bench-import)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO
from conftest import ADMIN, ref_db_path, ref_store, snapshot  # noqa: F401
from lit_analytics import ingest
from devtools.hostile_files import HOSTILE
from lit_analytics.ingest.read import MAX_CELL_CHARS, MAX_COLUMNS, read_table
from lit_analytics.store import Store

ACTIVITY = ("imports", "import_errors", "audit_log", "meta")   # what a rejected upload may write
MEMORY_BUDGET = 100 * 1024 * 1024
ENGLISH = ("Traceback", "Error", "error:", "is not a valid", "unclosed token", "codec", "field larger", "truncated")


def _target(kind: str) -> dict:
    return {"kind": kind} if kind == "financements" else {"kind": kind, "lab_id": "siilab", "quarter": "2021-T3"}


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_a_hostile_file_gets_a_french_error_with_its_line_and_column(hostile, ref_store):
    before = snapshot(ref_store)
    report = ingest.verify(ref_store, hostile.make(), hostile.name, actor=ADMIN, **_target(hostile.kind))
    assert not report.ok
    found = [(e.line, e.column, e.code) for e in report.errors]
    assert (hostile.line, hostile.column, hostile.code) in found, found
    text = report.text().split("\n", 1)[1]   # after « Fichier : NAME »
    assert not any(word in text for word in ENGLISH), text
    assert any(w in text for w in ("attendu", "enregistrez-le", "la limite est")), text
    after = snapshot(ref_store)
    for table in before:
        if table not in ACTIVITY:
            assert after[table] == before[table], table   # no data written
    # …but the upload is registered as rejected, with its errors, and audited.
    (row,) = ref_store.query("SELECT outcome, file_name, error_count FROM imports")
    assert row == ("rejeté", hostile.name, len(report.errors))
    assert (hostile.line, hostile.column, hostile.code) in ref_store.query(
        "SELECT line, column_name, code FROM import_errors WHERE severity = 'erreur'")
    assert ref_store.query("SELECT action, outcome FROM audit_log") == [("dépôt", "échec")]


def test_columns_the_report_does_not_read_are_not_kept():
    """A wide file costs the columns the report reads, not its own width (others: only « blank or not »)."""
    table = read_table("id_session;commentaire\nS-1;un long commentaire;x\nS-2;;\n".encode(), "f.csv", ["id_session"])
    assert table.header == ["id_session", "commentaire"]
    assert table.rows == [["S-1", "·"], ["S-2", ""]]
    assert table.extra_cells == [(2, 3, "x")]


def test_limits_are_those_documented():
    doc = (REPO / "docs" / "exchange-format.md").read_text(encoding="utf-8")
    assert f"{MAX_COLUMNS} colonnes" in doc or f"{MAX_COLUMNS} columns" in doc
    assert f"{MAX_CELL_CHARS:,}".replace(",", " ") in doc or str(MAX_CELL_CHARS) in doc


DRIVER = r"""
import contextlib, io, json, resource, sys, tracemalloc
from lit_analytics.cli import main

db, jobs = sys.argv[1], json.loads(sys.argv[2])
def run(args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue() + err.getvalue()
# Warm up: every lazy import (openpyxl, pandas, DuckDB) and the database's first open happen before measuring.
run(jobs[0]["warmup"])
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
results = []
for job in jobs:
    tracemalloc.start()
    code, output = run(job["args"])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - baseline
    results.append({"name": job["name"], "code": code, "output": output, "python_peak": peak, "rss_growth": rss})
print(json.dumps(results))
"""


def test_the_import_command_refuses_every_hostile_file_in_bounded_memory(ref_db_path, tmp_path):
    import shutil
    db = tmp_path / "hostile.duckdb"
    shutil.copy(ref_db_path, db)
    with Store(db) as store:
        before = snapshot(store)
    jobs = []
    for hostile in HOSTILE:
        path = tmp_path / hostile.name
        path.write_bytes(hostile.make())
        assert path.stat().st_size < 300 * 1024   # small on disk
        target = ["--kind", hostile.kind] + ([] if hostile.kind == "financements" else
                                             ["--lab", "siilab", "--quarter", "T3 2021"])
        jobs.append({"name": hostile.name, "args": ["import", "--db", str(db), "--user", ADMIN.email, *target,
                                                    str(path)]})
    warm = tmp_path / "warm.xlsx"
    warm.write_bytes(HOSTILE[-1].make())
    jobs[0]["warmup"] = ["import", "--db", str(db), "--user", ADMIN.email, "--kind", "sessions", "--lab", "siilab",
                         "--quarter", "T3 2021", "--dry-run", str(warm)]
    done = subprocess.run([sys.executable, "-c", DRIVER, str(db), json.dumps(jobs)], cwd=REPO, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    results = {r["name"]: r for r in json.loads(done.stdout.strip().splitlines()[-1])}
    for hostile in HOSTILE:
        result = results[hostile.name]
        assert result["code"] == 1, (hostile.name, result["output"])
        output = result["output"]
        assert "Rejeté" in output and "Traceback" not in output, output
        if hostile.line is not None:
            assert f"Ligne {hostile.line}" in output, output
        if hostile.column is not None:
            assert f"colonne « {hostile.column} »" in output, output
        assert result["python_peak"] < MEMORY_BUDGET, (hostile.name, result["python_peak"])
        assert result["rss_growth"] < MEMORY_BUDGET, (hostile.name, result["rss_growth"])
    with Store(db) as store:
        after = snapshot(store)
        outcomes = store.query("SELECT outcome, count(*) FROM imports GROUP BY 1")
    for table in before:
        if table not in ACTIVITY:
            assert after[table] == before[table], table
    assert outcomes == [("rejeté", len(HOSTILE))]   # each one registered as rejected
