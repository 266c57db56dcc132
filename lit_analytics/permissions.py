"""Who may do what. Every write function of the package takes the acting user (`Actor`) and checks here,
so the rules hold the same through the pages, the command line and direct calls.

Roles: `admin` (DITP: everything, accounts, funding ledger, restore), `analyste` (DITP: read and export all),
`porteur` (lab lead: read, and upload quarterly reports for the labs they are attached to).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lit_analytics.store import Store

ROLES = {
    "admin": "Administrateur DITP",
    "analyste": "Analyste DITP",
    "porteur": "Porteur de laboratoire",
}
LAB_KINDS = ("projets", "sessions")   # what a lab lead reports; 'financements' is the DITP's ledger


class PermissionDenied(Exception):
    """Refused for lack of rights; the message is French and says why."""


@dataclass(frozen=True)
class Actor:
    email: str
    role: str
    labs: frozenset[str] = field(default_factory=frozenset)
    display_name: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def label(self) -> str:
        return f"{self.display_name or self.email} ({ROLES.get(self.role, self.role)})"


def can_upload(actor: Actor, kind: str, lab_id: str | None) -> bool:
    if actor.role == "admin":
        return True
    if actor.role == "porteur":
        return kind in LAB_KINDS and lab_id is not None and lab_id in actor.labs
    return False


def require_upload(actor: Actor, kind: str, lab_id: str | None) -> None:
    if can_upload(actor, kind, lab_id):
        return
    if actor.role == "analyste":
        raise PermissionDenied("Un compte analyste peut consulter et exporter, mais pas déposer de données.")
    if kind not in LAB_KINDS:
        raise PermissionDenied("Seule la DITP (rôle administrateur) tient le registre des financements.")
    raise PermissionDenied(f"Vous n'êtes pas rattaché(e) au laboratoire « {lab_id} » : "
                           "vous ne pouvez déposer que pour votre laboratoire.")


def require_admin(actor: Actor, what: str) -> None:
    if actor.role != "admin":
        raise PermissionDenied(f"Action réservée aux administrateurs DITP : {what}.")


def visible_labs(actor: Actor, all_labs: list[str]) -> list[str]:
    """The labs an actor may choose when uploading."""
    if actor.role == "admin":
        return list(all_labs)
    if actor.role == "porteur":
        return [lab for lab in all_labs if lab in actor.labs]
    return []


def actor_for_email(store: Store, email: str) -> Actor | None:
    """The active account behind an e-mail (any case), or None if unknown or disabled."""
    email = (email or "").strip().lower()
    row = store.query("SELECT email, role, display_name FROM users WHERE email = ? AND NOT disabled", [email])
    if not row:
        return None
    labs = frozenset(lab for (lab,) in store.query("SELECT lab_id FROM user_labs WHERE email = ?", [email]))
    return Actor(email=row[0][0], role=row[0][1], labs=labs, display_name=row[0][2])


# The operating-system account running this process, recorded beside the actor when set (the command line sets
# it: `--user` names an account, the OS user says who typed the command). None in the app.
_OS_USER: str | None = None


def set_os_user(name: str | None) -> None:
    global _OS_USER
    _OS_USER = (name or "")[:100] or None


def record(cur, actor: str, action: str, outcome: str, target: str | None = None, detail: str | None = None) -> None:
    """Append one event to the audit log, inside the caller's transaction (cursor `cur`). Text is truncated
    (actor and target 200 characters, detail 1 000): what a user types cannot bloat the log."""
    next_id = cur.execute("SELECT coalesce(max(event_id), 0) + 1 FROM audit_log").fetchone()[0]
    cur.execute("INSERT INTO audit_log (event_id, occurred_at, actor, action, target, outcome, detail, os_user) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [next_id, datetime.now(), _clip(actor, 200), action, _clip(target, 200), outcome,
                 _clip(detail, 1000), _OS_USER])


def _clip(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def audit(store: Store, actor: str, action: str, outcome: str, target: str | None = None,
          detail: str | None = None) -> None:
    """Append one event to the audit log in its own transaction."""
    with store.transaction() as cur:
        record(cur, actor, action, outcome, target, detail)
