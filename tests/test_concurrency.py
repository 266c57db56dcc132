"""Several writers at once, on both stores (the embedded file and PostgreSQL): command-line processes and the
page's publish function in threads, on different labs, while readers query the dashboard; and two publications
of the same report, of which exactly one lands and the other is told why in French."""

import os
import subprocess
import sys
import threading
from datetime import date

from conftest import REPO
from conftest import ADMIN
from lit_analytics import indicators, ingest
from lit_analytics.filters import Filters

QUARTER = "2021-T3"


def sessions_csv(prefix: str, rows: int = 4) -> bytes:
    lines = ["id_session;date;intitule;format;duree_heures;participants_agents;participants_autres"]
    lines += [f"{prefix}-{n};{n + 4:02d}/07/2021;Atelier {prefix} {n};atelier;2;{n};" for n in range(1, rows + 1)]
    return ("\n".join(lines) + "\n").encode()


def test_five_publishers_on_different_labs_and_readers_at_once(ref_store, tmp_path):
    labs = [lab for (lab,) in ref_store.query(
        "SELECT lab_id FROM labs WHERE opened_on <= DATE '2021-07-01' AND (closed_on IS NULL OR closed_on > "
        "DATE '2021-09-30') ORDER BY lab_id LIMIT 5")]
    assert len(labs) == 5
    location = str(ref_store.location)
    ref_store.lock_timeout = 120
    errors, results = [], {}
    start = threading.Barrier(3 + 2)

    def cli_publisher(lab):
        f = tmp_path / f"{lab}.csv"
        f.write_bytes(sessions_csv(lab.upper()))
        start.wait(60)
        done = subprocess.run([sys.executable, "-m", "lit_analytics", "import", "--db", location, "--user", ADMIN.email,
                               "--lab", lab, "--quarter", QUARTER, "--kind", "sessions", str(f)],
                              cwd=REPO, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "LIT_LOCK_TIMEOUT": "120"})   # a loaded CI machine is slow
        results[lab] = (done.returncode, done.stdout + done.stderr)

    def page_publisher(lab):
        start.wait(60)
        try:
            result = ingest.publish(ref_store, sessions_csv(lab.upper()), f"{lab}.csv", kind="sessions", lab_id=lab,
                                    quarter=QUARTER, actor=ADMIN)
            results[lab] = (0 if result.outcome == ingest.PUBLISHED else 1, result.message())
        except Exception as exc:   # noqa: BLE001 - any error fails the test below
            errors.append(repr(exc))

    stop = threading.Event()

    def reader():
        try:
            while not stop.is_set():
                indicators.headline(ref_store, Filters(), date.today())
                indicators.sessions_by_quarter(ref_store, Filters())
                ref_store.query_df("SELECT lab_id, count(*) FROM current_training_sessions GROUP BY 1")
                ref_store.data_version()
        except Exception as exc:   # noqa: BLE001
            errors.append(repr(exc))

    threads = ([threading.Thread(target=cli_publisher, args=(lab,)) for lab in labs[:3]]
               + [threading.Thread(target=page_publisher, args=(lab,)) for lab in labs[3:]])
    readers = [threading.Thread(target=reader) for _ in range(2)]
    for t in readers + threads:
        t.start()
    for t in threads:
        t.join(300)
    stop.set()
    for t in readers:
        t.join(30)

    assert errors == []
    assert {lab: code for lab, (code, _) in results.items()} == {lab: 0 for lab in labs}, \
        [message[-400:] for code, message in results.values() if code]
    rows = ref_store.query("SELECT lab_id, count(*) FILTER (WHERE is_current), count(*) FROM report_versions "
                           "WHERE kind = 'sessions' AND quarter = ? GROUP BY 1 ORDER BY 1", [QUARTER])
    assert rows == [(lab, 1, 1) for lab in labs]
    assert ref_store.scalar("SELECT count(*) FROM imports WHERE origin = 'upload' AND outcome = 'publié'") == 5
    assert ref_store.scalar("SELECT count(*) FROM current_training_sessions") == 5 * 4
    assert ref_store.scalar("SELECT count(DISTINCT version_id) FROM report_versions") == 5


