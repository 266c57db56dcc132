"""`python -m lit_analytics subscriptions list|add|remove` and `send-subscriptions` (a daily cron job, README):
briefing subscriptions by e-mail (`lit_analytics.subscriptions`, `lit_analytics.subscription_mail`).

    python -m lit_analytics subscriptions list [--email ADRESSE]
    python -m lit_analytics subscriptions add --email ADRESSE --preset national|region:CODE|lab:ID
                                              [--format pdf|pptx] [--frequency monthly|quarterly]
    python -m lit_analytics subscriptions remove --id N
    python -m lit_analytics send-subscriptions [--dry-run] [--today YYYY-MM-DD]

An added subscription is checked against the account's rights, like in the app. Exit codes of
`send-subscriptions`: 0 done (or nothing to send), 1 a sending failed or SMTP is not configured.
"""

from __future__ import annotations

import argparse

from lit_analytics.cli.common import CliError, existing_database
from lit_analytics.cli.reminders import _day, run_sending

ACTIONS = ("list", "add", "remove")


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=ACTIONS, metavar="action",
                   help="list (lister), add (abonner un compte), remove (mettre fin à un abonnement)")
    p.add_argument("--email", help="compte abonné (add ; filtre de list)")
    p.add_argument("--preset", help="note : national, region:CODE (INSEE) ou lab:IDENTIFIANT")
    p.add_argument("--format", default="pdf", choices=["pdf", "pptx"], help="format de la pièce jointe (défaut pdf)")
    p.add_argument("--frequency", default="quarterly", choices=["monthly", "quarterly"],
                   help="monthly (chaque mois) ou quarterly (chaque trimestre, après l'échéance ; défaut)")
    p.add_argument("--id", type=int, help="numéro de l'abonnement (remove)")


def run(args: argparse.Namespace) -> int:
    from lit_analytics import audit, permissions, subscriptions
    from lit_analytics.store import Store

    path = existing_database(args)
    if args.action == "list":
        with Store(path, read_only=True) as store:
            table = subscriptions.table(store, args.email)
        print("Aucun abonnement en cours." if table.empty else table.to_string(index=False))
        return 0
    with Store(path) as store:
        try:
            if args.action == "add":
                if not args.email or not args.preset:
                    raise CliError("Indiquez le compte (--email) et la note (--preset) pour « subscriptions add ».")
                account = permissions.actor_for_email(store, args.email)
                if account is None:
                    raise CliError(f"Compte inconnu ou désactivé : {args.email}.")
                sub = subscriptions.add(store, audit.COMMAND_LINE, account, args.preset, args.format, args.frequency)
                print(f"Abonnement n° {sub.subscription_id} ajouté : {sub.email} — {sub.preset} ({sub.format}, "
                      f"{subscriptions.FREQUENCIES[sub.frequency]}).")
            else:
                if args.id is None:
                    raise CliError("Indiquez le numéro de l'abonnement (--id) pour « subscriptions remove ».")
                sub = subscriptions.remove(store, audit.COMMAND_LINE, args.id)
                print(f"Abonnement n° {sub.subscription_id} terminé ({sub.email} — {sub.preset}).")
        except (subscriptions.SubscriptionError, permissions.PermissionDenied) as exc:
            raise CliError(str(exc)) from exc
    return 0


def send_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="lister les notes à envoyer, sans rien construire ni envoyer")
    p.add_argument("--today", type=_day, default=None, help="date du jour (AAAA-MM-JJ ; défaut : aujourd'hui)")


def send(args: argparse.Namespace) -> int:
    from lit_analytics import subscription_mail
    return run_sending(args, subscription_mail.send_subscriptions)
