"""`python -m lit_analytics remind`: e-mail the lab leads whose lab has a quarterly report due within 7 days or
late, once per reminder (see `lit_analytics.reminders`). Meant for a daily cron job (README).

    python -m lit_analytics remind [--dry-run] [--today YYYY-MM-DD]

Exit codes: 0 done (or nothing to send), 1 a sending failed or SMTP is not configured.
"""

from __future__ import annotations

import argparse
from datetime import date

from lit_analytics.cli.common import CliError, existing_database


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"date attendue au format AAAA-MM-JJ, reçu « {text} »") from exc


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="lister les relances à envoyer, sans rien envoyer")
    p.add_argument("--today", type=_day, default=None, help="date du jour (AAAA-MM-JJ ; défaut : aujourd'hui)")


def run(args: argparse.Namespace) -> int:
    from lit_analytics import reminders
    return run_sending(args, reminders.send_reminders)


def run_sending(args: argparse.Namespace, send) -> int:
    """A cron command that e-mails (`remind`, `send-subscriptions`): `send(store, by, today, dry_run=…)` on the
    database, its French summary printed; exit 1 when a sending failed or SMTP is not configured."""
    from lit_analytics import audit, reminders
    from lit_analytics.store import Store

    with Store(existing_database(args)) as store:
        try:
            result = send(store, audit.COMMAND_LINE, args.today, dry_run=args.dry_run)
        except reminders.ReminderError as exc:
            raise CliError(str(exc)) from exc
    print(result.text())
    return 1 if result.failed else 0
