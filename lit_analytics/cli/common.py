"""What every command of the command line shares: the refusal exception, argument types, the database check."""

from __future__ import annotations

import argparse
from pathlib import Path

from lit_analytics.formats import parse_quarter
from lit_analytics.store import locate


class CliError(Exception):
    """A refused operation: its message (French) is printed as one line, exit code 1."""


def quarter_arg(text: str) -> str:
    try:
        return parse_quarter(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"entier positif attendu, reçu « {text} »")
    return value


def existing_database(args: argparse.Namespace) -> Path:
    """The database the command works on (`--db`, $LIT_DB, data/lit.duckdb), which must exist."""
    path = locate(args.db)
    if not path.exists():
        raise CliError(f"Base de données introuvable : {path} (créez-la avec « python -m lit_analytics init »).")
    return path


def acting_admin(store, args: argparse.Namespace):
    """The account `--user` names, for a command that changes what administrators manage (registry, events): its
    rights are checked, and a refusal audited, by the use case it calls."""
    from lit_analytics.permissions import actor_for_email
    if not args.user:
        raise CliError("Indiquez l'administrateur qui fait la modification avec --user ADMIN_EMAIL.")
    actor = actor_for_email(store, args.user)
    if actor is None:
        raise CliError(f"Compte inconnu ou désactivé : {args.user}.")
    return actor
