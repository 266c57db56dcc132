"""`init`, `demo`, `info`: build a database from data/ (with demo activity or not), and describe one."""

from __future__ import annotations

import argparse

from lit_analytics.cli.common import existing_database, positive_int, quarter_arg
from lit_analytics.formats import fmt_int, fmt_quarter
from lit_analytics.store import locate


def init_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--demo", action="store_true", help="ajouter les données d'activité de démonstration")
    p.add_argument("--force", action="store_true", help="reconstruire la base si elle existe")
    p.add_argument("--seed", type=int, default=42, help="graine du générateur de démonstration (défaut 42)")
    p.add_argument("--scale", type=positive_int, default=1, help="multiplicateur de volume (défaut 1)")
    p.add_argument("--until", type=quarter_arg, default=None,
                   help="dernier trimestre généré (défaut : dernier trimestre complet)")


def demo_arguments(p: argparse.ArgumentParser) -> None:
    init_arguments(p)
    p.set_defaults(demo=True)


def init(args: argparse.Namespace) -> int:
    from lit_analytics.bootstrap import describe, init_database
    path = locate(args.db)
    store = init_database(path, demo=args.demo, force=args.force, seed=args.seed, scale=args.scale,
                          until=args.until)
    with store:
        if store.previous_copy:
            print(f"Ancienne base conservée : {store.previous_copy}")
        _print_summary(describe(store))
    return 0


def demo(args: argparse.Namespace) -> int:
    args.demo = True
    return init(args)


def info(args: argparse.Namespace) -> int:
    from lit_analytics.bootstrap import describe
    from lit_analytics.store import Store
    with Store(existing_database(args), read_only=True) as store:
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
