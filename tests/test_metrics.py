"""Something to watch: `/metrics` (Prometheus' text format) answers the host itself or the token only, and moves with
the app's work (page runs of a real server, an error shown, writes that wait or give up, open sessions); the logs
are JSON lines that never carry a password, token or e-mail typed by a user."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta

import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.testclient import TestClient

from conftest import ADMIN, ANALYSTE, DEMO_LOGINS, DEMO_PASSWORD, PORTEUR, REPO, StreamlitServer, add_accounts
from lit_analytics import logs, metrics, sessions, web
from lit_analytics.bootstrap import app_store, init_database
from lit_analytics.store import ConcurrentWriteError, Store

from devtools.bench.load import StreamlitSession   # the browser-less Streamlit client of the load benchmark

TOKEN = "jeton-de-supervision-8c1f0e52a7"
NAMES = ["lit_page_run_seconds", "lit_user_errors_total", "lit_sessions_open", "lit_snapshot_refresh_seconds",
         "lit_snapshot_refresh_deferred_total", "lit_write_wait_seconds", "lit_write_conflicts_total",
         "lit_memo_bytes", "lit_memo_max_bytes", "lit_memo_entries", "lit_memo_hits_total", "lit_memo_misses_total",
         "lit_memo_evictions_total", "process_resident_memory_bytes"]


def value(text: str, name: str, **labels: str) -> float:
    """A sample of a scrape, by name and labels (the text parsed by prometheus-client's own parser)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    raise KeyError(f"{name} {labels}")


def page_runs(text: str, page: str) -> float:
    return value(text, "lit_page_run_seconds_count", page=page)


# --- who may read /metrics ------------------------------------------------------------------------------

def test_metrics_answer_the_host_itself_or_the_token_only(tmp_path, monkeypatch):
    path = tmp_path / "metrics.duckdb"
    init_database(path).close()
    monkeypatch.setenv("LIT_DB", str(path))
    monkeypatch.setenv("LIT_METRICS_TOKEN", TOKEN)
    app_store(path)   # the app's store is open: the open sessions are read from it
    cases = [
        (("127.0.0.1", 5000), {}, True),
        (("::1", 5000), {}, True),
        (("127.0.0.1", 5000), {"X-Forwarded-For": "127.0.0.1"}, True),
        (("203.0.113.7", 5000), {}, False),
        (("127.0.0.2", 5000), {}, False),
        (("127.0.0.1", 5000), {"X-Forwarded-For": "203.0.113.7"}, False),      # a reverse proxy on the host
        (("127.0.0.1", 5000), {"X-Forwarded-For": "127.0.0.1, 203.0.113.7"}, False),
        (("127.0.0.1", 5000), {"Forwarded": 'for="[2001:db8::1]:443";proto=https'}, False),
        (("::1", 5000), {"X-Real-IP": "198.51.100.2"}, False),
        (("203.0.113.7", 5000), {"Authorization": f"Bearer {TOKEN}"}, True),
        (("127.0.0.1", 5000), {"X-Forwarded-For": "203.0.113.7", "Authorization": f"Bearer {TOKEN}"}, True),
        (("203.0.113.7", 5000), {"Authorization": f"Bearer {TOKEN}x"}, False),
        (("203.0.113.7", 5000), {"Authorization": f"Bearer {TOKEN[:-1]}"}, False),
        (("203.0.113.7", 5000), {"Authorization": f"Basic {TOKEN}"}, False),
    ]
    for client, headers, allowed in cases:
        response = TestClient(Starlette(routes=web.ROUTES), client=client).get(web.METRICS_PATH, headers=headers)
        assert response.status_code == (200 if allowed else 403), (client, headers)
        assert (TOKEN in response.text) is False
        if allowed:
            assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
            assert [n for n in NAMES if f"\n{n}" not in response.text] == []
            assert value(response.text, "lit_sessions_open") == 0
            assert {s.labels["page"] for s in next(f for f in text_string_to_metric_families(response.text)
                                                   if f.name == "lit_page_run_seconds").samples} \
                == set(metrics.PAGE_LABELS)      # the registry's pages only, each from the start
    # Without a token configured, no bearer opens it (not even an empty one).
    monkeypatch.setenv("LIT_METRICS_TOKEN", "")
    outside = TestClient(Starlette(routes=web.ROUTES), client=("203.0.113.7", 5000))
    assert outside.get(web.METRICS_PATH, headers={"Authorization": "Bearer "}).status_code == 403
    assert outside.get(web.METRICS_PATH, headers={"Authorization": "Bearer"}).status_code == 403


def test_page_labels_never_take_a_free_form_value():
    assert metrics.page_label("carte") == "carte" and metrics.page_label("suivi-depots") == "suivi-depots"
    assert metrics.page_label("carte?du=2021-T1") == metrics.page_label("<script>") == metrics.OTHER_PAGE
    assert metrics.page_label(None) == metrics.OTHER_PAGE


# --- the store's measures, both stores ---------------------------------------------------------------

def _hold(store: Store, store_kind: str, postgres_url: str | None):
    """Another holder of the database: a connection of this process with the file attached (DuckDB keeps one
    registry of attached files per process), or another PostgreSQL session holding the app's write lock."""
    if store_kind == "postgresql":
        from lit_analytics.store.backends import _ADVISORY_KEY
        conn = psycopg.connect(postgres_url, autocommit=True)
        conn.execute("SELECT pg_advisory_lock(%s)", (_ADVISORY_KEY,))
        return conn
    import duckdb
    conn = duckdb.connect(":memory:")
    conn.execute(f"ATTACH '{store.path}' AS held")
    return conn


def test_writes_that_wait_and_writes_that_give_up_are_counted(empty_store, store_kind):
    before = metrics.render().decode()
    impatient = Store(empty_store.location, lock_timeout=0.2)
    holder = _hold(empty_store, store_kind, str(empty_store.location))
    try:
        with pytest.raises(ConcurrentWriteError):
            with impatient.transaction(writes="meta") as cur:
                cur.execute("UPDATE meta SET value = value WHERE key = 'instance'")
    finally:
        holder.close()
    with impatient.transaction(writes="meta") as cur:   # the holder gone: it lands
        cur.execute("UPDATE meta SET value = value WHERE key = 'instance'")
    assert impatient.refresh(force=True)
    impatient.close()
    after = metrics.render().decode()
    assert value(after, "lit_write_conflicts_total") == value(before, "lit_write_conflicts_total") + 1
    assert value(after, "lit_write_wait_seconds_count") == value(before, "lit_write_wait_seconds_count") + 2
    # The give-up waited its whole timeout (0.2 s): one of the two new waits is above the 0.1 s bound.
    quick = value(after, "lit_write_wait_seconds_bucket", le="0.1") - value(before, "lit_write_wait_seconds_bucket",
                                                                          le="0.1")
    assert quick <= 1
    assert value(after, "lit_snapshot_refresh_seconds_count") >= value(before, "lit_snapshot_refresh_seconds_count") + 2


def test_open_sessions_are_those_neither_ended_nor_expired(store, store_kind):
    add_accounts(store)
    now = datetime.now()
    sessions.open_session(store, ADMIN, "password", now=now)
    ended = sessions.open_session(store, ANALYSTE, "password", now=now)
    sessions.end(store, ended.session_id, now=now)
    sessions.open_session(store, PORTEUR, "password", now=now - sessions.SESSION_IDLE - timedelta(minutes=1))
    assert sessions.count_open(store, now) == 1
    assert value(metrics.render(store).decode(), "lit_sessions_open") == 1
    assert value(metrics.render(store).decode(), "lit_sessions_open") == 1   # read, nothing changed
    assert "lit_sessions_open" not in metrics.render(None).decode()         # no store open: not guessed


# --- an error shown to the user, through app.py ----------------------------------------------------------

def test_an_exception_shown_in_a_page_run_is_counted_as_an_error_of_that_page(demo_file_copy, monkeypatch):
    from conftest import make_app_test
    from lit_analytics import ui

    def broken_notice():
        raise RuntimeError("panne simulée")

    at = make_app_test(demo_file_copy, actor=ADMIN)
    at.run()
    assert not at.exception
    before = metrics.render().decode()
    monkeypatch.setattr(ui, "demo_notice", broken_notice)
    at.run()
    assert at.exception          # Streamlit's error box (its details hidden from users: showErrorDetails)
    after = metrics.render().decode()
    assert value(after, "lit_user_errors_total", page="accueil") == value(before, "lit_user_errors_total",
                                                                         page="accueil") + 1
    assert page_runs(after, "accueil") == page_runs(before, "accueil") + 1
    assert value(after, "lit_user_errors_total", page="carte") == value(before, "lit_user_errors_total", page="carte")


def test_what_the_page_run_measure_relies_on_in_streamlit():
    """`ui.observe` tells errors from Streamlit's control flow (`st.stop`, `st.rerun`) by their type; stderr stays
    JSON because Streamlit logs an uncaught exception through its logger once `logger.enableRich` is off."""
    import tomllib

    from streamlit import config as streamlit_config
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException
    assert not issubclass(StopException, Exception) and not issubclass(RerunException, Exception)
    settings = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text("utf-8"))
    assert settings["logger"]["enableRich"] is False
    assert "logger.enableRich" in streamlit_config._config_options_template


