"""Shared fixtures and helpers: a demo database built once per test process, fresh stores, a reference-only
database with test accounts (ingest), a real Streamlit server and a real headless Chromium (Debian's, never a
downloaded one), and a throwaway PostgreSQL cluster (`devtools.servers.ThrowawayPostgres`) on which the store,
ingest, access and page tests also run (see `BOTH_STORES`). Plain helpers (accounts, `read`, `snapshot`) are
imported with `from conftest import …`."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import date, datetime
from pathlib import Path

import pytest

# Every write transaction of the suite (and of the servers and commands it starts, which inherit the environment)
# checks that the tables it changed are the ones it declared (`store.transaction(writes=...)`).
os.environ["LIT_CHECK_WRITES"] = "1"

from devtools.servers import ThrowawayPostgres, free_port  # noqa: E402
from lit_analytics import accounts  # noqa: E402
from lit_analytics.bootstrap import init_database  # noqa: E402
from lit_analytics.permissions import Actor  # noqa: E402
from lit_analytics.store import PostgresLocation, Store  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
DEMO_UNTIL = "2026-T3"  # fixed so tests do not depend on today's date
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> Path:
    """A demo database (seed 42, scale 1, until T3 2026). Tests must not write to it: copy it first."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    init_database(path, demo=True, until=DEMO_UNTIL).close()
    return path


@pytest.fixture(scope="session")
def demo_store(demo_db_path) -> Store:
    store = Store(demo_db_path, read_only=True)
    yield store
    store.close()


# --- both stores: the embedded DuckDB file and PostgreSQL ------------------------------------------------

# Test modules whose `store_kind`-dependent fixtures (demo_copy, empty_store, ref_store, store) run on both stores;
# the others (browser tests, exports, benchmarks) run on the embedded file only, to keep the suite lean.
BOTH_STORES = {"test_store", "test_concurrency", "test_audit", "test_pages", "test_ingest_pages",
               "test_ingest_publish", "test_auth", "test_auth_app", "test_auth_permissions", "test_postgres",
               "test_ingest_history", "test_events", "test_alerts", "test_meteo",
               "test_metrics", "test_backup", "test_upgrades", "test_registry"}
STORE_KINDS = ["duckdb", "postgresql"]


def pytest_generate_tests(metafunc):
    if "store_kind" in metafunc.fixturenames and metafunc.module.__name__.rsplit(".", 1)[-1] in BOTH_STORES:
        metafunc.parametrize("store_kind", STORE_KINDS)


@pytest.fixture
def store_kind() -> str:
    return "duckdb"


@pytest.fixture(scope="session")
def postgres() -> ThrowawayPostgres:
    """The tests' PostgreSQL cluster (`devtools.servers.ThrowawayPostgres`), without fsync: nothing to keep."""
    cluster = ThrowawayPostgres(durable=False, shared_buffers="32MB")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def demo_pg_template(postgres) -> str:
    """The demo database built once in PostgreSQL; tests get copies (CREATE DATABASE … TEMPLATE)."""
    location = postgres.create_database("demo_template")
    init_database(location, demo=True, until=DEMO_UNTIL).close()
    return postgres.database_name(location)


@pytest.fixture(scope="session")
def ref_pg_template(postgres) -> str:
    """`ref_db_path` (reference data and the test accounts) in PostgreSQL, as a template."""
    location = postgres.create_database("ref_template")
    store = init_database(location)
    add_accounts(store)
    store.close()
    return postgres.database_name(location)


@pytest.fixture(scope="session")
def auth_pg_template(postgres) -> str:
    """Reference data only, no account (`no_account_db_path`), as a template."""
    location = postgres.create_database("auth_template")
    init_database(location).close()
    return postgres.database_name(location)


def pg_copy(request, template_fixture: str, prefix: str) -> PostgresLocation:
    """A private PostgreSQL database copied from a session template, dropped after the test."""
    cluster = request.getfixturevalue("postgres")
    location = cluster.create_database(prefix, template=request.getfixturevalue(template_fixture))
    request.addfinalizer(lambda: cluster.drop_database(location))
    return location


@pytest.fixture
def demo_copy(store_kind, request, demo_db_path, tmp_path):
    """A private, writable copy of the demo database: a file, or (store_kind "postgresql") a PostgreSQL database."""
    if store_kind == "postgresql":
        return pg_copy(request, "demo_pg_template", "demo")
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db_path, path)
    return path


