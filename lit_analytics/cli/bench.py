"""`bench`, `bench-import`, `bench-export`, `bench-load`, `bench-writes`: the arguments of the benchmarks, which
write their section of docs/benchmarks.md.

The benchmarks are developer tooling (`devtools.bench`, at the repository root, outside the runtime package): they
are imported only when one of these commands runs, from `config.REPO_ROOT` whatever the current directory, and
need the development requirements. Without them the command prints one French line saying what to install and
exits with code 1 (`DEV_TOOLS_MISSING`)."""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lit_analytics import config
from lit_analytics.cli.common import CliError, positive_int

DEV_TOOLS_MISSING = ("les mesures demandent les outils de développement (devtools/, requirements-dev.txt) ; "
                     "module introuvable : {module}. Installez-les avec « ./scripts/setup.sh --tests ».")


@contextmanager
def _dev_requirements() -> Iterator[None]:
    """A module of the development requirements missing (devtools itself, frictionless, websockets…): the
    French line of `DEV_TOOLS_MISSING` instead of a traceback."""
    try:
        yield
    except ModuleNotFoundError as exc:
        raise CliError(DEV_TOOLS_MISSING.format(module=exc.name or exc)) from None


def _devtools(module: str):
    """`devtools.<module>`, imported from the repository root (the command may run from any directory)."""
    root = str(config.REPO_ROOT)
    if root not in sys.path:
        sys.path.insert(0, root)
    with _dev_requirements():
        package = importlib.import_module("devtools")
        if Path(package.__file__).resolve().parent != config.REPO_ROOT / "devtools":
            # another distribution's `devtools` was found first: ours is missing
            raise ModuleNotFoundError("devtools n'est pas celui de ce dépôt", name="devtools")
        return importlib.import_module(f"devtools.{module}")


def _output_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output", default=None, help="fichier de résultats (défaut docs/benchmarks.md)")


def _output(args: argparse.Namespace, bench) -> Path:
    return Path(args.output) if args.output else bench.BENCHMARKS_FILE


def pages_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--runs", type=int, default=5, help="exécutions à chaud par page (défaut 5)")
    p.add_argument("--scale", type=int, default=100, help="volume du grand jeu de données (défaut 100)")
    p.add_argument("--workdir", default=None, help="dossier des bases de mesure (défaut : dossier temporaire)")
    p.add_argument("--reuse", action="store_true", help="réutiliser les bases de mesure déjà construites")
    _output_argument(p)


def imports_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rows", type=positive_int, default=100_000, help="lignes du fichier (défaut 100 000)")
    p.add_argument("--repeat", type=positive_int, default=3, help="nombre de mesures (défaut 3)")
    p.add_argument("--no-frictionless", action="store_true", help="ne pas mesurer Frictionless")
    _output_argument(p)


def exports_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--runs", type=int, default=5, help="exports à chaud par format (défaut 5)")
    _output_argument(p)


def load_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sessions", default="1,20,50", help="nombres de sessions simultanées (défaut 1,20,50)")
    p.add_argument("--rounds", type=positive_int, default=2, help="tours des cinq pages par session (défaut 2)")
    p.add_argument("--setups", default="empty,embedded,replicas,scale",
                   help="configurations mesurées parmi empty, embedded, replicas, scale (défaut : les quatre ; "
                        "scale compare le fichier et PostgreSQL, un processus chacun, sur le grand jeu de données)")
    p.add_argument("--scale", type=positive_int, default=100,
                   help="volume du grand jeu de données de la configuration scale (défaut 100)")
    p.add_argument("--scale-sessions", default="1,5",
                   help="nombres de sessions simultanées de la configuration scale (défaut 1,5)")
    p.add_argument("--workdir", default=None, help="dossier de travail (défaut : dossier temporaire)")
    _output_argument(p)


def run_pages(args: argparse.Namespace) -> int:
    import logging

    bench, pages = _devtools("bench"), _devtools("bench.pages")
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="lit-bench-"))
    with _dev_requirements():
        result = pages.run(workdir, runs=max(1, args.runs), large_scale=args.scale, reuse=args.reuse)
    output = _output(args, bench)
    bench.write_section(output, pages.render(result))
    print(f"Résultats écrits dans {output}")
    return 0


def run_imports(args: argparse.Namespace) -> int:
    bench, imports = _devtools("bench"), _devtools("bench.imports")
    output = _output(args, bench)
    with _dev_requirements():
        section = imports.render(imports.run(args.rows, args.repeat, not args.no_frictionless))
    bench.write_section(output, section)
    print(section)
    with _dev_requirements():
        hostile = imports.hostile_section()   # the hostile uploads of devtools/hostile_files.py (issue 10)
    bench.write_section(output, hostile)
    print(hostile)
    return 0


def _measure_section(module: str, args: argparse.Namespace, *measure_args) -> int:
    """Run `devtools.bench.<module>` (`run(*measure_args)`), write its section of the benchmarks file, print it."""
    bench, measure = _devtools("bench"), _devtools(f"bench.{module}")
    with _dev_requirements():
        section = measure.render(measure.run(*measure_args))
    bench.write_section(_output(args, bench), section)
    print(section)
    return 0


def run_exports(args: argparse.Namespace) -> int:
    return _measure_section("exports", args, args.runs)


def subscriptions_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--labs", type=positive_int, default=16, help="laboratoires abonnés (défaut 16)")
    p.add_argument("--regions", type=positive_int, default=18, help="régions abonnées (défaut 18)")
    _output_argument(p)


def run_subscriptions(args: argparse.Namespace) -> int:
    return _measure_section("subscriptions", args, args.labs, args.regions)


def writes_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--repeat", type=positive_int, default=7, help="mesures par taille du journal (défaut 7)")
    _output_argument(p)


def run_writes(args: argparse.Namespace) -> int:
    return _measure_section("writes", args, args.repeat)


def run_load(args: argparse.Namespace) -> int:
    bench, load = _devtools("bench"), _devtools("bench.load")

    def session_counts(option: str, text: str) -> tuple[int, ...]:
        try:
            counts = tuple(int(x) for x in text.split(",") if x.strip())
        except ValueError:
            raise CliError(f"{option} attend des entiers séparés par des virgules, reçu « {text} ».") from None
        if not counts or min(counts) < 1:
            raise CliError(f"{option} : entiers positifs séparés par des virgules.")
        return counts

    counts = session_counts("--sessions", args.sessions)
    scale_counts = session_counts("--scale-sessions", args.scale_sessions)
    setups = tuple(s.strip() for s in args.setups.split(",") if s.strip())
    if set(setups) - {"empty", "embedded", "replicas", "scale"} or not setups:
        raise CliError("--setups : parmi empty, embedded, replicas, scale.")
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="lit-bench-load-"))
    with _dev_requirements():
        result = load.run(workdir, counts, args.rounds, setups, scale=args.scale, scale_counts=scale_counts)
    output = _output(args, bench)
    bench.write_section(output, load.render(result))
    print(f"Résultats écrits dans {output}")
    return 0 if not load.errors_of(result) else 1
