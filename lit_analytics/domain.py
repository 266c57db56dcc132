"""The programme's vocabulary and rules, in one place.

Values are the users' words (French) because they travel in files lab leads fill in; the exchange
schemas in `data/schemas/` must list the same values (a test checks it).
"""

from __future__ import annotations

from datetime import date

# Project life cycle, in order (the last two are terminal).
PROJECT_STATUSES = ["émergence", "conception", "expérimentation", "déploiement", "essaimage", "terminé", "abandonné"]

THEMES = [
    "Inclusion et solidarités",
    "Emploi et économie sociale et solidaire",
    "Transition écologique et énergie",
    "Numérique et données",
    "Relation aux usagers",
    "Ressources humaines et management",
    "Coopération État-collectivités",
    "Santé",
    "Jeunesse et éducation",
    "Contrôle et inspection",
    "Autre",
]

PARTNER_TYPES = ["collectivité", "opérateur public", "recherche", "entreprise", "association", "usagers"]

SESSION_FORMATS = ["formation", "atelier", "webinaire", "sensibilisation", "autre"]

FUNDING_SOURCES = ["PIA", "FTAP", "relance", "autre"]


def funding_order(present) -> list[str]:
    """The funding sources present, the programme's own first (in `FUNDING_SOURCES` order), then those the
    registry added since (`funding_sources`, migration 008), alphabetically: no source is left out of a figure."""
    present = set(present)
    return [s for s in FUNDING_SOURCES if s in present] + sorted(present - set(FUNDING_SOURCES))


REPORT_KINDS = ["projets", "sessions", "financements"]
# What a lab lead reports, per lab and quarter; the funding ledger (`financements`) is the DITP's whole file.
LAB_REPORT_KINDS = ("projets", "sessions")
# The quarter's « météo » (`data/schemas/meteo.json`): given by a lab lead with each quarterly report, versioned on
# its own (`ingest/meteo.py`); not one of the reports followed on « Suivi des dépôts ».
METEO = "meteo"
# The four levels, best first, with the meaning the DITP's PILOTE gives them (French wording: presentation.meteo).
METEO_LEVELS = ["soleil", "couvert", "nuage", "orage"]
# Every exchange format with a Table Schema in `data/schemas/`.
EXCHANGE_FORMATS = [*REPORT_KINDS, METEO]

# The first quarter of activity the programme follows (demonstration data and the upload form start here).
FIRST_QUARTER = "2017-T1"

COHORTS = {
    "laureat-2016": "Lauréats 2016",
    "relance-2021-2022": "Créés en 2021-2022 (relance)",
}

# Funding rules of the 2016 call (seeds 000-003).
PIA_MAX_PER_LAUREATE_EUR = 250_000
PIA_MAX_SHARE_OF_BUDGET = 0.5
LAB_BUDGET_MAX_EUR = 500_000
PIA_WINDOW_MONTHS = 18

# Public reference figures (DITP, 1 December 2020, seed 004).
# The end of an open period: "no end date" compared as a date (SQL parameters need a value, not NULL).
FAR_FUTURE = date(9999, 12, 31)

REFERENCE_DATE = date(2020, 12, 1)
REFERENCE_ACTIVE_LABS = 9
REFERENCE_PROJECTS_2020 = 200       # "près de 200 projets et actions"
REFERENCE_SESSIONS_2020 = 500       # "près de 500 sessions de formation"
REFERENCE_SOURCE = "DITP, « Une nouvelle ambition pour les laboratoires d'innovation territoriale », 01/12/2020"

DEMO_USER = "démo"