@pytest.fixture
def demo_file_copy(demo_db_path, tmp_path) -> Path:
    """A private copy of the demo database as a DuckDB file (servers, exports)."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db_path, path)
    return path


@pytest.fixture
def empty_store(store_kind, request, tmp_path) -> Store:
    if store_kind == "postgresql":
        cluster = request.getfixturevalue("postgres")
        location = cluster.create_database("empty")
        request.addfinalizer(lambda: cluster.drop_database(location))
        store = Store(location)
    else:
        store = Store(tmp_path / "empty.duckdb")
    yield store
    store.close()


# --- ingest: accounts, a reference-only database, a row-for-row snapshot of every table ---------------

FILES = Path(__file__).resolve().parent / "files" / "ingest"
ADMIN = Actor("admin@ditp.test", "admin", frozenset(), "Admin de test")
PORTEUR = Actor("porteur@siilab.test", "porteur", frozenset({"siilab"}), "Porteur Siilab")
ANALYSTE = Actor("analyste@ditp.test", "analyste", frozenset(), "Analyste de test")


def add_accounts(store: Store, actors=(ADMIN, PORTEUR, ANALYSTE)) -> None:
    """The test accounts (or `actors`), as rows of `users` and `user_labs` (migration 003); existing ones kept."""
    with store.transaction(writes=("users", "user_labs")) as cur:
        for actor in actors:
            cur.execute("INSERT INTO users (email, display_name, role, password_hash, disabled, is_demo, "
                        "failed_attempts, locked_until, created_at, created_by) "
                        "VALUES (?, ?, ?, NULL, false, false, 0, NULL, ?, 'test') ON CONFLICT DO NOTHING",
                        [actor.email, actor.display_name, actor.role, datetime.now()])
            for lab in actor.labs:
                cur.execute("INSERT INTO user_labs VALUES (?, ?) ON CONFLICT DO NOTHING", [actor.email, lab])


@pytest.fixture
def journal_day(monkeypatch) -> date:
    """The audit journal's clock stopped at the moment the test starts, and that day: a test comparing an entry's
    date with « today » holds across midnight."""
    from lit_analytics import audit
    stopped = datetime.now()

    class Stopped(datetime):
        @classmethod
        def now(cls, tz=None):
            return stopped

    monkeypatch.setattr(audit, "datetime", Stopped)
    return stopped.date()


def snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: two equal snapshots mean a row-for-row identical database."""
    tables = [r[0] for r in store.query(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'app' AND table_type = 'BASE TABLE' "
        "ORDER BY 1")]
    return {t: sorted(store.query(f'SELECT * FROM "{t}"'), key=repr) for t in tables}


def counts(store: Store) -> dict[str, int]:
    return store.row_counts()


@pytest.fixture(scope="session")
def ref_db_path(tmp_path_factory) -> Path:
    """Reference data only (regions, labs) plus the test accounts; copy it before writing."""
    path = tmp_path_factory.mktemp("ingest") / "ref.duckdb"
    store = init_database(path)
    add_accounts(store)
    store.close()
    return path


def new_location(kind: str, request, tmp_path: Path, name: str):
    """Where a new database goes: a file that does not exist, or an empty PostgreSQL database of the session's
    cluster (dropped after the test)."""
    if kind == "postgresql":
        cluster = request.getfixturevalue("postgres")
        location = cluster.create_database(name)
        request.addfinalizer(lambda: cluster.drop_database(location))
        return location
    return tmp_path / f"{name}.duckdb"


def writable_copy(store_kind: str, request, file: Path, pg_template: str, prefix: str, tmp_path: Path) -> Store:
    """A store on a private copy of a session database: the file copied, or (PostgreSQL) a database made from the
    session template; closed (and dropped) after the test."""
    if store_kind == "postgresql":
        store = Store(pg_copy(request, pg_template, prefix))
    else:
        path = tmp_path / f"{prefix}-copy.duckdb"
        shutil.copy(file, path)
        store = Store(path)
    request.addfinalizer(store.close)
    return store


@pytest.fixture
def ref_store(store_kind, request, ref_db_path, tmp_path) -> Store:
    return writable_copy(store_kind, request, ref_db_path, "ref_pg_template", "ref", tmp_path)