# --- logs ---------------------------------------------------------------------------------------------

PLANTED = {"password": "Mot-de-passe-PLANTE-41", "email": "jeanne.planteur@ditp.example", "code": "CODEplante9xQ",
           "token": "TOKENplanteZ7", "pg": "PGplante55"}

LOGGING_SCRIPT = """
import logging, sys, warnings
from streamlit.logger import get_logger
from lit_analytics import logs
P = {planted!r}
streamlit_log = get_logger("streamlit.planted")          # Streamlit's kind: its own handler, not propagated
logs.setup()
log = logging.getLogger("lit_analytics.planted")
log.info("sign-in of %s with password=%s", P["email"], P["password"],
         extra={{"page": "connexion", "account": logs.account_id(P["email"], "cle"), "duration": 0.25,
                "typed": P["email"]}})
log.warning("GET /lit-session/ouvrir?code=%s&suite=/carte", P["code"])
log.warning("Authorization: Bearer %s", P["token"])
log.error("connexion postgresql://lit:%s@db.example/lit impossible", P["pg"])
try:
    raise ValueError(f"refusé : password={{P['password']}} pour {{P['email']}}")
except ValueError:
    log.exception("page_error")
streamlit_log.error('Uncaught app execution {{"mot_de_passe": "%s"}}', P["password"])
warnings.warn("planted " + P["email"])
logging.getLogger("some.library").info("below WARNING: not written")
log.debug("below LIT_LOG_LEVEL: not written")
print("stdout stays free")
"""


