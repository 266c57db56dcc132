"""Sending the subscriptions (`python -m lit_analytics send-subscriptions`, a daily cron job): each subscription due
today gets its preset's deck by e-mail, PDF (converted from the PPTX by LibreOffice, `export.office`) or PPTX.

* A monthly subscription is due once per calendar month (period « 2026-11 »); a quarterly one once per quarter, as
  soon as the quarter's reporting deadline has passed (`reminders.deadline`, the rule of « Suivi des dépôts »):
  period « 2026-T3 ». A period sent (or refused) is never sent again (`subscriptions.done_periods`); a failure is
  tried again at the next run.
* Each deck is built once per preset and run, whoever and however many receive it; the PDFs of a run are made by
  one LibreOffice start (`export.office.pptx_to_pdf_many`).
* The recipient's rights are checked at sending time: a disabled account, or a lab lead who lost the lab, gets
  nothing (refusal logged and audited once for the period).
* The e-mail: a French subject and body with the headline figures and how they moved, what changed (lab preset),
  the data alerts (national preset: `alerts`), a link to the dashboard, and an unsubscribe link of its own
  (`web.UNSUBSCRIBE_PATH`, without signing in, ending that subscription only). An attachment larger than
  `LIT_MAIL_MAX_MB` is left out, the e-mail links to the « Note de synthèse » page instead.
* Same SMTP settings and code path as the reminders (`reminders.SmtpSettings`, `reminders.send_messages`).
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlencode

from lit_analytics import config, subscriptions
from lit_analytics.alerts import alert_lines
from lit_analytics.export import briefing, office
from lit_analytics.export import deck as deck_mod
from lit_analytics.export.images import ExportError
from lit_analytics.formats import fmt_quarter, quarter_of, shift_quarter
from lit_analytics.reminders import SmtpSettings, deadline, send_messages
from lit_analytics.store import Store
from lit_analytics.subscriptions import FAILED, REFUSED, SENT, Subscription

UNSUBSCRIBE_PATH = "/abonnements/desabonner"    # served by `web.unsubscribe`
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
MIME = {"pdf": ("application", "pdf"),
        "pptx": ("application", "vnd.openxmlformats-officedocument.presentationml.presentation")}


# --- what is due ------------------------------------------------------------------------------------

def due_period(frequency: str, today: date) -> str:
    """The period a subscription receives today: this month (« 2026-11 »), or the latest quarter whose reporting
    deadline has passed (« 2026-T3 » from 31/10/2026)."""
    if frequency == "monthly":
        return f"{today.year:04d}-{today.month:02d}"
    quarter = shift_quarter(quarter_of(today), -1)
    while deadline(quarter) >= today:
        quarter = shift_quarter(quarter, -1)
    return quarter


def period_label(period: str) -> str:
    """« 2026-11 » → « novembre 2026 », « 2026-T3 » → « T3 2026 »."""
    if "-T" in period:
        return fmt_quarter(period)
    year, month = period.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


@dataclass
class Due:
    sub: Subscription
    period: str
    refusal: str | None = None     # why the account gets nothing today (French), checked at sending time


def plan(store: Store, today: date) -> list[Due]:
    """Every active subscription whose period of today was neither sent nor refused yet."""
    done = subscriptions.done_periods(store)
    out = []
    for sub in subscriptions.active(store):
        period = due_period(sub.frequency, today)
        if (sub.subscription_id, period) not in done:
            out.append(Due(sub, period, subscriptions.refusal(store, sub)))
    return out


@dataclass
class RunResult:
    sent: list[Due] = field(default_factory=list)
    failed: list[tuple[Due, str]] = field(default_factory=list)
    refused: list[Due] = field(default_factory=list)
    decks: int = 0                  # decks built (one per preset)
    dry_run: bool = False

    def text(self) -> str:
        """The French summary the command line prints."""
        verb = "à envoyer (--dry-run : rien n'est envoyé)" if self.dry_run else "envoyée(s)"
        out = [f"{len(self.sent)} note(s) {verb}" + ("." if self.dry_run else f" ({self.decks} note(s) construite(s)).")]
        out += [f"  {d.sub.email} — {d.sub.preset} — {period_label(d.period)} ({d.sub.format})" for d in self.sent]
        out += [f"  Échec : {d.sub.email} — {d.sub.preset} — {error}" for d, error in self.failed]
        out += [f"  Rien pour {d.sub.email} — {d.sub.preset} : {d.refusal}" for d in self.refused]
        return "\n".join(out)


# --- the deck of a preset -------------------------------------------------------------------------------

@dataclass
class Built:
    scope: briefing.Scope
    deck: deck_mod.Deck
    files: dict[str, bytes]         # 'pptx' and, once converted (`convert`), 'pdf'


def build(store: Store, preset: str, today: date) -> Built:
    """The preset's deck, once, and its PPTX."""
    scope = briefing.parse_preset(store, preset)
    deck = briefing.build_deck(store, scope, today=today)
    return Built(scope, deck, {"pptx": deck_mod.to_pptx(deck)})


