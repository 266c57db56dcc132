"""`python -m lit_analytics import --kind … --history FILE [--lab LAB] [--dry-run]`: years of follow-up at once.

The same verification as the page's history import (`ingest.history_file`), its French report and per-lab-and-quarter
preview on stdout; without `--dry-run`, publication in one transaction (`ingest.history_publish`). Exit codes: 0
published (or nothing to publish, or a clean --dry-run), 1 rejected or refused, 2 bad usage (`imports.run`).
"""

from __future__ import annotations

import argparse

from lit_analytics.cli.common import CliError


def run_history(store, actor, args: argparse.Namespace, name: str, data: bytes) -> int:
    """Verify (`--dry-run`: nothing written) or publish a history file for `actor`, on `store`."""
    from lit_analytics.ingest import FAILED, REJECTED
    from lit_analytics.ingest.history_file import verify_history
    from lit_analytics.ingest.history_publish import publish_history
    from lit_analytics.permissions import PermissionDenied

    try:
        if args.dry_run:
            report = verify_history(store, data, name, kind=args.kind, actor=actor, only_lab=args.lab,
                                    register_rejection=False)
            print(report.text())
            if report.ok:
                print("Vérification réussie (--dry-run) : rien n'a été écrit.")
            return 0 if report.ok else 1
        result = publish_history(store, data, name, kind=args.kind, actor=actor, only_lab=args.lab)
    except PermissionDenied as exc:
        raise CliError(str(exc)) from exc
    print(result.report.text())
    print(result.message())
    return 1 if result.outcome in (REJECTED, FAILED) else 0
