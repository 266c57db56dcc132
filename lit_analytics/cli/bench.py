"""`bench`, `bench-import`, `bench-export`, `bench-load`: the arguments of the benchmarks (`lit_analytics.bench`),
which write their section of docs/benchmarks.md."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from lit_analytics.cli.common import positive_int


def _output_argument(p: argparse.ArgumentParser) -> None:
    from lit_analytics.bench import BENCHMARKS_FILE
    p.add_argument("--output", default=str(BENCHMARKS_FILE), help="fichier de résultats (défaut docs/benchmarks.md)")


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
    p.add_argument("--sessions", default="1,5,20", help="nombres de sessions simultanées (défaut 1,5,20)")
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

    from lit_analytics.bench import pages, write_section
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="lit-bench-"))
    result = pages.run(workdir, runs=max(1, args.runs), large_scale=args.scale, reuse=args.reuse)
    write_section(Path(args.output), pages.render(result))
    print(f"Résultats écrits dans {args.output}")
    return 0


def run_imports(args: argparse.Namespace) -> int:
    from lit_analytics.bench import imports, write_section
    section = imports.render(imports.run(args.rows, args.repeat, not args.no_frictionless))
    write_section(Path(args.output), section)
    print(section)
    hostile = imports.hostile_section()   # the hostile uploads of lit_analytics/ingest/hostile.py (issue 10)
    write_section(Path(args.output), hostile)
    print(hostile)
    return 0


def run_exports(args: argparse.Namespace) -> int:
    from lit_analytics.bench import exports, write_section
    section = exports.render(exports.run(args.runs))
    write_section(Path(args.output), section)
    print(section)
    return 0


def run_load(args: argparse.Namespace) -> int:
    from lit_analytics.bench import load, write_section
    from lit_analytics.cli.common import CliError

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
    result = load.run(workdir, counts, args.rounds, setups, scale=args.scale, scale_counts=scale_counts)
    write_section(Path(args.output), load.render(result))
    print(f"Résultats écrits dans {args.output}")
    return 0 if not load.errors_of(result) else 1