def test_log_lines_are_json_and_never_carry_a_typed_secret():
    env = {k: v for k, v in os.environ.items() if k not in ("LIT_LOG_LEVEL", "LIT_LOG_KEY")}
    done = subprocess.run([sys.executable, "-c", LOGGING_SCRIPT.format(planted=PLANTED)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "stdout stays free\n"
    lines = done.stderr.splitlines()
    records = [json.loads(line) for line in lines]          # every line is one JSON object
    assert len(records) == 7, done.stderr
    for secret in PLANTED.values():
        assert secret not in done.stderr
    assert all({"time", "level", "logger", "event"} <= r.keys() for r in records)
    first = records[0]
    assert first["level"] == "INFO" and first["logger"] == "lit_analytics.planted"
    assert first["page"] == "connexion" and first["duration"] == 0.25 and first["typed"] == "[e-mail]"
    assert first["account"] == logs.account_id(PLANTED["email"], "cle")
    assert re.fullmatch(r"[0-9a-f]{12}", first["account"])
    assert first["event"] == f"sign-in of [e-mail] with password={logs.MASK}"
    assert records[1]["event"] == f"GET /lit-session/ouvrir?code={logs.MASK}&suite=/carte"
    assert records[2]["event"] == f"Authorization: Bearer {logs.MASK}"
    assert records[3]["event"] == f"connexion postgresql://lit:{logs.MASK}@db.example/lit impossible"
    assert "ValueError" in records[4]["exception"] and records[4]["level"] == "ERROR"
    assert records[5]["logger"] == "streamlit.planted" and logs.MASK in records[5]["event"]
    assert records[6]["logger"] == "py.warnings" and "[e-mail]" in records[6]["event"]


def test_account_ids_are_keyed_and_are_not_the_address(monkeypatch):
    monkeypatch.delenv("LIT_LOG_KEY", raising=False)
    one = logs.account_id("Chef@DITP.gouv.fr", "instance-a")
    assert one == logs.account_id("chef@ditp.gouv.fr", "instance-a") != logs.account_id("chef@ditp.gouv.fr",
                                                                                          "instance-b")
    assert "chef" not in one and logs.account_id(None) is None
    monkeypatch.setenv("LIT_LOG_KEY", "une-cle-de-journal")
    assert logs.account_id("chef@ditp.gouv.fr", "instance-a") == logs.account_id("chef@ditp.gouv.fr", "instance-b")


# --- deploy/: what Prometheus scrapes and the alert rules ----------------------------------------------------

PROMTOOL = shutil.which("promtool") or str(REPO / ".venv" / "bin" / "promtool")   # scripts/setup.sh --tests


def test_the_scrape_config_and_the_alert_rules_are_valid_and_their_alerts_fire():
    """promtool (Prometheus' own) checks the config and its rule file, then runs tests/files/prometheus/
    alerts_test.yml: errors shown fire within 5 min, a p95 above 2 s over 10 min fires, a write given up fires,
    a replica that stops answering fires; quick pages and quiet periods do not."""
    checked = subprocess.run([PROMTOOL, "check", "config", "deploy/prometheus.yml"], cwd=REPO, capture_output=True,
                             text=True, timeout=60)
    assert checked.returncode == 0 and "1 rule files found" in checked.stdout, checked.stdout + checked.stderr
    tested = subprocess.run([PROMTOOL, "test", "rules", "tests/files/prometheus/alerts_test.yml"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert tested.returncode == 0 and "SUCCESS" in tested.stdout, tested.stdout + tested.stderr


def test_the_alerts_read_metrics_the_app_exports():
    rules = (REPO / "deploy" / "alerts.yml").read_text("utf-8")
    used = {re.sub(r"_(bucket|count|sum)$", "", name) for name in re.findall(r"\b(lit_[a-z_]+)\b", rules)}
    exported = {family.name for family in text_string_to_metric_families(metrics.render().decode())}
    assert used and {name.removesuffix("_total") for name in used} <= exported


# --- a real server: page runs move the histogram; its stderr is JSON without secrets -------------------------

def _get(url: str, headers: dict | None = None, source: str | None = None) -> tuple[int, str]:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30,
                                      source_address=(source, 0) if source else None)
    try:
        conn.request("GET", web.METRICS_PATH, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        conn.close()


def test_a_running_server_counts_its_page_runs_and_logs_json_lines(demo_file_copy, tmp_path):
    stderr = tmp_path / "server.stderr"
    server = StreamlitServer(demo_file_copy, extra_env={"LIT_METRICS_TOKEN": TOKEN, "LIT_LOG_LEVEL": "INFO"},
                             stderr_path=stderr)
    email = DEMO_LOGINS["admin"]
    try:
        status, before = _get(server.url)                                    # from the host itself
        assert status == 200
        assert _get(server.url, source="127.0.0.2")[0] == 403                 # another client, no token
        assert _get(server.url, {"Authorization": f"Bearer {TOKEN}"}, source="127.0.0.2")[0] == 200
        assert _get(server.url, {"X-Forwarded-For": "203.0.113.9"})[0] == 403  # relayed by a proxy on the host
        session = StreamlitSession(server.url)
        try:
            session.sign_in(email, DEMO_PASSWORD)
            session.run("carte")
        finally:
            session.close()
        status, after = _get(server.url)
        assert status == 200
    finally:
        server.stop()
    assert page_runs(before, "carte") == 0 and page_runs(after, "carte") == 1
    assert page_runs(after, "connexion") >= page_runs(before, "connexion") + 1
    assert value(after, "lit_user_errors_total", page="carte") == 0
    assert value(after, "lit_sessions_open") == 1
    assert value(after, "lit_memo_entries") > 0 and value(after, "lit_memo_bytes") > 0
    assert value(after, "lit_memo_misses_total") > value(before, "lit_memo_misses_total")
    assert value(after, "lit_write_wait_seconds_count") > value(before, "lit_write_wait_seconds_count")
    assert value(after, "lit_snapshot_refresh_seconds_count") > value(before, "lit_snapshot_refresh_seconds_count")
    assert value(after, "lit_write_conflicts_total") == 0

    text = stderr.read_text("utf-8")
    records = [json.loads(line) for line in text.splitlines()]           # every line of stderr is JSON
    runs = [r for r in records if r["event"] == "page_run"]
    with Store(demo_file_copy, read_only=True) as store:
        instance = store.cache_key()[1]
    on_map = [r for r in runs if r["page"] == "carte"]
    assert len(on_map) == 1 and on_map[0]["outcome"] == "ok" and on_map[0]["duration"] > 0
    assert on_map[0]["account"] == logs.account_id(email, instance)
    assert any(r["page"] == "connexion" and r["account"] is None for r in runs)
    assert any(r["event"] == "metrics_refused" and r["level"] == "WARNING" for r in records)
    for secret in (DEMO_PASSWORD, email, TOKEN):
        assert secret not in text
