"""Events on the time charts, administered: administrators add, edit and remove them (page « Événements », command
`events list|add|remove|edit`); every change is checked, permission-checked and audited with what it was before.

An event is a date, a short French label, a kind (`presentation.events.KIND_LABELS`), optionally the lab it
concerns and the public page it comes from. Programme milestones are shipped as rows of migration 011
(`created_by` « référence »); a lab's funding tranches are drawn from the funding ledger (`indicators.events`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from lit_analytics import audit
from lit_analytics.accounts import require_admin_audited
from lit_analytics.audit import Action, Outcome
from lit_analytics.formats import fmt_date, parse_day
from lit_analytics.permissions import Actor
from lit_analytics.presentation.events import KIND_LABELS
from lit_analytics.store import Store

TABLE = "events"
LABEL_MIN, LABEL_MAX = 3, 60        # a label is written on the chart: short
TITLE_MAX, URL_MAX = 300, 500
FIRST_DAY, LAST_DAY = date(2010, 1, 1), date(2100, 12, 31)
FIELDS = ("event_date", "label", "kind", "lab_id", "source_title", "source_url")


class EventError(ValueError):
    """An event that cannot be recorded; the message is French and names the field."""


@dataclass(frozen=True)
class Event:
    event_date: date
    label: str
    kind: str = "programme"
    lab_id: str | None = None
    source_title: str | None = None
    source_url: str | None = None

    def describe(self) -> str:
        """« 18/11/2016 « Annonce des 12 lauréats » (Programme, lab-zero, source : …) » for the audit log."""
        extra = [KIND_LABELS.get(self.kind, self.kind)] + [v for v in (self.lab_id, self.source_url) if v]
        return f"{fmt_date(self.event_date)} « {self.label} » ({', '.join(extra)})"


def parse_date(text: str) -> date:
    """`18/11/2016` or `2016-11-18` → a date; a French EventError otherwise."""
    text = (text or "").strip()
    day = parse_day(text)
    if day is not None:
        return day
    raise EventError(f"Date : « {text} » n'est pas une date (attendu JJ/MM/AAAA, par exemple 18/11/2016).")


def checked(store: Store, event: Event) -> Event:
    """The event with its texts trimmed, or a French EventError naming the field at fault."""
    when = event.event_date
    if isinstance(when, str):
        when = parse_date(when)
    if not isinstance(when, date) or not FIRST_DAY <= when <= LAST_DAY:
        raise EventError(f"Date : attendue entre le {fmt_date(FIRST_DAY)} et le {fmt_date(LAST_DAY)}.")
    label = " ".join(str(event.label or "").split())
    if not LABEL_MIN <= len(label) <= LABEL_MAX:
        raise EventError(f"Libellé : entre {LABEL_MIN} et {LABEL_MAX} caractères (il est écrit sur le graphique), "
                         f"reçu {len(label)}.")
    if event.kind not in KIND_LABELS:
        raise EventError(f"Type : « {event.kind} » inconnu (attendu : {', '.join(KIND_LABELS)}).")
    lab_id = (event.lab_id or "").strip() or None
    if lab_id is not None and not store.scalar("SELECT count(*) FROM labs WHERE lab_id = ?", [lab_id]):
        raise EventError(f"Laboratoire : « {lab_id} » inconnu (voir la page Laboratoires pour les identifiants).")
    if event.kind == "lab-funding" and lab_id is None:
        raise EventError("Laboratoire : un événement de financement d'un laboratoire nomme ce laboratoire.")
    title = " ".join(str(event.source_title or "").split()) or None
    if title is not None and len(title) > TITLE_MAX:
        raise EventError(f"Source : au plus {TITLE_MAX} caractères.")
    url = (event.source_url or "").strip() or None
    if url is not None and (not url.startswith(("https://", "http://")) or len(url) > URL_MAX or " " in url):
        raise EventError("Adresse de la source : une adresse web commençant par https:// (ou http://).")
    return Event(when, label, event.kind, lab_id, title, url)


def get(store: Store, event_id: int) -> Event | None:
    rows = store.query(f"SELECT {', '.join(FIELDS)} FROM events WHERE event_id = ?", [int(event_id)])
    return Event(*rows[0]) if rows else None


def _missing(event_id: int) -> EventError:
    return EventError(f"Aucun événement n° {event_id}.")


def add(store: Store, actor: Actor, event: Event) -> int:
    """Record a new event; returns its number."""
    require_admin_audited(store, actor, Action.EVENT_ADDED, event.label)
    event = checked(store, event)
    with store.transaction(writes=(TABLE, audit.TABLE)) as cur:
        event_id = store.next_id(cur, TABLE, "event_id")
        cur.execute(f"INSERT INTO events (event_id, {', '.join(FIELDS)}, created_by, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [event_id, event.event_date, event.label, event.kind, event.lab_id, event.source_title,
                     event.source_url, actor.email, datetime.now()])
        audit.record(cur, actor.email, Action.EVENT_ADDED, Outcome.SUCCESS, f"événement n° {event_id}",
                     event.describe())
    return event_id


def edit(store: Store, actor: Actor, event_id: int, event: Event) -> None:
    """Replace an event's date, label, kind, lab and source; the audit log keeps what it was."""
    require_admin_audited(store, actor, Action.EVENT_CHANGED, f"événement n° {event_id}")
    event = checked(store, event)
    with store.transaction(writes=(TABLE, audit.TABLE)) as cur:
        before = get(store, event_id)
        if before is None:
            raise _missing(event_id)
        cur.execute(f"UPDATE events SET {', '.join(f'{f} = ?' for f in FIELDS)}, updated_by = ?, updated_at = ? "
                    "WHERE event_id = ?",
                    [event.event_date, event.label, event.kind, event.lab_id, event.source_title, event.source_url,
                     actor.email, datetime.now(), int(event_id)])
        audit.record(cur, actor.email, Action.EVENT_CHANGED, Outcome.SUCCESS, f"événement n° {event_id}",
                     f"avant : {before.describe()} ; après : {event.describe()}")


def remove(store: Store, actor: Actor, event_id: int) -> Event:
    """Delete an event (the audit log keeps what it was); returns it."""
    require_admin_audited(store, actor, Action.EVENT_REMOVED, f"événement n° {event_id}")
    with store.transaction(writes=(TABLE, audit.TABLE)) as cur:
        before = get(store, event_id)
        if before is None:
            raise _missing(event_id)
        cur.execute("DELETE FROM events WHERE event_id = ?", [int(event_id)])
        audit.record(cur, actor.email, Action.EVENT_REMOVED, Outcome.SUCCESS, f"événement n° {event_id}",
                     f"avant : {before.describe()}")
    return before
