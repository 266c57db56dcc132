"""French tables that are not charts: tables for the screen and the workbook (latest reports, lab directory,
a lab's facts and tranches, the funding ledger), and `display_table`, which writes any French table's values the
French way for a screen (exports keep raw values: numbers, dates).

Queries come from `indicators` (English column names, codes); the French wording is applied here.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from lit_analytics import domain, indicators
from lit_analytics.filters import Filters
from lit_analytics.formats import fmt_date, fmt_eur, fmt_number, fmt_quarter
from lit_analytics.presentation.common import UNKNOWN_REGION
from lit_analytics.store import Store


def display_table(data: pd.DataFrame) -> pd.DataFrame:
    """The same table with every value written the French way (for screens; exports keep raw values)."""
    out = pd.DataFrame(index=data.index)
    for col in data.columns:
        series = data[col]
        if col.endswith("(€)"):
            out[col] = [fmt_eur(v) for v in series]
        elif col.endswith("(%)"):
            out[col] = ["" if pd.isna(v) else f"{fmt_number(v, 1)}\u00a0%" for v in series]
        elif col.startswith("Année"):
            out[col] = ["" if pd.isna(v) else str(int(v)) if isinstance(v, float) else str(v) for v in series]
        elif pd.api.types.is_bool_dtype(series):
            out[col] = ["oui" if v else "non" for v in series]
        elif pd.api.types.is_numeric_dtype(series):
            decimals = 0 if pd.api.types.is_integer_dtype(series) or (series.dropna() % 1 == 0).all() else 1
            out[col] = [fmt_number(v, decimals) for v in series]
        elif pd.api.types.is_datetime64_any_dtype(series) or \
                series.map(lambda v: isinstance(v, (date, datetime, pd.Timestamp))).astype(bool).any():
            out[col] = [fmt_date(v) if not pd.isna(v) else "" for v in series]
        else:
            out[col] = series.fillna("").astype(str)
    return out


REPORT_KINDS = {"projets": "Projets", "sessions": "Sessions", "financements": "Registre des financements"}
LEDGER_OWNER = "Registre des financements (DITP)"   # the « lab » of the funding ledger, which belongs to no lab


def latest_reports(store: Store, filters: Filters = Filters(), limit: int = 10) -> pd.DataFrame:
    """`indicators.latest_reports` with the funding ledger's versions (no lab) named as its owner, the DITP."""
    df = indicators.latest_reports(store, filters, limit)
    df["lab"] = df["lab"].fillna(LEDGER_OWNER)
    return df


def latest_reports_table(store: Store, filters: Filters = Filters(), limit: int = 10) -> pd.DataFrame:
    df = latest_reports(store, filters, limit)
    return pd.DataFrame({
        "Publié le": [fmt_date(v) + " " + pd.Timestamp(v).strftime("%H:%M") if not pd.isna(v) else ""
                      for v in df["published_at"]],
        "Rapport": [REPORT_KINDS.get(k, k) for k in df["kind"]],
        "Trimestre": [fmt_quarter(q) if isinstance(q, str) else "" for q in df["quarter"]],
        "Laboratoire": df["lab"], "Publié par": df["published_by"],
        "Démonstration": ["oui" if d else "non" for d in df["is_demo"]]})


def lab_directory_table(store: Store, filters: Filters = Filters(), search: str = "") -> pd.DataFrame:
    df = indicators.lab_directory(store, filters, search)
    return pd.DataFrame({
        "Identifiant": df["lab_id"], "Laboratoire": df["name"], "Région": df["region"].fillna(UNKNOWN_REGION),
        "Ville": df["city"].fillna(""), "Cohorte": [domain.COHORTS.get(c, c) for c in df["cohort"]],
        "Ouverture": df["opened_on"], "Fermeture": df["closed_on"],
        "État": ["fermé" if not pd.isna(c) else "ouvert" for c in df["closed_on"]],
        "Thèmes": df["themes"].fillna(""), "Source": df["source"]})