def convert(built: dict[str, Built]) -> dict[str, str]:
    """The PDF of every deck given (preset → Built), by one LibreOffice run; preset → French error of those that
    failed."""
    pdfs = office.pptx_to_pdf_many({preset: b.files["pptx"] for preset, b in built.items()})
    errors = {}
    for preset, pdf in pdfs.items():
        if isinstance(pdf, ExportError):
            errors[preset] = str(pdf)
        else:
            built[preset].files["pdf"] = pdf
    return errors


# --- the e-mail ------------------------------------------------------------------------------------------

def unsubscribe_link(token: str, app_url: str | None = None) -> str:
    return f"{(app_url or config.app_url()).rstrip('/')}{UNSUBSCRIBE_PATH}?{urlencode({'jeton': token})}"


def subject(built: Built, period: str) -> str:
    return f"Note de synthèse des LIT — {built.scope.label} — {period_label(period)}"


def body(built: Built, due: Due, link: str, *, attached: bool, size: int, alerts: list[str]) -> str:
    deck, base = built.deck, config.app_url().rstrip("/")
    figures = [f"  • {label} : {value}" + (f" — sur un an : {deck.headline_changes[label]}"
                                           if deck.headline_changes.get(label) else "")
               for label, value in deck.headline]
    lines = ["Bonjour,", "",
             f"Voici la note de synthèse des laboratoires d'innovation territoriale pour {period_label(due.period)} "
             f"— {built.scope.label}" + (f", en pièce jointe ({due.sub.format.upper()})." if attached else "."),
             f"{deck.scope}. {deck.date_line}.", "", "Chiffres clés :", *figures]
    if deck.comparison:
        lines.append(deck.comparison)
    if deck.changes:
        lines += ["", f"{deck.changes_title} :", *(f"  • {label} : {value}" for label, value in deck.changes)]
    if due.sub.scope_kind == "national":
        lines += ["", "Alertes :", *(f"  • {a}" for a in alerts)] if alerts else ["", "Alertes : aucune."]
    if deck.demo:
        lines += ["", deck_mod.DEMO_WARNING]
    if not attached:
        lines += ["", f"Le document ({size / 1024 / 1024:.1f} Mo) dépasse la taille maximale d'une pièce jointe "
                      f"({config.mail_max_bytes() / 1024 / 1024:.0f} Mo) : téléchargez-le sur la page « Note de "
                      f"synthèse » : {base}/note"]
    lines += ["", f"Le tableau de bord : {base}/", "", "Bien cordialement,",
              "La DITP — suivi des laboratoires d'innovation territoriale", "",
              f"Vous recevez ce message car vous êtes abonné(e) à cette note : {subscriptions.FORMATS[due.sub.format]}, "
              f"{subscriptions.FREQUENCIES[due.sub.frequency]}.",
              f"Se désabonner de cette note (sans se connecter ; vos autres abonnements continuent) : {link}"]
    return "\n".join(lines)


