"""Funding indicators: money committed and paid by quarter, source, lab and region, the PIA rules checked
per laureate, and the funding ledger.

Sources are codes (`domain.FUNDING_SOURCES`), a lab without a known region has a NULL region, and the PIA
check's `status` is a code (`PIA_COMPLIANT`, `PIA_BREACH`, `PIA_TO_CHECK`): `lit_analytics.presentation`
writes them in French.
"""

from __future__ import annotations

import pandas as pd

from lit_analytics import domain
from lit_analytics.filters import Filters
from lit_analytics.indicators.common import bounds, labs_cte, quarter_sql
from lit_analytics.store import Store
from lit_analytics.lab_names import shown_name



def funding_by_quarter(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per quarter and source: money committed (by commitment date) and paid (by payment date) in the
    period, with running totals from the start of the period."""
    cte, params = labs_cte(filters)
    c_where, c_params = filters.period_where("f.committed_on")
    p_where, p_params = filters.period_where("f.paid_on")
    return store.query_df(f"""{cte},
        moves AS (
            SELECT {quarter_sql('f.committed_on')} AS quarter, f.source, f.amount_eur AS committed, 0 AS paid
            FROM current_funding_tranches f JOIN sel_labs l USING (lab_id) WHERE {c_where}
            UNION ALL
            SELECT {quarter_sql('f.paid_on')}, f.source, 0, f.amount_eur
            FROM current_funding_tranches f JOIN sel_labs l USING (lab_id)
            WHERE f.paid_on IS NOT NULL AND {p_where}),
        q AS (SELECT quarter, source, sum(committed)::DOUBLE AS committed, sum(paid)::DOUBLE AS paid
              FROM moves GROUP BY ALL)
        SELECT quarter, source, committed, paid,
               sum(committed) OVER (PARTITION BY source ORDER BY quarter) AS committed_cumulative,
               sum(paid) OVER (PARTITION BY source ORDER BY quarter) AS paid_cumulative
        FROM q ORDER BY quarter, source""", params + c_params + p_params)


def committed_vs_paid(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per source: money committed during the period, and how much of it is paid by the period's end."""
    cte, params = labs_cte(filters)
    where, p = filters.period_where("f.committed_on")
    _, end = bounds(filters)
    df = store.query_df(f"""{cte}
        SELECT f.source, sum(f.amount_eur)::DOUBLE AS committed,
               coalesce(sum(f.amount_eur) FILTER (WHERE f.paid_on IS NOT NULL AND f.paid_on <= ?), 0)::DOUBLE AS paid
        FROM current_funding_tranches f JOIN sel_labs l USING (lab_id) WHERE {where} GROUP BY 1""",
                        params + [end] + p)
    order = {s: i for i, s in enumerate(domain.FUNDING_SOURCES)}
    df = df.sort_values("source", key=lambda s: s.map(order)).reset_index(drop=True)
    df["paid_pct"] = (100 * df["paid"] / df["committed"]).round(1)
    return df


def funding_by_lab(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per lab in scope and source: money committed during the period (labs ranked by total)."""
    cte, params = labs_cte(filters)
    where, p = filters.period_where("f.committed_on")
    return store.query_df(f"""{cte},
        m AS (SELECT f.lab_id, f.source, sum(f.amount_eur)::DOUBLE AS committed
              FROM current_funding_tranches f JOIN sel_labs l USING (lab_id) WHERE {where} GROUP BY ALL)
        SELECT m.lab_id, {shown_name()} AS name, m.source, m.committed,
               sum(m.committed) OVER (PARTITION BY m.lab_id) AS lab_total
        FROM m JOIN sel_labs l USING (lab_id)
        ORDER BY lab_total DESC, name, m.source""", params + p)




def funding_by_region(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """Per region and source: money committed during the period to the labs in scope. Labs without a known
    region have a NULL `region_code` and `region` (grouped together)."""
    cte, params = labs_cte(filters)
    where, p = filters.period_where("f.committed_on")
    return store.query_df(f"""{cte},
        m AS (SELECT l.region_code, f.source, sum(f.amount_eur)::DOUBLE AS committed
              FROM current_funding_tranches f JOIN sel_labs l USING (lab_id) WHERE {where} GROUP BY ALL)
        SELECT m.region_code, r.name AS region, m.source, m.committed,
               sum(m.committed) OVER (PARTITION BY m.region_code) AS region_total
        FROM m LEFT JOIN regions r USING (region_code)
        ORDER BY region_total DESC, region NULLS LAST, m.source""", params + p)


PIA_COMPLIANT, PIA_BREACH, PIA_TO_CHECK = "compliant", "breach", "to_check"   # pia_rule_checks' `status`


def pia_rule_checks(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """The 2016 call's rules, checked per lab that received PIA money or is a 2016 laureate (lab filters
    apply; the period does not: the rules concern the whole PIA grant).

    Columns: amounts, the four checks as booleans (NULL when it cannot be checked: budget unknown, nothing
    paid yet), `unpaid_tranches`, and `status`: `PIA_BREACH` when a check fails, else `PIA_TO_CHECK` when the
    budget is unknown, no PIA is recorded or some PIA is not paid yet, else `PIA_COMPLIANT`. The French
    verdict is written by `lit_analytics.presentation`.
    """
    where, params = filters.lab_where("l")
    df = store.query_df(f"""
        WITH pia AS (
            SELECT lab_id, sum(amount_eur)::DOUBLE AS pia_committed,
                   coalesce(sum(amount_eur) FILTER (WHERE paid_on IS NOT NULL), 0)::DOUBLE AS pia_paid,
                   count(*) FILTER (WHERE paid_on IS NULL) AS unpaid, max(paid_on) AS last_paid_on
            FROM current_funding_tranches WHERE source = 'PIA' GROUP BY 1)
        SELECT l.lab_id, {shown_name()} AS name, l.opened_on, l.budget_eur::DOUBLE AS budget,
               coalesce(pia.pia_committed, 0) AS pia_committed, coalesce(pia.pia_paid, 0) AS pia_paid,
               pia.last_paid_on, (l.opened_on + INTERVAL ({domain.PIA_WINDOW_MONTHS}) MONTH)::DATE AS window_end,
               coalesce(pia.unpaid, 0)::INTEGER AS unpaid_tranches,
               CASE WHEN l.budget_eur > 0 THEN round(100.0 * coalesce(pia.pia_committed, 0) / l.budget_eur, 1)
               END AS share_pct
        FROM labs l LEFT JOIN pia USING (lab_id)
        WHERE (l.cohort = 'laureat-2016' OR pia.lab_id IS NOT NULL) AND {where}
        ORDER BY l.name""", params)
    if df.empty:
        return df.assign(ceiling_ok=[], share_ok=[], budget_ok=[], window_ok=[], status=[])
    budget_known = df["budget"].notna()
    df["ceiling_ok"] = df["pia_committed"] <= domain.PIA_MAX_PER_LAUREATE_EUR
    df["share_ok"] = (df["pia_committed"] <= domain.PIA_MAX_SHARE_OF_BUDGET * df["budget"]).where(budget_known)
    df["budget_ok"] = (df["budget"] <= domain.LAB_BUDGET_MAX_EUR).where(budget_known)
    paid_any = df["last_paid_on"].notna() & df["opened_on"].notna()
    df["window_ok"] = (pd.to_datetime(df["last_paid_on"]) <= pd.to_datetime(df["window_end"])).where(paid_any)
    for col in ("share_ok", "budget_ok", "window_ok"):
        df[col] = df[col].astype("boolean")

    breach = ~(df["ceiling_ok"] & df["share_ok"].fillna(True) & df["budget_ok"].fillna(True)
               & df["window_ok"].fillna(True)).astype(bool)
    to_check = df["budget"].isna() | (df["pia_committed"] == 0) | (df["unpaid_tranches"] > 0)
    df["status"] = [PIA_BREACH if b else PIA_TO_CHECK if c else PIA_COMPLIANT for b, c in zip(breach, to_check)]
    return df



def funding_ledger(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """The funding tranches of labs in scope committed during the period (the workbook's ledger sheet)."""
    cte, params = labs_cte(filters)
    where, p = filters.period_where("f.committed_on")
    return store.query_df(f"""{cte}
        SELECT f.tranche_id, {shown_name()} AS lab, r.name AS region, f.source, f.amount_eur::DOUBLE AS amount,
               f.committed_on, f.paid_on, f.purpose, f.is_demo
        FROM current_funding_tranches f JOIN sel_labs l USING (lab_id) LEFT JOIN regions r USING (region_code)
        WHERE {where} ORDER BY f.committed_on, f.tranche_id""", params + p)