def lab_facts_table(store: Store, lab_id: str) -> pd.DataFrame:
    """What is known about a lab, one fact per line, with where it comes from."""
    lab = indicators.lab_profile(store, lab_id)
    if lab is None:
        return pd.DataFrame(columns=["Information", "Valeur"])
    facts = [
        ("Nom", lab["name"]),
        ("Région", lab["region_name"] or "non connue (aucune source publique)"),
        ("Ville", lab["city"] or "non connue"),
        ("Porteur", lab["lead_administration"] or "non connu"),
        ("Cohorte", domain.COHORTS.get(lab["cohort"], lab["cohort"])),
        ("Ouverture", fmt_date(lab["opened_on"]) or "non connue"),
        ("Fermeture", fmt_date(lab["closed_on"]) if lab["closed_on"] else "ouvert"),
        ("Thèmes", lab["themes"] or "non renseignés"),
        ("Budget du projet", fmt_eur(lab["budget"]) if lab["budget"] is not None else "non connu"),
        ("Identifié par une source publique", "oui" if lab["identified"] else "non"),
        ("Source", lab["source"]),
        ("Valeurs supposées ou de démonstration", lab["assumptions"] or "aucune"),
    ]
    return pd.DataFrame(facts, columns=["Information", "Valeur"])


def lab_tranches_table(store: Store, lab_id: str) -> pd.DataFrame:
    df = indicators.lab_tranches(store, lab_id)
    return pd.DataFrame({"Tranche": df["tranche_id"], "Source": df["source"], "Montant (€)": df["amount"],
                         "Engagée le": df["committed_on"], "Versée le": df["paid_on"],
                         "Objet": df["purpose"].fillna("")})


def funding_ledger_table(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """The funding tranches of labs in scope committed during the period, as a French table (for exports)."""
    df = indicators.funding_ledger(store, filters)
    return pd.DataFrame({
        "Tranche": df["tranche_id"], "Laboratoire": df["lab"], "Région": df["region"].fillna(UNKNOWN_REGION),
        "Source": df["source"], "Montant (€)": df["amount"], "Engagée le": df["committed_on"],
        "Versée le": df["paid_on"], "Objet": df["purpose"].fillna(""),
        "Démonstration": ["oui" if d else "non" for d in df["is_demo"]]})


MAP_COLUMNS = {"laboratoires": "Laboratoires (ouverts sur la période)", "projets": "Projets", "sessions": "Sessions",
               "participants": "Participants", "engage": "Total engagé (€)", "engage-PIA": "PIA (€)",
               "engage-FTAP": "FTAP (€)", "engage-relance": "relance (€)", "engage-autre": "autre (€)"}


def map_values_table(map_data: pd.DataFrame, variant: str | None) -> pd.DataFrame:
    """Beside the map: each region and the value the map shows (its chart table, one column), largest first,
    so the map's content can be read without the map."""
    column = MAP_COLUMNS.get(variant or "laboratoires", MAP_COLUMNS["laboratoires"])
    short = "Laboratoires" if column.startswith("Laboratoires") else column.replace("Total engagé", "Engagé")
    table = map_data[["Région", column]].sort_values([column, "Région"], ascending=[False, True])
    return table.rename(columns={column: short}).reset_index(drop=True)


QUARTER_CHANGE_LABELS = {
    "new": "Nouveaux projets",
    "stage_changed": "Projets qui ont changé d'étape",
    "finished": "Projets terminés",
    "abandoned": "Projets abandonnés",
    "sessions": "Sessions de formation tenues",
}


def quarter_changes_table(store: Store, lab_id: str, quarter: str | None = None) -> pd.DataFrame:
    """« Ce qui a changé ce trimestre »: a lab's measures for its latest reported quarter (or `quarter`) beside
    the previous quarter's, columns named after the quarters (`T3 2026`, `T2 2026`). Empty if never reported."""
    changes = indicators.quarter_changes(store, lab_id, quarter)
    if changes.empty:
        return pd.DataFrame()
    now, before = fmt_quarter(changes["quarter"].iloc[0]), fmt_quarter(changes["previous_quarter"].iloc[0])
    return pd.DataFrame({"Évolution": changes["measure"].map(QUARTER_CHANGE_LABELS),
                         now: changes["current"].astype(int), f"{before} (trimestre précédent)":
                         changes["previous"].astype(int)})
