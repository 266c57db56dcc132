"""The scope of a figure in French: its period (« T1 2017 – T3 2026 »), its filters (« Bretagne · lauréats
2016 »), its source line, and how the headline figures moved against a year earlier.

Pages, the catalogue's figures and the briefing deck all print these lines; written once here so that a
figure and the page around it always describe the same scope in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lit_analytics import domain, indicators
from lit_analytics.filters import Filters
from lit_analytics.formats import fmt_change, fmt_quarter, source_caption
from lit_analytics.lab_names import lab_names
from lit_analytics.store import Store

SOURCE_PUBLIC = "DITP, rapports trimestriels des laboratoires"
SOURCE_DEMO = "données de démonstration (fictives)"
NATIONAL_SCOPE = "France entière, sans filtre · chiffres DITP au 01/12/2020"   # the reference figures' scope


def data_source(store: Store) -> str:
    """Where the figures come from, in French: the labs' reports, or demo data when any is loaded."""
    return SOURCE_DEMO if indicators.has_demo_data(store) else SOURCE_PUBLIC


def period_text(store: Store, filters: Filters = Filters()) -> str:
    """The period of the filters in French (« T1 2017 – T3 2026 »), the data's own bounds when open."""
    available = indicators.quarters_available(store)
    first = filters.quarter_from or (available[0] if available else None)
    last = filters.quarter_to or (available[-1] if available else None)
    return f"{fmt_quarter(first)} – {fmt_quarter(last)}" if first and last else "Toute la période"


@dataclass(frozen=True)
class Change:
    """A headline figure's change against the same period a year earlier, in French."""
    text: str          # « +37 (+8,9 %) », « −1 (−7,7 %) », « stable »
    direction: str     # "up", "down" or "off" (for an arrow)


@dataclass(frozen=True)
class HeadlineChanges:
    period: str                    # the period a year earlier, « T1 2017 – T3 2025 »
    changes: dict[str, Change]     # figure → change; figures: the `indicators.Headline` fields and
    #                                "committed_total", "paid_total", "committed:SOURCE", "paid:SOURCE"

    @property
    def sentence(self) -> str:
        return f"Évolutions par rapport à la même période un an plus tôt ({self.period})."


def headline_changes(store: Store, filters: Filters, today: date) -> HeadlineChanges | None:
    """How each headline figure moved against the same period a year earlier (`indicators.year_earlier`);
    None when the data has no such period. `today` counts the labs active today (see `indicators.headline`)."""
    earlier = indicators.year_earlier(store, filters)
    if earlier is None:
        return None
    now, before = indicators.headline(store, filters, today), indicators.headline(store, earlier, today)

    def change(a: float, b: float, money: bool = False) -> Change:
        return Change(fmt_change(a, b, money=money), "up" if a > b else "down" if a < b else "off")

    changes = {name: change(getattr(now, name), getattr(before, name))
               for name in ("labs_funded", "labs_active", "projects", "sessions", "participants")}
    changes["committed_total"] = change(now.committed_total, before.committed_total, True)
    changes["paid_total"] = change(sum(now.paid_by_source.values()), sum(before.paid_by_source.values()), True)
    for source in domain.funding_order({*now.committed_by_source, *before.committed_by_source}):
        changes[f"committed:{source}"] = change(now.committed_by_source.get(source, 0.0),
                                                before.committed_by_source.get(source, 0.0), True)
        changes[f"paid:{source}"] = change(now.paid_by_source.get(source, 0.0), before.paid_by_source.get(source, 0.0),
                                           True)
    return HeadlineChanges(period_text(store, earlier), changes)


def scope_text(store: Store, filters: Filters = Filters()) -> str:
    """The scope of a figure in French: period, then each filter that is set (« T1 2017 – T3 2026 · Bretagne »)."""
    parts = [period_text(store, filters)]
    if filters.regions:
        names = indicators.region_names(store)
        shown = [names.get(code, code) for code in filters.regions]
        parts.append(", ".join(shown) if len(shown) <= 3 else f"{len(shown)} régions")
    elif not filters.labs:
        parts.append("France entière")
    if filters.labs:
        if len(filters.labs) <= 2:
            names = lab_names(store, filters.labs)
            parts.append(", ".join(names.get(lab, lab) for lab in filters.labs))
        else:
            parts.append(f"{len(filters.labs)} laboratoires")
    if filters.cohort:
        parts.append(domain.COHORTS.get(filters.cohort, filters.cohort))
    if filters.lab_status == "ouverts":
        parts.append("laboratoires ouverts")
    elif filters.lab_status == "fermés":
        parts.append("laboratoires fermés")
    return " · ".join(parts)


def subtitle(store: Store, filters: Filters, national: bool = False) -> str:
    """The line under a figure's title: its scope, or the reference figures' fixed national scope."""
    return NATIONAL_SCOPE if national else scope_text(store, filters)


def caption(store: Store, filters: Filters, national: bool = False) -> str:
    """« Source : … — données au 30/09/2021 » for the scope (national figures: the whole data, DITP's source)."""
    data_date = indicators.data_date(store, Filters() if national else filters)
    text = source_caption(data_source(store), data_date)
    if national:
        text += f" ; {domain.REFERENCE_SOURCE}"
    return text
