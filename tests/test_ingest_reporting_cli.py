"""The reporting-status grid, the `import` command (exit codes, French report) and the benchmark command."""

import subprocess
import sys
from datetime import date

from conftest import ADMIN, PORTEUR, REPO, read
from lit_analytics import ingest
from devtools.bench import imports as bench_import
from devtools.bench import write_section
from lit_analytics.ingest import reporting

V1 = ("id_session;date;intitule;format;duree_heures;participants_agents;participants_autres\n"
      "S-01;05/07/2021;Atelier;atelier;2;8;\n").encode()


# --- reporting status ---------------------------------------------------------------------------------

def test_status_received_late_expected(ref_store):
    ingest.publish(ref_store, V1, "r.csv", kind="sessions", lab_id="siilab", quarter="2021-T3", actor=ADMIN)
    today = date(2021, 10, 20)   # T3 2021 ended 20 days ago: not late yet; T2 2021 is late
    status = reporting.reporting_status(ref_store, today=today, first_quarter="2021-T2", last_quarter="2021-T4")
    siilab = status[status.lab_id == "siilab"].set_index(["quarter", "kind"])["status"].to_dict()
    assert siilab == {("2021-T2", "projets"): "en retard", ("2021-T2", "sessions"): "en retard",
                      ("2021-T3", "projets"): "attendu", ("2021-T3", "sessions"): "reçu",
                      ("2021-T4", "projets"): "attendu", ("2021-T4", "sessions"): "attendu"}
    # labs closed before the period, or opened after it, have no cells: InSo Lab 83 closed end 2019
    assert "inso-lab-83" not in set(status.lab_id)
    # Lab'EST opened 19/11/2021: only T4 2021
    assert set(status[status.lab_id == "lab-est"].quarter) == {"2021-T4"}
    assert reporting.status_of("2021-T3", False, date(2021, 10, 30)) == "attendu"
    assert reporting.status_of("2021-T3", False, date(2021, 10, 31)) == "en retard"


def test_grid_reads_without_colour(ref_store):
    ingest.publish(ref_store, V1, "r.csv", kind="sessions", lab_id="siilab", quarter="2021-T3", actor=ADMIN)
    status = reporting.reporting_status(ref_store, today=date(2022, 1, 15), first_quarter="2021-T3",
                                        last_quarter="2021-T4")
    grid = reporting.reporting_grid(status)
    assert list(grid.columns) == ["T3 2021", "T4 2021"]
    assert grid.loc["Siilab"].to_dict() == {"T3 2021": "◐ partiel", "T4 2021": "… attendu"}
    assert grid.loc["Archipel"].to_dict() == {"T3 2021": "✖ en retard", "T4 2021": "… attendu"}
    assert grid.loc["Lab'EST", "T3 2021"] == ""     # not open yet
    sessions_only = reporting.reporting_grid(status[status.kind == "sessions"])
    assert sessions_only.loc["Siilab", "T3 2021"] == "✔ reçu"
    late = reporting.late_reports(status)
    assert ("Archipel", "T3 2021", "projets") in set(late.itertuples(index=False, name=None))


# --- the import command -----------------------------------------------------------------------------

def run(*args):
    return subprocess.run([sys.executable, "-m", "lit_analytics", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


def db_of(store):
    path = str(store.path)
    store.close()
    return path


def test_cli_publishes_then_reports_already_published(ref_store, tmp_path):
    db = db_of(ref_store)
    f = tmp_path / "sessions.csv"
    f.write_bytes(V1)
    args = ("import", "--db", db, "--user", PORTEUR.email.upper(), "--lab", "siilab", "--quarter", "T3 2021",
            "--kind", "sessions", str(f))
    first = run(*args)
    assert first.returncode == 0, first.stderr
    assert "Publié : sessions siilab T3 2021, version n° 1 (1 ligne(s))." in first.stdout
    again = run(*args)
    assert again.returncode == 0 and "Déjà publié" in again.stdout


def test_cli_rejects_a_bad_file_with_the_french_report_on_stdout(ref_store, tmp_path):
    db = db_of(ref_store)
    f = tmp_path / "bad.csv"
    f.write_bytes(read("outside_quarter.csv", "bad"))
    done = run("import", "--db", db, "--user", ADMIN.email, "--lab", "siilab", "--quarter", "2021Q3",
               "--kind", "sessions", str(f))
    assert done.returncode == 1
    assert "Ligne 3, colonne « date » : Le 01/10/2021 est hors du trimestre déposé (T3 2021)" in done.stdout
    assert "Rejeté : 1 erreur(s), rien n'a été publié." in done.stdout


def test_cli_dry_run_writes_nothing(ref_store, tmp_path):
    path = ref_store.path
    db = db_of(ref_store)
    f = tmp_path / "s.csv"
    f.write_bytes(V1)
    done = run("import", "--db", db, "--user", ADMIN.email, "--lab", "siilab", "--quarter", "2021-T3",
               "--kind", "sessions", "--dry-run", str(f))
    assert done.returncode == 0 and "rien n'a été écrit" in done.stdout
    from lit_analytics.store import Store
    with Store(path, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM imports") == 0


def test_cli_usage_and_refusals(ref_store, tmp_path):
    db = db_of(ref_store)
    f = tmp_path / "s.csv"
    f.write_bytes(V1)
    base = ("import", "--db", db, "--user", ADMIN.email)
    assert run(*base, "--kind", "sessions", str(f)).returncode == 2                      # no --lab/--quarter
    assert run(*base, "--kind", "financements", "--lab", "siilab", str(f)).returncode == 2
    assert run(*base, "--kind", "sessions", "--lab", "siilab", "--quarter", "T5 2021", str(f)).returncode == 2
    assert run(*base, "--kind", "sessions", "--lab", "siilab", "--quarter", "T3 2021",
               str(tmp_path / "absent.csv")).returncode == 2
    unknown = run("import", "--db", db, "--user", "inconnu@nulle.part", "--lab", "siilab", "--quarter", "T3 2021",
                  "--kind", "sessions", str(f))
    assert unknown.returncode == 1 and "Compte inconnu ou désactivé" in unknown.stderr
    refused = run("import", "--db", db, "--user", PORTEUR.email, "--lab", "archipel", "--quarter", "T3 2021",
                  "--kind", "sessions", str(f))
    assert refused.returncode == 1 and "rattaché" in refused.stderr
    assert refused.stderr.count("\n") == 1


# --- benchmark command (not timed: checks that it measures and writes its section only) -------------------

def test_bench_writes_its_section_and_keeps_the_others(tmp_path):
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\n## Tableau de bord\n\nautre mesure\n\n"
                   "## Import des rapports trimestriels\n\nancienne mesure\n", encoding="utf-8")
    result = bench_import.run(rows=500, repeat=1, with_frictionless=True)
    assert result["rows"] == 500 and result["frictionless_valid"] is True and result["frictionless_rows"] == 500
    write_section(out, bench_import.render(result))
    text = out.read_text(encoding="utf-8")
    assert "## Tableau de bord\n\nautre mesure" in text
    assert "ancienne mesure" not in text and text.count("## Import des rapports trimestriels") == 1
    assert "Ratio: Frictionless takes" in text


def test_generated_benchmark_file_is_valid_french_csv(ref_store):
    data = bench_import.generate_sessions_csv(50)
    report = ingest.verify(ref_store, data, "b.csv", kind="sessions", lab_id="siilab", quarter="2021-T3")
    assert report.ok and report.row_count == 50 and report.file_description.endswith("point-virgule")