def test_two_publications_of_the_same_report_one_lands_the_other_is_told_in_french(ref_store):
    first, second = sessions_csv("UN"), sessions_csv("DEUX", rows=3)
    seen = {}
    for name, data in (("un", first), ("deux", second)):
        report = ingest.verify(ref_store, data, f"{name}.csv", kind="sessions", lab_id="siilab", quarter=QUARTER)
        seen[name] = report.current_version_id            # what each user reviewed: no version yet
    go = threading.Barrier(2)
    results = {}

    def publisher(name, data):
        go.wait(30)
        results[name] = ingest.publish(ref_store, data, f"{name}.csv", kind="sessions", lab_id="siilab",
                                       quarter=QUARTER, actor=ADMIN, expected_version_id=seen[name])

    threads = [threading.Thread(target=publisher, args=item) for item in (("un", first), ("deux", second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    outcomes = sorted(r.outcome for r in results.values())
    assert outcomes == [ingest.CONFLICT, ingest.PUBLISHED]
    winner = next(r for r in results.values() if r.outcome == ingest.PUBLISHED)
    loser = next(r for r in results.values() if r.outcome == ingest.CONFLICT)
    assert loser.message() == (
        f"Refusé : sessions siilab T3 2021 a été publié par ailleurs (version n° {winner.version_id}) depuis la "
        "vérification de ce fichier ; rien n'a été publié. Vérifiez à nouveau le fichier avant de le publier.")
    assert ref_store.query("SELECT count(*) FILTER (WHERE is_current), count(*) FROM report_versions "
                           "WHERE lab_id = 'siilab' AND quarter = ?", [QUARTER]) == [(1, 1)]
    assert sorted(ref_store.query("SELECT outcome FROM imports WHERE origin = 'upload'")) == [("conflit",), ("publié",)]
    assert ref_store.scalar("SELECT count(*) FROM audit_log WHERE action = 'dépôt' AND outcome = 'échec' "
                            "AND detail LIKE '%conflit%'") == 1


def test_thirty_sign_ins_land_at_once_right_after_another_process_wrote(store, admin, tmp_path):
    """Pages are being read (read transactions on the snapshot), another process writes (a command unlocks an
    account), then thirty people sign in at the same moment, each on their own account: every sign-in lands. (The
    snapshot once kept the file attached while a page run read, and the next write's ATTACH failed with « Unique
    file handle conflict ».)"""
    from lit_analytics import accounts, auth

    password = "un mot de passe solide"
    emails = [f"agent{n:02d}@lab.example" for n in range(30)]
    hashed = accounts.hash_password(password)          # thirty accounts in one write (the set-up, not the test)
    with store.transaction(writes="users") as cur:
        cur.executemany("INSERT INTO users (email, role, password_hash, disabled, is_demo, failed_attempts, "
                        "created_at, created_by) VALUES (?, 'analyste', ?, false, false, 0, now(), 'test')",
                        [[email, hashed] for email in emails])
    store.lock_timeout = 120
    reading, stop = threading.Barrier(4), threading.Event()

    def page_runs():
        reading.wait(60)
        while not stop.is_set():
            with store.one_view():
                store.query("SELECT count(*) FROM labs")

    readers = [threading.Thread(target=page_runs) for _ in range(3)]
    for r in readers:
        r.start()
    reading.wait(60)
    other = subprocess.run([sys.executable, "-m", "lit_analytics", "users", "unlock", "--db", str(store.location),
                            "--user", admin.email, "--email", emails[0]],
                           cwd=REPO, capture_output=True, text=True, timeout=300, env=os.environ)
    assert other.returncode == 0, other.stderr
    start, results, errors = threading.Barrier(30), {}, []

    def sign_in(email):
        start.wait(60)
        try:
            with store.one_view():
                results[email] = auth.authenticate(store, email, password, client="198.51.100.7").actor
        except Exception as exc:   # noqa: BLE001 - any failure is what the test reports
            errors.append(f"{email}: {exc!r}")

    threads = [threading.Thread(target=sign_in, args=(email,)) for email in emails]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    stop.set()
    for r in readers:
        r.join(60)
    assert errors == []
    assert sorted(email for email, actor in results.items() if actor is not None) == emails
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'connexion' AND outcome = 'succès'") == 30
