"""What publishing a file would change against what is published now: rows added, changed, removed.

Both sides are DataFrames with the exchange-format column names; rows are matched on the schema's key column
(`id_projet`, `id_session`, `id_tranche`) and compared after normalisation (dates as dates, amounts to the cent,
empty cells equal), so a file re-saved by a spreadsheet with the same content changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from lit_analytics.formats import fmt_date
from lit_analytics.ingest.schema import TableSchema
from lit_analytics.ingest.values import fmt_plain

CHANGE_LABELS = {"added": "ajoutée", "changed": "modifiée", "removed": "supprimée"}


@dataclass
class Diff:
    added: list[str] = field(default_factory=list)
    changed: dict[str, list[tuple[str, object, object]]] = field(default_factory=dict)  # id → (column, old, new)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def summary(self) -> str:
        return (f"{len(self.added)} ligne(s) ajoutée(s), {len(self.changed)} modifiée(s), "
                f"{len(self.removed)} supprimée(s), {self.unchanged} inchangée(s)")

    def frame(self, key_title: str = "Identifiant", limit: int | None = None) -> pd.DataFrame:
        """One row per changed identifier, in French, for the report."""
        rows = [(k, CHANGE_LABELS["added"], "") for k in self.added]
        rows += [(k, CHANGE_LABELS["changed"],
                  " ; ".join(f"{col} : {_show(old)} → {_show(new)}" for col, old, new in changes))
                 for k, changes in self.changed.items()]
        rows += [(k, CHANGE_LABELS["removed"], "") for k in self.removed]
        if limit is not None:
            rows = rows[:limit]
        return pd.DataFrame(rows, columns=[key_title, "Changement", "Détail"])


def _show(value) -> str:
    if value is None:
        return "(vide)"
    if hasattr(value, "strftime"):
        return fmt_date(value)
    if isinstance(value, float):
        return fmt_plain(value)
    return str(value)


def _canonical(frame: pd.DataFrame, schema: TableSchema, key: str) -> pd.DataFrame:
    out = {} if key in schema.names else {key: list(frame[key])}
    for f in schema.fields:
        column = frame[f.name] if f.name in frame else pd.Series([None] * len(frame), dtype="object")
        if f.type == "date":
            values = pd.to_datetime(column, errors="coerce").dt.date
        elif f.type == "number":
            values = pd.to_numeric(column, errors="coerce").astype("float64").round(2)
        elif f.type == "integer":
            values = pd.to_numeric(column, errors="coerce").astype("float64")
        else:
            values = column.astype("object")
        out[f.name] = [None if pd.isna(v) else v for v in values]
    return pd.DataFrame(out, dtype="object")


def compare(current: pd.DataFrame, new: pd.DataFrame, schema: TableSchema) -> Diff:
    key = schema.key
    if key is None:   # a one-line format (the météo): its line against the published one
        key = "ligne"
        current, new = current.assign(ligne="rapport"), new.assign(ligne="rapport")
    old_ids, new_ids = list(current[key]), list(new[key])
    old_set, new_set = set(old_ids), set(new_ids)
    diff = Diff(added=[k for k in new_ids if k not in old_set], removed=[k for k in old_ids if k not in new_set])
    if not (old_set & new_set):
        return diff
    # Only rows on both sides need comparing, value by value.
    old = _canonical(current[current[key].isin(new_set)], schema, key).set_index(key, drop=False)
    fresh = _canonical(new[new[key].isin(old_set)], schema, key).set_index(key, drop=False)
    both = list(fresh.index)
    columns = [f.name for f in schema.fields if f.name != key]
    a = old.loc[both, columns].to_numpy()
    b = fresh.loc[both, columns].to_numpy()
    for row, k in enumerate(both):
        changes = [(col, a[row, j], b[row, j]) for j, col in enumerate(columns) if a[row, j] != b[row, j]]
        if changes:
            diff.changed[k] = [(c, _int_or(o), _int_or(n)) for c, o, n in changes]
        else:
            diff.unchanged += 1
    return diff


def _int_or(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value
