"""The audit log (`audit_log`): the one module that writes it and reads it.

Every event is one row: when, who (`actor`: an e-mail, « système », « ligne de commande »), what (`action`),
on what (`target`), how it ended (`outcome`) and a free `detail`. Actions and outcomes are typed constants whose
value is the French label stored in the log and shown in the journal, so every label is written once, here
(in the manner of datasette's `events.py`). Accounts (`accounts`) and sign-ins (`auth`), uploads, publications and
restorations (`ingest`), exports (pages and command line), e-mail reminders (`reminders`) all write
through `record` (inside the caller's transaction) or `log` (in a transaction of its own).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum

import pandas as pd

from lit_analytics.store import Store


class Action(StrEnum):
    """What happened. The value is the French label stored in `audit_log.action` and shown in the journal."""
    SIGN_IN = "connexion"
    SIGN_IN_FAILED = "échec de connexion"
    SIGN_OUT = "déconnexion"
    ACCOUNT_CREATED = "création de compte"
    ACCOUNT_CHANGED = "modification de compte"
    ACCOUNT_DISABLED = "désactivation de compte"
    ACCOUNT_ENABLED = "réactivation de compte"
    ACCOUNT_LOCKED = "verrouillage de compte"
    ACCOUNT_UNLOCKED = "déverrouillage de compte"
    PASSWORD_CHANGED = "changement de mot de passe"
    UPLOAD = "dépôt"
    PUBLICATION = "publication"
    RESTORATION = "restauration"
    EXPORT = "export"
    REMINDER = "relance par e-mail"
    BACKUP = "sauvegarde de la base"
    BACKUP_RESTORED = "restauration d'une sauvegarde"
    SITE_PUBLISHED = "publication du site public"
    LAB_CREATED = "création de laboratoire"
    LAB_CHANGED = "modification de laboratoire"
    LAB_CLOSED = "fermeture de laboratoire"
    LAB_REOPENED = "réouverture de laboratoire"
    REGISTRY_ENTRY_ADDED = "ajout au référentiel"          # a cohort or a funding source
    SOURCE_ADDED = "ajout d'une source publique"
    REFERENCE_SYNC = "synchronisation du référentiel"
    SUBSCRIBED = "abonnement à une note"
    UNSUBSCRIBED = "désabonnement"
    SUBSCRIPTION_SENT = "envoi d'une note par abonnement"
    HISTORY_IMPORT = "import d'historique"
    EVENT_ADDED = "ajout d'un événement"
    EVENT_CHANGED = "modification d'un événement"
    EVENT_REMOVED = "suppression d'un événement"
    ALERT_SETTINGS_CHANGED = "modification des seuils d'alerte"
    METEO_COMMENT = "commentaire sur une météo"
    METEO_VISIBILITY = "visibilité publique d'une météo"


class Outcome(StrEnum):
    """How it ended. The value is the French label stored in `audit_log.outcome`."""
    SUCCESS = "succès"
    FAILURE = "échec"       # tried and failed (wrong password, rejected file, export error)
    REFUSED = "refus"       # not allowed (rights, disabled or locked account)


TABLE = "audit_log"                       # the journal: written in the transaction of what it records (declare it)
SYSTEM = "système"                      # actor of what the application does by itself (locking an account)
COMMAND_LINE = "ligne de commande"      # actor of exports made with `python -m lit_analytics export`

JOURNAL_COLUMNS = {"occurred_at": "Date et heure", "actor": "Qui", "action": "Action", "target": "Objet",
                   "outcome": "Résultat", "detail": "Détail"}


# --- writing ---------------------------------------------------------------------------------------

def record(cur, actor: str, action: Action | str, outcome: Outcome | str, target: str | None = None,
           detail: str | None = None) -> None:
    """Append one event to the audit log, inside the caller's transaction (cursor `cur`).

    `action` and `outcome` must be one of the constants above (their label is accepted too): a misspelt label
    raises ValueError instead of creating a new kind of event in the journal."""
    action, outcome = Action(action), Outcome(outcome)
    next_id = _next_event_id(cur)
    cur.execute("INSERT INTO audit_log (event_id, occurred_at, actor, action, target, outcome, detail, os_user) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [next_id, datetime.now(), _clip(actor, 200), action.value, _clip(target, 200), outcome.value,
                 _clip(detail, 1000), _OS_USER])


LAST_EVENT = "table:audit_log:last_event"   # `meta`: the last event's id, where the next id is looked for from


def _next_event_id(cur) -> int:
    """The next event's id (writes are serialised: one at a time). The largest id is looked for from the last one
    recorded (`LAST_EVENT`), a filter PostgreSQL answers from the key's index: its maximum over the whole journal
    read every id through DuckDB's postgres scanner at every audited write (~0,1 s at 400 000 lines). Without that
    hint, or if it is ahead of the journal (a restored copy), the whole journal is looked at."""
    hint = cur.execute("SELECT value FROM meta WHERE key = ?", [LAST_EVENT]).fetchone()
    largest = cur.execute("SELECT max(event_id) FROM audit_log WHERE event_id >= ?",
                          [int(hint[0]) if hint else 0]).fetchone()[0]
    if largest is None:
        largest = cur.execute("SELECT coalesce(max(event_id), 0) FROM audit_log").fetchone()[0]
    next_id = int(largest) + 1
    Store.set_meta(cur, LAST_EVENT, str(next_id))
    return next_id


# The operating-system account running this process, recorded beside the actor when set (the command line sets
# it: `--user` names an account, the OS user says who typed the command; migration 006). None in the app.
_OS_USER: str | None = None


def set_os_user(name: str | None) -> None:
    global _OS_USER
    _OS_USER = (name or "")[:100] or None


def _clip(text: str | None, limit: int) -> str | None:
    """What a user types cannot bloat the log: actor and target keep 200 characters, detail 1 000."""
    if text is None:
        return None
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def log(store: Store, actor: str, action: Action | str, outcome: Outcome | str, target: str | None = None,
        detail: str | None = None) -> None:
    """Append one event to the audit log in its own transaction."""
    with store.transaction(writes=TABLE) as cur:
        record(cur, actor, action, outcome, target, detail)


def log_export(store: Store, actor: str, what: str, data: bytes | None = None, detail: str | None = None,
               error: Exception | None = None) -> None:
    """An export (a download in the app, a file from the command line): success with its size, or the error."""
    if error is not None:
        log(store, actor, Action.EXPORT, Outcome.FAILURE, what, str(error)[:300])
    else:
        log(store, actor, Action.EXPORT, Outcome.SUCCESS, what,
            detail if detail is not None else f"{len(data or b'')} octets")


# --- reading ---------------------------------------------------------------------------------------

def already_logged(store: Store, actor: str, action: Action, detail: str) -> bool:
    """Whether this exact event (who, what, detail) is in the log already (an OIDC token seen again)."""
    return bool(store.scalar("SELECT count(*) FROM audit_log WHERE actor = ? AND action = ? AND detail = ?",
                             [actor, Action(action).value, detail]))


def last_sign_ins(store: Store) -> pd.DataFrame:
    """Each account's last successful sign-in (columns email, last_sign_in)."""
    return store.query_df("SELECT actor AS email, max(occurred_at) AS last_sign_in FROM audit_log "
                          "WHERE action = ? AND outcome = ? GROUP BY actor",
                          [Action.SIGN_IN.value, Outcome.SUCCESS.value])


