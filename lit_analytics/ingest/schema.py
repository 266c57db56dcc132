"""The exchange format: the Frictionless Table Schemas of `data/schemas/`, loaded into small typed values.

The JSON files are the contract with lab leads (French column names, titles, descriptions, enums, bounds).
A few rules the Table Schema standard (v1) cannot say are carried by `x-` properties that Frictionless ignores:
`x-exclusiveMinimum` (a value strictly above a bound), `x-itemEnum` (allowed items of a list), `x-notBefore`
(a date not before another column's), `x-inQuarter` (a date inside the report's quarter), `x-knownLab`
(an existing lab id), and on the schema `x-minRows` / `x-maxRows` (the météo is one line; the other reports may be
a header only: « nothing to declare this quarter »). How each column lands in the database is code, not contract: `DB_TABLES` below.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from lit_analytics import config
from lit_analytics.domain import EXCHANGE_FORMATS, LAB_REPORT_KINDS  # noqa: F401  (LAB_REPORT_KINDS re-exported)


@dataclass(frozen=True)
class Field:
    name: str
    type: str                    # 'string' | 'integer' | 'number' | 'date' | 'list'
    title: str
    description: str
    example: str | None
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    item_enum: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    max_length: int | None = None
    min_length: int | None = None
    not_before: str | None = None
    in_quarter: bool = False
    known_lab: bool = False


@dataclass(frozen=True)
class TableSchema:
    kind: str
    title: str
    description: str
    fields: tuple[Field, ...]
    descriptor: dict
    min_rows: int = 0                # `x-minRows`: 0 lets a header-only file say « nothing to declare »
    max_rows: int | None = None      # `x-maxRows`: 1 for the météo

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def key(self) -> str | None:
        """The column that identifies a row (the unique one); None for a one-row format (the météo)."""
        return next((f.name for f in self.fields if f.unique), None)

    @property
    def example_fields(self) -> list[str]:
        """The columns whose « EXEMPLE… » value marks the template's example row: the key, else every column
        whose example starts with EXEMPLE."""
        if self.key:
            return [self.key]
        return [f.name for f in self.fields if (f.example or "")[:7].upper() == "EXEMPLE"]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def with_values(self, added: tuple[tuple[str, tuple[str, ...]], ...]) -> TableSchema:
        """This schema with the values a registry added to its enumerated columns since it was written
        (`publish.registry_values`: the funding sources of the registry): the schema's own first, then the added
        ones. Templates, the dictionary and the validator then offer and accept the same list."""
        extra = dict(added)
        if not extra:
            return self
        return replace(self, fields=tuple(replace(f, enum=added_to(f.enum, extra[f.name]))
                                          if f.enum and f.name in extra else f for f in self.fields))


def added_to(values: tuple[str, ...], extra) -> tuple[str, ...]:
    """An enumerated column's `values`, then those of `extra` (a registry's) not among them."""
    return (*values, *[v for v in extra if v not in values])


def schema_path(kind: str):
    return config.SCHEMA_DIR / f"{kind}.json"


@lru_cache(maxsize=None)
def load_schema(kind: str) -> TableSchema:
    """The Table Schema of a report kind ('projets', 'sessions', 'financements', 'meteo')."""
    if kind not in EXCHANGE_FORMATS:
        raise ValueError(f"Type de rapport inconnu : « {kind} » (attendu : {', '.join(EXCHANGE_FORMATS)}).")
    descriptor = json.loads(schema_path(kind).read_text(encoding="utf-8"))
    fields = []
    for d in descriptor["fields"]:
        c = d.get("constraints", {})
        fields.append(Field(
            name=d["name"], type=d["type"], title=d.get("title", d["name"]), description=d.get("description", ""),
            example=d.get("example"), required=bool(c.get("required")), unique=bool(c.get("unique")),
            enum=tuple(c["enum"]) if "enum" in c else None,
            item_enum=tuple(d["x-itemEnum"]) if "x-itemEnum" in d else None,
            minimum=c.get("minimum"), maximum=c.get("maximum"), exclusive_minimum=d.get("x-exclusiveMinimum"),
            max_length=c.get("maxLength"), min_length=c.get("minLength"), not_before=d.get("x-notBefore"),
            in_quarter=bool(d.get("x-inQuarter")), known_lab=bool(d.get("x-knownLab"))))
    return TableSchema(kind=kind, title=descriptor.get("title", kind), description=descriptor.get("description", ""),
                       fields=tuple(fields), descriptor=descriptor, min_rows=int(descriptor.get("x-minRows", 0)),
                       max_rows=descriptor.get("x-maxRows"))


def normalise_header(text: str) -> str:
    """`  Date début ` → `date_debut`; `Durée (heures)` → `duree_heures`: case, accents, spaces and punctuation
    do not matter in headers."""
    text = unicodedata.normalize("NFKD", str(text).replace("\ufeff", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("€", " eur ")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


# Where each exchange column lands: table, and file column → database column.
DB_TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "projets": ("project_snapshots", {
        "id_projet": "project_id", "titre": "title", "thematique": "theme", "statut": "status",
        "date_debut": "started_on", "date_fin": "ended_on", "types_partenaires": "partner_types",
        "usagers_impliques": "users_involved", "agents_impliques": "agents_involved", "budget_eur": "budget_eur"}),
    "sessions": ("training_sessions", {
        "id_session": "session_id", "date": "held_on", "intitule": "title", "format": "format",
        "duree_heures": "duration_hours", "participants_agents": "participants_agents",
        "participants_autres": "participants_others"}),
    "financements": ("funding_tranches", {
        "id_tranche": "tranche_id", "id_lab": "lab_id", "source": "source", "montant_eur": "amount_eur",
        "date_engagement": "committed_on", "date_versement": "paid_on", "objet": "purpose"}),
    "meteo": ("meteo_reports", {
        "meteo": "level", "faits_marquants": "highlights", "difficultes_freins": "difficulties",
        "besoins_appui": "support_needs"}),
}

