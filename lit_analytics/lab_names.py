"""The one query turning lab ids into their public names.

Pickers (the sidebar's lab filter, the upload page, the accounts page), the scope of a figure and the briefing
presets all name labs; they read the names here so that every list shows the same labs in the same order:
alphabetical by name (what a user scans a picker by), the id breaking ties. It reads the store only, so
every layer above it (accounts, ingest, indicators) may use it.
"""

from __future__ import annotations

from collections.abc import Iterable

from lit_analytics.store import Store


def lab_names(store: Store, lab_ids: Iterable[str] | None = None) -> dict[str, str]:
    """Lab id -> public name, by name: every lab when `lab_ids` is None, else the given ids (unknown ids left
    out) in that same order."""
    if lab_ids is None:
        return dict(store.query("SELECT lab_id, name FROM labs ORDER BY name, lab_id"))
    lab_ids = list(lab_ids)
    if not lab_ids:
        return {}
    return dict(store.query(f"SELECT lab_id, name FROM labs WHERE lab_id IN ({', '.join('?' * len(lab_ids))}) "
                            "ORDER BY name, lab_id", lab_ids))
