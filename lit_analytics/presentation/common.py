"""Helpers shared by the French tables of the charts: quarters written the French way, a long frame made
wide (one column per category, in the domain's order), and the name of the region of labs placed nowhere.
"""

from __future__ import annotations

import pandas as pd

from lit_analytics.formats import fmt_quarter

UNKNOWN_REGION = "Région non connue"   # labs without a known region (2016 laureates not publicly identified)


def quarters(series: pd.Series) -> list[str]:
    """Stored quarters ('2021-T3') as French labels (« T3 2021 »)."""
    return [fmt_quarter(q) for q in series]


def wide(df: pd.DataFrame, index: str, column: str, value: str, order: list[str], suffix: str = "",
         total: str | None = None) -> pd.DataFrame:
    """`df` pivoted: one row per `index`, one column per `column` value (known values in `order` first),
    summed `value`, optionally a `total` column; an empty frame keeps the expected columns."""
    if df.empty:
        return pd.DataFrame(columns=[index] + [c + suffix for c in order] + ([total] if total else []))
    wide = df.pivot_table(index=index, columns=column, values=value, aggfunc="sum", fill_value=0, sort=True)
    cols = [c for c in order if c in wide.columns] + sorted(set(wide.columns) - set(order))
    wide = wide[cols]
    if total:
        wide[total] = wide.sum(axis=1)
    wide.columns = [c + suffix if c in cols else c for c in wide.columns]
    return wide.reset_index()
