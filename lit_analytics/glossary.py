"""« Définitions »: one glossary for the page of that name and the deck's closing slides — every chart's definition
(the catalogue's), every field of the exchange formats (the Table Schemas of `data/schemas/`: title and
description), the météo levels of the quarterly reports (PILOTE's meanings) and the data alerts.

    for entry in entries(): entry.section, entry.term, entry.definition
    search(entries(), "session")   # accents and case do not matter
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from lit_analytics import catalogue, config, navigation

CHARTS = "Graphiques"
WEATHER = "Météo des laboratoires"
ALERTS = "Alertes sur les données"
# The four levels of a lab's quarterly météo, with the meaning the DITP's PILOTE gives them (issue 22, point 2).
WEATHER_LEVELS = {
    "Soleil": "Objectifs sécurisés (météo déclarée par le laboratoire avec son rapport trimestriel).",
    "Couvert": "Objectifs atteignables.",
    "Nuage": "Appuis nécessaires pour atteindre les objectifs.",
    "Orage": "Objectifs compromis ; « Suivi des dépôts » signale le laboratoire en alerte.",
}
ALERT_TERMS = {
    "Aucun rapport publié": "Un laboratoire ouvert n'a publié aucun rapport trimestriel (ni projets ni sessions) "
                            "pour le nombre de trimestres échus fixé par les administrateurs (2 par défaut).",
    "Météo « orage »": "Le laboratoire a déclaré la météo « orage » (objectifs compromis) pour le dernier "
                       "trimestre échu.",
    "Indicateur en baisse": "Sessions, participants ou projets en cours d'un laboratoire en baisse d'au moins la "
                            "part fixée par les administrateurs (50 % par défaut) par rapport au même trimestre de "
                            "l'année précédente.",
    "Repères": "Événements tracés sur les graphiques temporels : jalons du programme avec leur source, événements "
               "ajoutés par les administrateurs et, sur les graphiques d'un laboratoire, ses tranches de "
               "financement engagées.",
}


@dataclass(frozen=True)
class Entry:
    section: str          # « Graphiques », « Format d'échange : … », « Météo des laboratoires »…
    term: str
    definition: str
    key: str = ""         # a chart's id (the charts' links), a field's exchange name


def _fold(text: str) -> str:
    """Lower case without accents: « Émergence » and « emergence » match."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _schema_entries() -> tuple[Entry, ...]:
    out = []
    for path in sorted(config.SCHEMA_DIR.glob("*.json")):
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        section = f"Format d'échange : {descriptor.get('title', path.stem)}"
        if descriptor.get("description"):
            out.append(Entry(section, f"Fichier « {descriptor.get('name', path.stem)} »", descriptor["description"]))
        for field in descriptor.get("fields", []):
            out.append(Entry(section, f"{field.get('title', field['name'])} ({field['name']})",
                             field.get("description", ""), field["name"]))
    return tuple(out)


def entries() -> list[Entry]:
    """Every entry, section by section: charts (catalogue order), exchange formats, météo, alerts."""
    pages = {p.id: p.title for p in navigation.PAGES}
    charts = [Entry(CHARTS, spec.title_for(), f"{spec.definition} (page « {pages.get(spec.page, spec.page)} »)",
                    spec.id) for spec in catalogue.CATALOGUE.values()]
    return (charts + list(_schema_entries()) + [Entry(WEATHER, k, v) for k, v in WEATHER_LEVELS.items()]
            + [Entry(ALERTS, k, v) for k, v in ALERT_TERMS.items()])


def search(found: list[Entry], text: str) -> list[Entry]:
    """The entries whose section, term, definition or key contain every word of `text`."""
    words = _fold(text or "").split()
    return [e for e in found if all(w in _fold(f"{e.section} {e.term} {e.definition} {e.key}") for w in words)]


def sections(found: list[Entry]) -> dict[str, list[Entry]]:
    """Entries grouped by section, sections in their order of first appearance."""
    out: dict[str, list[Entry]] = {}
    for entry in found:
        out.setdefault(entry.section, []).append(entry)
    return out
