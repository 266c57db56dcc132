"""The versions of each report: the current one, every earlier one (nothing is ever deleted), restoring one
(administrators only), and the history of uploads with their problems. `publish` writes versions; this module
reads them and moves the « current » mark back.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lit_analytics import audit, permissions
from lit_analytics.audit import Action, Outcome
from lit_analytics.formats import fmt_quarter
from lit_analytics.ingest.schema import DB_TABLES
from lit_analytics.permissions import Actor, PermissionDenied
from lit_analytics.store import Store


def current_version(store: Store, kind: str, lab_id: str | None, quarter: str | None) -> tuple[int, str | None] | None:
    """(version id, SHA-256 of the file it came from) of the current version of a report, or None."""
    row = store.query(
        """SELECT v.version_id, i.sha256 FROM report_versions v LEFT JOIN imports i USING (import_id)
           WHERE v.kind = ? AND v.lab_id IS NOT DISTINCT FROM ? AND v.quarter IS NOT DISTINCT FROM ?
             AND v.is_current""", [kind, lab_id, quarter])
    return (row[0][0], row[0][1]) if row else None


def version_rows(store: Store, version_id: int | None, kind: str) -> pd.DataFrame:
    """The rows of a version, with the exchange-format column names."""
    table, columns = DB_TABLES[kind]
    select = ", ".join(f'"{db}" AS "{name}"' for name, db in columns.items())
    return store.query_df(f"SELECT {select} FROM {table} WHERE version_id = ? ORDER BY 1", [version_id or -1])


@dataclass
class RestoreResult:
    version_id: int
    replaced_version_id: int | None
    changed: bool

    def message(self) -> str:
        if not self.changed:
            return f"La version n° {self.version_id} est déjà la version en vigueur : rien n'a changé."
        return (f"Version n° {self.version_id} restaurée"
                + (f" ; la version n° {self.replaced_version_id} est conservée." if self.replaced_version_id else "."))


def restore(store: Store, version_id: int, actor: Actor) -> RestoreResult:
    """Make an earlier version of a report current again (administrators only; nothing is deleted)."""
    try:
        permissions.require_admin(actor, "restaurer une version")
    except PermissionDenied as exc:
        audit.log(store, actor.email, Action.RESTORATION, Outcome.REFUSED, f"version {version_id}", str(exc))
        raise
    with store.transaction(writes=("report_versions", audit.TABLE)) as cur:
        row = cur.execute("SELECT kind, lab_id, quarter, is_current FROM report_versions WHERE version_id = ?",
                          [version_id]).fetchall()
        if not row:
            raise ValueError(f"Version n° {version_id} introuvable.")
        kind, lab_id, quarter, is_current = row[0]
        target = f"{kind} {lab_id} {fmt_quarter(quarter)}" if lab_id else "registre des financements"
        if is_current:
            return RestoreResult(version_id, None, False)
        current = cur.execute("SELECT version_id FROM report_versions WHERE kind = ? AND lab_id IS NOT DISTINCT FROM ? "
                              "AND quarter IS NOT DISTINCT FROM ? AND is_current", [kind, lab_id, quarter]).fetchall()
        cur.execute("UPDATE report_versions SET is_current = (version_id = ?) WHERE kind = ? "
                    "AND lab_id IS NOT DISTINCT FROM ? AND quarter IS NOT DISTINCT FROM ? "
                    "AND (is_current OR version_id = ?)", [version_id, kind, lab_id, quarter, version_id])
        replaced = current[0][0] if current else None
        audit.record(cur, actor.email, Action.RESTORATION, Outcome.SUCCESS, target,
                     f"version n° {version_id} restaurée" + (f" (remplace n° {replaced})" if replaced else ""))
    return RestoreResult(version_id, replaced, True)


def versions(store: Store, kind: str, lab_id: str | None = None, quarter: str | None = None) -> pd.DataFrame:
    """Every version of one report, newest first, with the file each came from."""
    return store.query_df(
        """SELECT v.version_id, v.published_at, v.published_by, v.is_current, v.is_demo, i.file_name, i.sha256,
                  i.row_count, i.import_id
           FROM report_versions v LEFT JOIN imports i USING (import_id)
           WHERE v.kind = ? AND v.lab_id IS NOT DISTINCT FROM ? AND v.quarter IS NOT DISTINCT FROM ?
           ORDER BY v.version_id DESC""", [kind, lab_id, quarter])


def history(store: Store, kind: str | None = None, lab_id: str | None = None, quarter: str | None = None,
            labs: tuple[str, ...] | None = None, limit: int = 500) -> pd.DataFrame:
    """Uploads received (newest first), with the version each produced and whether it is current."""
    where, params = ["i.origin = 'upload'"], []
    for column, value in (("kind", kind), ("lab_id", lab_id), ("quarter", quarter)):
        if value is not None:
            where.append(f"i.{column} = ?")
            params.append(value)
    if labs is not None:
        where.append("list_contains(?, i.lab_id)")
        params.append(list(labs))
    return store.query_df(
        f"""SELECT i.import_id, i.received_at, i.user_email, i.kind, i.lab_id, i.quarter, i.file_name, i.sha256,
                   i.row_count, i.outcome, i.detail, i.error_count, i.warning_count, i.rows_added, i.rows_changed,
                   i.rows_removed, v.version_id, coalesce(v.is_current, false) AS is_current
            FROM imports i LEFT JOIN report_versions v USING (import_id)
            WHERE {' AND '.join(where)}
            ORDER BY i.import_id DESC LIMIT {int(limit)}""", params)


def import_issues(store: Store, import_id: int) -> pd.DataFrame:
    """The problems stored for one upload, in report order."""
    return store.query_df("SELECT seq, severity, line, column_name, code, message, value FROM import_errors "
                          "WHERE import_id = ? ORDER BY seq", [import_id])
