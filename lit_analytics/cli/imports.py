"""`python -m lit_analytics import`: the same verify/publish path as the page, for scripting and tests.

Exit codes: 0 published (or nothing to do: already published, or a clean --dry-run), 1 rejected (the French
report is on stdout) or refused, 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lit_analytics.cli.common import CliError, existing_database, quarter_arg
from lit_analytics.domain import EXCHANGE_FORMATS, METEO
from lit_analytics.ingest.schema import LAB_REPORT_KINDS


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", required=True, help="e-mail du compte qui dépose")
    p.add_argument("--kind", required=True, choices=EXCHANGE_FORMATS, help="type de rapport (meteo : la météo du "
                   "trimestre et ses trois textes)")
    p.add_argument("--lab", default=None, help="identifiant du laboratoire (projets, sessions, meteo)")
    p.add_argument("--quarter", type=quarter_arg, default=None,
                   help="trimestre : 2021-T3, T3 2021 ou 2021Q3 (projets, sessions)")
    p.add_argument("--dry-run", action="store_true", help="vérifier seulement : rien n'est écrit")
    p.add_argument("--history", metavar="FICHIER", default=None,
                   help="fichier d'historique : plusieurs laboratoires et trimestres (colonnes id_lab et trimestre), "
                        "publié en une fois, une version par laboratoire et trimestre (administrateurs)")
    p.add_argument("file", nargs="?", help="fichier CSV ou XLSX")


def _usage(message: str) -> int:
    print(f"Erreur d'utilisation : {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from lit_analytics import ingest
    from lit_analytics.permissions import PermissionDenied, actor_for_email
    from lit_analytics.store import Store

    per_lab = (*LAB_REPORT_KINDS, METEO)
    if args.history is not None:
        if args.file or args.quarter:
            return _usage("--history remplace le fichier et --quarter : le trimestre de chaque ligne est dans le "
                          "fichier.")
        if args.kind == METEO:
            return _usage("la météo se dépose laboratoire par laboratoire : pas d'historique (--history).")
    elif args.file is None:
        return _usage("indiquez le fichier à déposer (ou --history FICHIER).")
    elif args.kind in per_lab and (not args.lab or not args.quarter):
        return _usage(f"un rapport « {args.kind} » demande --lab et --quarter.")
    elif args.kind not in per_lab and (args.lab or args.quarter):
        return _usage("le registre des financements se dépose en entier : ni --lab ni --quarter.")
    path = Path(args.history or args.file)
    if not path.is_file():
        return _usage(f"fichier introuvable : {path}")
    db = existing_database(args)
    data = path.read_bytes()
    with Store(db) as store:
        actor = actor_for_email(store, args.user)
        if actor is None:
            raise CliError(f"Compte inconnu ou désactivé : {args.user}.")
        if args.history is not None:   # many labs and quarters at once (administrators)
            from lit_analytics.cli.history import run_history
            return run_history(store, actor, args, path.name, data)
        try:
            if args.kind == METEO:
                return _meteo(store, data, path.name, args, actor)
            if args.dry_run:
                report = ingest.verify(store, data, path.name, kind=args.kind, lab_id=args.lab,
                                       quarter=args.quarter, actor=actor, register_rejection=False)
                print(report.text())
                if not report.ok:
                    _hint_other_kind(data, path.name, args.kind)
                if report.ok:
                    print("Vérification réussie (--dry-run) : rien n'a été écrit.")
                return 0 if report.ok else 1
            result = ingest.publish(store, data, path.name, kind=args.kind, lab_id=args.lab, quarter=args.quarter,
                                    actor=actor)
        except PermissionDenied as exc:
            raise CliError(str(exc)) from exc
        print(result.report.text())
        print(result.message())
        if result.outcome == ingest.REJECTED:
            _hint_other_kind(data, path.name, args.kind)
        return 1 if result.outcome in (ingest.REJECTED, ingest.FAILED, ingest.CONFLICT) else 0


def _meteo(store, data: bytes, name: str, args: argparse.Namespace, actor) -> int:
    """The quarter's météo: verified and published like a report, versioned on its own (`ingest.meteo`)."""
    from lit_analytics import ingest
    from lit_analytics.ingest import meteo
    if args.dry_run:
        report = meteo.verify(store, data, name, lab_id=args.lab, quarter=args.quarter, actor=actor)
        print(report.text())
        if report.ok:
            print("Vérification réussie (--dry-run) : rien n'a été écrit.")
        return 0 if report.ok else 1
    result = meteo.publish(store, data, name, lab_id=args.lab, quarter=args.quarter, actor=actor)
    print(result.report.text())
    print(result.message())
    return 1 if result.outcome in (ingest.REJECTED, ingest.CONFLICT) else 0


def _hint_other_kind(data: bytes, name: str, kind: str) -> None:
    """« Ce fichier ressemble à un rapport de sessions » when the file is the other lab report."""
    from lit_analytics.ingest import recognise
    other = recognise.other_kind(data, name, kind)
    if other:
        print(f"{recognise.message(other)} Relancez avec --kind {other}.")
