"""`python -m lit_analytics bench-load`: page-run latency under N concurrent sessions, browser-less.

Each session speaks Streamlit's own WebSocket protocol (`/_stcore/stream`, subprotocol `streamlit`): it sends
`BackMsg.rerun_script` (page hash, widget states) and reads `ForwardMsg`s until `script_finished`, as the browser
does. A session signs in through the sign-in form (e-mail, password, submit button) and then visits the five
dashboard pages in turn, `--rounds` times. The latency of a page run is from sending the rerun to its
`script_finished`. Three set-ups, each with 1, 5 and 20 sessions at once:

* **empty page** — `streamlit run` of a one-line page (the floor: Streamlit's own cost);
* **embedded** — one app process on the embedded DuckDB file (demo data);
* **2 replicas on PostgreSQL** — two app processes on a throwaway PostgreSQL cluster, behind Debian's HAProxy
  (`lit_analytics.deploy.haproxy_config`: sticky sessions, WebSocket pass-through, health checks).

Results replace the section « ## Charge : sessions simultanées » of docs/benchmarks.md. The command line
(`lit_analytics.cli.bench`) sets up the arguments.
"""

from __future__ import annotations

import os
import platform
import threading
import time
from datetime import datetime
from pathlib import Path

from lit_analytics import config

SECTION = "## Charge : sessions simultanées"
DASHBOARD_PAGES = ["", "carte", "indicateurs", "financements", "laboratoires"]   # "" = the default page
BENCH_UNTIL = "2026-T3"
ADMIN_EMAIL = "demo-admin@lit.example"
DEMO_PASSWORD = "demo-lit-2016"   # the documented demo password (demo databases only)
EMPTY_PAGE = 'import streamlit as st\n\nst.write("Page vide")\n'


class ProtocolError(RuntimeError):
    pass


class StreamlitSession:
    """One browser-less Streamlit session over its WebSocket."""

    def __init__(self, base_url: str, timeout: float = 300, cookie: str | None = None):
        from websockets.sync.client import connect
        self.timeout = timeout
        ws_url = base_url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.ws = connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60,
                          compression=None, additional_headers={"Cookie": cookie} if cookie else None)
        self.cookies = self.ws.response.headers.get_all("Set-Cookie") if self.ws.response else []
        self.widgets: dict[str, str] = {}       # label → widget id, from the last run's elements
        self.pages: dict[str, str] = {}         # url path → page script hash, from the navigation message
        self.exceptions: list[str] = []

    def close(self) -> None:
        self.ws.close()

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
    one_sign_in = threading.Lock()

    def one(n: int) -> None:
        session = None
        try:
            session = StreamlitSession(base_url)
            barrier.wait(120)
            if sign_in:
                # Every session uses the same demo account, and the sign-in guard (issue 10) lets at most 5
                # password checks of one account be in flight: sign-ins one at a time, page runs all together.
                with one_sign_in:
                    session.sign_in(ADMIN_EMAIL, DEMO_PASSWORD)
            else:
                session.run()
            pages_start.wait(600)
            mine = []
            for _ in range(rounds):
                for page in pages:
                    mine.append(session.run(page))
            with lock:
                latencies.extend(mine)
                errors.extend(session.exceptions)
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
            "max": max(latencies) if latencies else float("nan"), "wall": time.perf_counter() - started}


