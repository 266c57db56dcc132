"""The map's wording: the French names of its indicators, its table, the regions of unplaced labs named, and
the sentences under it (national total, labs the map cannot place).

`indicators.region_indicators` returns one row per region code plus a row with a NULL code and name for labs
without a known region; the map, its table and its notes call that row « Région non connue ».
"""

from __future__ import annotations

import pandas as pd

from lit_analytics import indicators
from lit_analytics.filters import Filters
from lit_analytics.formats import fmt_eur, fmt_int
from lit_analytics.presentation.common import UNKNOWN_REGION
from lit_analytics.store import Store

MAP_INDICATORS = {   # the map's variants: code -> French name (`indicators.MAP_COLUMNS` gives the column)
    "laboratoires": "Laboratoires",
    "projets": "Projets",
    "sessions": "Sessions de formation",
    "participants": "Participants",
    "engage": "Montants engagés (toutes sources)",
    "engage-PIA": "Montants engagés — PIA",
    "engage-FTAP": "Montants engagés — FTAP",
    "engage-relance": "Montants engagés — relance",
    "engage-autre": "Montants engagés — autre",
}


def region_indicators(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """`indicators.region_indicators` with the row of labs placed nowhere named « Région non connue »."""
    df = indicators.region_indicators(store, filters)
    df["region"] = df["region"].fillna(UNKNOWN_REGION)
    return df


def map_table(df):
    return pd.DataFrame({
        "Code région": df["region_code"].fillna(""), "Région": df["region"],
        "Laboratoires (ouverts sur la période)": df["labs"], "Projets": df["projects"], "Sessions": df["sessions"],
        "Participants": df["participants"], "PIA (€)": df["committed_pia"], "FTAP (€)": df["committed_ftap"],
        "relance (€)": df["committed_relance"], "autre (€)": df["committed_autre"],
        "Total engagé (€)": df["committed"]})


def map_notes(data: pd.DataFrame, variant: str | None) -> tuple[str, ...]:
    """Sentences under the map: the national total of the indicator shown, and the labs it cannot place."""
    variant = variant or "laboratoires"
    column = indicators.MAP_COLUMNS[variant]
    money = variant.startswith("engage")
    fmt = fmt_eur if money else fmt_int
    unknown = data[data["region_code"].isna()]
    total = data[column].sum()
    label = MAP_INDICATORS[variant].lower()
    notes = [f"Total national ({label}) : {fmt(total)}."]
    if not unknown.empty and int(unknown["labs_ever"].iloc[0]) > 0:
        row = unknown.iloc[0]
        notes.append(
            f"{fmt_int(row['labs_ever'])} laboratoire(s) sans région connue (lauréats 2016 non identifiés) : "
            f"{fmt(row[column])} comptés dans le total national mais absents de la carte.")
    return tuple(notes)
