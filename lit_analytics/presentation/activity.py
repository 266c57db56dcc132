"""French tables of the overview and impact charts, and the DITP's published figures worded.

Each `*_table` turns the DataFrame an indicator returns (English columns, codes) into the table shown under
its chart and written to exports (French columns, raw values). Kept beside each other, apart from the chart
registry, so the wording of a column changes in one place for the screen, the workbook and the deck.
"""

from __future__ import annotations

import pandas as pd

from lit_analytics import domain, indicators
from lit_analytics.filters import Filters
from lit_analytics.presentation.common import UNKNOWN_REGION, quarters, wide
from lit_analytics.store import Store


def status_table(df):
    return df.rename(columns={"status": "Étape", "projects": "Projets"})


def activity_table(df):
    return pd.DataFrame({
        "Trimestre": quarters(df["quarter"]), "Projets lancés": df["projects_started"],
        "Sessions": df["sessions"], "Participants": df["participants"],
        "Projets lancés (cumul)": df["projects_cumulative"], "Sessions (cumul)": df["sessions_cumulative"]})


REFERENCE_FIGURES = {   # indicators.reference_comparison's codes: French name, the DITP's own wording
    "labs_active": ("Laboratoires actifs au 01/12/2020", "9 laboratoires encore actifs"),
    "projects_2020": ("Projets et actions lancés fin 2020", "près de 200"),
    "sessions_2020": ("Sessions de formation fin 2020", "près de 500"),
}


def reference_figures(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """`indicators.reference_comparison` (national, the filters do not apply) with its French names and the
    DITP's wording of each published figure."""
    df = indicators.reference_comparison(store)
    return df.assign(indicator=[REFERENCE_FIGURES[c][0] for c in df["indicator"]],
                     reference_wording=[REFERENCE_FIGURES[c][1] for c in df["indicator"]])


def reference_table(df):
    return pd.DataFrame({
        "Indicateur": df["indicator"],
        "Chiffre publié par la DITP (01/12/2020)": df["reference"],
        "Formulation de la DITP": df["reference_wording"],
        "Selon les données": df["data"],
        "Écart (%)": (100 * (df["data"] - df["reference"]) / df["reference"]).round(1)})


def stage_table(df):
    out = wide(df, "quarter", "status", "projects", domain.PROJECT_STATUSES, total="Total")
    out.insert(0, "Trimestre", quarters(out.pop("quarter")) if "quarter" in out else [])
    return out


def theme_table(df):
    return df.rename(columns={"theme": "Thème", "projects": "Projets", "share_pct": "Part des projets (%)"})


def partner_table(df):
    return df.rename(columns={"partner": "Type de partenaire", "projects": "Projets",
                              "share_pct": "Part des projets (%)"})


def sessions_table(df):
    out = wide(df, "quarter", "format", "sessions", domain.SESSION_FORMATS, total="Total")
    out.insert(0, "Trimestre", quarters(out.pop("quarter")) if "quarter" in out else [])
    hours = df.groupby("quarter")["hours"].sum() if not df.empty else pd.Series(dtype=float)
    out["Heures de formation"] = list(hours.values) if not df.empty else []
    return out


def participants_table(df):
    return pd.DataFrame({"Trimestre": quarters(df["quarter"]), "Agents publics": df["agents"],
                         "Autres participants": df["others"], "Total": df["agents"] + df["others"]})


def essaimage_table(df):
    return df.rename(columns={"year": "Année de lancement", "projects": "Projets lancés",
                              "reached": "Ont atteint l'essaimage", "share_pct": "Part (%)"})


def lab_table(df):
    return pd.DataFrame({
        "Laboratoire": df["name"], "Région": df["region"].fillna(UNKNOWN_REGION),
        "Cohorte": [domain.COHORTS.get(c, c) for c in df["cohort"]], "Projets": df["projects"],
        "Projets ayant atteint l'essaimage": df["reached"], "Sessions": df["sessions"],
        "Participants": df["participants"], "Montant engagé (€)": df["committed"]})
