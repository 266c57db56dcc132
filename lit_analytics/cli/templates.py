"""`python -m lit_analytics template`: the template of a quarterly report, blank or pre-filled with the lab's last
published projects portfolio before the quarter (the same files as the page « Dépôt trimestriel »).

    python -m lit_analytics template --kind projets|sessions|meteo --lab LAB --quarter Q [--prefill] --format csv|xlsx --out FILE
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from lit_analytics.cli.common import CliError, existing_database, quarter_arg
from lit_analytics.domain import LAB_REPORT_KINDS, METEO


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kind", required=True, choices=(*LAB_REPORT_KINDS, METEO),
                   help="type de rapport (meteo : la météo du trimestre et ses trois textes)")
    p.add_argument("--lab", required=True, help="identifiant du laboratoire")
    p.add_argument("--quarter", required=True, type=quarter_arg, help="trimestre déposé : 2021-T3 ou T3 2021")
    p.add_argument("--prefill", action="store_true",
                   help="pré-remplir avec le dernier portefeuille publié avant ce trimestre (projets en cours)")
    p.add_argument("--format", required=True, choices=["csv", "xlsx"], help="format du fichier")
    p.add_argument("--out", required=True, help="fichier à écrire")


def run(args: argparse.Namespace) -> int:
    from lit_analytics import audit
    from lit_analytics.ingest import templates
    from lit_analytics.ingest.publish import known_labs
    from lit_analytics.store import Store

    out = Path(args.out)
    if not out.parent.exists():
        raise CliError(f"Dossier de sortie introuvable : {out.parent}.")
    with Store(existing_database(args)) as store:
        if args.lab not in known_labs(store):
            raise CliError(f"Laboratoire inconnu : « {args.lab} ».")
        rows = templates.prefill_rows(store, args.kind, args.lab, args.quarter) if args.prefill else None
        data = (templates.template_csv if args.format == "csv" else templates.template_xlsx)(args.kind, rows)
        tmp = out.with_name(out.name + ".partiel")
        tmp.write_bytes(data)
        os.replace(tmp, out)
        what = f"modèle {args.kind} {args.lab} {args.quarter}" + (" pré-rempli" if args.prefill else "")
        audit.log_export(store, audit.COMMAND_LINE, f"{what} ({args.format})", detail=f"{out.name}, {len(data)} octets")
        if args.prefill and args.kind == "projets":
            print(templates.prefill_note(store, args.lab, args.quarter))
    print(f"Écrit : {out}")
    return 0
