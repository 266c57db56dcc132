"""French tables of the funding charts, the regions of unplaced labs named, and the PIA rules and verdicts.

`indicators.funding` returns sources as codes, a NULL region for labs placed nowhere and each PIA check as a
boolean plus a status code; this module writes them for people: column names, « Région non connue », the
verdict « Non conforme : … » and the sentences under the PIA chart.
"""

from __future__ import annotations

import pandas as pd

from lit_analytics import domain, indicators
from lit_analytics.filters import Filters
from lit_analytics.formats import fmt_eur, fmt_int
from lit_analytics.presentation.common import UNKNOWN_REGION, quarters, wide
from lit_analytics.store import Store


def funding_quarter_table(df):
    df = df[df["committed"] > 0] if not df.empty else df
    out = wide(df, "quarter", "source", "committed", domain.FUNDING_SOURCES, suffix=" (€)", total="Total (€)")
    out.insert(0, "Trimestre", quarters(out.pop("quarter")) if "quarter" in out else [])
    return out


def cumulative_table(df):
    return pd.DataFrame({"Trimestre": quarters(df["quarter"]), "Source": df["source"],
                         "Engagé sur le trimestre (€)": df["committed"], "Versé sur le trimestre (€)": df["paid"],
                         "Engagé cumulé (€)": df["committed_cumulative"], "Versé cumulé (€)": df["paid_cumulative"]})


def committed_paid_table(df):
    return df.rename(columns={"source": "Source", "committed": "Engagé (€)", "paid": "Versé (€)",
                              "paid_pct": "Part versée (%)"})


def by_lab_table(df):
    out = wide(df, "name", "source", "committed", domain.FUNDING_SOURCES, suffix=" (€)", total="Total (€)")
    out = out.rename(columns={"name": "Laboratoire"})
    return out.sort_values("Total (€)", ascending=False).reset_index(drop=True) if not out.empty else out


def funding_by_region(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """`indicators.funding_by_region` with labs placed nowhere grouped under « Région non connue » (the chart
    and its table name them so), ordered by total, then region name, then source."""
    df = indicators.funding_by_region(store, filters)
    df["region"] = df["region"].fillna(UNKNOWN_REGION)
    return df.sort_values(["region_total", "region", "source"], ascending=[False, True, True],
                          kind="mergesort").reset_index(drop=True)


def by_region_table(df):
    out = wide(df, "region", "source", "committed", domain.FUNDING_SOURCES, suffix=" (€)", total="Total (€)")
    out = out.rename(columns={"region": "Région"})
    return out.sort_values("Total (€)", ascending=False).reset_index(drop=True) if not out.empty else out


PIA_RULES = {
    "ceiling": f"PIA ≤ {domain.PIA_MAX_PER_LAUREATE_EUR:,} €".replace(",", "\u202f"),
    "share": f"PIA ≤ {int(domain.PIA_MAX_SHARE_OF_BUDGET * 100)} % du budget",
    "budget": f"budget ≤ {domain.LAB_BUDGET_MAX_EUR:,} €".replace(",", "\u202f"),
    "window": f"PIA versé dans les {domain.PIA_WINDOW_MONTHS} premiers mois",
}
_PIA_BREACHES = (
    ("ceiling_ok", f"PIA de plus de {fmt_eur(domain.PIA_MAX_PER_LAUREATE_EUR)}"),
    ("share_ok", f"PIA au-delà de {int(domain.PIA_MAX_SHARE_OF_BUDGET * 100)} % du budget"),
    ("budget_ok", f"budget supérieur à {fmt_eur(domain.LAB_BUDGET_MAX_EUR)}"),
    ("window_ok", f"PIA versé après {domain.PIA_WINDOW_MONTHS} mois"),
)


def _failed(value) -> bool:
    return value is not None and not pd.isna(value) and not bool(value)


def pia_verdict(row) -> str:
    """The French verdict of one row of `indicators.pia_rule_checks`: the breaches, or what is left to check."""
    if row["status"] == indicators.PIA_BREACH:
        return "Non conforme : " + " ; ".join(label for col, label in _PIA_BREACHES if _failed(row[col]))
    if row["status"] == indicators.PIA_TO_CHECK:
        unknown = []
        if pd.isna(row["budget"]):
            unknown.append("budget inconnu")
        if row["pia_committed"] == 0:
            unknown.append("aucun PIA enregistré")
        elif row["unpaid_tranches"]:
            unknown.append("PIA pas encore entièrement versé")
        return "À vérifier : " + " ; ".join(unknown)
    return "Conforme"


def pia_checks(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """`indicators.pia_rule_checks` with `status` written as a French verdict (the chart, its table and notes)."""
    df = indicators.pia_rule_checks(store, filters)
    return df.assign(status=[pia_verdict(row) for _, row in df.iterrows()]) if not df.empty else df


def _check(value) -> str:
    if value is None or pd.isna(value):
        return "non vérifiable"
    return "respectée" if bool(value) else "DÉPASSÉE"


def pia_table(df):
    cols = ["Laboratoire", "Ouverture", "Budget (€)", "PIA engagé (€)", "PIA versé (€)", "Part du budget (%)",
            "Dernier versement PIA", "Fin des 18 mois", PIA_RULES["ceiling"],
            PIA_RULES["share"], PIA_RULES["budget"], PIA_RULES["window"], "Statut"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame(dict(zip(cols, [
        df["name"], df["opened_on"], df["budget"], df["pia_committed"], df["pia_paid"], df["share_pct"],
        df["last_paid_on"], df["window_end"], [_check(v) for v in df["ceiling_ok"]],
        [_check(v) for v in df["share_ok"]], [_check(v) for v in df["budget_ok"]],
        [_check(v) for v in df["window_ok"]], df["status"]])))


def pia_notes(data: pd.DataFrame, variant: str | None) -> tuple[str, ...]:
    """Sentences under the PIA chart: how many labs breach the rules (named), how many are left to check."""
    if data.empty:
        return ()
    breaches = data[data["status"].str.startswith("Non conforme")]
    unknown = data[data["status"].str.startswith("À vérifier")]
    notes = []
    if breaches.empty:
        notes.append(f"Aucun dépassement constaté sur {fmt_int(len(data))} laboratoire(s) contrôlé(s).")
    else:
        names = ", ".join(breaches["name"].head(5)) + (" …" if len(breaches) > 5 else "")
        notes.append(f"{fmt_int(len(breaches))} laboratoire(s) non conforme(s) sur {fmt_int(len(data))} : {names}.")
    if not unknown.empty:
        notes.append(f"{fmt_int(len(unknown))} laboratoire(s) à vérifier (budget inconnu ou PIA non versé).")
    return tuple(notes)