def message(built: Built, due: Due, sender: str, token: str, alerts: list[str]) -> tuple[EmailMessage, int, bool]:
    """The e-mail of one subscription, its attachment's size, and whether it is attached (within the bound)."""
    data = built.files[due.sub.format]
    attached = len(data) <= config.mail_max_bytes()
    link = unsubscribe_link(token)
    msg = EmailMessage()
    msg["Subject"] = subject(built, due.period)
    msg["From"] = sender
    msg["To"] = due.sub.email
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg["Content-Language"] = "fr"
    msg["List-Unsubscribe"] = f"<{link}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"     # RFC 8058: the link's POST ends it too
    msg.set_content(body(built, due, link, attached=attached, size=len(data), alerts=alerts))
    if attached:
        maintype, subtype = MIME[due.sub.format]
        msg.add_attachment(data, maintype=maintype, subtype=subtype,
                           filename=f"lit-note-{built.scope.slug}-{due.period.lower()}.{due.sub.format}")
    return msg, len(data), attached


# --- sending -----------------------------------------------------------------------------------------------

def send_subscriptions(store: Store, by: str, today: date | None = None, *, dry_run: bool = False,
                       settings: SmtpSettings | None = None,
                       alerts: Callable[[Store, date], list[str]] = alert_lines) -> RunResult:
    """Send every subscription due today (`plan`): one deck per preset, one e-mail per subscription, each logged
    and audited; `dry_run` builds, sends and writes nothing. `by`: « ligne de commande »."""
    today = today or date.today()
    due = plan(store, today)
    result = RunResult(dry_run=dry_run)
    if dry_run:
        result.sent = [d for d in due if d.refusal is None]
        result.refused = [d for d in due if d.refusal is not None]
        return result
    to_send = [d for d in due if d.refusal is None]
    settings = (settings or SmtpSettings.from_env()) if to_send else settings
    for d in due:
        if d.refusal is not None:
            subscriptions.record_sending(store, by, d.sub, d.period, REFUSED, detail=d.refusal)
            result.refused.append(d)
    alert_lines = alerts(store, today) if any(d.sub.scope_kind == "national" for d in to_send) else []
    by_preset: dict[str, list[Due]] = {}
    for d in to_send:
        by_preset.setdefault(d.sub.preset, []).append(d)
    built: dict[str, Built] = {}
    for preset, group in by_preset.items():     # one deck per preset, whoever receives it
        try:
            built[preset] = build(store, preset, today)
        except (ExportError, ValueError) as exc:
            for d in group:
                _failed(store, by, d, f"note non construite : {exc}", result)
    result.decks = len(built)
    errors = convert({p: b for p, b in built.items() if any(d.sub.format == "pdf" for d in by_preset[p])})
    for preset, b in built.items():
        group = by_preset[preset]
        if preset in errors:
            for d in [d for d in group if d.sub.format == "pdf"]:
                _failed(store, by, d, errors[preset], result)
            group = [d for d in group if d.sub.format != "pdf"]
        if group:
            _send_group(store, by, b, group, settings, alert_lines, result)
    return result


def _send_group(store: Store, by: str, built: Built, group: list[Due], settings: SmtpSettings, alerts: list[str],
                result: RunResult) -> None:
    """The e-mails of one preset, over one SMTP connection; each outcome logged and audited."""
    tokens = [subscriptions.new_token() for _ in group]
    made = [message(built, d, settings.sender, token, alerts) for d, (token, _) in zip(group, tokens)]
    try:
        outcomes = send_messages(settings, [m for m, _, _ in made])
    except (OSError, smtplib.SMTPException) as exc:
        outcomes = [f"serveur SMTP {settings.host}:{settings.port} injoignable ou en erreur : {exc}"] * len(group)
    for d, (msg, size, attached), (_, hashed), error in zip(group, made, tokens, outcomes):
        if error is not None:
            _failed(store, by, d, error, result)
            continue
        detail = None if attached else "pièce jointe trop volumineuse, remplacée par un lien"
        subscriptions.record_sending(store, by, d.sub, d.period, SENT, size=size, detail=detail, hashed_token=hashed,
                                     summary=f"à {d.sub.email} : {msg['Subject']}")
        result.sent.append(d)


def _failed(store: Store, by: str, d: Due, error: str, result: RunResult) -> None:
    subscriptions.record_sending(store, by, d.sub, d.period, FAILED, detail=error[:300])
    result.failed.append((d, error))
