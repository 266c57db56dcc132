"""The one query turning lab ids into the names readers know them by.

Pickers (the sidebar's lab filter, the upload page, the accounts page), the scope of a figure, charts, tables and
the briefing deck all name labs; they read the names here so that every list shows the same labs in the same order:
alphabetical by name (what a user scans a picker by), the id breaking ties. The name shown is the lab's short name
(`labs.short_name`, migration 008: « Ti Lab », « LaBase ») when it has one, else its full name; the full name stays
on the lab's profile and in the directory. It reads the store only, so every layer above it (accounts, ingest,
indicators) may use it.
"""

from __future__ import annotations

from collections.abc import Iterable

from lit_analytics.store import Store


def shown_name(alias: str = "l") -> str:
    """The SQL expression of a lab's shown name (its short name, else its name), for queries joining `labs`."""
    return f"coalesce({alias}.short_name, {alias}.name)"


def lab_names(store: Store, lab_ids: Iterable[str] | None = None) -> dict[str, str]:
    """Lab id -> shown name, by name: every lab when `lab_ids` is None, else the given ids (unknown ids left
    out) in that same order."""
    name = shown_name("labs")
    if lab_ids is None:
        return dict(store.query(f"SELECT lab_id, {name} AS shown FROM labs ORDER BY shown, lab_id"))
    lab_ids = list(lab_ids)
    if not lab_ids:
        return {}
    return dict(store.query(f"SELECT lab_id, {name} AS shown FROM labs "
                            f"WHERE lab_id IN ({', '.join('?' * len(lab_ids))}) ORDER BY shown, lab_id", lab_ids))
