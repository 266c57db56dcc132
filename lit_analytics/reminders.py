"""E-mail reminders to lab leads: which quarterly reports are due soon or late, the French e-mail, sending it.

A report of a (lab, quarter) is due on its deadline, 30 days after the quarter ends (`reporting.GRACE_DAYS`, the
rule of the « Suivi des dépôts » grid). From 7 days before the deadline it is *bientôt dû*; after it, *en retard*.
Each active lab-lead account (`porteur`) of the lab gets one e-mail per (lab, quarter, kind of reminder) naming
the lab, the missing reports, the quarter, the deadline, and a link to the upload page for that lab and quarter.

The same reminder — (lab, quarter, report, kind of reminder) — is never sent twice: the table `reminders`
(migration 007) records each one sent, and every sending is written to the audit log (success or failure). A
failed sending records nothing in `reminders`, so the next run tries again. SMTP settings come from the
environment (`SmtpSettings.from_env`): `LIT_SMTP_HOST`, `LIT_SMTP_PORT`, optional `LIT_SMTP_USER`,
`LIT_SMTP_PASSWORD`; TLS always unless told otherwise — STARTTLS by default (a server that does not offer it gets
nothing), `LIT_SMTP_SSL=1` for TLS from the first byte (port 465), `LIT_SMTP_STARTTLS=0` only for a local relay
without TLS, `LIT_SMTP_CAFILE` for a private certificate authority; sender `LIT_MAIL_FROM`; links built on
`LIT_APP_URL`.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlencode

import pandas as pd

from lit_analytics import audit, config, permissions
from lit_analytics.audit import Action, Outcome
from lit_analytics.formats import fmt_date, fmt_datetime, fmt_quarter, quarter_end
from lit_analytics.ingest.reporting import GRACE_DAYS, RECEIVED, reporting_status
from lit_analytics.permissions import Actor
from lit_analytics.store import Store

SOON, LATE = "bientôt dû", "en retard"
SOON_DAYS = 7
REPORT_LABELS = {"projets": "le rapport « projets » (portefeuille de projets en fin de trimestre)",
                 "sessions": "le rapport « sessions » (sessions de formation du trimestre)"}


class ReminderError(Exception):
    """Reminders cannot be sent (settings missing); the message is French."""


def deadline(quarter: str) -> date:
    """The last day a report of `quarter` is on time (the grid says *en retard* the day after)."""
    return quarter_end(quarter) + timedelta(days=GRACE_DAYS)


def reminder_kind(quarter: str, today: date) -> str | None:
    """« en retard » after the deadline, « bientôt dû » in the 7 days before it, else None."""
    due = deadline(quarter)
    if today > due:
        return LATE
    if today >= due - timedelta(days=SOON_DAYS):
        return SOON
    return None


@dataclass
class Reminder:
    """One e-mail: a lab, a quarter, a kind of reminder, the reports missing, and who gets it."""
    lab_id: str
    lab_name: str
    quarter: str
    kind: str                          # SOON | LATE
    reports: list[str]                 # 'projets', 'sessions' (those not reminded yet with this kind)
    recipients: list[str]
    link: str
    last_sent: datetime | None = None  # filled by `plan` only for reminders already sent (not re-sent)

    @property
    def deadline(self) -> date:
        return deadline(self.quarter)

    def target(self) -> str:
        return f"{self.lab_id} {fmt_quarter(self.quarter)} ({', '.join(self.reports)}) — {self.kind}"


@dataclass
class RunResult:
    sent: list[Reminder] = field(default_factory=list)
    failed: list[tuple[Reminder, str]] = field(default_factory=list)
    without_recipient: list[Reminder] = field(default_factory=list)
    dry_run: bool = False

    def text(self) -> str:
        """The French summary the command line prints."""
        verb = "à envoyer (--dry-run : rien n'est envoyé)" if self.dry_run else "envoyée(s)"
        out = [f"{len(self.sent)} relance(s) {verb}."]
        for r in self.sent:
            out.append(f"  {r.lab_name} — {fmt_quarter(r.quarter)} — {r.kind} — {', '.join(r.reports)} — "
                       f"échéance {fmt_date(r.deadline)} → {', '.join(r.recipients)}")
        for r, error in self.failed:
            out.append(f"  Échec : {r.lab_name} — {fmt_quarter(r.quarter)} — {error}")
        for r in self.without_recipient:
            out.append(f"  Aucun porteur actif pour {r.lab_name} ({fmt_quarter(r.quarter)}, {r.kind}) : "
                       "personne à relancer.")
        return "\n".join(out)


# --- what is due ------------------------------------------------------------------------------------

def upload_link(lab_id: str, quarter: str, kind: str, app_url: str | None = None) -> str:
    """The upload page, with its form set on the lab, quarter and report."""
    base = (app_url or config.app_url()).rstrip("/")
    return f"{base}/depot?{urlencode({'lab': lab_id, 'trimestre': quarter, 'rapport': kind})}"


def lab_leads(store: Store) -> dict[str, list[str]]:
    """lab_id → the e-mails of its active lab-lead accounts."""
    leads: dict[str, list[str]] = {}
    for lab_id, email in store.query(
            "SELECT l.lab_id, u.email FROM user_labs l JOIN users u USING (email) "
            "WHERE u.role = 'porteur' AND NOT u.disabled ORDER BY l.lab_id, u.email"):
        leads.setdefault(lab_id, []).append(email)
    return leads


def sent_reminders(store: Store) -> pd.DataFrame:
    """Every reminder sent: lab_id, quarter, kind, reminder_kind, sent_at, sent_by, recipients."""
    return store.query_df("SELECT lab_id, quarter, kind, reminder_kind, sent_at, sent_by, recipients FROM reminders "
                          "ORDER BY sent_at")


def plan(store: Store, today: date | None = None, *, labs: tuple[str, ...] | None = None,
         quarters: tuple[str, ...] | None = None, app_url: str | None = None) -> tuple[list[Reminder], list[Reminder]]:
    """The reminders to send today (never one already sent), and those with nobody to send them to.
    `labs` and `quarters` narrow it (the page's « Relancer maintenant »)."""
    today = today or date.today()
    window = {"first_quarter": min(quarters), "last_quarter": max(quarters)} if quarters else {}
    status = reporting_status(store, today=today, labs=labs, **window)
    status = status[status["status"] != RECEIVED]
    if quarters is not None:
        status = status[status["quarter"].isin(quarters)]
    done = {(r.lab_id, r.quarter, r.kind, r.reminder_kind) for r in sent_reminders(store).itertuples()}
    leads = lab_leads(store)
    grouped: dict[tuple[str, str, str], Reminder] = {}
    for row in status.sort_values(["quarter", "lab_name", "kind"]).itertuples():
        kind = reminder_kind(row.quarter, today)
        if kind is None or (row.lab_id, row.quarter, row.kind, kind) in done:
            continue
        key = (row.lab_id, row.quarter, kind)
        if key not in grouped:
            grouped[key] = Reminder(row.lab_id, row.lab_name, row.quarter, kind, [], leads.get(row.lab_id, []),
                                    upload_link(row.lab_id, row.quarter, row.kind, app_url))
        grouped[key].reports.append(row.kind)
    reminders = list(grouped.values())
    return [r for r in reminders if r.recipients], [r for r in reminders if not r.recipients]


# --- the e-mail --------------------------------------------------------------------------------------

def subject(r: Reminder) -> str:
    if r.kind == LATE:
        return (f"Rapport trimestriel {fmt_quarter(r.quarter)} de {r.lab_name} en retard "
                f"(attendu le {fmt_date(r.deadline)})")
    return (f"Rappel : rapport trimestriel {fmt_quarter(r.quarter)} de {r.lab_name} à déposer d'ici le "
            f"{fmt_date(r.deadline)}")


def body(r: Reminder) -> str:
    reports = " et ".join(REPORT_LABELS[k] for k in r.reports)
    plural = len(r.reports) > 1
    if r.kind == LATE:
        situation = (f"{_capitalise(reports)} du laboratoire {r.lab_name} pour le trimestre {fmt_quarter(r.quarter)} "
                     f"{'étaient attendus' if plural else 'était attendu'} au plus tard le {fmt_date(r.deadline)} "
                     f"({GRACE_DAYS} jours après la fin du trimestre) : "
                     + ("nous ne les avons pas encore reçus." if plural else "nous ne l'avons pas encore reçu."))
    else:
        situation = (f"{_capitalise(reports)} du laboratoire {r.lab_name} pour le trimestre {fmt_quarter(r.quarter)} "
                     f"{'sont attendus' if plural else 'est attendu'} au plus tard le {fmt_date(r.deadline)} "
                     f"({GRACE_DAYS} jours après la fin du trimestre).")
    return "\n".join([
        "Bonjour,",
        "",
        situation,
        "",
        "Vous pouvez le faire en quelques minutes sur la page « Dépôt trimestriel », directement dans le "
        "navigateur : le portefeuille de projets du trimestre précédent y est pré-rempli, il suffit de mettre à "
        "jour ce qui a changé puis de publier.",
        "",
        f"Déposer le rapport : {r.link}",
        "",
        "Si le rapport vient d'être déposé, ne tenez pas compte de ce message.",
        "",
        "Bien cordialement,",
        "La DITP — suivi des laboratoires d'innovation territoriale",
        "",
        "Message envoyé automatiquement ; chaque relance n'est envoyée qu'une fois.",
    ])


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def message(r: Reminder, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject(r)
    msg["From"] = sender
    msg["To"] = ", ".join(r.recipients)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg["Content-Language"] = "fr"
    msg.set_content(body(r))
    return msg


# --- sending -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    starttls: bool = True          # TLS by default: STARTTLS required before anything is sent
    implicit_tls: bool = False     # `LIT_SMTP_SSL=1`: TLS from the first byte (port 465)
    cafile: str | None = None      # `LIT_SMTP_CAFILE`: the authorities a private SMTP server's certificate is from

    @classmethod
    def from_env(cls, env: dict | None = None) -> SmtpSettings:
        """From the environment (`config.smtp_settings`), or from `env` when given."""
        env = config.smtp_settings(env)
        host, sender = env.get("LIT_SMTP_HOST"), env.get("LIT_MAIL_FROM")
        missing = [name for name, value in (("LIT_SMTP_HOST", host), ("LIT_MAIL_FROM", sender)) if not value]
        if missing:
            raise ReminderError("Envoi impossible : variable(s) d'environnement " + ", ".join(missing) +
                                " absente(s) (serveur SMTP et adresse d'expéditeur).")
        port_text = env.get("LIT_SMTP_PORT") or "25"
        if not port_text.isdigit():
            raise ReminderError(f"LIT_SMTP_PORT doit être un numéro de port, reçu « {port_text} ».")
        off = ("0", "false", "non", "no", "faux")
        starttls = (env.get("LIT_SMTP_STARTTLS") or "1").strip().lower() not in off
        implicit = (env.get("LIT_SMTP_SSL") or "0").strip().lower() not in off
        return cls(host, int(port_text), sender, env.get("LIT_SMTP_USER") or None, env.get("LIT_SMTP_PASSWORD") or None,
                   starttls and not implicit, implicit, env.get("LIT_SMTP_CAFILE") or None)


def send_messages(settings: SmtpSettings, messages: list[EmailMessage]) -> list[str | None]:
    """Send over one SMTP connection; for each message None when accepted, else the French error."""
    results: list[str | None] = []
    context = ssl.create_default_context(cafile=settings.cafile)
    if settings.implicit_tls:
        connection = smtplib.SMTP_SSL(settings.host, settings.port, timeout=30, context=context)
    else:
        connection = smtplib.SMTP(settings.host, settings.port, timeout=30)
    with connection as smtp:
        if settings.starttls:
            smtp.ehlo()
            if not smtp.has_extn("starttls"):   # never in clear unless told so (LIT_SMTP_STARTTLS=0)
                raise smtplib.SMTPNotSupportedError(
                    "le serveur ne propose pas STARTTLS : rien n'a été envoyé en clair (LIT_SMTP_SSL=1 pour un "
                    "serveur TLS sur le port 465, LIT_SMTP_STARTTLS=0 pour un relais local sans TLS)")
            smtp.starttls(context=context)
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        for msg in messages:
            try:
                smtp.send_message(msg)
                results.append(None)
            except smtplib.SMTPException as exc:
                results.append(f"refusé par le serveur SMTP : {exc}")
    return results


def send_reminders(store: Store, by: str, today: date | None = None, *, dry_run: bool = False,
                   labs: tuple[str, ...] | None = None, quarters: tuple[str, ...] | None = None,
                   settings: SmtpSettings | None = None) -> RunResult:
    """Send every reminder due today (`plan`), record each one sent and audit it; `dry_run` sends and writes
    nothing. `by` is who asks: « ligne de commande » or an administrator's e-mail (`send_now`)."""
    to_send, nobody = plan(store, today, labs=labs, quarters=quarters)
    result = RunResult(without_recipient=nobody, dry_run=dry_run)
    if dry_run:
        result.sent = to_send
        return result
    if not to_send:
        return result
    settings = settings or SmtpSettings.from_env()
    messages = [message(r, settings.sender) for r in to_send]
    try:
        outcomes = send_messages(settings, messages)
    except (OSError, smtplib.SMTPException) as exc:
        outcomes = [f"serveur SMTP {settings.host}:{settings.port} injoignable ou en erreur : {exc}"] * len(to_send)
    for r, error in zip(to_send, outcomes):
        with store.transaction(writes=("reminders", audit.TABLE)) as cur:
            if error is None:
                now = datetime.now()
                for report in r.reports:
                    cur.execute("INSERT INTO reminders VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                [r.lab_id, r.quarter, report, r.kind, now, by, ", ".join(r.recipients)])
                audit.record(cur, by, Action.REMINDER, Outcome.SUCCESS, r.target(),
                             f"à {', '.join(r.recipients)} : {subject(r)}")
                result.sent.append(r)
            else:
                audit.record(cur, by, Action.REMINDER, Outcome.FAILURE, r.target(), error[:300])
                result.failed.append((r, error))
    return result


def send_now(store: Store, actor: Actor, lab_id: str, quarter: str, today: date | None = None,
             settings: SmtpSettings | None = None) -> RunResult:
    """« Relancer maintenant » on the page « Suivi des dépôts » (administrators only): the reminder of one lab
    and quarter, if it is due and was not sent yet."""
    try:
        permissions.require_admin(actor, "relancer un laboratoire")
    except permissions.PermissionDenied as exc:
        audit.log(store, actor.email, Action.REMINDER, Outcome.REFUSED, f"{lab_id} {fmt_quarter(quarter)}", str(exc))
        raise
    return send_reminders(store, actor.email, today, labs=(lab_id,), quarters=(quarter,), settings=settings)


# --- what the page shows -------------------------------------------------------------------------------

def last_reminders(store: Store) -> pd.DataFrame:
    """The last reminder of each (lab, quarter, report): lab_id, quarter, kind, reminder_kind, sent_at."""
    return store.query_df("SELECT lab_id, quarter, kind, arg_max(reminder_kind, sent_at) AS reminder_kind, "
                          "max(sent_at) AS sent_at FROM reminders GROUP BY ALL")


def with_last_reminder(late: pd.DataFrame, status: pd.DataFrame, last: pd.DataFrame) -> pd.DataFrame:
    """The late reports table (`reporting.late_reports`) with a column « Dernière relance »."""
    late_rows = status[status["status"] == "en retard"].sort_values(["quarter", "lab_name", "kind"])
    sent = {(r.lab_id, r.quarter, r.kind): f"{fmt_datetime(r.sent_at)} ({r.reminder_kind})"
            for r in last.itertuples()}
    out = late.copy()
    out["Dernière relance"] = [sent.get((lab, q, k), "aucune") for lab, q, k in
                               zip(late_rows["lab_id"], late_rows["quarter"], late_rows["kind"])]
    return out
