"""Cohorts, funding sources and public sources of the registry (administrators only for every write).

Cohorts (`cohorts`) and funding sources (`funding_sources`) share one shape (migration 008): code, French label,
dates, description, and the public page they are known from. A lab's cohort and a funding tranche's source are
checked against them (French messages) instead of the CHECKs of earlier releases.
"""

from __future__ import annotations

import pandas as pd

from lit_analytics import audit
from lit_analytics.audit import Action, Outcome
from lit_analytics.permissions import Actor
from lit_analytics.registry import values as V
from lit_analytics.registry.labs import add_source_row, lab_row, require_registry_admin
from lit_analytics.registry.values import Citation, RegistryError
from lit_analytics.store import Store

CATALOGS = {"cohorts": "cohorte", "funding_sources": "source de financement"}
CATALOG_COLUMNS = ("code", "label", "starts_on", "ends_on", "description", "source_title", "published_on", "url")


def _table(table: str) -> str:
    if table not in CATALOGS:
        raise RegistryError(f"Liste inconnue : « {table} » (attendu : {', '.join(CATALOGS)}).")
    return table


def entries(store: Store, table: str) -> pd.DataFrame:
    """The cohorts or funding sources, by code."""
    return store.query_df(f"SELECT {', '.join(CATALOG_COLUMNS)} FROM {_table(table)} "
                          "ORDER BY starts_on NULLS LAST, code")


def labels(store: Store, table: str) -> dict[str, str]:
    """code → French label (pickers, tables)."""
    return dict(store.query(f"SELECT code, label FROM {_table(table)} ORDER BY starts_on NULLS LAST, code"))


def add_entry(store: Store, actor: Actor, table: str, code: str, label: str, starts_on=None, ends_on=None,
              description: str | None = None, citation: Citation | None = None) -> None:
    """Add a cohort or a funding source (admin only)."""
    what = CATALOGS[_table(table)]
    code = V.code(code, "Code")
    require_registry_admin(store, actor, Action.REGISTRY_ENTRY_ADDED, f"{what} {code}")
    row = {"code": code, "label": V.text(label, "Libellé", required=True, limit=120),
           "starts_on": V.to_date(starts_on, "Début"), "ends_on": V.to_date(ends_on, "Fin"),
           "description": V.text(description, "Description", limit=1000),
           "source_title": citation.title if citation else None,
           "published_on": citation.published_on if citation else None, "url": citation.url if citation else None}
    if row["starts_on"] and row["ends_on"] and row["ends_on"] < row["starts_on"]:
        raise RegistryError("Fin : la date précède le début.")
    with store.transaction(writes=(table, audit.TABLE)) as cur:
        if cur.execute(f"SELECT count(*) FROM {table} WHERE lower(code) = lower(?)", [code]).fetchone()[0]:
            raise RegistryError(f"Code : la {what} « {code} » existe déjà.")
        cur.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
        audit.record(cur, actor.email, Action.REGISTRY_ENTRY_ADDED, Outcome.SUCCESS, f"{what} {code}",
                     f"libellé : {row['label']}" + (f" (source : {citation.title})" if citation else ""))


def add_source(store: Store, actor: Actor, lab_id: str, fact: str, statement: str, citation: Citation) -> None:
    """A public page behind one of a lab's facts (admin only): shown on the lab's profile."""
    require_registry_admin(store, actor, Action.SOURCE_ADDED, lab_id)
    if lab_row(store, lab_id) is None:
        raise RegistryError(f"Laboratoire inconnu : « {lab_id} ».")
    if citation is None:
        raise RegistryError("Source : indiquez le titre de la page.")
    fact = V.text(fact, "Fait", required=True, limit=40)
    statement = V.text(statement, "Ce que dit la page", required=True, limit=1000)
    with store.transaction(writes=("lab_sources", audit.TABLE)) as cur:
        add_source_row(cur, lab_id, fact, statement, citation)
        audit.record(cur, actor.email, Action.SOURCE_ADDED, Outcome.SUCCESS, lab_id,
                     f"{fact} : {citation.title}" + (f" ({citation.url})" if citation.url else ""))


def sources(store: Store, lab_id: str | None = None) -> pd.DataFrame:
    """The public pages behind the labs' facts (one lab, or all)."""
    where, params = ("WHERE lab_id = ?", [lab_id]) if lab_id else ("", [])
    return store.query_df(f"SELECT lab_id, fact, statement, source_title, published_on, url FROM lab_sources {where} "
                          "ORDER BY lab_id, seq", params)
