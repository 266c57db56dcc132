"""The météo's words: the four levels with the meaning the DITP's PILOTE gives them, and the French tables of the
national « Météo des labs » and of a lab's météo quarter by quarter (pages, decks and workbooks say the same)."""

from __future__ import annotations

import pandas as pd

from lit_analytics.domain import METEO_LEVELS
from lit_analytics.filters import Filters
from lit_analytics.formats import fmt_date, fmt_quarter
from lit_analytics.indicators import meteo as queries
from lit_analytics.presentation.common import UNKNOWN_REGION
from lit_analytics.store import Store

# code → (symbol, name, meaning): PILOTE's météo. Symbols every font of the pages has (no emoji: ⛅ and ⛈ are
# missing from common fonts and show as empty boxes); decks print the words only.
LEVELS = {
    "soleil": ("☀", "Soleil", "objectifs sécurisés"),
    "couvert": ("◐", "Couvert", "objectifs atteignables"),
    "nuage": ("☁", "Nuage", "appuis nécessaires"),
    "orage": ("⚡", "Orage", "objectifs compromis"),
}
NOT_GIVEN = "Non renseignée"
TEXTS = {"highlights": "Faits marquants", "difficulties": "Difficultés et freins",
         "support_needs": "Besoins d'appui de la DITP"}
TITLE = "Météo des labs"
NOT_PUBLIC = ("Textes des porteurs de laboratoire, non publics : à ne pas diffuser hors de l'administration "
              "sans l'accord de la DITP.")


def level_text(code: str | None, symbol: bool = True) -> str:
    """« ☀ Soleil — objectifs sécurisés » (or without the symbol, for decks), « Non renseignée » when missing."""
    if not isinstance(code, str) or code not in LEVELS:
        return NOT_GIVEN
    mark, name, meaning = LEVELS[code]
    return f"{mark} {name} — {meaning}" if symbol else f"{name} — {meaning}"


def level_rank(code: str | None) -> int:
    """Worst first: orage 1 … soleil 4, not given 5 (the order the DITP reads the table in)."""
    return {c: 4 - n for n, c in enumerate(METEO_LEVELS)}.get(code, 5) if isinstance(code, str) else 5


def levels_table() -> pd.DataFrame:
    """The four levels and their meaning (a legend)."""
    return pd.DataFrame([(f"{m} {n}", meaning) for m, n, meaning in LEVELS.values()], columns=["Météo", "Signification"])


def meteo_table(store: Store, filters: Filters, quarter: str, levels: tuple[str, ...] = ()) -> pd.DataFrame:
    """The national « Météo des labs » of a quarter in French, worst météo first; `levels` narrows it (codes,
    `""` for « Non renseignée »)."""
    df = queries.meteo_table(store, filters, quarter)
    if levels:
        df = df[[(c if isinstance(c, str) else "") in levels for c in df["level"]]]
    df = df.assign(rank=[level_rank(c) for c in df["level"]]).sort_values(["rank", "lab_name"], kind="stable")
    return pd.DataFrame({
        "Laboratoire": df["lab_name"], "Région": df["region"].fillna(UNKNOWN_REGION),
        "Météo": [level_text(c) for c in df["level"]],
        **{label: df[column].fillna("") for column, label in TEXTS.items()},
        "Réponses de la DITP": df["comments"].astype(int),
        "Dernière réponse": df["last_comment"].fillna(""),
        "Publiée le": [fmt_date(v) if not pd.isna(v) else "" for v in df["published_at"]],
        "Démonstration": ["oui" if d is True else "" for d in df["is_demo"]],
    }).reset_index(drop=True)


def meteo_counts_table(store: Store, filters: Filters, quarter: str) -> pd.DataFrame:
    """`meteo_counts` of the quarter's whole national table (what the home page shows beside it)."""
    return meteo_counts(meteo_table(store, filters, quarter))


def meteo_counts(table: pd.DataFrame) -> pd.DataFrame:
    """How many labs at each level (the data table beside the national table; short names: « ☀ Soleil »)."""
    names = [level_text(c) for c in METEO_LEVELS] + [NOT_GIVEN]
    counts = table["Météo"].value_counts() if not table.empty else pd.Series(dtype=int)
    return pd.DataFrame({"Météo": [n.split(" — ")[0] for n in names],
                         "Laboratoires": [int(counts.get(n, 0)) for n in names]})


def lab_meteo_table(store: Store, lab_id: str) -> pd.DataFrame:
    """A lab's météo quarter by quarter (newest first), with the DITP's answers."""
    df = queries.lab_meteo(store, lab_id)
    comments = queries.meteo_comments(store, lab_id)
    answers = {q: " | ".join(f"{fmt_date(at)}, {by} : {body}" for body, at, by in
                             zip(g["body"], g["written_at"], g["written_by"]))
               for q, g in comments.groupby("quarter")} if not comments.empty else {}
    return pd.DataFrame({
        "Trimestre": [fmt_quarter(q) for q in df["quarter"]],
        "Météo": [level_text(c) for c in df["level"]],
        **{label: df[column] for column, label in TEXTS.items()},
        "Réponses de la DITP": [answers.get(q, "") for q in df["quarter"]],
        "Publiée le": [fmt_date(v) for v in df["published_at"]], "Par": df["published_by"],
        "Publique": ["oui" if p else "non" for p in df["is_public"]],
        "Démonstration": ["oui" if d else "" for d in df["is_demo"]],
    })
