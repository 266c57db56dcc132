"""The dashboard's filters (period, regions, labs, cohort, open/closed) and how they become SQL.

A `Filters` value is hashable (it keys cached queries) and round-trips through the URL query string.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from lit_analytics import domain
from lit_analytics.formats import parse_quarter, quarter_end, quarter_start

LAB_STATUSES = {"tous": "Tous", "ouverts": "Ouverts", "fermés": "Fermés"}


@dataclass(frozen=True)
class Filters:
    quarter_from: str | None = None       # '2017-T1'
    quarter_to: str | None = None         # '2026-T3'
    regions: tuple[str, ...] = field(default_factory=tuple)
    labs: tuple[str, ...] = field(default_factory=tuple)
    cohort: str | None = None             # 'laureat-2016' | 'relance-2021-2022'
    lab_status: str = "tous"              # 'tous' | 'ouverts' | 'fermés' (at the end of the period)

    def canonical(self) -> Filters:
        """The same filters in one spelling: regions and labs sorted without repeats, the period in order. Cache keys
        are made of it, so two URLs that mean the same filters share one entry (each entry is a figure)."""
        q_from, q_to = self.quarter_from, self.quarter_to
        if q_from and q_to and q_from > q_to:
            q_from, q_to = q_to, q_from
        return replace(self, quarter_from=q_from, quarter_to=q_to, regions=tuple(sorted(set(self.regions))),
                       labs=tuple(sorted(set(self.labs))))

    # -- period ----------------------------------------------------------------------------------
    @property
    def start_date(self) -> date | None:
        return quarter_start(self.quarter_from) if self.quarter_from else None

    @property
    def end_date(self) -> date | None:
        return quarter_end(self.quarter_to) if self.quarter_to else None

    def with_(self, **changes) -> Filters:
        return replace(self, **changes)

    # -- SQL -------------------------------------------------------------------------------------
    def lab_where(self, alias: str = "l") -> tuple[str, list]:
        """Conditions on the labs table (alias `alias`), with parameters."""
        clauses, params = [], []
        if self.regions:
            clauses.append(f"{alias}.region_code IN ({', '.join('?' * len(self.regions))})")
            params += list(self.regions)
        if self.labs:
            clauses.append(f"{alias}.lab_id IN ({', '.join('?' * len(self.labs))})")
            params += list(self.labs)
        if self.cohort:
            clauses.append(f"{alias}.cohort = ?")
            params.append(self.cohort)
        if self.lab_status in ("ouverts", "fermés"):
            end = self.end_date or domain.FAR_FUTURE
            test = f"({alias}.closed_on IS NULL OR {alias}.closed_on > ?)"
            clauses.append(test if self.lab_status == "ouverts" else f"NOT {test}")
            params.append(end)
        return (" AND ".join(clauses) or "TRUE"), params

    def period_where(self, column: str) -> tuple[str, list]:
        """Conditions putting a date column inside the period."""
        clauses, params = [], []
        if self.start_date:
            clauses.append(f"{column} >= ?")
            params.append(self.start_date)
        if self.end_date:
            clauses.append(f"{column} <= ?")
            params.append(self.end_date)
        return (" AND ".join(clauses) or "TRUE"), params

    def quarter_where(self, column: str) -> tuple[str, list]:
        """Conditions putting a quarter column ('2021-T3') inside the period."""
        clauses, params = [], []
        if self.quarter_from:
            clauses.append(f"{column} >= ?")
            params.append(self.quarter_from)
        if self.quarter_to:
            clauses.append(f"{column} <= ?")
            params.append(self.quarter_to)
        return (" AND ".join(clauses) or "TRUE"), params

    # -- URL -------------------------------------------------------------------------------------
    def to_query_params(self) -> dict[str, str]:
        params = {}
        if self.quarter_from:
            params["du"] = self.quarter_from
        if self.quarter_to:
            params["au"] = self.quarter_to
        if self.regions:
            params["region"] = ",".join(self.regions)
        if self.labs:
            params["lab"] = ",".join(self.labs)
        if self.cohort:
            params["cohorte"] = self.cohort
        if self.lab_status != "tous":
            params["statut"] = self.lab_status
        return params

    @classmethod
    def from_query_params(cls, params: dict[str, str]) -> Filters:
        """Read filters from a URL; unknown or malformed values are ignored, never an error."""
        def quarter(key):
            try:
                return parse_quarter(params[key]) if params.get(key) else None
            except ValueError:
                return None

        def items(key):
            return tuple(v for v in str(params.get(key, "")).split(",") if v)

        status = params.get("statut", "tous")
        return cls(quarter_from=quarter("du"), quarter_to=quarter("au"), regions=items("region"),
                   labs=items("lab"), cohort=params.get("cohorte") or None,
                   lab_status=status if status in LAB_STATUSES else "tous")
