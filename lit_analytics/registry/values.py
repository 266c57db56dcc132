"""Checking what an administrator types into the registry (page « Référentiel », command line, `reference sync`):
one French message per bad value, naming the field. No database writes here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from lit_analytics.formats import fmt_date, fmt_eur, parse_day


class RegistryError(ValueError):
    """A value the registry refuses (French message). A ValueError: the command line prints one line."""


# The columns of `labs` an administrator may set, and how they are called in messages and in the history.
FIELD_LABELS = {
    "name": "Nom", "short_name": "Nom court", "region_code": "Région", "city": "Ville", "latitude": "Latitude",
    "longitude": "Longitude", "lead_administration": "Administration porteuse", "cohort": "Cohorte",
    "opened_on": "Ouverture", "closed_on": "Fermeture", "themes": "Thèmes", "budget_eur": "Budget",
    "identified": "Identifié par une source publique", "source": "Source (résumé)", "assumptions": "Hypothèses",
}
LAB_FIELDS = tuple(FIELD_LABELS)
DATE_FIELDS = ("opened_on", "closed_on")
CREATED = "création"          # lab_changes.field of the row that records a lab's creation

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
_URL = re.compile(r"^https?://[^\s]+$")
MAX_TEXT = 500


@dataclass(frozen=True)
class Citation:
    """The public page a fact comes from: title (required), date, address (http(s))."""
    title: str
    published_on: date | None = None
    url: str | None = None

    @staticmethod
    def of(title: str | None, published_on=None, url: str | None = None) -> Citation | None:
        """A checked citation, or None when no title nor address is given."""
        title, url = (title or "").strip(), (url or "").strip()
        if not title and not url:
            if published_on:
                raise RegistryError("Source : indiquez le titre de la page (la date seule ne suffit pas).")
            return None
        if not title:
            raise RegistryError("Source : indiquez le titre de la page (éditeur et titre).")
        return Citation(text(title, "Titre de la source", required=True), to_date(published_on, "Date de la source"),
                        to_url(url or None, "Adresse de la source"))


def text(value, label: str, required: bool = False, limit: int = MAX_TEXT) -> str | None:
    value = "" if value is None else str(value).strip()
    if not value:
        if required:
            raise RegistryError(f"{label} : valeur obligatoire.")
        return None
    if len(value) > limit:
        raise RegistryError(f"{label} : {len(value)} caractères, au plus {limit}.")
    if any(ord(c) < 32 for c in value):
        raise RegistryError(f"{label} : caractère de contrôle non autorisé.")
    return value


def to_date(value, label: str) -> date | None:
    """A date from a date, « AAAA-MM-JJ » or « JJ/MM/AAAA »; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = str(value).strip()
    day = parse_day(raw)
    if day is not None:
        return day
    raise RegistryError(f"{label} : « {raw} » n'est pas une date (attendu JJ/MM/AAAA ou AAAA-MM-JJ).")


def to_url(value, label: str) -> str | None:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if not value:
        return None
    if not _URL.match(value) or len(value) > 1000:
        raise RegistryError(f"{label} : « {value[:80]} » n'est pas une adresse http(s)://….")
    return value


def to_number(value, label: str, low: float, high: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(str(value).replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except ValueError:
        raise RegistryError(f"{label} : « {value} » n'est pas un nombre.") from None
    if not low <= number <= high:
        raise RegistryError(f"{label} : {value} hors de l'intervalle [{low} ; {high}].")
    return number


def to_budget(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).replace(",", ".").replace("\u202f", "").replace(" ", "").replace("€", ""))
    except InvalidOperation:
        raise RegistryError(f"Budget : « {value} » n'est pas un montant en euros.") from None
    if amount < 0 or amount >= Decimal("1e12"):
        raise RegistryError(f"Budget : {value} n'est pas un montant possible (positif, moins de 1 000 milliards).")
    return amount.quantize(Decimal("0.01"))


def to_bool(value, label: str) -> bool:
    if isinstance(value, bool):
        return value
    raw = str(value).strip().lower()
    if raw in ("true", "oui", "1", "vrai"):
        return True
    if raw in ("false", "non", "0", "faux"):
        return False
    raise RegistryError(f"{label} : « {value} » au lieu de oui ou non.")


def lab_id(value) -> str:
    raw = (value or "").strip()
    if not _SLUG.match(raw):
        raise RegistryError(f"Identifiant : « {raw} » ne convient pas (2 à 63 caractères : minuscules sans accent, "
                            "chiffres et tirets, par exemple « lab-pei »).")
    return raw


def code(value, label: str) -> str:
    raw = (value or "").strip()
    if not _CODE.match(raw):
        raise RegistryError(f"{label} : « {raw} » ne convient pas (lettres sans accent, chiffres, tirets ; "
                            "au plus 40 caractères).")
    return raw


def as_text(value) -> str | None:
    """How a value is kept in the history (`lab_changes.before_value` / `after_value`)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 6))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def shown(field: str, stored: str | None) -> str:
    """A history value as a French reader reads it (dates JJ/MM/AAAA, euros, oui/non)."""
    if stored is None or stored == "":
        return "—"
    if field in DATE_FIELDS:
        try:
            return fmt_date(date.fromisoformat(stored))
        except ValueError:
            return stored
    if field == "budget_eur":
        try:
            return fmt_eur(float(stored))
        except ValueError:
            return stored
    if field == "identified":
        return "oui" if stored == "true" else "non"
    return stored