def run(workdir: Path, counts: tuple[int, ...] = (1, 5, 20), rounds: int = 2,
                   setups: tuple[str, ...] = ("empty", "embedded", "replicas")) -> dict:
    from lit_analytics import deploy
    from lit_analytics.bootstrap import init_database

    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[dict]] = {}
    load_average = os.getloadavg()[0]

    def measure(label: str, url: str, sign_in: bool, pages: list) -> None:
        results[label] = []
        load(url, 2, 1, sign_in=sign_in, pages=pages)   # warm-up (2 sessions: each replica), not measured
        for n in counts:
            r = load(url, n, rounds, sign_in=sign_in, pages=pages)
            results[label].append(r)
            print(f"{label:<32} {n:>3} session(s) : p50 {r['p50'] * 1000:7.0f} ms  p95 {r['p95'] * 1000:7.0f} ms"
                  f"  max {r['max'] * 1000:7.0f} ms  ({r['runs']} exécutions, {len(r['errors'])} erreur(s))",
                  flush=True)

    if "empty" in setups:
        script = workdir / "page_vide.py"
        script.write_text(EMPTY_PAGE, encoding="utf-8")
        port = deploy.free_port()
        server = deploy.start_streamlit(script, port, workdir, name="vide")
        try:
            measure("page vide", f"http://127.0.0.1:{port}", False, [None] * len(DASHBOARD_PAGES))
        finally:
            server.stop()

    if "embedded" in setups:
        db = workdir / "charge.duckdb"
        init_database(db, demo=True, force=True, until=BENCH_UNTIL).close()
        port = deploy.free_port()
        server = deploy.start_streamlit(config.REPO_ROOT / "app.py", port, workdir, env={"LIT_DB": str(db)})
        try:
            measure("fichier embarqué, 1 processus", f"http://127.0.0.1:{port}", True, DASHBOARD_PAGES)
        finally:
            server.stop()

    if "replicas" in setups:
        cluster = deploy.ThrowawayPostgres()
        services = []
        try:
            url = cluster.create_database("lit")
            init_database(url, demo=True, force=True, until=BENCH_UNTIL).close()
            ports = (deploy.free_port(), deploy.free_port())
            for port in ports:
                services.append(deploy.start_streamlit(config.REPO_ROOT / "app.py", port, workdir,
                                                       env={"LIT_DB": url}, name="replique"))
            proxy_port = deploy.free_port()
            services.append(deploy.start_haproxy(proxy_port, ports, workdir))
            measure("PostgreSQL, 2 répliques + HAProxy", f"http://127.0.0.1:{proxy_port}", True, DASHBOARD_PAGES)
        finally:
            for service in reversed(services):
                service.stop()
            cluster.stop()
    return {"results": results, "rounds": rounds, "counts": counts, "load_average": load_average}


def _ms(seconds: float) -> str:
    from lit_analytics.formats import fmt_number
    return fmt_number(seconds * 1000, 0)


def render(result: dict) -> str:
    rounds = result["rounds"]
    lines = [SECTION, "",
             f"Measured by `python -m lit_analytics bench-load` on {datetime.now():%Y-%m-%d %H:%M} "
             f"({platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
             f"{os.cpu_count()} CPUs; the load generator runs on the same machine; load average "
             f"{result.get('load_average', float('nan')):.1f} when it started — other work on the machine counts). N browser-less sessions at once, "
             "each speaking Streamlit's WebSocket protocol: sign in as the demo administrator, then run the five "
             f"dashboard pages in turn, {rounds} times; latency of a page run = from `rerun_script` sent to "
             "`script_finished` received. The empty page runs a one-line script as often (the floor). "
             "Targets (issue 11): 20 sessions, p95 ≤ 2 s with 2 replicas; one session within 2× the empty page.", "",
             "| set-up | sessions | page runs | p50 (ms) | p95 (ms) | max (ms) | errors |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for label, rows in result["results"].items():
        for r in rows:
            lines.append(f"| {label} | {r['sessions']} | {r['runs']} | {_ms(r['p50'])} | {_ms(r['p95'])} | "
                         f"{_ms(r['max'])} | {len(r['errors'])} |")
    verdict = []
    res = result["results"]
    empty = {r["sessions"]: r for r in res.get("page vide", [])}
    for label in ("fichier embarqué, 1 processus", "PostgreSQL, 2 répliques + HAProxy"):
        rows = {r["sessions"]: r for r in res.get(label, [])}
        if 1 in rows and 1 in empty and empty[1]["p50"] > 0 and rows[1]["runs"]:
            ratio = rows[1]["p50"] / empty[1]["p50"]
            verdict.append(f"{label}, one session: p50 = {ratio:.1f}× the empty page "
                           f"({'within' if ratio <= 2 else 'OVER'} the 2× target).")
        if 20 in rows and rows[20]["runs"]:
            p95 = rows[20]["p95"]
            verdict.append(f"{label}, 20 sessions: p95 {_ms(p95)} ms"
                           + (f" ({'within' if p95 <= 2 else 'OVER'} the 2 s target)." if "répliques" in label
                              else "."))
    embedded = {r["sessions"]: r for r in res.get("fichier embarqué, 1 processus", [])}
    replicas = {r["sessions"]: r for r in res.get("PostgreSQL, 2 répliques + HAProxy", [])}
    if 1 in embedded and 1 in replicas and embedded[1]["runs"] and replicas[1]["runs"]:
        ratio = replicas[1]["p50"] / embedded[1]["p50"]
        verdict.append(f"PostgreSQL vs embedded file, one session at the demo scale: p50 ratio {ratio:.2f} "
                       f"({'within' if ratio <= 1.5 else 'OVER'} the 1.5× target; pages read the same in-memory "
                       "DuckDB snapshot on both).")
    lines += ["", *verdict, ""]
    errors = [e for rows in res.values() for r in rows for e in r["errors"]]
    if errors:
        lines += ["Errors seen: " + "; ".join(sorted(set(errors))[:5]), ""]
    return "\n".join(lines)
