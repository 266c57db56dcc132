"""The quarter's « météo » and the field's words: a lab lead gives, with each quarterly report, the lab's météo
(soleil, couvert, nuage, orage) and three short texts (`data/schemas/meteo.json`, one line); the DITP answers
with comments and may let the public site show a version.

The file (a CSV/XLSX template, the command line's `import --kind meteo`, or the upload page's form written as the
same CSV) goes through the reports' reading and validation (`publish.check_file`: French messages naming line and
column, length bounds). Publishing is versioned like the reports: a (lab, quarter) météo published again
supersedes the current version (`is_current` flips), which is kept and can be restored by an administrator;
every write checks the actor's rights and is audited in its own transaction. A new version is never public.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from lit_analytics import audit, permissions
from lit_analytics.audit import Action, Outcome
from lit_analytics.domain import METEO
from lit_analytics.formats import fmt_quarter, parse_quarter, to_csv
from lit_analytics.ingest.diff import compare
from lit_analytics.ingest.publish import ALREADY, CONFLICT, PUBLISHED, REJECTED, Report, check_file, known_labs
from lit_analytics.ingest.schema import load_schema
from lit_analytics.ingest.validate import Context
from lit_analytics.ingest.versions import version_rows
from lit_analytics.permissions import Actor, PermissionDenied
from lit_analytics.store import Store

TABLE, COMMENTS = "meteo_reports", "meteo_comments"
COMMENT_MAX = 1000
_SEEN_NOW = object()


@contextmanager
def _journal_refusal(store: Store, actor: Actor, action: Action, target: str) -> Iterator[None]:
    """A refusal for lack of rights raised inside is written to the journal (its own transaction), then raised."""
    try:
        yield
    except PermissionDenied as exc:
        audit.log(store, actor.email, action, Outcome.REFUSED, target, str(exc))
        raise


def form_file(level: str | None, highlights: str, difficulties: str, support_needs: str) -> bytes:
    """The browser form as the one-line CSV a lab lead would have saved (verified and published like a file)."""
    names = load_schema(METEO).names
    return to_csv(pd.DataFrame([[level or "", highlights or "", difficulties or "", support_needs or ""]],
                               columns=names))


def form_file_name(lab_id: str, quarter: str) -> str:
    return f"saisie-navigateur_meteo_{lab_id}_{quarter}.csv"


def current(store: Store, lab_id: str, quarter: str) -> dict | None:
    """The current météo of a (lab, quarter): version_id, level, the three texts, is_public, published_at/by."""
    df = store.query_df(f"SELECT version_id, level, highlights, difficulties, support_needs, is_public, "
                        f"published_at, published_by, is_demo, sha256 FROM {TABLE} "
                        "WHERE lab_id = ? AND quarter = ? AND is_current", [lab_id, quarter])
    return None if df.empty else df.iloc[0].to_dict()


def _target(store: Store, lab_id: str | None, quarter: str | None) -> tuple[str, str]:
    if not lab_id or not quarter:
        raise ValueError("La météo se dépose pour un laboratoire et un trimestre.")
    if lab_id not in known_labs(store):
        raise ValueError(f"Laboratoire inconnu : « {lab_id} ».")
    return lab_id, parse_quarter(quarter)


def verify(store: Store, data: bytes, file_name: str, *, lab_id: str, quarter: str,
           actor: Actor | None = None) -> Report:
    """What publishing would check and change; writes nothing."""
    lab_id, quarter = _target(store, lab_id, quarter)
    if actor is not None:
        permissions.require_upload(actor, METEO, lab_id)
    report = check_file(data, file_name, load_schema(METEO), Context(METEO, lab_id, quarter, known_labs(store)))
    _compare(store, report)
    return report


def _compare(store: Store, report: Report) -> None:
    """The current version, and the changes against it (inside a write transaction: what is current now)."""
    row = store.query(f"SELECT version_id, sha256 FROM {TABLE} WHERE lab_id = ? AND quarter = ? AND is_current",
                      [report.lab_id, report.quarter])
    report.current_version_id = row[0][0] if row else None
    report.already_published = bool(row and row[0][1] == report.sha256)
    if report.ok:
        report.diff = compare(version_rows(store, report.current_version_id, METEO), report.rows, load_schema(METEO))


@dataclass
class MeteoResult:
    outcome: str                    # PUBLISHED | REJECTED | ALREADY | CONFLICT
    report: Report
    version_id: int | None = None
    replaced_version_id: int | None = None

    def message(self) -> str:
        where = f"météo {self.report.lab_id} {fmt_quarter(self.report.quarter)}"
        if self.outcome == PUBLISHED:
            kept = f" ; la version n° {self.replaced_version_id} est conservée" if self.replaced_version_id else ""
            return f"Publié : {where}, version n° {self.version_id}{kept}."
        if self.outcome == ALREADY:
            return f"Déjà publié : cette météo est la version en vigueur ({where}) ; rien n'a changé."
        if self.outcome == CONFLICT:
            return (f"Refusé : la {where} a été publiée par ailleurs depuis votre vérification ; rien n'a été "
                    "publié. Vérifiez-la à nouveau.")
        return f"Rejeté : {len(self.report.errors)} erreur(s), rien n'a été publié."


def publish(store: Store, data: bytes, file_name: str, *, lab_id: str, quarter: str, actor: Actor,
            expected_version_id=_SEEN_NOW, is_demo: bool = False) -> MeteoResult:
    """Verify and publish a météo in one transaction, audited whatever the outcome. `expected_version_id` (default:
    the version current when the call starts) guards against another publication landing meanwhile."""
    lab_id, quarter = _target(store, lab_id, quarter)
    where = f"météo {lab_id} {quarter}"
    with _journal_refusal(store, actor, Action.UPLOAD, where):
        permissions.require_upload(actor, METEO, lab_id)
    report = check_file(data, file_name, load_schema(METEO), Context(METEO, lab_id, quarter, known_labs(store)))
    if expected_version_id is _SEEN_NOW:
        store.refresh(wait=True)
        seen = current(store, lab_id, quarter)
        expected_version_id = int(seen["version_id"]) if seen else None
    with store.transaction(writes=(TABLE, audit.TABLE)) as cur:
        _compare(store, report)
        result = MeteoResult(REJECTED if not report.ok else ALREADY if report.already_published else
                             CONFLICT if report.current_version_id != expected_version_id else PUBLISHED, report)
        if result.outcome == REJECTED:
            audit.record(cur, actor.email, Action.UPLOAD, Outcome.FAILURE, where,
                         f"{file_name} — {len(report.errors)} erreur(s)")
            return result
        if result.outcome != PUBLISHED:
            audit.record(cur, actor.email, Action.PUBLICATION, Outcome.REFUSED, where, result.message())
            return result
        row = report.rows.iloc[0]
        before = cur.execute(f"SELECT level FROM {TABLE} WHERE version_id = ?",
                             [report.current_version_id or -1]).fetchall()
        result.version_id = store.next_id(cur, TABLE, "version_id")
        result.replaced_version_id = report.current_version_id
        cur.execute(f"UPDATE {TABLE} SET is_current = false WHERE lab_id = ? AND quarter = ? AND is_current",
                    [lab_id, quarter])
        cur.execute(f"INSERT INTO {TABLE} (version_id, lab_id, quarter, level, highlights, difficulties, "
                    "support_needs, file_name, sha256, is_demo, published_at, published_by, is_current, is_public) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true, false)",
                    [result.version_id, lab_id, quarter, row["meteo"], row["faits_marquants"],
                     row["difficultes_freins"], row["besoins_appui"], file_name, report.sha256, is_demo,
                     datetime.now(), actor.email])
        audit.record(cur, actor.email, Action.PUBLICATION, Outcome.SUCCESS, where,
                     f"version n° {result.version_id} ({file_name}) ; météo : "
                     f"{before[0][0] if before else '(aucune)'} → {row['meteo']}"
                     + (f" ; remplace n° {result.replaced_version_id}" if result.replaced_version_id else ""))
    return result


def versions(store: Store, lab_id: str, quarter: str) -> pd.DataFrame:
    """Every météo version of a (lab, quarter), newest first."""
    return store.query_df(f"SELECT version_id, level, published_at, published_by, is_current, is_public, is_demo, "
                          f"file_name FROM {TABLE} WHERE lab_id = ? AND quarter = ? ORDER BY version_id DESC",
                          [lab_id, quarter])


def _version(cur, version_id: int) -> tuple:
    row = cur.execute(f"SELECT lab_id, quarter, is_current, is_public FROM {TABLE} WHERE version_id = ?",
                      [version_id]).fetchall()
    if not row:
        raise ValueError(f"Météo n° {version_id} introuvable.")
    return row[0]


def restore(store: Store, version_id: int, actor: Actor) -> str:
    """Make an earlier météo version current again (administrators only; nothing is deleted). French message."""
    with _journal_refusal(store, actor, Action.RESTORATION, f"météo n° {version_id}"):
        permissions.require_admin(actor, "restaurer une météo")
    with store.transaction(writes=(TABLE, audit.TABLE)) as cur:
        lab_id, quarter, is_current, _ = _version(cur, version_id)
        if is_current:
            return f"La météo n° {version_id} est déjà la version en vigueur : rien n'a changé."
        cur.execute(f"UPDATE {TABLE} SET is_current = (version_id = ?) WHERE lab_id = ? AND quarter = ? "
                    "AND (is_current OR version_id = ?)", [version_id, lab_id, quarter, version_id])
        audit.record(cur, actor.email, Action.RESTORATION, Outcome.SUCCESS, f"météo {lab_id} {quarter}",
                     f"version n° {version_id} restaurée")
    return f"Météo n° {version_id} restaurée ; la version qu'elle remplace est conservée."


def set_public(store: Store, version_id: int, public: bool, actor: Actor) -> None:
    """The DITP lets the public site show a météo version's texts (or withdraws it): administrators only."""
    with _journal_refusal(store, actor, Action.METEO_VISIBILITY, f"météo n° {version_id}"):
        permissions.require_admin(actor, "rendre une météo publique")
    with store.transaction(writes=(TABLE, audit.TABLE)) as cur:
        lab_id, quarter, _, was = _version(cur, version_id)
        cur.execute(f"UPDATE {TABLE} SET is_public = ? WHERE version_id = ?", [bool(public), version_id])
        audit.record(cur, actor.email, Action.METEO_VISIBILITY, Outcome.SUCCESS, f"météo {lab_id} {quarter}",
                     f"version n° {version_id} : publique {'oui' if was else 'non'} → {'oui' if public else 'non'}")


