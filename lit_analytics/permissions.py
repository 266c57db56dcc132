"""Who may do what. Every write function of the package takes the acting user (`Actor`) and checks here,
so the rules hold the same through the pages, the command line and direct calls.

Roles: `admin` (DITP: everything, accounts, funding ledger, restore), `analyste` (DITP: read and export all),
`porteur` (lab lead: read, and upload quarterly reports for the labs they are attached to).
The callers write refusals and changes to the audit log (`lit_analytics.audit`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lit_analytics.domain import LAB_REPORT_KINDS, METEO
from lit_analytics.store import Store

ROLES = {
    "admin": "Administrateur DITP",
    "analyste": "Analyste DITP",
    "porteur": "Porteur de laboratoire",
}
DEFAULT_ROLE = "porteur"             # what a new account is offered first: most accounts are lab leads
LAB_KINDS = (*LAB_REPORT_KINDS, METEO)   # what a lab lead reports; 'financements' is the DITP's ledger


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


def followed_labs(actor: Actor) -> tuple[str, ...] | None:
    """The labs whose reporting an actor follows: every lab (None) for the DITP, else the account's own."""
    return None if actor.role in ("admin", "analyste") else tuple(sorted(actor.labs))


def actor_for_email(store: Store, email: str) -> Actor | None:
    """The active account behind an e-mail (any case), or None if unknown or disabled."""
    email = (email or "").strip().lower()
    row = store.query("SELECT email, role, display_name FROM users WHERE email = ? AND NOT disabled", [email])
    if not row:
        return None
    labs = frozenset(lab for (lab,) in store.query("SELECT lab_id FROM user_labs WHERE email = ?", [email]))
    return Actor(email=row[0][0], role=row[0][1], labs=labs, display_name=row[0][2])
