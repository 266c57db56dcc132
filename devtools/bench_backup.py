"""Time backups and restores (`python -m lit_analytics backup|restore`) on the demo data and ×100, on a DuckDB file
and on a throwaway PostgreSQL cluster; prints the Markdown table of `docs/benchmarks.md` (« Sauvegarde et
restauration »).

    PYTHONPATH=. .venv/bin/python devtools/bench_backup.py [--scales 1 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UNTIL = "2026-T3"


def cluster():
    from devtools.servers import ThrowawayPostgres
    return ThrowawayPostgres()


def median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cli_seconds(*args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "lit_analytics", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    if done.returncode:
        raise RuntimeError(done.stderr)
    return time.perf_counter() - start


def size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 100])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from lit_analytics.bootstrap import init_database
    from lit_analytics.formats import fmt_int
    from lit_analytics.store import Store
    from lit_analytics.store.backup import restore_backup, take_backup

    load, started = os.getloadavg()[0], datetime.now()
    work = Path(tempfile.mkdtemp(prefix="lit-bench-backup-"))
    pg = cluster()
    rows = []
    try:
        for scale in args.scales:
            db = work / f"x{scale}.duckdb"
            init_database(db, demo=True, scale=scale, until=UNTIL).close()
            with Store(db, read_only=True) as store:
                total = sum(store.row_counts().values())
            n = iter(range(1000))
            file_backup = median_seconds(lambda: take_backup(db, work / f"f{scale}-{next(n)}"), args.repeat)
            folder = take_backup(db, work / f"f{scale}").folder
            m = iter(range(1000))
            file_restore = median_seconds(lambda: restore_backup(folder, work / f"r{scale}-{next(m)}.duckdb"),
                                          args.repeat)
            urls = [pg.create_database(f"bench{scale}_{i}") for i in range(args.repeat + 1)]
            k = iter(urls)
            pg_restore = median_seconds(lambda: restore_backup(folder, next(k)), args.repeat)
            source = urls[0]
            j = iter(range(1000))
            pg_backup = median_seconds(lambda: take_backup(source, work / f"p{scale}-{next(j)}"), args.repeat)
            cli_file_backup = cli_seconds("backup", "--db", str(db), "--out", str(work / f"cf{scale}"))
            cli_file_restore = cli_seconds("restore", "--from", str(work / f"cf{scale}"), "--db",
                                           str(work / f"cr{scale}.duckdb"))
            cli_pg_backup = cli_seconds("backup", "--db", str(source), "--out", str(work / f"cp{scale}"))
            cli_pg_restore = cli_seconds("restore", "--from", str(work / f"cp{scale}"), "--db", str(urls[-1]),
                                         "--force")
            rows.append((scale, total, size(db), size(folder), file_backup, file_restore, pg_backup,
                         pg_restore, cli_file_backup, cli_file_restore, cli_pg_backup, cli_pg_restore))
    finally:
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)

    def s(x: float) -> str:
        return f"{x:.2f}".replace(".", ",")

    print(f"Measured by `devtools/bench_backup.py` on {started:%Y-%m-%d %H:%M} (CPython "
          f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, load average "
          f"{load:.1f} when it started); median of {args.repeat} runs in one process (seconds), then "
          "one run of each command (a new Python process: imports, the database opened again for the journal).\n")
    measures = [
        ("rows (every table)", lambda r, pg: fmt_int(r[1])),
        ("database file (MB)", lambda r, pg: "" if pg else s(r[2] / 1e6)),
        ("backup folder (MB)", lambda r, pg: s(r[3] / 1e6)),
        ("backup, in process (s; on the file, the time writes wait)", lambda r, pg: s(r[6] if pg else r[4])),
        ("restore into an empty database, in process (s)", lambda r, pg: s(r[7] if pg else r[5])),
        ("`backup` command (s)", lambda r, pg: s(r[10] if pg else r[8])),
        ("`restore` command (s; PostgreSQL: `--force` over a database, backed up first)",
         lambda r, pg: s(r[11] if pg else r[9])),
    ]
    heads = [f"×{r[0]} {'PostgreSQL' if pg else 'file'}" for r in rows for pg in (False, True)]
    print("| measure | " + " | ".join(heads) + " |")
    print("|---|" + "---:|" * len(heads))
    for name, cell in measures:
        print(f"| {name} | " + " | ".join(cell(r, pg) for r in rows for pg in (False, True)) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
