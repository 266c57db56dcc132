"""Briefing subscriptions (issue 22): an account receives the deck of a preset — national, a region, a lab — by
e-mail, as PDF (default) or PPTX, monthly or each quarter once the reporting deadline has passed.

This module is the use case: which presets an account may subscribe to (`allowed_presets`: the DITP every one;
a lab lead France entière, the regions of their labs and their labs), adding and ending subscriptions (rights
checked, audited, in one transaction), the unsubscribe link's token (random, one per e-mail, only its SHA-256
kept), and the sending log (`subscription_sendings`, migration 010) that makes « never twice for the same period »
hold. Building the decks and sending the e-mails is `lit_analytics.subscription_mail`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from lit_analytics import audit, permissions
from lit_analytics.audit import Action, Outcome
from lit_analytics.indicators import region_names
from lit_analytics.lab_names import lab_names
from lit_analytics.permissions import Actor, PermissionDenied
from lit_analytics.store import Store

FORMATS = {"pdf": "PDF", "pptx": "PowerPoint (PPTX)"}
FREQUENCIES = {"monthly": "mensuelle", "quarterly": "trimestrielle (après l'échéance des rapports)"}
KINDS = ("national", "region", "lab")
TABLES = ("subscriptions", "subscription_sendings")
SENT, FAILED, REFUSED = "envoyé", "échec", "refusé"
COLUMNS = {"subscription_id": "N°", "email": "Compte", "preset": "Note", "format": "Format",
           "frequency": "Fréquence", "created_at": "Depuis le", "last_sent": "Dernier envoi"}


class SubscriptionError(ValueError):
    """A subscription cannot be added or ended; the message is French."""


@dataclass(frozen=True)
class Subscription:
    subscription_id: int
    email: str
    scope_kind: str        # 'national' | 'region' | 'lab'
    scope_code: str        # '' | region INSEE code | lab_id
    format: str            # 'pdf' | 'pptx'
    frequency: str         # 'monthly' | 'quarterly'

    @property
    def preset(self) -> str:
        """The briefing preset (`export.briefing.parse_preset`): national, region:84, lab:siilab."""
        return preset_text(self.scope_kind, self.scope_code)

    def target(self) -> str:
        return f"abonnement n° {self.subscription_id} ({self.email}, {self.preset}, {self.format}, {self.frequency})"


def preset_text(kind: str, code: str) -> str:
    return "national" if kind == "national" else f"{kind}:{code}"


def parse_preset(text: str) -> tuple[str, str]:
    """`national`, `region:84`, `lab:siilab` → (kind, code); a French SubscriptionError otherwise."""
    text = (text or "").strip()
    if text == "national":
        return "national", ""
    kind, _, code = text.partition(":")
    kind = {"région": "region", "labo": "lab"}.get(kind, kind)
    if kind not in ("region", "lab") or not code.strip():
        raise SubscriptionError(f"Note inconnue : « {text} » (attendu national, region:CODE ou lab:IDENTIFIANT).")
    return kind, code.strip().zfill(2) if kind == "region" else code.strip()


# --- who may receive what ---------------------------------------------------------------------------

def allowed_presets(store: Store, actor: Actor) -> dict[str, str]:
    """The presets an account may subscribe to, preset → French label: every one for the DITP (administrators,
    analysts); France entière, the regions of their labs and their labs for a lab lead."""
    regions, labs = region_names(store), lab_names(store)
    if actor.role == "porteur":
        labs = {lab: name for lab, name in labs.items() if lab in actor.labs}
        own = {code for (code,) in store.query(
            f"SELECT DISTINCT region_code FROM labs WHERE region_code IS NOT NULL AND lab_id IN "
            f"({', '.join('?' * len(labs)) or 'NULL'})", list(labs))}
        regions = {code: name for code, name in regions.items() if code in own}
    elif actor.role not in ("admin", "analyste"):
        return {}
    return {"national": "France entière",
            **{f"region:{code}": f"Région : {name}" for code, name in regions.items()},
            **{f"lab:{lab}": f"Laboratoire : {name}" for lab, name in labs.items()}}


def may_receive(store: Store, actor: Actor | None, kind: str, code: str) -> bool:
    """Whether an account (None: unknown or disabled) may receive this preset today."""
    return actor is not None and preset_text(kind, code) in allowed_presets(store, actor)


# --- reading ----------------------------------------------------------------------------------------

_SELECT = "SELECT subscription_id, email, scope_kind, scope_code, format, frequency FROM subscriptions"


def active(store: Store, email: str | None = None) -> list[Subscription]:
    """The subscriptions not ended, of one account or of all, oldest first."""
    where, params = ("WHERE ended_at IS NULL AND email = ?", [email.strip().lower()]) if email else \
        ("WHERE ended_at IS NULL", [])
    return [Subscription(*row) for row in store.query(f"{_SELECT} {where} ORDER BY subscription_id", params)]


def get(store: Store, subscription_id: int) -> Subscription | None:
    row = store.query(f"{_SELECT} WHERE subscription_id = ? AND ended_at IS NULL", [int(subscription_id)])
    return Subscription(*row[0]) if row else None


def preset_labels(store: Store, subs: list[Subscription]) -> dict[str, str]:
    """preset → French label, for the presets of `subs` (any account)."""
    regions = region_names(store)
    labs = lab_names(store, [s.scope_code for s in subs if s.scope_kind == "lab"])
    out = {}
    for s in subs:
        out[s.preset] = ("France entière" if s.scope_kind == "national" else
                         f"Région : {regions.get(s.scope_code, s.scope_code)}" if s.scope_kind == "region" else
                         f"Laboratoire : {labs.get(s.scope_code, s.scope_code)}")
    return out


def table(store: Store, email: str | None = None) -> pd.DataFrame:
    """The active subscriptions in French (`COLUMNS`), with the last period sent."""
    subs = active(store, email)
    labels = preset_labels(store, subs)
    last = dict(store.query("SELECT subscription_id, max(period) FROM subscription_sendings WHERE status = ? "
                            "GROUP BY subscription_id", [SENT]))
    created = dict(store.query("SELECT subscription_id, created_at FROM subscriptions"))
    rows = [{"subscription_id": s.subscription_id, "email": s.email, "preset": labels[s.preset],
             "format": FORMATS[s.format], "frequency": FREQUENCIES[s.frequency].split(" ")[0],
             "created_at": created[s.subscription_id].strftime("%d/%m/%Y"), "last_sent": last.get(s.subscription_id)
             or "aucun"} for s in subs]
    return pd.DataFrame(rows, columns=list(COLUMNS)).rename(columns=COLUMNS)


# --- adding and ending --------------------------------------------------------------------------------

def add(store: Store, by: str, subscriber: Actor, preset: str, fmt: str = "pdf",
        frequency: str = "quarterly") -> Subscription:
    """`subscriber` subscribes to `preset` (checked against their rights now); `by` is who asks (the subscriber's
    e-mail in the app, « ligne de commande »). Audited, refusals included."""
    kind, code = parse_preset(preset)
    if fmt not in FORMATS:
        raise SubscriptionError(f"Format inconnu : « {fmt} » (attendu pdf ou pptx).")
    if frequency not in FREQUENCIES:
        raise SubscriptionError(f"Fréquence inconnue : « {frequency} » (attendu monthly ou quarterly).")
    target = f"{subscriber.email} : {preset_text(kind, code)} ({fmt}, {frequency})"
    if not may_receive(store, subscriber, kind, code):
        audit.log(store, by, Action.SUBSCRIBED, Outcome.REFUSED, target, "note hors des droits du compte")
        raise PermissionDenied(f"Le compte {subscriber.email} ne peut pas s'abonner à cette note : un porteur "
                               "reçoit la note nationale, celles de la région et du laboratoire auxquels il est "
                               "rattaché.")
    with store.transaction(writes=("subscriptions", audit.TABLE)) as cur:
        same = cur.execute("SELECT subscription_id FROM subscriptions WHERE ended_at IS NULL AND email = ? AND "
                           "scope_kind = ? AND scope_code = ? AND format = ? AND frequency = ?",
                           [subscriber.email, kind, code, fmt, frequency]).fetchone()
        if same:
            raise SubscriptionError(f"Déjà abonné(e) à cette note (abonnement n° {same[0]}).")
        new_id = store.next_id(cur, "subscriptions", "subscription_id")
        cur.execute("INSERT INTO subscriptions (subscription_id, email, scope_kind, scope_code, format, frequency, "
                    "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [new_id, subscriber.email, kind, code, fmt, frequency, datetime.now(), by])
        sub = Subscription(new_id, subscriber.email, kind, code, fmt, frequency)
        audit.record(cur, by, Action.SUBSCRIBED, Outcome.SUCCESS, sub.target())
    return sub


def remove(store: Store, by: str, subscription_id: int, actor: Actor | None = None) -> Subscription:
    """End a subscription. From the app, `actor` must own it or be an administrator; the command line passes
    none (who runs it has the database)."""
    sub = get(store, subscription_id)
    if sub is None:
        raise SubscriptionError(f"Aucun abonnement en cours n° {subscription_id}.")
    if actor is not None and actor.email != sub.email and not actor.is_admin:
        audit.log(store, by, Action.UNSUBSCRIBED, Outcome.REFUSED, sub.target(), "abonnement d'un autre compte")
        raise PermissionDenied("Vous ne pouvez mettre fin qu'à vos propres abonnements.")
    _end(store, by, sub, "supprimé")
    return sub


def _end(store: Store, by: str, sub: Subscription, how: str) -> None:
    with store.transaction(writes=("subscriptions", audit.TABLE)) as cur:
        cur.execute("UPDATE subscriptions SET ended_at = ?, ended_by = ? WHERE subscription_id = ?",
                    [datetime.now(), by, sub.subscription_id])
        audit.record(cur, by, Action.UNSUBSCRIBED, Outcome.SUCCESS, sub.target(), how)


# --- the unsubscribe link -------------------------------------------------------------------------------

def new_token() -> tuple[str, str]:
    """A random unsubscribe token for one e-mail, and the SHA-256 that is stored."""
    token = secrets.token_urlsafe(24)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def by_token(store: Store, token: str) -> tuple[Subscription | None, bool]:
    """The subscription an e-mail's token belongs to, and whether it is still running."""
    if not token or len(token) > 200:
        return None, False
    row = store.query("SELECT s.subscription_id, s.email, s.scope_kind, s.scope_code, s.format, s.frequency, "
                      "s.ended_at IS NULL FROM subscription_sendings d JOIN subscriptions s USING (subscription_id) "
                      "WHERE d.token_hash = ?", [token_hash(token)])
    return (Subscription(*row[0][:6]), bool(row[0][6])) if row else (None, False)


