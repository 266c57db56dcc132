"""`python -m lit_analytics events list|add|edit|remove` — the events drawn on the time charts; `alerts` — the data
alerts of « Suivi des dépôts ».

Changes are made in the name of an administrator (`--user ADMIN_EMAIL`), checked and audited like on the page
« Événements ».
"""

from __future__ import annotations

import argparse
from datetime import date

from lit_analytics.cli.common import CliError, acting_admin, existing_database

ACTIONS = ("list", "add", "edit", "remove")


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=ACTIONS, metavar="action",
                   help="list (lister), add (ajouter), edit (modifier, --id), remove (supprimer, --id)")
    p.add_argument("--id", type=int, help="numéro de l'événement (edit, remove ; voir « events list »)")
    p.add_argument("--date", help="date de l'événement, JJ/MM/AAAA")
    p.add_argument("--label", help="libellé court écrit sur les graphiques (3 à 60 caractères)")
    p.add_argument("--kind", choices=("programme", "lab-funding", "other"),
                   help="type : programme (défaut), lab-funding (financement d'un laboratoire), other (autre)")
    p.add_argument("--lab", metavar="LAB_ID", help="laboratoire concerné (aucun : tout le programme)")
    p.add_argument("--source-title", help="source : éditeur et titre de la page publique")
    p.add_argument("--source-url", help="adresse de la page publique (https://…)")
    p.add_argument("--user", metavar="ADMIN_EMAIL", help="administrateur qui fait la modification")


def run(args: argparse.Namespace) -> int:
    from lit_analytics.events import EventError
    from lit_analytics.permissions import PermissionDenied
    try:
        return _events(args)
    except (PermissionDenied, EventError) as exc:   # refused and audited by the same checks as on the page
        raise CliError(str(exc)) from exc


def _events(args: argparse.Namespace) -> int:
    from lit_analytics import events
    from lit_analytics.store import Store

    path = existing_database(args)
    if args.action == "list":
        with Store(path, read_only=True) as store:
            _print_events(store)
        return 0
    if args.action in ("edit", "remove") and args.id is None:
        raise CliError(f"Indiquez l'événement avec --id N pour « events {args.action} » (voir « events list »).")
    with Store(path) as store:
        actor = acting_admin(store, args)
        if args.action == "remove":
            removed = events.remove(store, actor, args.id)
            print(f"Événement n° {args.id} supprimé : {removed.describe()}.")
            return 0
        before = events.get(store, args.id) if args.action == "edit" else None
        if args.action == "edit" and before is None:
            raise CliError(f"Aucun événement n° {args.id}.")
        if args.action == "add" and not (args.date and args.label):
            raise CliError("Indiquez au moins --date JJ/MM/AAAA et --label pour « events add ».")
        given = {"event_date": events.parse_date(args.date) if args.date else None, "label": args.label,
                 "kind": args.kind, "lab_id": args.lab, "source_title": args.source_title,
                 "source_url": args.source_url}
        fields = {k: v for k, v in given.items() if v is not None}
        if before is None:
            event_id = events.add(store, actor, events.Event(**fields))
            print(f"Événement n° {event_id} ajouté : {events.get(store, event_id).describe()}.")
        else:
            changed = events.Event(**{**before.__dict__, **fields})
            events.edit(store, actor, args.id, changed)
            print(f"Événement n° {args.id} modifié : {events.get(store, args.id).describe()}.")
    return 0


def _print_events(store) -> None:
    from lit_analytics.formats import fmt_date
    from lit_analytics.indicators.events import all_events
    from lit_analytics.presentation.events import events_table
    table = events_table(all_events(store))
    if table.empty:
        print("Aucun événement.")
        return
    for row in table.itertuples(index=False):
        lab = f" — {row.Laboratoire}" if row.Laboratoire else ""
        print(f"{row[0]:>4}  {fmt_date(row.Date)}  {row.Libellé} ({row.Type}{lab})")


def alerts_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--today", type=date.fromisoformat, default=None, metavar="AAAA-MM-JJ",
                   help="date du jour (défaut : aujourd'hui)")


def run_alerts(args: argparse.Namespace) -> int:
    from lit_analytics import alerts
    from lit_analytics.store import Store
    with Store(existing_database(args), read_only=True) as store:
        found = alerts.data_alerts(store, args.today)
    if not found:
        print("Aucune alerte.")
    for alert in found:
        print(f"[{alerts.KIND_LABELS[alert.kind]}] {alert.text}")
    return 0
