"""The command line: `python -m lit_analytics <command>`.

Every command takes `--db PATH` or `--db postgresql://…` (default: $LIT_DB, then data/lit.duckdb) and works while
the app runs on the same database. Errors are one French line on stderr and a non-zero exit code (1 for a refused
operation, 2 for bad usage), never a traceback.

This module holds the one argument set-up (`COMMANDS`, `build_parser`) and `main`; each family of commands has
its module, with the functions adding its arguments and running it: `database` (init, demo, info), `imports`
(import), `templates` (template), `reminders` (remind), `export`, `users`, `bench` (bench, bench-import,
bench-export, bench-load). The commands call the same functions as the pages; heavy modules are imported when a
command runs, so `--help` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass

from lit_analytics.cli import bench, database, export, imports, reminders, site, templates, users
from lit_analytics.cli.common import CliError

__all__ = ["COMMANDS", "CliError", "Command", "build_parser", "main"]


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _no_arguments(p: argparse.ArgumentParser) -> None:
    pass


COMMANDS = (
    Command("init", "construire la base à partir de data/ (référentiels, et démo avec --demo)",
            database.init_arguments, database.init),
    Command("demo", "construire une base avec des données de démonstration (--seed, --scale)",
            database.demo_arguments, database.demo),
    Command("info", "décrire le contenu d'une base (lignes par table, période, démo)", _no_arguments, database.info),
    Command("import", "vérifier et publier un rapport trimestriel (projets, sessions) ou le registre des financements",
            imports.arguments, imports.run),
    Command("template", "écrire le modèle d'un rapport trimestriel, vierge ou pré-rempli (--prefill)",
            templates.arguments, templates.run),
    Command("remind", "relancer par e-mail les porteurs dont un rapport est bientôt dû ou en retard",
            reminders.arguments, reminders.run),
    Command("export", "produire une note (PPTX, PDF) ou un classeur (XLSX) pour un périmètre",
            export.arguments, export.run),
    Command("publish-site", "construire et publier le site public statique (données publiées, DSFR, données ouvertes)",
            site.arguments, site.run),
    Command("users", "gérer les comptes (add, list, disable, enable, unlock, password)", users.arguments, users.run),
    Command("bench", "mesurer le temps de calcul de chaque page du tableau de bord (démo et ×100)",
            bench.pages_arguments, bench.run_pages),
    Command("bench-import", "mesurer la vérification d'un fichier de 100 000 sessions (et Frictionless)",
            bench.imports_arguments, bench.run_imports),
    Command("bench-export", "mesurer la durée des exports (images, diaporama, classeur)",
            bench.exports_arguments, bench.run_exports),
    Command("bench-load", "mesurer la latence des pages sous N sessions simultanées (1 processus, 2 répliques, grand jeu)",
            bench.load_arguments, bench.run_load),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lit_analytics",
                                     description="Suivi des laboratoires d'innovation territoriale (LIT).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="commande")
    for command in COMMANDS:
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        p.add_argument("--db", default=None, help="fichier DuckDB ou URL postgresql://utilisateur:mot-de-passe@hôte:port/"
                                                  "base (défaut : $LIT_DB, puis data/lit.duckdb)")
        command.arguments(p)
        p.set_defaults(handler=command.run)
    return parser


def _os_user() -> str:
    import getpass
    try:
        return getpass.getuser()
    except Exception:   # no user name in the environment (container without passwd entry)
        import os
        return f"uid {os.getuid()}"


def main(argv: list[str] | None = None) -> int:
    from lit_analytics.audit import set_os_user
    from lit_analytics.store import StoreError
    parser = build_parser()
    args = parser.parse_args(argv)
    set_os_user(_os_user())   # every write of a command is audited with who typed it, beside --user
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
