"""Several processes on one embedded DuckDB file: the command line beside the running app.

A DuckDB file open for writing cannot be opened by another process at all, so the store holds it only for the
duration of one write and serves reads from an in-memory snapshot. These tests use real processes: a real
`streamlit run` server (browser test), and a Python process that keeps a write open to show the bounded wait.
"""

import re
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest

from conftest import DEMO_LOGINS, REPO, StreamlitServer, open_app, wait_for_app
from lit_analytics.formats import fmt_int, fmt_quarter, last_complete_quarter, quarter_start
from lit_analytics.store import Store


def cli(*args, env=None, stdin=None):
    import os
    return subprocess.run([sys.executable, "-m", "lit_analytics", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=180, env={**os.environ, **(env or {})}, input=stdin)


def sessions_file(tmp_path, quarter, rows=5, prefix="CLI"):
    start = quarter_start(quarter)
    lines = ["id_session;date;intitule;format;duree_heures;participants_agents;participants_autres"]
    lines += [f"{prefix}-{n};{(start + timedelta(days=n)).strftime('%d/%m/%Y')};Atelier {prefix} {n};atelier;2;{n};"
              for n in range(1, rows + 1)]
    path = tmp_path / f"sessions_{prefix}.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


HOLD_A_WRITE = textwrap.dedent("""
    import sys
    from lit_analytics.store import Store
    store = Store(sys.argv[1])
    with store.transaction(writes="meta") as cur:
        cur.execute("INSERT INTO meta VALUES ('held', 'oui')")
        print("holding", flush=True)
        sys.stdin.readline()          # until the test releases the write
    print("released", flush=True)
""")

# The command line, timed from when everything is imported to when it returns (its start-up not counted).
TIMED_CLI = textwrap.dedent("""
    import sys, time
    import lit_analytics.cli, lit_analytics.cli.imports, lit_analytics.ingest, lit_analytics.store
    print("ready", flush=True)
    started = time.monotonic()
    code = lit_analytics.cli.main(sys.argv[1:])
    print(f"ran {time.monotonic() - started:.3f} s", flush=True)
    sys.exit(code)
""")


@contextmanager
def held_write(db):
    """A write kept open by another process until `release()` (or the end of the block)."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_A_WRITE, str(db)], cwd=REPO, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)

    def release():
        if holder.poll() is None and not holder.stdin.closed:
            holder.stdin.write("\n")
            holder.stdin.close()
        assert holder.wait(30) == 0
        return holder.stdout.read().strip()

    try:
        assert holder.stdout.readline().strip() == "holding"
        yield release
    finally:
        if holder.poll() is None:
            try:
                release()
            except Exception:
                holder.kill()
                holder.wait(10)


def timed_cli(*args, env=None) -> subprocess.Popen:
    """The command line in a process that says « ready » once imported (read here: the command now runs)."""
    import os
    process = subprocess.Popen([sys.executable, "-c", TIMED_CLI, *args], cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    assert process.stdout.readline().strip() == "ready"
    return process


def ran_seconds(stdout: str) -> float:
    return float(re.search(r"^ran ([\d.]+) s$", stdout, re.M).group(1))


def import_args(db, f, quarter):
    return ("import", "--db", str(db), "--user", DEMO_LOGINS["admin"], "--lab", "siilab",
            "--quarter", fmt_quarter(quarter), "--kind", "sessions", str(f))


HELD = 1.5   # how long the other write stays open once the command runs (seconds)


def test_a_write_waits_for_another_process_then_both_land(demo_copy, tmp_path):
    quarter = last_complete_quarter()
    f = sessions_file(tmp_path, quarter)
    with held_write(demo_copy) as release:
        command = timed_cli(*import_args(demo_copy, f, quarter), env={"LIT_LOCK_TIMEOUT": "60"})
        time.sleep(HELD)                          # the command runs meanwhile, and must wait for the write
        assert command.poll() is None, command.communicate()   # still waiting, not finished nor failed
        assert release() == "released"
        out, err = command.communicate(timeout=180)
    assert command.returncode == 0, err
    assert "Publié : sessions siilab" in out
    assert ran_seconds(out) >= HELD               # it waited for the other write instead of failing
    with Store(demo_copy, read_only=True) as store:
        assert store.get_meta("held") == "oui"
        assert store.scalar("SELECT count(*) FROM current_training_sessions WHERE session_id LIKE 'CLI-%'") == 5


def test_a_write_kept_busy_too_long_gives_a_french_message_and_writes_nothing(demo_copy, tmp_path):
    quarter = last_complete_quarter()
    f = sessions_file(tmp_path, quarter)
    with held_write(demo_copy) as release:       # held for the command's whole run: it can only time out
        command = timed_cli(*import_args(demo_copy, f, quarter), env={"LIT_LOCK_TIMEOUT": "1"})
        out, err = command.communicate(timeout=180)
        assert command.returncode == 1
        assert re.search(r"Erreur : La base .* est occupée par une écriture d'un autre processus .* depuis plus de 1 s : "
                         r"rien n'a été écrit, réessayez\.", err), err
        assert "Traceback" not in err
        assert ran_seconds(out) >= 1              # it waited the whole timeout for the held write, then gave up
        assert release() == "released"
    with Store(demo_copy, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM training_sessions WHERE session_id LIKE 'CLI-%'") == 0
        assert store.scalar("SELECT count(*) FROM imports WHERE origin = 'upload'") == 0
    again = cli(*import_args(demo_copy, f, quarter), env={"LIT_LOCK_TIMEOUT": "1"})   # the write released: it lands
    assert again.returncode == 0 and "Publié : sessions siilab" in again.stdout, again.stderr


@pytest.mark.browser
def test_every_command_works_beside_the_running_app_which_shows_the_cli_publication(demo_copy, page, tmp_path):
    server = StreamlitServer(demo_copy)
    try:
        open_app(page, server, "", role="admin")
        page.get_by_text("Sessions de formation", exact=True).wait_for(timeout=30_000)
        before = int(re.sub(r"\D", "", page.locator("[data-testid='stMetric']").filter(
            has=page.get_by_text("Sessions de formation", exact=True)).first
            .locator("[data-testid='stMetricValue']").inner_text()))

        db = str(demo_copy)
        info = cli("info", "--db", db)
        assert info.returncode == 0 and "Version du schéma" in info.stdout, info.stderr
        listed = cli("users", "list", "--db", db)
        assert listed.returncode == 0 and DEMO_LOGINS["admin"] in listed.stdout, listed.stderr
        added = cli("users", "add", "--db", db, "--user", DEMO_LOGINS["admin"], "--email", "agent@exemple.gouv.fr",
                    "--role", "analyste", "--no-password")
        assert added.returncode == 0, added.stderr
        out = tmp_path / "national.xlsx"
        exported = cli("export", "--db", db, "--preset", "national", "--format", "xlsx", "--out", str(out))
        assert exported.returncode == 0 and out.stat().st_size > 0, exported.stderr
        quarter = last_complete_quarter()
        verify = cli("import", "--db", db, "--user", DEMO_LOGINS["admin"], "--lab", "siilab", "--quarter",
                     fmt_quarter(quarter), "--kind", "sessions", "--dry-run", str(sessions_file(tmp_path, quarter, rows=8)))
        assert verify.returncode == 0, verify.stderr
        removed = int(re.search(r"(\d+) supprimée", verify.stdout).group(1)) if "supprimée" in verify.stdout else 0
        published = cli("import", "--db", db, "--user", DEMO_LOGINS["admin"], "--lab", "siilab", "--quarter",
                        fmt_quarter(quarter), "--kind", "sessions", str(sessions_file(tmp_path, quarter, rows=8)))
        assert published.returncode == 0 and "Publié : sessions siilab" in published.stdout, published.stderr

        # The app keeps working, and its next click shows what the command line published.
        page.get_by_role("link", name="Vue d'ensemble").first.click()
        wait_for_app(page)
        expected = before - removed + 8
        page.wait_for_function(
            "(expected) => [...document.querySelectorAll('[data-testid=\"stMetric\"]')].some(m => "
            "m.innerText.includes('Sessions de formation') && m.querySelector('[data-testid=\"stMetricValue\"]')"
            ".innerText.replace(/\\D/g, '') === String(expected))", arg=expected, timeout=30_000)
        assert expected != before
        assert page.locator("[data-testid='stException']").count() == 0
        # ...and the app's own writes still land while the command line reads: sign out and in again (audited).
        listed_after = cli("users", "list", "--db", db)
        assert "agent@exemple.gouv.fr" in listed_after.stdout
    finally:
        server.stop()
    assert "déjà ouverte en écriture" not in server.log_path.read_text()
    with Store(demo_copy, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'connexion'") >= 1
        assert fmt_int(store.scalar("SELECT count(*) FROM users WHERE email = 'agent@exemple.gouv.fr'")) == "1"
