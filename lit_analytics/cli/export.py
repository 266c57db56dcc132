"""`python -m lit_analytics export`: briefings for scheduled jobs.

    python -m lit_analytics export --db PATH --preset national|region:CODE|lab:LAB_ID --format pptx|pdf|xlsx --out FILE
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from lit_analytics.cli.common import CliError
from lit_analytics.store import locate


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--preset", required=True, help="national, region:CODE (INSEE) ou lab:IDENTIFIANT")
    p.add_argument("--format", required=True, choices=["pptx", "pdf", "xlsx"], help="format du document")
    p.add_argument("--out", required=True, help="fichier à écrire")
    p.add_argument("--charts", default=None,
                   help="identifiants des graphiques séparés par des virgules (défaut : ceux du préréglage)")


def run(args: argparse.Namespace) -> int:
    from lit_analytics import audit
    from lit_analytics.export import briefing
    from lit_analytics.store import Store

    path = locate(args.db)
    if not path.exists():
        raise CliError(f"Base de données introuvable : {path}.")
    out = Path(args.out)
    if not out.parent.exists():
        raise CliError(f"Dossier de sortie introuvable : {out.parent}.")
    with Store(path) as store:
        scope = briefing.parse_preset(store, args.preset)
        chart_ids = [c.strip() for c in args.charts.split(",") if c.strip()] if args.charts else None
        data = briefing.export(store, scope, args.format, chart_ids)
        tmp = out.with_name(out.name + ".partiel")
        tmp.write_bytes(data)
        os.replace(tmp, out)
        audit.log_export(store, audit.COMMAND_LINE, f"{scope.label} ({args.format})",
                         detail=f"{out.name}, {len(data)} octets")
    print(f"Écrit : {out} ({len(data) // 1024} Ko)")
    return 0