def unsubscribe_by_token(store: Store, token: str) -> Subscription | None:
    """The link of an e-mail, followed without signing in: ends that e-mail's subscription (only that one); None
    for an unknown token. Ending one already ended changes nothing."""
    sub, running = by_token(store, token)
    if sub is not None and running:
        _end(store, sub.email, sub, "lien de désabonnement de l'e-mail")
    return sub


# --- the sending log --------------------------------------------------------------------------------------

def done_periods(store: Store) -> set[tuple[int, str]]:
    """(subscription, period) already sent — or refused for lack of rights — never tried again."""
    return {(int(i), p) for i, p in store.query("SELECT subscription_id, period FROM subscription_sendings "
                                                "WHERE status <> ?", [FAILED])}


def record_sending(store: Store, by: str, sub: Subscription, period: str, status: str, *, size: int = 0,
                   detail: str | None = None, hashed_token: str | None = None, summary: str = "") -> None:
    """One sending (or refusal, or failure) of a subscription for a period, logged and audited together; a failure
    of an earlier run for the same period is replaced."""
    outcome = {SENT: Outcome.SUCCESS, FAILED: Outcome.FAILURE, REFUSED: Outcome.REFUSED}[status]
    with store.transaction(writes=(*TABLES[1:], audit.TABLE)) as cur:
        cur.execute("DELETE FROM subscription_sendings WHERE subscription_id = ? AND period = ?",
                    [sub.subscription_id, period])
        cur.execute("INSERT INTO subscription_sendings VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [sub.subscription_id, period, datetime.now(), status, size, (detail or "")[:1000] or None,
                     hashed_token or token_hash(secrets.token_urlsafe(24))])   # a token nobody holds
        audit.record(cur, by, Action.SUBSCRIPTION_SENT, outcome, f"{sub.target()} — {period}",
                     "; ".join(x for x in (summary, detail, f"{size} octets" if size else "") if x)[:1000])


def refusal(store: Store, sub: Subscription) -> str | None:
    """Why an account gets nothing today (French), or None when it may receive the subscription."""
    actor = permissions.actor_for_email(store, sub.email)
    if actor is None:
        return "compte désactivé ou supprimé : rien n'est envoyé"
    if not may_receive(store, actor, sub.scope_kind, sub.scope_code):
        return "le compte n'a plus accès à cette note (laboratoire retiré) : rien n'est envoyé"
    return None
