"""The command line, as a user runs it: one clear French line and an exit code on errors."""

import subprocess
import sys

from conftest import REPO


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "lit_analytics", *args], cwd=REPO, capture_output=True,
                          text=True, env=env, timeout=120)


def test_init_demo_then_info(tmp_path):
    db = tmp_path / "cli.duckdb"
    built = run("init", "--db", str(db), "--demo", "--until", "T4 2021")
    assert built.returncode == 0, built.stderr
    info = run("info", "--db", str(db))
    assert info.returncode == 0
    assert "Période des données : T1 2017 – T4 2021" in info.stdout
    assert "Données de démonstration : oui" in info.stdout
    assert "regions" in info.stdout and "training_sessions" in info.stdout


def test_init_refuses_to_overwrite_without_force(tmp_path):
    db = tmp_path / "cli.duckdb"
    assert run("init", "--db", str(db)).returncode == 0
    again = run("init", "--db", str(db))
    assert again.returncode == 1
    assert again.stderr.strip().count("\n") == 0 and "--force" in again.stderr
    assert "Traceback" not in again.stderr
    assert run("init", "--db", str(db), "--force").returncode == 0


def test_info_on_a_missing_database_is_one_french_line(tmp_path):
    result = run("info", "--db", str(tmp_path / "absente.duckdb"))
    assert result.returncode == 1
    assert result.stderr.startswith("Erreur : Base de données introuvable")
    assert "Traceback" not in result.stderr


def test_lit_db_environment_variable_is_used(tmp_path):
    import os
    db = tmp_path / "env.duckdb"
    env = {**os.environ, "LIT_DB": str(db)}
    assert run("init", env=env).returncode == 0
    assert db.exists()


def test_bad_usage_exits_2(tmp_path):
    assert run("init", "--db", str(tmp_path / "x.duckdb"), "--scale", "zéro").returncode == 2
    assert run("init", "--db", str(tmp_path / "x.duckdb"), "--until", "2021-T9").returncode == 2


# --- the benchmark commands need the development tools (devtools/, requirements-dev.txt) ------------------

BLOCK_MODULES = """
import runpy, sys
class Missing:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Missing())
sys.argv = ["lit_analytics", *ARGS]
runpy.run_module("lit_analytics", run_name="__main__")
"""


def run_without(blocked: set[str], *args, cwd=REPO):
    code = f"BLOCKED = {blocked!r}\nARGS = {list(args)!r}\n" + BLOCK_MODULES
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_a_benchmark_without_the_development_tools_says_in_french_what_to_install(tmp_path):
    for blocked, args in (({"devtools"}, ["bench-load", "--setups", "empty"]),
                          ({"frictionless"}, ["bench-import", "--rows", "10", "--repeat", "1",
                                              "--output", str(tmp_path / "bench.md")])):
        result = run_without(blocked, *args)
        assert result.returncode == 1, result
        assert result.stderr.strip().count("\n") == 0, result.stderr
        assert result.stderr.startswith("Erreur : les mesures demandent les outils de développement"), result.stderr
        assert f"module introuvable : {next(iter(blocked))}" in result.stderr
        assert "« ./scripts/setup.sh --tests »" in result.stderr and "Traceback" not in result.stderr
        assert not (tmp_path / "bench.md").exists()


def test_a_benchmark_finds_the_development_tools_from_another_directory(tmp_path):
    """`devtools/` sits at the repository root, beside `lit_analytics/`: found from any current directory."""
    (tmp_path / "lit_analytics").symlink_to(REPO / "lit_analytics")    # the package alone on the path, not devtools
    result = subprocess.run([sys.executable, "-m", "lit_analytics", "bench-load", "--setups", "aucune"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip() == "Erreur : --setups : parmi empty, embedded, replicas, scale."   # devtools imported
