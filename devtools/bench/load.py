"""`python -m lit_analytics bench-load`: page-run latency under N concurrent sessions, browser-less.

Each session speaks Streamlit's own WebSocket protocol (`/_stcore/stream`, subprotocol `streamlit`): it sends
`BackMsg.rerun_script` (page hash, widget states) and reads `ForwardMsg`s until `script_finished`, as the browser
does. A session signs in through the sign-in form (e-mail, password, submit button) and then visits the five
dashboard pages in turn, `--rounds` times. The latency of a page run is from sending the rerun to its
`script_finished`. The app processes are the production entry, `streamlit run serve.py` (`st.App` with the app's
session-cookie routes around `app.py`). Four set-ups (`--setups`):

* **empty** — `streamlit run` of a one-line page (the floor: Streamlit's own cost), 1, 20 and 50 sessions (and,
  with the replicas set-up, the same page on two processes behind the same HAProxy: the floor of that path); then,
  for 1 and 20 sessions, pages of `SIZED_PAGES` plain elements (the floor by page size: what Streamlit alone
  costs for a page drawing as many elements as a dashboard page, whose mean count each set-up reports);
* **embedded** — one app process on the embedded DuckDB file (demo data), 1, 20 and 50 sessions;
* **replicas** — two app processes on a throwaway PostgreSQL cluster (demo data), behind Debian's HAProxy
  (`devtools.servers.haproxy_config`: sticky sessions, WebSocket pass-through, health checks), 1, 20 and 50
  sessions;
* **scale** — the same two systems of record at `--scale` (default ×100), one app process each, PostgreSQL served
  directly (no HAProxy), one after the other, 1 and 5 sessions (`--scale-sessions`): the file is built by
  `init_database(scale=…)`, the PostgreSQL database is a copy of it (`copy_to_postgres`, the store's own write
  path: at ×100 `init_database` takes about 30 s on either store, 21 s of which generate the data, while the copy
  takes about 5 s). Besides the warm page runs, each side
  reports how long a fresh process takes to build its first in-memory snapshot (`ensure_database` in a new
  Python process), the first script run of a fresh app process (the sign-in page: its snapshot included) and the
  first run of each dashboard page (cold caches). All four run by default.

Results replace the section « ## Charge : sessions simultanées » of docs/benchmarks.md (the scale comparison is
its sub-section « ### Échelle ×N : PostgreSQL et fichier »). The command line (`lit_analytics.cli.bench`) sets up
the arguments.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

from lit_analytics import config, navigation

SECTION = "## Charge : sessions simultanées"
DASHBOARD_PAGES = ["" if p.default else p.url_path for p in navigation.PAGES if p.charts]   # "" = the default page
BENCH_UNTIL = "2026-T3"
ADMIN_EMAIL = "demo-admin@lit.example"
DEMO_PASSWORD = "demo-lit-2016"   # the documented demo password (demo databases only)
BENCH_ACCOUNTS = 60               # one account per session (sessions sign in all at once, as people do)


def bench_email(n: int) -> str:
    return f"charge-{n:03d}@lit.example"


def add_bench_accounts(location, count: int = BENCH_ACCOUNTS) -> None:
    """`count` analyst accounts with the demo password, in one write: each session signs in on its own account,
    concurrently (the sign-in guard allows 5 password checks in flight per account, not per server)."""
    from lit_analytics.accounts import hash_password
    from lit_analytics.store import Store
    hashed = hash_password(DEMO_PASSWORD)
    with Store(location) as store, store.transaction(writes="users") as cur:
        cur.executemany("INSERT INTO users (email, display_name, role, password_hash, disabled, is_demo, "
                        "failed_attempts, created_at, created_by) VALUES (?, ?, 'analyste', ?, false, true, 0, "
                        "now(), 'bench-load') ON CONFLICT DO NOTHING",
                        [[bench_email(n), f"Session de charge {n}", hashed] for n in range(count)])


def resident_mb(pids: list[int]) -> list[float]:
    """Resident memory of each process (MB), from /proc (Linux)."""
    out = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as status:
                kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
            out.append(kb / 1024)
        except (OSError, StopIteration, ValueError):
            out.append(float("nan"))
    return out
EMPTY_PAGE = 'import streamlit as st\n\nst.write("Page vide")\n'
SIZED_PAGES = (15, 30, 60)   # elements of the sized floor pages (a dashboard page draws ~30-75)
SIZED_PAGE = ('import streamlit as st\n\nfor i in range({n}):\n'
              '    st.markdown(f"Ligne {{i}} : un paragraphe de texte, sans donnée.")\n')
APP_ENTRY = config.REPO_ROOT / "serve.py"   # what production serves (scripts/run.sh): st.App around app.py
PAGE_TITLES = {"" if p.default else p.url_path: p.title for p in navigation.PAGES if p.charts}
EMBEDDED = "fichier embarqué, 1 processus"
REPLICAS = "PostgreSQL, 2 répliques + HAProxy"
EMPTY_REPLICAS = "page vide, 2 répliques + HAProxy"


class ProtocolError(RuntimeError):
    pass


class StreamlitSession:
    """One browser-less Streamlit session over its WebSocket."""

    def __init__(self, base_url: str, timeout: float = 300, cookie: str | None = None,
                 headers: dict[str, str] | None = None, source_address: tuple[str, int] | None = None):
        """`headers`: more HTTP headers for the WebSocket upgrade; `source_address`: the local address the
        client connects from (e.g. ("127.0.0.2", 0): another client than 127.0.0.1, for the tests)."""
        from websockets.exceptions import InvalidStatus
        from websockets.sync.client import connect
        self.timeout = timeout
        # https:// (through the proxy) → wss://, trusting the certificates of `SSL_CERT_FILE` (the proxy's own, in tests)
        ws_url = base_url.replace("https://", "wss://").replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        extra = {**({"Cookie": cookie} if cookie else {}), **(headers or {})}
        options = {"source_address": source_address} if source_address else {}
        if ws_url.startswith("wss://"):
            # websockets' sync client reads its TLS socket in a thread while it writes its request: with TLS 1.3, the
            # proxy's session tickets arrive just then, and now and then the request never left (HAProxy answered
            # 408 after 30 s). TLS 1.2 sends its tickets within the handshake.
            import ssl
            context = ssl.create_default_context()
            context.maximum_version = ssl.TLSVersion.TLSv1_2
            options["ssl"] = context
        # A connection kept across calls, closed by `close()` (websockets 17 wants it entered as a context).
        self._connection = ExitStack()
        for attempt in (1, 2):
            try:
                self.ws = self._connection.enter_context(connect(
                    ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60, compression=None,
                    additional_headers=extra or None, **options))
                break
            except InvalidStatus as exc:   # 408: the proxy received no request from this client (see above)
                if attempt == 2 or exc.response.status_code != 408:
                    raise
        self.cookies = self.ws.response.headers.get_all("Set-Cookie") if self.ws.response else []
        self.widgets: dict[str, str] = {}       # label → widget id, from the last run's elements
        self.pages: dict[str, str] = {}         # url path → page script hash, from the navigation message
        self.exceptions: list[str] = []
        self.elements = 0                       # elements and blocks the last run drew

    def close(self) -> None:
        self._connection.close()

    def run(self, page: str | None = None, widgets: list | None = None) -> float:
        """One script run (rerun of `page`, a url path, with `widgets` states); returns its latency in seconds."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        if page is not None:
            if page not in self.pages:
                raise ProtocolError(f"page inconnue : {page} (pages : {sorted(self.pages)})")
            state.page_script_hash = self.pages[page]
        state.widget_states.widgets.extend(widgets or [])
        self.widgets.clear()
        self.elements = 0
        start = time.perf_counter()
        self.ws.send(msg.SerializeToString())
        while True:
            data = self.ws.recv(timeout=self.timeout)
            if isinstance(data, str):
                continue
            fwd = ForwardMsg.FromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "delta":
                self._read_delta(fwd.delta)
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
            elif kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue        # st.rerun(): the run that follows is part of this click
                if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise ProtocolError("erreur de compilation du script")
                return time.perf_counter() - start

    def _read_delta(self, delta) -> None:
        if delta.WhichOneof("type") in ("new_element", "add_block"):
            self.elements += 1
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.exceptions.append(element.exception.message)
        elif kind in ("text_input", "button"):
            widget = getattr(element, kind)
            self.widgets[widget.label] = widget.id

    def sign_in(self, email: str, password: str) -> float:
        from streamlit.proto.WidgetStates_pb2 import WidgetState
        self.run()      # the sign-in page
        try:
            ids = (self.widgets["Adresse e-mail"], self.widgets["Mot de passe"], self.widgets["Se connecter"])
        except KeyError as exc:
            raise ProtocolError(f"formulaire de connexion introuvable ({exc})") from None
        states = [WidgetState(id=ids[0], string_value=email), WidgetState(id=ids[1], string_value=password),
                  WidgetState(id=ids[2], trigger_value=True)]
        elapsed = self.run(widgets=states)
        if "Se déconnecter" not in self.widgets:
            raise ProtocolError("la connexion a échoué")
        return elapsed


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def load(base_url: str, sessions: int, rounds: int, *, sign_in: bool, pages: list[str | None]) -> dict:
    """`sessions` concurrent sessions; each signs in (if asked) then runs every page `rounds` times."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(sessions)
    pages_start = threading.Barrier(sessions)
    sign_ins: list[float] = []
    elements: list[int] = []

    def one(n: int) -> None:
        session = None
        try:
            session = StreamlitSession(base_url)
            barrier.wait(120)
            if sign_in:   # all at once, each on its own account (as people arriving for a meeting do)
                took = session.sign_in(bench_email(n), DEMO_PASSWORD)
                with lock:
                    sign_ins.append(took)
            else:
                session.run()
            pages_start.wait(600)
            mine, drawn = [], []
            for _ in range(rounds):
                for page in pages:
                    mine.append(session.run(page))
                    drawn.append(session.elements)
            with lock:
                latencies.extend(mine)
                elements.extend(drawn)
                errors.extend(session.exceptions)
        except threading.BrokenBarrierError:   # another session failed first (its own error says why)
            with lock:
                errors.append(f"session {n}: arrêtée (une autre session a échoué)")
        except Exception as exc:  # noqa: BLE001 - counted, reported
            with lock:
                errors.append(f"session {n}: {exc.__class__.__name__}: {exc}")
            for waiting in (barrier, pages_start):
                try:
                    waiting.abort()
                except Exception:  # noqa: BLE001
                    pass
        finally:
            if session is not None:
                session.close()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(sessions)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"sessions": sessions, "runs": len(latencies), "errors": errors,
            "p50": _percentile(latencies, 0.5), "p95": _percentile(latencies, 0.95),
            "max": max(latencies) if latencies else float("nan"), "wall": time.perf_counter() - started,
            "sign_in_p95": _percentile(sign_ins, 0.95) if sign_ins else float("nan"),
            "sign_ins": len(sign_ins), "elements": sum(elements) / len(elements) if elements else float("nan")}


def run(workdir: Path, counts: tuple[int, ...] = (1, 20, 50), rounds: int = 2,
        setups: tuple[str, ...] = ("empty", "embedded", "replicas", "scale"), scale: int = 100,
        scale_counts: tuple[int, ...] = (1, 5)) -> dict:
    from devtools import servers
    from lit_analytics.bootstrap import init_database

    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[dict]] = {}
    load_average = os.getloadavg()[0]

    def measure(label: str, url: str, sign_in: bool, pages: list, pids: list[int], sizes=counts) -> None:
        results[label] = []
        load(url, 2, 1, sign_in=sign_in, pages=pages)   # warm-up (2 sessions: each replica), not measured
        for n in sizes:
            r = load(url, n, rounds, sign_in=sign_in, pages=pages)
            r["rss_mb"] = resident_mb(pids)   # each app process, after the sessions (their memo filled)
            results[label].append(r)
            _print_row(label, r)

    if "empty" in setups:
        script = workdir / "page_vide.py"
        script.write_text(EMPTY_PAGE, encoding="utf-8")
        with _one_process(servers, script, workdir, name="vide") as (url, pids):
            measure("page vide", url, False, [None] * len(DASHBOARD_PAGES), pids)
        if "replicas" in setups:   # the same floor through the replicas' path (HAProxy, TLS, two processes)
            with _behind_proxy(servers, script, workdir, name="vide-replique") as (url, pids):
                measure(EMPTY_REPLICAS, url, False, [None] * len(DASHBOARD_PAGES), pids)
        for size in SIZED_PAGES:
            script = workdir / f"page_{size}.py"
            script.write_text(SIZED_PAGE.format(n=size), encoding="utf-8")
            with _one_process(servers, script, workdir, name=f"page-{size}") as (url, pids):
                measure(sized_label(size), url, False, [None] * len(DASHBOARD_PAGES), pids,
                        sizes=tuple(n for n in counts if n <= 20))

    if "embedded" in setups:
        db = workdir / "charge.duckdb"
        init_database(db, demo=True, force=True, until=BENCH_UNTIL).close()
        add_bench_accounts(db)
        with _one_process(servers, APP_ENTRY, workdir, env={"LIT_DB": str(db)}) as (url, pids):
            measure(EMBEDDED, url, True, DASHBOARD_PAGES, pids)

    if "replicas" in setups:
        cluster = servers.ThrowawayPostgres()
        try:
            database = cluster.create_database("lit")
            init_database(database, demo=True, force=True, until=BENCH_UNTIL).close()
            add_bench_accounts(database)
            with _behind_proxy(servers, APP_ENTRY, workdir, env={"LIT_DB": database}, name="replique") as (url, pids):
                measure(REPLICAS, url, True, DASHBOARD_PAGES, pids)
        finally:
            cluster.stop()

    out = {"results": results, "rounds": rounds, "counts": counts, "load_average": load_average}
    if "scale" in setups:
        out["scale"] = run_scale(workdir, scale, scale_counts, rounds)
    return out


@contextmanager
def _one_process(servers, script: Path, workdir: Path, env: dict | None = None, name: str = "app"):
    """(url, [pid]) of `streamlit run script` on a free port, stopped afterwards."""
    port = servers.free_port()
    server = servers.start_streamlit(script, port, workdir, env=env or {}, name=name)
    try:
        yield f"http://127.0.0.1:{port}", [server.process.pid]
    finally:
        server.stop()


@contextmanager
def _behind_proxy(servers, script: Path, workdir: Path, env: dict | None = None, name: str = "replique"):
    """(url, [pid, pid]) of two `streamlit run script` behind Debian's HAProxy (sticky sessions, TLS with a
    throwaway certificate, which clients trust through `SSL_CERT_FILE`), stopped afterwards."""
    services = []
    try:
        ports = (servers.free_port(), servers.free_port())
        for port in ports:
            services.append(servers.start_streamlit(script, port, workdir, env=env or {}, name=name))
        proxy = servers.start_haproxy(servers.free_port(), ports, workdir)
        services.append(proxy)
        os.environ["SSL_CERT_FILE"] = str(proxy.certificate)
        yield proxy.url, [service.process.pid for service in services[:2]]
    finally:
        for service in reversed(services):
            service.stop()


def sized_label(size: int) -> str:
    return f"page de {size} paragraphes"


def _print_row(label: str, r: dict) -> None:
    memory = " + ".join(f"{mb:.0f}" for mb in r.get("rss_mb", []))
    print(f"{label:<40} {r['sessions']:>3} session(s) : p50 {r['p50'] * 1000:7.0f} ms  p95 {r['p95'] * 1000:7.0f} ms"
          f"  max {r['max'] * 1000:7.0f} ms  ({r['runs']} exécutions, {len(r['errors'])} erreur(s), "
          f"{r.get('elements', float('nan')):.0f} éléments par page)"
          + (f"  mémoire {memory} Mo" if memory else ""), flush=True)


# --- scale: the embedded file and PostgreSQL on a large dataset, one app process each --------------------------

_BOOKKEEPING_META = ("store_version", "data_version", "instance", "schema")


def copy_to_postgres(source: Path, url: str):
    """A copy of the database file `source` in the (emptied) PostgreSQL database `url`, through the store: the
    schema by its migrations (`Store(url)`), every table's rows read from the file's snapshot and written in one
    `transaction()` (DuckDB's postgres extension, as `init_database` writes), the file's own `meta` entries (demo
    parameters, reference loaded) but not its version bookkeeping, which the transaction sets for the new database.
    For benchmark databases: accounts and sessions are copied as they are. Returns the PostgreSQL store."""
    from lit_analytics.store import Store, database_location, drop_all_tables
    drop_all_tables(database_location(url))
    target = Store(url)
    try:
        with Store(source, read_only=True) as src:
            counts = src.row_counts()
            read = src.cursor()
            # regions first: the one foreign key (labs.region_code) points at it
            tables = sorted((t for t in counts if t not in ("schema_migrations", "meta") and counts[t]),
                            key=lambda t: (t != "regions", t))
            with target.transaction(writes=tables) as cur:
                for table in tables:
                    rows = read.execute(f'SELECT * FROM "{table}"').to_arrow_table()
                    columns = ", ".join(f'"{c}"' for c in rows.column_names)
                    cur.register("copied_rows", rows)
                    try:
                        cur.execute(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM copied_rows')
                    finally:
                        cur.unregister("copied_rows")
                for key, value in read.execute("SELECT key, value FROM meta").fetchall():
                    if key not in _BOOKKEEPING_META and not key.startswith("table:"):
                        Store.set_meta(cur, key, value)
        copied = target.row_counts()
        wrong = {t: (n, copied.get(t)) for t, n in counts.items()
                 if t not in ("schema_migrations", "meta") and copied.get(t) != n}
        if wrong:
            raise RuntimeError(f"copie incomplète vers PostgreSQL (lignes fichier, PostgreSQL) : {wrong}")
    except BaseException:
        target.close()
        raise
    return target


def cold_snapshot_seconds(location: str) -> float:
    """How long a fresh Python process takes to open the app's store on `location` (`ensure_database`, as the app
    does at its first script run): its first in-memory snapshot of every table, module imports excluded."""
    code = ("import time, sys\n"
            "from lit_analytics.bootstrap import ensure_database\n"
            "start = time.perf_counter()\n"
            "store = ensure_database(sys.argv[1])\n"
            "print(time.perf_counter() - start)\n"
            "store.close()\n")
    done = subprocess.run([sys.executable, "-c", code, str(location)], cwd=config.REPO_ROOT, capture_output=True,
                          text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"ouverture de la base impossible : {done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


WRITES = {   # a write of each kind, adding no row, and what it costs with the snapshot's update that follows it
    "small": ("sessions", "INSERT INTO sessions SELECT * FROM sessions WHERE false"),                 # a session's touch
    "large": ("project_snapshots",
              "INSERT INTO project_snapshots SELECT * FROM project_snapshots WHERE false"),  # a portfolio published
}


def write_seconds(location: str, repeat: int = 5) -> dict[str, float]:
    """Median time of a write transaction plus the snapshot update that follows it, for a small table (a
    sign-in's or a session's bookkeeping) and for the largest one (a publication of a portfolio): the snapshot
    copies again only the tables a write touched."""
    from lit_analytics.store import Store
    out = {}
    with Store(location) as store:
        for kind, (table, sql) in WRITES.items():
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                with store.transaction(writes=table) as cur:
                    cur.execute(sql)
                times.append(time.perf_counter() - start)
            out[kind] = sorted(times)[len(times) // 2]
    return out


def cold_visit(base_url: str) -> dict:
    """One session on a fresh app process: its first script run (the sign-in page; the process builds its
    snapshot), the sign-in (whose rerun shows the default page, Vue d'ensemble, for the first time), then the
    first run of each other dashboard page (empty caches)."""
    session = StreamlitSession(base_url)
    try:
        first = session.run()
        sign_in = session.sign_in(ADMIN_EMAIL, DEMO_PASSWORD)
        pages = {page: session.run(page) for page in DASHBOARD_PAGES if page}
        return {"first_run": first, "sign_in": sign_in, "pages": pages, "errors": list(session.exceptions)}
    finally:
        session.close()


def run_scale(workdir: Path, scale: int, counts: tuple[int, ...], rounds: int) -> dict:
    """The embedded file and PostgreSQL at `scale`: one app process (`serve.py`) on each, one after the other."""
    from devtools import servers
    from lit_analytics.bootstrap import init_database
    from lit_analytics.store import Store

    db = workdir / f"charge-x{scale}.duckdb"
    print(f"Échelle ×{scale} : construction de {db}", flush=True)
    start = time.perf_counter()
    init_database(db, demo=True, force=True, until=BENCH_UNTIL, scale=scale).close()
    add_bench_accounts(db)
    build_file = time.perf_counter() - start
    with Store(db, read_only=True) as store:
        rows = store.row_counts()
    out = {"scale": scale, "counts": counts, "rounds": rounds,
           "dataset": {k: rows[k] for k in ("labs", "project_snapshots", "training_sessions", "funding_tranches")},
           "build": {"file": build_file}, "sides": {}}
    print(f"  fichier construit en {build_file:.1f} s ({rows['project_snapshots']} instantanés de projets)",
          flush=True)

    def one_process(side: str, location: str, label: str) -> None:
        snapshot = cold_snapshot_seconds(location)
        print(f"  {label} : premier instantané d'un processus neuf {snapshot:.2f} s", flush=True)
        writes = write_seconds(location)
        print(f"  {label} : écriture et mise à jour de l'instantané {writes['small'] * 1000:.0f} ms (petite table), "
              f"{writes['large'] * 1000:.0f} ms (instantanés de projets)", flush=True)
        port = servers.free_port()
        server = servers.start_streamlit(APP_ENTRY, port, workdir, env={"LIT_DB": location}, name=f"x{scale}-{side}")
        cold = {"first_run": float("nan"), "sign_in": float("nan"), "pages": {}, "errors": []}
        warm = []
        try:
            url = f"http://127.0.0.1:{port}"
            try:
                cold = cold_visit(url)
            except Exception as exc:  # noqa: BLE001 - reported with the results, the other side still measured
                cold["errors"].append(f"{label}, visite à froid : {exc.__class__.__name__}: {exc}")
                print(f"  {cold['errors'][0]}", flush=True)
                return
            print(f"  {label} : première exécution {cold['first_run'] * 1000:.0f} ms, connexion "
                  f"{cold['sign_in'] * 1000:.0f} ms, pages à froid "
                  + ", ".join(f"{PAGE_TITLES[p]} {t * 1000:.0f} ms" for p, t in cold["pages"].items()), flush=True)
            for n in counts:   # the cold visit warmed the caches: no other warm-up
                r = load(url, n, rounds, sign_in=True, pages=DASHBOARD_PAGES)
                warm.append(r)
                _print_row(f"×{scale}, {label}", r)
        finally:
            server.stop()
            out["sides"][side] = {"label": label, "snapshot": snapshot, "writes": writes, "cold": cold, "warm": warm}

    one_process("file", str(db), "fichier embarqué")
    cluster = servers.ThrowawayPostgres()
    try:
        url = cluster.create_database(f"lit_x{scale}")
        start = time.perf_counter()
        copy_to_postgres(db, url).close()
        out["build"]["postgres"] = time.perf_counter() - start
        print(f"  PostgreSQL : copie du fichier en {out['build']['postgres']:.1f} s", flush=True)
        one_process("postgres", url, "PostgreSQL")
    finally:
        cluster.stop()
    return out


def errors_of(result: dict) -> list[str]:
    """Every error the measure saw (exceptions shown by a page, failed sessions)."""
    errors = [e for rows in result["results"].values() for r in rows for e in r["errors"]]
    for side in result.get("scale", {}).get("sides", {}).values():
        errors += side["cold"]["errors"] + [e for r in side["warm"] for e in r["errors"]]
    return errors


def _ms(seconds: float) -> str:
    from lit_analytics.formats import fmt_number
    return fmt_number(seconds * 1000, 0) or "—"


def _ratio(pg: float, file: float) -> float:
    return pg / file if file and file > 0 and pg == pg and file == file else float("nan")


def _within(ratio: float, target: float = 1.5) -> str:
    if ratio != ratio:
        return "not measured"
    return f"{ratio:.2f}, {'within' if ratio <= target else 'OVER'} the {target:g}× target"


def _demo_ratio(res: dict) -> float:
    embedded = {r["sessions"]: r for r in res.get(EMBEDDED, [])}
    replicas = {r["sessions"]: r for r in res.get(REPLICAS, [])}
    if 1 in embedded and 1 in replicas and embedded[1]["runs"] and replicas[1]["runs"]:
        return _ratio(replicas[1]["p50"], embedded[1]["p50"])
    return float("nan")


def _scale_ratio(scale: dict, sessions: int = 1) -> float:
    sides = scale.get("sides", {})
    rows = [{r["sessions"]: r for r in sides.get(side, {}).get("warm", []) if r["runs"]} for side in ("file", "postgres")]
    if sessions in rows[0] and sessions in rows[1]:
        return _ratio(rows[1][sessions]["p50"], rows[0][sessions]["p50"])
    return float("nan")


def render(result: dict) -> str:
    rounds = result["rounds"]
    lines = [SECTION, "",
             f"Measured by `python -m lit_analytics bench-load` on {datetime.now():%Y-%m-%d %H:%M} "
             f"({platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
             f"{os.cpu_count()} CPUs; the load generator runs on the same machine; load average "
             f"{result.get('load_average', float('nan')):.1f} when it started — other work on the machine counts). "
             "App processes: `streamlit run serve.py`, the production entry. N browser-less sessions at once, "
             "each speaking Streamlit's WebSocket protocol: all sign in at once, each on its own account, then run the "
             "five "
             f"dashboard pages in turn, {rounds} times; latency of a page run = from `rerun_script` sent to "
             "`script_finished` received. The empty page runs a one-line script as often (the floor); pages of "
             f"{', '.join(map(str, SIZED_PAGES))} paragraphs (plain `st.markdown`, no data) give the floor by page "
             "size, beside the mean number of elements (and blocks) each set-up's pages draw. "
             "Targets (issue 19): 50 sessions, 0 errors on both set-ups; with 2 replicas p95 ≤ 1 s; 20 sessions "
             "with 2 replicas p95 ≤ 3× the empty page's; one session ≤ 1.5× the empty page. Memory: resident "
             "size of each app process after the sessions (`LIT_MEMO_MB` bounds the figures it keeps).", ""]
    res = result["results"]
    if res:
        lines += ["| set-up | sessions | page runs | elements per page | p50 (ms) | p95 (ms) | max (ms) "
                  "| sign-in p95 (ms) | errors | memory per process (MB) |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for label, rows in res.items():
            for r in rows:
                memory = " + ".join(f"{mb:.0f}" for mb in r.get("rss_mb", []))
                lines.append(f"| {label} | {r['sessions']} | {r['runs']} | {_count(r.get('elements'))} | "
                             f"{_ms(r['p50'])} | {_ms(r['p95'])} | "
                             f"{_ms(r['max'])} | {_ms(r.get('sign_in_p95', float('nan')))} | {len(r['errors'])} "
                             f"| {memory} |")
        lines.append("")
    verdict = []
    empty = {r["sessions"]: r for r in res.get("page vide", [])}
    for label in (EMBEDDED, REPLICAS):
        rows = {r["sessions"]: r for r in res.get(label, [])}
        if 1 in rows and 1 in empty and empty[1]["p50"] > 0 and rows[1]["runs"]:
            ratio = rows[1]["p50"] / empty[1]["p50"]
            verdict.append(f"{label}, one session: p50 = {ratio:.1f}× the empty page "
                           f"({'within' if ratio <= 1.5 else 'OVER'} the 1.5× target)." + _size_floor(res, rows[1], 1))
        if 20 in rows and 20 in empty and rows[20]["runs"] and "répliques" in label:
            ratio = rows[20]["p95"] / empty[20]["p95"]
            verdict.append(f"{label}, 20 sessions: p95 {_ms(rows[20]['p95'])} ms = {ratio:.1f}× the empty page's "
                           f"({'within' if ratio <= 3 else 'OVER'} the 3× target)." + _size_floor(res, rows[20], 20))
        proxied = {r["sessions"]: r for r in res.get(EMPTY_REPLICAS, [])}
        if "répliques" in label and 1 in proxied and 1 in rows and 20 in proxied and 20 in rows:
            verdict.append(f"{label}, against the empty page through the same path ({EMPTY_REPLICAS}): one session "
                           f"p50 {rows[1]['p50'] / proxied[1]['p50']:.1f}×, 20 sessions p95 "
                           f"{rows[20]['p95'] / proxied[20]['p95']:.1f}×.")
        if 50 in rows:
            r = rows[50]
            verdict.append(f"{label}, 50 sessions: p95 {_ms(r['p95'])} ms, {len(r['errors'])} error(s)"
                           + (f" ({'within' if r['p95'] <= 1 else 'OVER'} the 1 s target)" if "répliques" in label
                              else "") + ".")
    demo_ratio = _demo_ratio(res)
    scale = result.get("scale")
    if scale is None and demo_ratio == demo_ratio:
        verdict.append(f"PostgreSQL vs embedded file, one session at the demo scale: p50 ratio "
                       f"{_within(demo_ratio)} (pages read the same in-memory DuckDB snapshot on both).")
    if verdict:
        lines += [*verdict, ""]
    if scale is not None:
        lines += render_scale(scale, demo_ratio)
    errors = errors_of(result)
    if errors:
        causes = sorted({e for e in errors if "arrêtée" not in e}) or sorted(set(errors))
        lines += ["Errors seen: " + "; ".join(causes[:5]), ""]
    return "\n".join(lines)


def _count(value) -> str:
    return "—" if value is None or value != value else f"{value:.0f}"


def _size_floor(res: dict, row: dict, sessions: int) -> str:
    """What Streamlit alone costs for a page as large as the set-up's (the sized floor page nearest its mean count
    of elements), against the empty page, at the same number of sessions: the part of the ratio no app code can
    remove."""
    empty = {r["sessions"]: r for r in res.get("page vide", [])}.get(sessions)
    drawn = row.get("elements", float("nan"))
    sized = [(abs(size - drawn), size) for size in SIZED_PAGES
             if any(r["sessions"] == sessions and r["runs"] for r in res.get(sized_label(size), []))]
    if not sized or empty is None or drawn != drawn:
        return ""
    size = min(sized)[1]
    floor = next(r for r in res[sized_label(size)] if r["sessions"] == sessions)
    key = "p50" if sessions == 1 else "p95"
    return (f" Its pages draw {drawn:.0f} elements on average; Streamlit alone drawing {size} paragraphs takes "
            f"{_ms(floor[key])} ms ({key}) = {floor[key] / empty[key]:.1f}× the empty page, and this set-up "
            f"{row[key] / floor[key]:.1f}× that.")


def render_scale(scale: dict, demo_ratio: float = float("nan")) -> list[str]:
    """The sub-section « ### Échelle ×N : PostgreSQL et fichier »: cold (informative) and warm rows, and the 1.5×
    verdict at both scales."""
    from lit_analytics.formats import fmt_number
    n = scale["scale"]
    d = scale["dataset"]
    sides = scale["sides"]
    file, pg = sides.get("file", {}), sides.get("postgres", {})
    lines = [f"### Échelle ×{n} : PostgreSQL et fichier", "",
             f"Data set ×{n} (`init_database(demo=True, scale={n})`): {fmt_number(d['labs'])} labs, "
             f"{fmt_number(d['project_snapshots'])} project snapshots, {fmt_number(d['training_sessions'])} "
             f"training sessions, {fmt_number(d['funding_tranches'])} funding tranches. One app process "
             "(`streamlit run serve.py`) on each system of record, one after the other; PostgreSQL is served "
             "directly (one replica, no HAProxy) so that only the system of record differs. The PostgreSQL database "
             "is a copy of the file made through the store (`copy_to_postgres`: schema by the migrations, rows in one "
             "transaction through DuckDB's postgres extension). Cold rows are informative (no target): the first "
             "snapshot is `ensure_database` in a new Python process (every table copied into memory); a write is "
             "the median of 5 write transactions adding no row, with the snapshot update that follows (only the "
             "written table is copied again); then one "
             "session on a fresh app process: its first script run (the sign-in page, the process's snapshot "
             "included), the sign-in (its rerun shows Vue d'ensemble for the first time) and the first run of each "
             f"other page. Warm rows: N sessions after that visit, sign in then the five pages {scale['rounds']} "
             "time(s).", "",
             "| measure | embedded file | PostgreSQL | PostgreSQL ÷ file |",
             "|---|---:|---:|---:|"]
    build = scale.get("build", {})
    lines.append("| database built (s; file generated by `init_database`, PostgreSQL copied from the file) | "
                 f"{fmt_number(build.get('file'), 1) or '—'} | {fmt_number(build.get('postgres'), 1) or '—'} | |")

    def row(label: str, f: float, p: float) -> None:
        ratio = _ratio(p, f)
        lines.append(f"| {label} | {_ms(f)} | {_ms(p)} | "
                     f"{fmt_number(ratio, 2) if ratio == ratio else '—'} |")

    nan = float("nan")
    row("first snapshot of a fresh process (ms)", file.get("snapshot", nan), pg.get("snapshot", nan))
    fwr, pwr = file.get("writes", {}), pg.get("writes", {})
    row("a write to a small table (a session's touch) and the snapshot update after it (ms)",
        fwr.get("small", nan), pwr.get("small", nan))
    row("a write to the project snapshots (a publication) and the snapshot update after it (ms)",
        fwr.get("large", nan), pwr.get("large", nan))
    fc, pc = file.get("cold", {}), pg.get("cold", {})
    row("first script run of a fresh app process: sign-in page, snapshot included (ms)",
        fc.get("first_run", nan), pc.get("first_run", nan))
    row("sign-in, then Vue d'ensemble for the first time (ms)", fc.get("sign_in", nan), pc.get("sign_in", nan))
    for page in DASHBOARD_PAGES:
        if page:
            row(f"{PAGE_TITLES[page]}, first run (ms)", fc.get("pages", {}).get(page, nan),
                pc.get("pages", {}).get(page, nan))
    fw = {r["sessions"]: r for r in file.get("warm", [])}
    pw = {r["sessions"]: r for r in pg.get("warm", [])}
    for count in scale["counts"]:
        f, p = fw.get(count), pw.get(count)
        runs = "/".join(str(r["runs"]) if r else "—" for r in (f, p))
        errors = sum(len(r["errors"]) for r in (f, p) if r)
        detail = f"{runs} page runs" + (f", {errors} error(s)" if errors else "")
        for q in ("p50", "p95"):
            row(f"warm, {count} session(s): {q} (ms; {detail})", f[q] if f else nan, p[q] if p else nan)
    ratio = _scale_ratio(scale, 1)
    more = [c for c in scale["counts"] if c != 1]
    extra = ""
    if more:
        extra = "; " + ", ".join(f"{c} sessions {_scale_ratio(scale, c):.2f}".replace("nan", "not measured")
                                 for c in more)
    demo = _within(demo_ratio) + (" (one process on the file vs 2 replicas behind HAProxy, table above)"
                                   if demo_ratio == demo_ratio else " in this run (set-ups embedded and replicas)")
    lines += ["", f"PostgreSQL vs embedded file, one session, p50 ratio: demo scale {demo}; "
              f"×{n} {_within(ratio)} (one process each{extra}).", ""]
    return lines