def add_comment(store: Store, lab_id: str, quarter: str, body: str, actor: Actor) -> int:
    """The DITP (administrator or analyst) answers the current météo of a (lab, quarter). Returns its id."""
    target = f"météo {lab_id} {quarter}"
    with _journal_refusal(store, actor, Action.METEO_COMMENT, target):
        if actor.role not in ("admin", "analyste"):
            raise PermissionDenied("Seule la DITP (administrateur ou analyste) répond à la météo d'un laboratoire.")
    body = (body or "").strip()
    if not body or len(body) > COMMENT_MAX:
        raise ValueError(f"Commentaire vide ou trop long ({len(body)} caractères) : attendu 1 à {COMMENT_MAX} "
                         "caractères.")
    with store.transaction(writes=(COMMENTS, audit.TABLE)) as cur:
        row = cur.execute(f"SELECT version_id FROM {TABLE} WHERE lab_id = ? AND quarter = ? AND is_current",
                          [lab_id, quarter]).fetchall()
        if not row:
            raise ValueError(f"Aucune météo publiée pour {lab_id}, {fmt_quarter(quarter)} : rien à commenter.")
        comment_id = store.next_id(cur, COMMENTS, "comment_id")
        cur.execute(f"INSERT INTO {COMMENTS} VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [comment_id, lab_id, quarter, row[0][0], body, datetime.now(), actor.email])
        audit.record(cur, actor.email, Action.METEO_COMMENT, Outcome.SUCCESS, target,
                     f"commentaire n° {comment_id} sur la version n° {row[0][0]}")
    return comment_id