@pytest.fixture(scope="session")
def no_account_db_path(tmp_path_factory) -> Path:
    """Reference data only: no account, no demo (the account tests start from there)."""
    path = tmp_path_factory.mktemp("auth") / "ref.duckdb"
    init_database(path).close()
    return path


@pytest.fixture
def no_account_store(store_kind, request, no_account_db_path, tmp_path) -> Store:
    return writable_copy(store_kind, request, no_account_db_path, "auth_pg_template", "auth", tmp_path)


ACCOUNT_PASSWORD = "un mot de passe solide"


@pytest.fixture
def store(no_account_store) -> Store:
    """For the account tests (test_auth, test_sign_in_hardening): reference data only, no account, no demo."""
    return no_account_store


@pytest.fixture
def admin(store) -> Actor:
    """The first administrator of `store` (e-mail typed with capitals: accounts keep it in lower case)."""
    return accounts.bootstrap_admin(store, "Chef@DITP.gouv.fr", ACCOUNT_PASSWORD, display_name="Cheffe")


@pytest.fixture
def demo_store_rw(demo_copy) -> Store:
    """A writable copy of the demo database, with the test accounts."""
    store = Store(demo_copy)
    add_accounts(store)
    yield store
    store.close()


SESSIONS_HEADER = "id_session;date;intitule;format;duree_heures;participants_agents;participants_autres"


def verify_text(store: Store, text: str | bytes, kind: str = "sessions", name: str = "rapport.csv"):
    """Verify a report typed in the test (Windows-1252, as French Excel saves it) for siilab, T3 2021, as ADMIN."""
    from lit_analytics import ingest
    return ingest.verify(store, text.encode("cp1252") if isinstance(text, str) else text, name, kind=kind,
                         lab_id="siilab", quarter="2021-T3", actor=ADMIN)


def read(name: str, folder: str = "good") -> bytes:
    return (FILES / folder / name).read_bytes()


# --- a real Streamlit server and a real Chromium ---------------------------------------------------

_free_port = free_port   # the name the test modules import


class BackgroundService:
    """A program the tests start (a server), ready once `ready_url` answers 200, stopped by `stop()`."""

    def __init__(self, cmd: list[str], *, cwd: Path, env: dict, log_path: Path, ready_url: str, what: str,
                 timeout: float = 60, stderr_path: Path | None = None):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.stderr = open(stderr_path, "w") if stderr_path else None   # stderr apart from stdout (JSON logs)
        self.process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=self.log,
                                        stderr=self.stderr or subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(ready_url, timeout=2) as r:
                    if r.status == 200:
                        self.ready_body = r.read()
                        return
            except OSError:
                time.sleep(0.2)
            if self.process.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"{what} n'a pas démarré : " + log_path.read_text()
                           + (stderr_path.read_text() if stderr_path else ""))

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        if self.stderr:
            self.stderr.close()


class StreamlitServer(BackgroundService):
    """`streamlit run serve.py` (the app and its session-cookie routes, as scripts/run.sh) on a free port. Secrets come only from `secrets_file` (default: none, so a
    developer's own .streamlit/secrets.toml never changes what the tests see)."""

    def __init__(self, db_path: Path, extra_env: dict | None = None, port: int | None = None,
                 secrets_file: Path | None = None, stderr_path: Path | None = None):
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "LIT_DB": str(db_path), **(extra_env or {})}
        secrets = secrets_file or db_path.with_name("no-secrets.toml")
        super().__init__(
            [sys.executable, "-m", "streamlit", "run", str(REPO / "serve.py"), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
             "--secrets.files", str(secrets)],
            cwd=REPO, env=env, log_path=db_path.with_suffix(".server.log"), ready_url=self.url + "/_stcore/health",
            what="le serveur Streamlit", stderr_path=stderr_path)


