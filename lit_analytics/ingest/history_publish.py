"""Publishing a history file: one transaction, one version per lab and quarter (the ledger: one version).

Each (lab, quarter) whose rows differ from its current version (or that has none) gets its own upload row in
`imports` (the history file's name and SHA-256, its own row count and diff), its own `report_versions` row
superseding the current one (kept, restorable with `versions.restore` like any version), its rows, and a
`publication` line in the journal; an unchanged (lab, quarter) gets nothing. The whole import is one more journal
line (`import d'historique`). Everything is in one `store.transaction`: a failure anywhere writes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

import pandas as pd

from lit_analytics import audit
from lit_analytics.audit import Action, Outcome
from lit_analytics.formats import fmt_int, fmt_quarter
from lit_analytics.ingest.history_file import (LEDGER, UNCHANGED, HistoryReport, check_history, compare_batches,
                                          current_rows, lab_facts, require_history)
from lit_analytics.ingest.publish import (_REGISTRATION, FAILED, PUBLISHED, REJECTED, ReviewOutdated, _insert_rows,
                                          _record_rejection, _register_import, record_failure)
from lit_analytics.ingest.schema import DB_TABLES
from lit_analytics.permissions import Actor, PermissionDenied
from lit_analytics.store import ConcurrentWriteError, Store

log = logging.getLogger(__name__)


@dataclass
class HistoryResult:
    outcome: str                               # 'publié' (possibly nothing to publish) | 'rejeté' | 'échec'
    report: HistoryReport
    versions: dict[tuple[str | None, str | None], int] = field(default_factory=dict)   # (lab, quarter) → new version
    unchanged: int = 0
    import_id: int | None = None               # the upload registered as failed ('échec')

    def message(self) -> str:
        if self.outcome == REJECTED:
            return f"Rejeté : {fmt_int(len(self.report.errors))} erreur(s), rien n'a été publié."
        if self.outcome == FAILED:
            return ("L'import de l'historique a échoué à cause d'une erreur inattendue : rien n'a été publié (le dépôt "
                    f"est enregistré en échec, n° {self.import_id}, et le détail consigné pour l'administrateur). "
                    "Réessayez plus tard ou signalez-le à la DITP.")
        if not self.versions:
            return ("Rien à publier : chaque laboratoire et trimestre du fichier est identique à sa version publiée "
                    f"({fmt_int(self.unchanged)} inchangé(s)).")
        if self.report.kind == LEDGER:
            (version,) = self.versions.values()
            return (f"Publié : registre des financements, version n° {version} "
                    f"({fmt_int(self.report.row_count)} tranche(s) du fichier ajoutées ou mises à jour).")
        return (f"Publié en une fois : {fmt_int(len(self.versions))} version(s), une par laboratoire et trimestre "
                f"(n° {min(self.versions.values())} à {max(self.versions.values())}) ; "
                f"{fmt_int(self.unchanged)} inchangé(s). Les versions remplacées sont conservées.")


def publish_history(store: Store, data: bytes, file_name: str, *, kind: str, actor: Actor,
                    only_lab: str | None = None, reviewed: dict | None = None) -> HistoryResult:
    """Verify and publish a history file in one transaction (administrators only).

    `reviewed`: the (lab, quarter) → current version id the preview the user read compared against (the page
    passes it); if any changed since, nothing is written and `ReviewOutdated` says to look again."""
    require_history(store, actor)
    report = check_history(data, file_name, kind, lab_facts(store, kind), only_lab=only_lab)
    try:
        return _publish_checked(store, report, actor, reviewed)
    except (ReviewOutdated, PermissionDenied, ConcurrentWriteError):
        raise
    except Exception as exc:  # rolled back by the transaction; recorded, logged, answered in French
        return HistoryResult(FAILED, report, import_id=record_failure(store, report, actor, Action.HISTORY_IMPORT,
                                                                      exc, "L'import d'historique"))


def _publish_checked(store: Store, report: HistoryReport, actor: Actor, reviewed: dict | None) -> HistoryResult:
    kind, file_name = report.kind, report.file_name
    table = DB_TABLES[kind][0]
    with store.transaction(writes=_REGISTRATION + ("report_versions", table)) as cur:
        compare_batches(store, report)   # inside the transaction: what is current now
        if not report.ok:
            _register_import(store, cur, report, actor, REJECTED)
            _record_rejection(cur, actor, report)
            audit.record(cur, actor.email, Action.HISTORY_IMPORT, Outcome.FAILURE, report.target(),
                         f"{file_name} — {len(report.errors)} erreur(s), rien n'a été publié")
            return HistoryResult(REJECTED, report)
        seen = {(b.lab_id, b.quarter): b.current_version_id for b in report.batches}
        if reviewed is not None and seen != reviewed:
            raise ReviewOutdated(
                "Une version publiée d'un laboratoire et trimestre du fichier a changé depuis votre vérification (une "
                "autre publication ou une restauration) : rien n'a été publié. Relisez l'aperçu mis à jour, puis "
                "publiez.")
        result = HistoryResult(PUBLISHED, report)
        if kind == LEDGER:
            _publish_ledger(store, cur, report, actor, result)
        else:
            for batch in report.batches:
                if batch.status == UNCHANGED:
                    result.unchanged += 1
                    continue
                part = replace(report, lab_id=batch.lab_id, quarter=batch.quarter, rows=batch.rows,
                               row_count=len(batch.rows), diff=batch.diff, errors=[], warnings=[], batches=[],
                               current_version_id=batch.current_version_id)
                result.versions[(batch.lab_id, batch.quarter)] = _new_version(store, cur, part, actor)
        audit.record(cur, actor.email, Action.HISTORY_IMPORT, Outcome.SUCCESS, report.target(),
                     f"{file_name} — {fmt_int(len(result.versions))} version(s) publiée(s), "
                     f"{fmt_int(result.unchanged)} inchangée(s)")
    return result


def _new_version(store: Store, cur, part, actor: Actor) -> int:
    """One upload row, one version superseding the current one of its (lab, quarter), its rows, its journal line."""
    import_id = _register_import(store, cur, part, actor, PUBLISHED)
    version_id = store.next_id(cur, "report_versions", "version_id")
    cur.execute("UPDATE report_versions SET is_current = false WHERE kind = ? AND lab_id IS NOT DISTINCT FROM ? "
                "AND quarter IS NOT DISTINCT FROM ? AND is_current", [part.kind, part.lab_id, part.quarter])
    cur.execute("INSERT INTO report_versions (version_id, kind, lab_id, quarter, import_id, is_demo, published_at, "
                "published_by, is_current) VALUES (?, ?, ?, ?, ?, false, ?, ?, true)",
                [version_id, part.kind, part.lab_id, part.quarter, import_id, datetime.now(), actor.email])
    _insert_rows(cur, part, version_id)
    where = f"{part.kind} {part.lab_id} {fmt_quarter(part.quarter)}" if part.lab_id else "registre des financements"
    audit.record(cur, actor.email, Action.PUBLICATION, Outcome.SUCCESS, where,
                 f"{part.file_name} (historique) — version n° {version_id}, {part.diff.summary()}")
    return version_id


def _publish_ledger(store: Store, cur, report: HistoryReport, actor: Actor, result: HistoryResult) -> None:
    """The ledger in force plus the file's tranches (a tranche of the file replaces the one with its id)."""
    if all(b.status == UNCHANGED for b in report.batches):
        result.unchanged = len(report.batches)
        return
    _, rows = current_rows(store, LEDGER, set())
    ledger = rows.get(report.current_version_id)
    fresh = report.rows
    if ledger is not None and len(ledger):
        kept = ledger[~ledger["id_tranche"].isin(set(fresh["id_tranche"]))]
        fresh = pd.concat([kept.astype(object), fresh.astype(object)], ignore_index=True)
    diff = report.batches[0].diff.__class__(
        added=[k for b in report.batches for k in b.diff.added],
        changed={k: v for b in report.batches for k, v in b.diff.changed.items()},
        unchanged=sum(b.diff.unchanged for b in report.batches))
    part = replace(report, rows=fresh, row_count=len(fresh), diff=diff, errors=[], warnings=[], batches=[])
    result.unchanged = sum(b.status == UNCHANGED for b in report.batches)
    result.versions[(None, None)] = _new_version(store, cur, part, actor)
