"""`python -m lit_analytics users add|list|disable|enable|unlock|password` — account management.

Changes are made in the name of an administrator (`--user ADMIN_EMAIL`) and checked like in the app; the
first administrator of a database without one is created with the explicit `--bootstrap`. Passwords are
read from standard input (`--password-stdin`) or typed at a prompt that does not echo; never from the
command line (it would land in the shell history and the process list).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from lit_analytics.cli.common import CliError, existing_database

ACTIONS = ("add", "list", "disable", "enable", "unlock", "password")


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=ACTIONS, metavar="action",
                   help="add (créer), list (lister), disable / enable (désactiver / réactiver), "
                        "unlock (déverrouiller), password (définir le mot de passe)")
    p.add_argument("--email", help="adresse e-mail du compte concerné")
    p.add_argument("--role", help="rôle : admin, analyste ou porteur")
    p.add_argument("--lab", action="append", default=[], metavar="LAB_ID",
                   help="laboratoire d'un porteur (répéter l'option pour plusieurs)")
    p.add_argument("--name", help="nom affiché")
    p.add_argument("--user", metavar="ADMIN_EMAIL", help="administrateur qui fait la modification")
    p.add_argument("--bootstrap", action="store_true",
                   help="créer le premier administrateur d'une base qui n'en a pas (sans --user)")
    secret = p.add_mutually_exclusive_group()
    secret.add_argument("--password-stdin", action="store_true",
                        help="lire le mot de passe sur l'entrée standard (première ligne)")
    secret.add_argument("--no-password", action="store_true",
                        help="compte sans mot de passe : connexion OpenID Connect (ProConnect) uniquement")


def run(args: argparse.Namespace) -> int:
    from lit_analytics.permissions import PermissionDenied
    try:
        return _users(args)
    except PermissionDenied as exc:   # refused by the same checks as in the app (and audited there)
        raise CliError(str(exc)) from exc


def _users(args: argparse.Namespace) -> int:
    from lit_analytics import accounts
    from lit_analytics.store import Store

    path = existing_database(args)
    if args.action == "list":
        with Store(path, read_only=True) as store:
            _print_accounts(accounts.account_table(store))
        return 0
    if not args.email:
        raise CliError(f"Indiquez le compte avec --email pour « users {args.action} ».")
    with Store(path) as store:
        if args.action == "add":
            if not args.role:
                raise CliError("Indiquez le rôle avec --role (admin, analyste ou porteur).")
            password = None if args.no_password else _read_password(args)
            if args.bootstrap:
                if args.role != "admin" or args.lab:
                    raise CliError("--bootstrap ne crée qu'un compte administrateur (--role admin, sans --lab).")
                accounts.bootstrap_admin(store, args.email, password, display_name=args.name)
            else:
                accounts.add_account(store, _acting_admin(store, args), args.email, args.role, args.lab,
                                     display_name=args.name, password=password)
            print(f"Compte créé : {accounts.normalize_email(args.email)} ({args.role}).")
            return 0
        if args.bootstrap:
            raise CliError("--bootstrap ne sert qu'à « users add » du premier administrateur.")
        actor = _acting_admin(store, args)
        if args.action == "disable":
            accounts.disable_account(store, actor, args.email)
            print(f"Compte désactivé : {accounts.normalize_email(args.email)}.")
        elif args.action == "enable":
            accounts.enable_account(store, actor, args.email)
            print(f"Compte réactivé : {accounts.normalize_email(args.email)}.")
        elif args.action == "unlock":
            accounts.unlock_account(store, actor, args.email)
            print(f"Compte déverrouillé : {accounts.normalize_email(args.email)}.")
        elif args.action == "password":
            password = None if args.no_password else _read_password(args)
            accounts.set_password(store, actor, args.email, password)
            print(f"Mot de passe {'défini' if password else 'retiré'} : {accounts.normalize_email(args.email)}.")
    return 0


def _acting_admin(store, args):
    from lit_analytics.permissions import actor_for_email
    if not args.user:
        raise CliError("Indiquez l'administrateur qui fait la modification avec --user ADMIN_EMAIL "
                       "(ou --bootstrap pour le premier administrateur).")
    actor = actor_for_email(store, args.user)
    if actor is None:
        raise CliError(f"Compte inconnu ou désactivé : {args.user}.")
    return actor   # its rights are checked (and refusals audited) by the auth functions


def _read_password(args) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise CliError("Aucun mot de passe reçu sur l'entrée standard.")
        return password
    if not sys.stdin.isatty():
        raise CliError("Mot de passe attendu : utilisez --password-stdin, ou --no-password pour un compte "
                       "OpenID Connect uniquement.")
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Confirmez le mot de passe : ") != first:
        raise CliError("Les deux mots de passe saisis diffèrent.")
    return first


def _print_accounts(table) -> None:
    if table.empty:
        print("Aucun compte. Créez le premier administrateur avec : python -m lit_analytics users add "
              "--bootstrap --email ADRESSE --role admin")
        return
    columns = ["Adresse e-mail", "Rôle", "Laboratoires", "État", "Connexion", "Dernière connexion"]
    rows = [columns] + [[str(v) for v in row] for row in table[columns].itertuples(index=False)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(columns))]
    for row in rows:
        print("  ".join(value.ljust(width) for value, width in zip(row, widths)).rstrip())
