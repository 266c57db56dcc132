"""The command line: `python -m lit_analytics <command>`.

Every command takes `--db PATH` or `--db postgresql://…` (default: $LIT_DB, then data/lit.duckdb) and works while
the app runs on the same database. Errors are one French line on stderr and a non-zero exit code (1 for a refused
operation, 2 for bad usage), never a traceback.

This module holds the one argument set-up (`COMMANDS`, `build_parser`) and `main`; each family of commands has
its module, with the functions adding its arguments and running it: `database` (init, demo, info), `imports`
(import), `templates` (template), `reminders` (remind), `subscriptions` (subscriptions, send-subscriptions),
`export`, `users`, `registry` (labs, cohorts, funding-sources, sources, reference), `events` (events, alerts),
`backup` (backup, restore), `bench` (bench, bench-import, bench-export, bench-load, bench-subscriptions,
bench-writes). The commands call the same functions as the pages; heavy modules are imported when a
command runs, so `--help` stays quick.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass

from lit_analytics.cli import backup, bench, database, events, export, imports, registry, reminders, site, templates
from lit_analytics.cli import subscriptions, users
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
    Command("subscriptions", "gérer les abonnements aux notes de synthèse par e-mail (list, add, remove)",
            subscriptions.arguments, subscriptions.run),
    Command("send-subscriptions", "envoyer par e-mail les notes de synthèse des abonnements dus (PDF ou PPTX)",
            subscriptions.send_arguments, subscriptions.send),
    Command("export", "produire une note (PPTX, PDF) ou un classeur (XLSX) pour un périmètre",
            export.arguments, export.run),
    Command("publish-site", "construire et publier le site public statique (données publiées, DSFR, données ouvertes)",
            site.arguments, site.run),
    Command("users", "gérer les comptes (add, list, disable, enable, unlock, password)", users.arguments, users.run),
    Command("labs", "référentiel : lister, ajouter, corriger, fermer, rouvrir un laboratoire (list, add, edit, close, "
            "reopen, history)", registry.labs_arguments, registry.run_labs),
    Command("cohorts", "référentiel : lister ou ajouter une cohorte (list, add)", registry.catalog_arguments,
            registry.run_cohorts),
    Command("funding-sources", "référentiel : lister ou ajouter une source de financement (list, add)",
            registry.catalog_arguments, registry.run_funding_sources),
    Command("sources", "référentiel : lister ou ajouter une page publique d'un laboratoire (list, add)",
            registry.sources_arguments, registry.run_sources),
    Command("reference", "appliquer data/reference/*.csv à une base en service (sync [--dry-run]) sans init --force",
            registry.reference_arguments, registry.run_reference),
    Command("events", "gérer les événements des graphiques temporels (list, add, edit, remove)",
            events.arguments, events.run),
    Command("alerts", "lister les alertes sur les données (laboratoires sans rapport, météo « orage », baisses)",
            events.alerts_arguments, events.run_alerts),
    Command("backup", "sauvegarder la base (fichier ou PostgreSQL) dans un dossier, pendant que l'application tourne",
            backup.backup_arguments, backup.run_backup),
    Command("restore", "restaurer une sauvegarde dans une base vide, ou par-dessus une base existante (--force)",
            backup.restore_arguments, backup.run_restore),
    Command("bench", "mesurer le temps de calcul de chaque page du tableau de bord (démo et ×100)",
            bench.pages_arguments, bench.run_pages),
    Command("bench-import", "mesurer la vérification d'un fichier de 100 000 sessions (et Frictionless)",
            bench.imports_arguments, bench.run_imports),
    Command("bench-export", "mesurer la durée des exports (images, diaporama, classeur)",
            bench.exports_arguments, bench.run_exports),
    Command("bench-subscriptions", "mesurer l'envoi des abonnements (16 laboratoires, 18 régions, national)",
            bench.subscriptions_arguments, bench.run_subscriptions),
    Command("bench-load", "mesurer la latence des pages sous N sessions simultanées (1 processus, 2 répliques, grand jeu)",
            bench.load_arguments, bench.run_load),
    Command("bench-writes", "mesurer une écriture quand journal et sessions s'accumulent (les deux bases)",
            bench.writes_arguments, bench.run_writes),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lit_analytics",
                                     description="Suivi des laboratoires d'innovation territoriale (LIT).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="commande")
    for command in COMMANDS:
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        where = p.add_mutually_exclusive_group()
        where.add_argument("--db", default=None, help="fichier DuckDB ou URL postgresql://utilisateur@hôte:port/base "
                                                      "(défaut : $LIT_DB, puis data/lit.duckdb) ; pour PostgreSQL, "
                                                      "le mot de passe dans LIT_DB, --db-file ou ~/.pgpass, jamais "
                                                      "sur la ligne de commande (visible de tous les utilisateurs)")
        where.add_argument("--db-file", default=None, metavar="FICHIER",
                           help="lire la base (chemin ou URL postgresql://…) dans ce fichier, première ligne : "
                                "le mot de passe n'apparaît pas dans la liste des processus")
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


def _database_argument(args: argparse.Namespace) -> None:
    """`--db-file`: the database read from a file (its first line). A password typed in `--db` is visible in the
    process list to every user of the machine: the command still runs, with a French warning."""
    import urllib.parse
    if getattr(args, "db_file", None):
        try:
            with open(args.db_file, encoding="utf-8") as handle:
                args.db = handle.readline().strip()
        except OSError as exc:
            raise CliError(f"Impossible de lire {args.db_file} : {exc.strerror or exc}.") from exc
        if not args.db:
            raise CliError(f"{args.db_file} est vide : attendu un chemin de base ou une URL postgresql://….")
    elif args.db and "://" in args.db and urllib.parse.urlsplit(args.db).password:
        print("Attention : le mot de passe de --db est visible dans la liste des processus de la machine ; "
              "mettez l'URL dans LIT_DB, dans un fichier (--db-file) ou le mot de passe dans ~/.pgpass.",
              file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    from lit_analytics import logs
    from lit_analytics.audit import set_os_user
    from lit_analytics.store import StoreError
    parser = build_parser()
    args = parser.parse_args(argv)
    logs.setup(default_level="CRITICAL")   # a command answers in one French line; LIT_LOG_LEVEL=INFO adds JSON log lines
    set_os_user(_os_user())   # every write of a command is audited with who typed it, beside --user
    try:
        _database_argument(args)
        return int(args.handler(args) or 0)
    except (CliError, StoreError, ValueError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
    except Exception as exc:  # last resort: one line, never a traceback (the log has it at LIT_LOG_LEVEL=DEBUG)
        log = logging.getLogger("lit_analytics.cli")
        log.error("command_failed", exc_info=log.isEnabledFor(logging.DEBUG),
                  extra={"command": args.command, "error": exc.__class__.__name__})
        print(f"Erreur inattendue ({exc.__class__.__name__}) : {exc}", file=sys.stderr)
        return 1
    finally:
        set_os_user(None)   # a command run inside a longer process (the tests, a page) leaves no trace behind
