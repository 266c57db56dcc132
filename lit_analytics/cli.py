"""The command line: `python -m lit_analytics <command>`.

Every command takes `--db PATH` (default: $LIT_DB, then data/lit.duckdb). Errors are one French line on
stderr and a non-zero exit code (1 for a refused operation, 2 for bad usage), never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from lit_analytics import config
from lit_analytics.formats import fmt_int, fmt_quarter, parse_quarter

# Each command: name -> (help, function adding its arguments, handler(args) -> exit code).
Command = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
COMMANDS: dict[str, Command] = {}


def command(name: str, help_text: str, arguments: Callable[[argparse.ArgumentParser], None]):
    def register(handler: Callable[[argparse.Namespace], int]):
        COMMANDS[name] = (help_text, arguments, handler)
        return handler
    return register


class CliError(Exception):
    """A refused operation: its message (French) is printed as one line, exit code 1."""


def _quarter_arg(text: str) -> str:
    try:
        return parse_quarter(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"entier positif attendu, reçu « {text} »")
    return value


# --- init / demo / info ------------------------------------------------------------------------

def _init_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--demo", action="store_true", help="ajouter les données d'activité de démonstration")
    p.add_argument("--force", action="store_true", help="reconstruire la base si elle existe")
    p.add_argument("--seed", type=int, default=42, help="graine du générateur de démonstration (défaut 42)")
    p.add_argument("--scale", type=_positive_int, default=1, help="multiplicateur de volume (défaut 1)")
    p.add_argument("--until", type=_quarter_arg, default=None,
                   help="dernier trimestre généré (défaut : dernier trimestre complet)")


@command("init", "construire la base à partir de data/ (référentiels, et démo avec --demo)", _init_args)
def _cmd_init(args: argparse.Namespace) -> int:
    from lit_analytics.bootstrap import describe, init_database
    path = config.db_path(args.db)
    store = init_database(path, demo=args.demo, force=args.force, seed=args.seed, scale=args.scale,
                          until=args.until)
    with store:
        _print_summary(describe(store))
    return 0


def _demo_args(p: argparse.ArgumentParser) -> None:
    _init_args(p)
    p.set_defaults(demo=True)


@command("demo", "construire une base avec des données de démonstration (--seed, --scale)", _demo_args)
def _cmd_demo(args: argparse.Namespace) -> int:
    args.demo = True
    return _cmd_init(args)


@command("info", "décrire le contenu d'une base (lignes par table, période, démo)", lambda p: None)
def _cmd_info(args: argparse.Namespace) -> int:
    from lit_analytics.bootstrap import describe
    from lit_analytics.store import Store
    path = config.db_path(args.db)
    if not path.exists():
        raise CliError(f"Base de données introuvable : {path} (créez-la avec « python -m lit_analytics init »).")
    with Store(path, read_only=True) as store:
        _print_summary(describe(store))
    return 0


def _print_summary(summary) -> None:
    print(f"Base : {summary.path}")
    print(f"Version du schéma : {summary.schema_version}")
    period = (f"{fmt_quarter(summary.first_quarter)} – {fmt_quarter(summary.last_quarter)}"
              if summary.first_quarter else "aucune donnée d'activité")
    print(f"Période des données : {period}")
    print(f"Laboratoires : {fmt_int(summary.labs_total)} (dont {fmt_int(summary.labs_active)} actifs)")
    demo = "non"
    if summary.demo:
        params = dict(item.split("=", 1) for item in (summary.demo_params or "").split(";") if "=" in item)
        demo = "oui"
        if params:
            demo += (f" (graine {params.get('seed', '?')}, échelle ×{params.get('scale', '?')}, "
                     f"jusqu'au {fmt_quarter(params.get('until', ''))})")
    print(f"Données de démonstration : {demo}")
    print("Lignes par table :")
    width = max(len(t) for t in summary.row_counts)
    for table, count in summary.row_counts.items():
        print(f"  {table.ljust(width)}  {fmt_int(count).rjust(10)}")


# --- entry point -------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    _load_command_modules()
    parser = argparse.ArgumentParser(prog="python -m lit_analytics",
                                     description="Suivi des laboratoires d'innovation territoriale (LIT).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="commande")
    for name, (help_text, arguments, handler) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--db", default=None, help="fichier DuckDB ou URL postgresql://utilisateur:mot-de-passe@hôte:port/base "
                                                  "(défaut : $LIT_DB, puis data/lit.duckdb)")
        arguments(p)
        p.set_defaults(handler=handler)
    return parser


def _load_command_modules() -> None:
    """Feature modules register their own commands when imported (import, export, users, benches)."""
    import importlib
    for module in ("lit_analytics.ingest.cli", "lit_analytics.export_cli", "lit_analytics.auth_cli",
                   "lit_analytics.bench", "lit_analytics.ingest.bench", "lit_analytics.export.bench",
                   "lit_analytics.bench_load"):
        importlib.import_module(module)


def main(argv: list[str] | None = None) -> int:
    from lit_analytics.store import StoreError
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (CliError, StoreError, ValueError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
    except Exception as exc:  # last resort: one line, never a traceback
        print(f"Erreur inattendue ({exc.__class__.__name__}) : {exc}", file=sys.stderr)
        return 1