@pytest.fixture
def streamlit_server(demo_file_copy):
    server = StreamlitServer(demo_file_copy)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2200}, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the page's script. The short pause first lets a rerun
    triggered by the last action start, so its end is what we wait for."""
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]') && "
        "document.querySelectorAll('[data-testid=\"stMetric\"], [data-testid=\"stMarkdown\"]').length > 0",
        timeout=timeout)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- helpers shared by page tests --------------------------------------------------------------

def _as_a_running_server() -> None:
    """Make AppTest run every page through app.py (its sign-in gate and navigation), as the server does.

    With a `pages/` folder next to app.py, Streamlit keeps its legacy multipage mode unless it is switched off
    (serve.py does it once before the first session: `streamlit_compat.route_every_page_through_app`). AppTest
    resets that flag before every run (a new PagesManager), so its runs would run `pages/*.py` directly, without
    app.py. Switch it off for every AppTest run, as a running server has it."""
    from streamlit.runtime.pages_manager import PagesManager

    from lit_analytics.ui.streamlit_compat import route_every_page_through_app
    original = PagesManager.__init__

    @functools.wraps(original)
    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        route_every_page_through_app()

    PagesManager.__init__ = init


_as_a_running_server()


def sign_in_app_test(at, actor: Actor) -> None:
    """Sign an AppTest in as `actor` the way a browser is once signed in with a password: a server-side session
    opened in the app's store (`lit_analytics.sessions`), its token held by the tab, as `ui.auth` keeps it once
    the cookie is set (AppTest cannot send cookies). Every run then resolves that session for real (expiry, the
    account re-read, a session ended elsewhere). `actor` becomes an account of the store when it is not one."""
    from lit_analytics import sessions, ui
    store = ui.get_store()   # the app's own Store for LIT_DB
    add_accounts(store, [actor])
    opened = sessions.open_session(store, actor, "password")
    now = datetime.now()
    at.session_state[ui.auth.ACTOR_KEY] = actor
    at.session_state[ui.auth.SESSION_KEY] = {"method": "password", "provider": None, "signed_in_at": now,
                                             "last_seen": now, "session_id": opened.session_id,
                                             "token": opened.token}


def make_app_test(db_path: Path, page: str | None = None, actor=None, timeout: float = 60):
    """An AppTest of the whole app on `db_path`, optionally signed in as `actor` (`sign_in_app_test`) and switched
    to `page` (a file under pages/, e.g. "pages/carte.py"). Call `.run()` on the result."""
    from streamlit.testing.v1 import AppTest
    os.environ["LIT_DB"] = str(db_path)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=timeout)
    if page is not None:
        # A first, signed-out run registers every page (the gate's hidden navigation), so switch_page finds
        # pages whose url_path differs from their file name (e.g. suivi_depots.py → /suivi-depots).
        at.run()
        at.switch_page(page)
    if actor is not None:
        sign_in_app_test(at, actor)
    return at


# The demonstration accounts that `init --demo` creates (see lit_analytics.accounts.DEMO_ACCOUNTS and the README).
DEMO_PASSWORD = "demo-lit-2016"
DEMO_LOGINS = {
    "admin": "demo-admin@lit.example",
    "analyste": "demo-analyste@lit.example",
    "porteur": "demo-porteur-archipel@lit.example",     # attached to the lab `archipel`
    "porteur-siilab": "demo-porteur-siilab@lit.example",  # attached to the lab `siilab`
}


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Fill the app's sign-in form (already on screen) and submit it."""
    form = page.locator("[data-testid='stForm']")
    form.get_by_label("Adresse e-mail").fill(email)
    form.get_by_label("Mot de passe").fill(password)
    form.get_by_role("button", name="Se connecter").click()


def open_app(page, server: "StreamlitServer", path: str = "", role: str | None = "admin") -> None:
    """Open the app in the browser at `path` (e.g. "carte?region=84"), signed in with the demo account of
    `role` ("admin", "analyste", "porteur" for Archipel, "porteur-siilab") when the app asks for a sign-in.
    The requested page and its query parameters stay in the URL and open once signed in."""
    page.goto(f"{server.url}/{path}")
    page.wait_for_selector("[data-testid='stApp']", timeout=30_000)
    signed_in = page.locator("[data-testid='stSidebar'] button:has-text('Se déconnecter')")
    sign_in_form = page.locator("[data-testid='stForm']:has-text('Mot de passe')")
    signed_in.or_(sign_in_form).first.wait_for(timeout=30_000)
    if role is not None and not signed_in.count():
        sign_in(page, DEMO_LOGINS[role])
        signed_in.wait_for(timeout=60_000)   # sign-in then a round trip through the cookie route
    wait_for_app(page)
