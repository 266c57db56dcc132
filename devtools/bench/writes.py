"""`python -m lit_analytics bench-writes`: what a write costs as years of use pile up, on both stores.

Every sign-in, export and publication adds a line to the journal (`audit_log`), and every sign-in a row to
`sessions`. On a database made by `init_database(demo=True)` (a file in a temporary folder; a database of a
throwaway PostgreSQL cluster), the journal is grown to each of `JOURNAL_LINES` (lines added by one transaction, as
years of use would have left them) and `SESSIONS` rows of sessions long over are added; then, each `--repeat` times:

* **audited write** — `audit.log` (one journal line in its own transaction, then the snapshot's update);
* **session opened** — `sessions.open_session` (the row of a sign-in's session, same).

The median of each is written to the section « ## Écritures au fil des années » of docs/benchmarks.md. The command
line (`lit_analytics.cli.bench`) sets up the arguments.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from datetime import datetime
from pathlib import Path
from statistics import median

SECTION = "## Écritures au fil des années"
JOURNAL_LINES = (0, 100_000, 400_000)
SESSIONS = 20_000   # rows of sessions opened years ago (what a table never emptied would hold)

_GROW_JOURNAL = ("INSERT INTO audit_log (event_id, occurred_at, actor, action, target, outcome, detail) "
                 "SELECT {base} + i, TIMESTAMP '2020-01-01' + INTERVAL (i) MINUTE, "
                 "'personne' || (i % 300) || '@exemple.gouv.fr', 'connexion', 'session ' || i, 'succès', "
                 "'mot de passe, navigateur ' || md5(i::VARCHAR) FROM range(1, {n} + 1) t(i)")
_OLD_SESSIONS = ("INSERT INTO sessions (session_id, token_hash, email, method, signed_in_at, last_seen, ended_at) "
                 "SELECT 'ancienne-{step}-' || i, md5('jeton-{step}-' || i), "
                 "'personne' || (i % 300) || '@exemple.gouv.fr', "
                 "'password', TIMESTAMP '2020-01-01' + INTERVAL (i) HOUR, TIMESTAMP '2020-01-01' + INTERVAL (i) HOUR, "
                 "TIMESTAMP '2020-01-01' + INTERVAL (i) HOUR + INTERVAL 2 HOUR FROM range(1, {n} + 1) t(i)")


def measure(location, repeat: int) -> list[dict]:
    from lit_analytics import audit, sessions
    from lit_analytics.bootstrap import init_database
    from lit_analytics.permissions import Actor
    from lit_analytics.store import Store
    init_database(location, demo=True, force=True).close()
    actor = Actor("mesure@exemple.gouv.fr", "analyste", frozenset(), "Mesure")
    rows = []
    with Store(location) as store:
        grown = 0
        for lines in JOURNAL_LINES:
            with store.transaction(writes=("audit_log", "sessions")) as cur:
                base = cur.execute("SELECT coalesce(max(event_id), 0) FROM audit_log").fetchone()[0]
                if lines > grown:
                    cur.execute(_GROW_JOURNAL.format(base=base, n=lines - grown))
                cur.execute(_OLD_SESSIONS.format(n=SESSIONS, step=lines))
            grown = lines
            audited, opened = [], []
            for _ in range(repeat):
                start = time.perf_counter()
                audit.log(store, actor.email, audit.Action.SIGN_IN, audit.Outcome.SUCCESS, "mesure", "mesure")
                audited.append(time.perf_counter() - start)
                start = time.perf_counter()
                sessions.open_session(store, actor, "password")
                opened.append(time.perf_counter() - start)
            rows.append({"journal": int(store.scalar("SELECT count(*) FROM audit_log")), "audited": median(audited),
                         "opened": median(opened), "first_opened": opened[0],
                         "sessions": int(store.scalar("SELECT count(*) FROM sessions"))})
            print(f"{rows[-1]}", flush=True)
    return rows


def run(repeat: int = 7) -> dict:
    from devtools import servers
    load_average = os.getloadavg()[0]
    result = {"repeat": repeat, "load_average": load_average, "sides": {}}
    with tempfile.TemporaryDirectory(prefix="lit-bench-writes-") as folder:
        result["sides"]["fichier embarqué"] = measure(Path(folder) / "annees.duckdb", repeat)
    cluster = servers.ThrowawayPostgres()
    try:
        result["sides"]["PostgreSQL"] = measure(cluster.create_database("annees"), repeat)
    finally:
        cluster.stop()
    return result


def render(result: dict) -> str:
    from lit_analytics.formats import fmt_number
    lines = [SECTION, "",
             f"Measured by `python -m lit_analytics bench-writes` on {datetime.now():%Y-%m-%d %H:%M} "
             f"({platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
             f"{os.cpu_count()} CPUs; load average {result['load_average']:.1f} when it started). The demo database "
             "on each store, its journal grown to each size (years of sign-ins, exports and publications), plus "
             f"{fmt_number(SESSIONS)} rows of sessions opened years ago at each step. Median of {result['repeat']} "
             "runs, the snapshot's update included: an audited write (`audit.log`: one journal line) and a session "
             "opened (`sessions.open_session`: a sign-in's row). The first session opened after each step deletes "
             "the rows of sessions opened more than 30 days ago (`sessions.SESSIONS_KEPT`): its time is given apart.",
             "", "| store | journal lines | audited write (ms) | session opened (ms) | first session opened (ms) "
             "| sessions rows after |", "|---|---:|---:|---:|---:|---:|"]
    for side, rows in result["sides"].items():
        for r in rows:
            lines.append(f"| {side} | {fmt_number(r['journal'])} | {r['audited'] * 1000:.0f} | "
                         f"{r['opened'] * 1000:.0f} | {r['first_opened'] * 1000:.0f} | {fmt_number(r['sessions'])} |")
    return "\n".join(lines) + "\n"
