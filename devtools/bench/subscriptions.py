"""How long `send-subscriptions` takes for a full run (`python -m lit_analytics bench-subscriptions`), written to
docs/benchmarks.md (section « ## Abonnements »): 16 labs + 18 regions + national, each preset with a PDF subscriber
(and the national one with a PPTX subscriber too), built once per preset and e-mailed to a real SMTP server on
localhost (aiosmtpd). The decks' builds (python-pptx, chart images by kaleido) and their PDF conversion (one LibreOffice
headless run for all) are timed apart."""

from __future__ import annotations

import email
import os
import platform
import statistics
import tempfile
import time
from datetime import date, datetime
from email.policy import default as default_policy
from pathlib import Path

SECTION = "## Abonnements"
TODAY = date(2026, 11, 5)      # T3 2026's reporting deadline (30/10/2026) has passed
LABS, REGIONS = 16, 18


class _Inbox:
    def __init__(self):
        self.sizes: list[int] = []

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content, policy=default_policy)
        self.sizes.append(len(envelope.original_content))
        assert msg["Subject"]
        return "250 Message accepted for delivery"


def _subscribe(store, labs: int, regions: int) -> int:
    """One analyst account per preset (PDF, quarterly); the national one also in PPTX, monthly."""
    from lit_analytics import subscriptions
    from lit_analytics.permissions import Actor
    lab_ids = [r[0] for r in store.query("SELECT lab_id FROM labs ORDER BY lab_id LIMIT ?", [labs])]
    region_codes = [r[0] for r in store.query("SELECT region_code FROM regions ORDER BY 1 LIMIT ?", [regions])]
    presets = ["national"] + [f"region:{c}" for c in region_codes] + [f"lab:{lab}" for lab in lab_ids]
    with store.transaction(writes=("users",)) as cur:
        for n, _ in enumerate(presets):
            cur.execute("INSERT INTO users (email, role, disabled, is_demo, failed_attempts, created_at, created_by) "
                        "VALUES (?, 'analyste', false, false, 0, ?, 'bench')", [f"abonne{n}@bench.test", datetime.now()])
    for n, preset in enumerate(presets):
        actor = Actor(f"abonne{n}@bench.test", "analyste")
        subscriptions.add(store, "bench", actor, preset, "pdf", "quarterly")
    subscriptions.add(store, "bench", Actor("abonne0@bench.test", "analyste"), "national", "pptx", "monthly")
    return len(presets)


def run(labs: int = LABS, regions: int = REGIONS) -> dict:
    from aiosmtpd.controller import Controller

    from lit_analytics import subscription_mail
    from lit_analytics.bootstrap import init_database
    from lit_analytics.reminders import SmtpSettings
    from devtools.servers import free_port

    builds, conversions = [], []
    real_build, real_convert = subscription_mail.build, subscription_mail.convert

    def timed_convert(built):
        start = time.perf_counter()
        out = real_convert(built)
        conversions.append((len(built), time.perf_counter() - start))
        return out

    def timed_build(*args, **kwargs):
        start = time.perf_counter()
        out = real_build(*args, **kwargs)
        builds.append(time.perf_counter() - start)
        return out

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    subscription_mail.build, subscription_mail.convert = timed_build, timed_convert
    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = init_database(Path(tmp) / "bench.duckdb", demo=True)
            presets = _subscribe(store, labs, regions)
            settings = SmtpSettings("127.0.0.1", controller.port, "bench@lit.test", starttls=False)
            start, load = time.perf_counter(), os.getloadavg()[1]
            result = subscription_mail.send_subscriptions(store, "bench", TODAY, settings=settings)
            total = time.perf_counter() - start
            again_start = time.perf_counter()
            again = subscription_mail.send_subscriptions(store, "bench", TODAY, settings=settings)
            again_total = time.perf_counter() - again_start
            store.close()
    finally:
        subscription_mail.build, subscription_mail.convert = real_build, real_convert
        controller.stop()
    load = (load + os.getloadavg()[1]) / 2
    return {"load": load, "labs": labs, "regions": regions, "presets": presets, "decks": result.decks, "sent": len(result.sent), "failed": len(result.failed),
            "total": total, "builds": builds, "conversions": conversions, "sizes": inbox.sizes,
            "again_sent": len(again.sent), "again_total": again_total}


def render(r: dict) -> str:
    med = statistics.median
    deck_only = r["builds"]
    converted, converting = (sum(n for n, _ in r["conversions"]), sum(t for _, t in r["conversions"]))
    rows = [
        ("Whole run: build and send every subscription", f"{r['total']:.1f}"),
        ("Decks built (one per preset)", f"{r['decks']} for {r['presets']} presets, {r['sent']} e-mails"),
        ("One deck: PPTX with its chart images, median (max)", f"{med(deck_only):.1f} ({max(deck_only):.1f})"),
        ("Every PPTX → PDF by one LibreOffice headless run", f"{converting:.1f} for {converted} decks "
         f"({converting / max(converted, 1):.1f} per deck)"),
        ("E-mail size with its attachment, median (max), MB",
         f"{med(r['sizes']) / 1e6:.2f} ({max(r['sizes']) / 1e6:.2f})" if r["sizes"] else "—"),
        ("Same day again (nothing due: nothing built or sent)", f"{r['again_total']:.2f} ({r['again_sent']} sent)"),
    ]
    lines = [SECTION, "",
             f"Measured by `python -m lit_analytics bench-subscriptions` on {datetime.now():%Y-%m-%d %H:%M} "
             f"(CPython {platform.python_version()}, {platform.machine()}), demo database, today "
             f"{TODAY:%d/%m/%Y}: {r['labs']} labs + {r['regions']} regions + national, one PDF subscriber each (and a PPTX "
             "one for national), sent to an SMTP server on localhost (aiosmtpd). One deck per preset, whoever "
             f"receives it; failures: {r['failed']}. Seconds unless said. Machine load during the run (5-minute load "
             f"average, {os.cpu_count()} CPUs): {r['load']:.1f}.",
             "", "| measure | value |", "|---|---:|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    lines += [""]
    return "\n".join(lines)