def events(store: Store, start: date | None = None, end: date | None = None,
           actors: Iterable[str] = (), actions: Iterable[str] = (), outcomes: Iterable[str] = (),
           text: str | None = None) -> pd.DataFrame:
    """Audit events, newest first, filtered by day range (inclusive), who, action, outcome, free text."""
    where, params = ["true"], []
    if start:
        where.append("occurred_at >= ?")
        params.append(datetime.combine(start, datetime.min.time()))
    if end:
        where.append("occurred_at < ?")
        params.append(datetime.combine(end + timedelta(days=1), datetime.min.time()))
    for column, values in (("actor", actors), ("action", actions), ("outcome", outcomes)):
        values = [str(v) for v in values]
        if values:
            where.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
    if text:
        where.append("(coalesce(target, '') || ' ' || coalesce(detail, '')) ILIKE ?")
        params.append(f"%{text}%")
    return store.query_df(
        "SELECT event_id, occurred_at, actor, action, target, outcome, detail, os_user FROM audit_log "
        f"WHERE {' AND '.join(where)} ORDER BY occurred_at DESC, event_id DESC", params)


def choices(store: Store) -> dict[str, list[str]]:
    """The distinct actors, actions and outcomes of the log (the journal's filter options)."""
    return {column: [v for (v,) in store.query(f"SELECT DISTINCT {column} FROM audit_log ORDER BY 1")]
            for column in ("actor", "action", "outcome")}


def summary(store: Store) -> tuple[int, date | None]:
    """How many events the log holds, and the day of the first one."""
    count, first = store.query("SELECT count(*), min(occurred_at) FROM audit_log")[0]
    return int(count), (first.date() if first else None)


def period_bounds(period) -> tuple[date | None, date | None]:
    """(start, end) from a period chosen in a date-range picker: a pair, a half-chosen pair, or one day."""
    if isinstance(period, (tuple, list)):
        return (tuple(period) + (None, None))[:2]
    return period, period


def journal_table(events: pd.DataFrame) -> pd.DataFrame:
    """The events as the journal shows and exports them: French labels, dates as 31/12/2021 14:05:09."""
    out = events.drop(columns=["event_id"]).copy()
    out["occurred_at"] = [v.strftime("%d/%m/%Y %H:%M:%S") for v in out["occurred_at"]]
    if "os_user" in out.columns:   # a command-line write: who typed the command, beside the account named
        out["actor"] = [f"{a} (ligne de commande, utilisateur système : {u})" if isinstance(u, str) and u else a
                        for a, u in zip(out["actor"], out["os_user"])]
        out = out.drop(columns=["os_user"])
    return out.fillna("").rename(columns=JOURNAL_COLUMNS)
