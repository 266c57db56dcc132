"""Verify, then publish: the two use cases of a quarterly upload (as in the DITP's PILOTE), plus restore.

* `verify` reads the file, validates it, and says what publishing would change. It writes nothing, except
  that a file with errors verified for a signed-in user is registered as a rejected upload (with its errors),
  once per file and target: verifying the same bad file again (a page rerun) registers nothing more.
* `publish` runs the same checks inside one transaction and registers the upload in `imports` whatever the
  outcome (`publié`, `rejeté` with every problem in `import_errors`, `déjà publié` when the current version came
  from a file with the same SHA-256). A (lab, quarter, kind) published again supersedes its current version,
  which is kept and can be restored (`versions.restore`, administrators only). Nothing is ever deleted.
* Each write is one `store.transaction()`, which moves the data version: every cached figure of the dashboard
  is recomputed, so a publication shows on every page at once.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from lit_analytics import audit, permissions
from lit_analytics.audit import Action, Outcome
from lit_analytics.formats import fmt_date, fmt_int, fmt_quarter, parse_quarter, quarter_start
from lit_analytics.ingest.diff import Diff, compare
from lit_analytics.ingest.read import ReadError, RawTable, read_table
from lit_analytics.ingest.schema import DB_TABLES, LAB_REPORT_KINDS, TableSchema, load_schema
from lit_analytics.ingest.validate import ERROR, WARNING, Context, Issue, validate_table
from lit_analytics.ingest.versions import current_version, version_rows
from lit_analytics.permissions import Actor, PermissionDenied
from lit_analytics.store import ConcurrentWriteError, Store, StoreError

PUBLISHED, REJECTED, ALREADY, FAILED = "publié", "rejeté", "déjà publié", "échec"
CONFLICT = "conflit"   # another publication of the same report landed since this file was verified
_SEEN_NOW = object()
_NOT_GIVEN = object()
log = logging.getLogger(__name__)

# What registering an upload writes (a publication adds its version and rows): the import, its errors, the journal.
_REGISTRATION = ("imports", "import_errors", audit.TABLE)


class ReviewOutdated(Exception):
    """The published version changed between the verification the user reviewed and the publish (French message)."""


@dataclass
class Report:
    """What verifying a file found. `ok` when it has no error (warnings allowed)."""
    kind: str
    lab_id: str | None
    quarter: str | None
    file_name: str
    sha256: str
    size: int
    file_description: str = ""
    row_count: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    rows: pd.DataFrame | None = None        # parsed rows, exchange column names
    diff: Diff | None = None
    current_version_id: int | None = None   # the version publishing would supersede
    already_published: bool = False         # the current version came from this very file

    @property
    def ok(self) -> bool:
        return not self.errors

    def target(self) -> str:
        if self.lab_id:
            return f"{self.kind} {self.lab_id} {fmt_quarter(self.quarter)}"
        return "registre des financements"

    def issues_frame(self, severity: str = ERROR) -> pd.DataFrame:
        """Errors (or warnings) as a French table: Ligne, Colonne, Problème, Valeur."""
        issues = self.errors if severity == ERROR else self.warnings
        return pd.DataFrame([(i.line, i.column or "", i.message, i.value or "") for i in issues],
                            columns=["Ligne", "Colonne", "Problème", "Valeur reçue"]).astype({"Ligne": "Int64"})

    def text(self, max_errors: int = 200) -> str:
        """The French report printed by the command line."""
        out = [f"Fichier : {self.file_name} ({self.file_description or 'illisible'}, "
               f"{fmt_int(self.row_count)} ligne(s) de données)",
               f"Dépôt : {self.target()}"]
        if self.errors:
            out.append(f"{fmt_int(len(self.errors))} erreur(s) : rien n'est publié.")
            for issue in self.errors[:max_errors]:
                out.append(f"  {issue.where()} : {issue.message}")
            if len(self.errors) > max_errors:
                out.append(f"  … et {fmt_int(len(self.errors) - max_errors)} autre(s) erreur(s).")
        if self.warnings:
            out.append(f"{fmt_int(len(self.warnings))} avertissement(s) :")
            out.extend(f"  {w.where()} : {w.message}" for w in self.warnings)
        if self.ok and self.diff is not None:
            out.append("Changements par rapport à la version publiée : " + self.diff.summary() + ".")
        return "\n".join(out)


@dataclass
class PublishResult:
    outcome: str                         # 'publié' | 'rejeté' | 'déjà publié' | 'conflit' | 'échec' (unexpected error)
    import_id: int
    report: Report
    version_id: int | None = None        # the new current version (publié)
    replaced_version_id: int | None = None

    def message(self) -> str:
        if self.outcome == PUBLISHED:
            replaced = (f" ; elle remplace la version n° {self.replaced_version_id}, conservée"
                        if self.replaced_version_id else "")
            return (f"Publié : {self.report.target()}, version n° {self.version_id} "
                    f"({fmt_int(self.report.row_count)} ligne(s)){replaced}.")
        if self.outcome == CONFLICT:
            return (f"Refusé : {self.report.target()} a été publié par ailleurs (version n° "
                    f"{self.report.current_version_id}) depuis la vérification de ce fichier ; rien n'a été publié. "
                    "Vérifiez à nouveau le fichier avant de le publier.")
        if self.outcome == ALREADY:
            return (f"Déjà publié : ce fichier (même empreinte SHA-256) est la version en vigueur de "
                    f"{self.report.target()} ; rien n'a changé.")
        if self.outcome == FAILED:
            return ("La publication a échoué à cause d'une erreur inattendue : rien n'a été publié (le dépôt est "
                    f"enregistré en échec, n° {self.import_id}, et le détail consigné pour l'administrateur). "
                    "Réessayez plus tard ou signalez-le à la DITP.")
        return f"Rejeté : {fmt_int(len(self.report.errors))} erreur(s), rien n'a été publié."


# --- verify --------------------------------------------------------------------------------------

def known_labs(store: Store) -> frozenset[str]:
    return frozenset(lab for (lab,) in store.query("SELECT lab_id FROM labs"))


def registry_values(store: Store, kind: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Funding sources added to the registry since the schema was written are accepted in the ledger."""
    if kind != "financements":
        return ()
    return (("source", tuple(c for (c,) in store.query("SELECT code FROM funding_sources ORDER BY code"))),)


def _check_target(store: Store, kind: str, lab_id: str | None, quarter: str | None) -> tuple[str | None, str | None]:
    load_schema(kind)  # unknown kind → ValueError
    if kind in LAB_REPORT_KINDS:
        if not lab_id or not quarter:
            raise ValueError(f"Un rapport « {kind} » se dépose pour un laboratoire et un trimestre.")
        if lab_id not in known_labs(store):
            raise ValueError(f"Laboratoire inconnu : « {lab_id} ».")
        quarter = parse_quarter(quarter)
        closed = store.scalar("SELECT closed_on FROM labs WHERE lab_id = ?", [lab_id])
        if closed is not None and quarter_start(quarter) > closed:   # a closed lab reports up to its last quarter
            raise ValueError(f"Le laboratoire « {lab_id} » est fermé depuis le {fmt_date(closed)} : aucun rapport "
                             f"n'est accepté pour le {fmt_quarter(quarter)}, postérieur à sa fermeture.")
        return lab_id, quarter
    if lab_id or quarter:
        raise ValueError("Le registre des financements se dépose en entier, sans laboratoire ni trimestre.")
    return None, None


def check_file(data: bytes, file_name: str, schema: TableSchema, ctx: Context) -> Report:
    """Read and validate a file (no database access)."""
    report = Report(kind=ctx.kind, lab_id=ctx.lab_id, quarter=ctx.quarter, file_name=file_name,
                    sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    try:
        raw: RawTable = read_table(data, file_name, schema.names + [f.title for f in schema.fields] + ["id_lab"])
    except ReadError as exc:
        report.errors.append(Issue(exc.line, exc.column, exc.code, str(exc)))
        return report
    report.file_description = raw.describe()
    result = validate_table(raw, schema, ctx)
    report.row_count = result.row_count
    report.errors, report.warnings = result.errors, result.warnings
    if report.ok:
        report.rows = result.frame
    return report


def verify(store: Store, data: bytes, file_name: str, *, kind: str, lab_id: str | None = None,
           quarter: str | None = None, actor: Actor | None = None, register_rejection: bool = True) -> Report:
    """Everything publishing would check and change. Nothing is written, except that a file with errors
    verified for `actor` is registered as rejected (`register_rejected`, once per file and target), unless
    `register_rejection` is False (the command line's `--dry-run`)."""
    lab_id, quarter = _check_target(store, kind, lab_id, quarter)
    if actor is not None:
        permissions.require_upload(actor, kind, lab_id)
    report = check_file(data, file_name, load_schema(kind),
                        Context(kind, lab_id, quarter, known_labs(store), registry_values(store, kind)))
    _compare_with_current(store, report)
    if actor is not None and register_rejection and not report.ok:
        register_rejected(store, report, actor)
    return report


def _compare_with_current(store: Store, report: Report) -> None:
    current = current_version(store, report.kind, report.lab_id, report.quarter)
    report.current_version_id = current[0] if current else None
    report.already_published = bool(current and current[1] == report.sha256)
    if report.ok:
        report.diff = compare(version_rows(store, report.current_version_id, report.kind), report.rows,
                              load_schema(report.kind))


# --- publish -------------------------------------------------------------------------------------

def publish(store: Store, data: bytes, file_name: str, *, kind: str, actor: Actor, lab_id: str | None = None,
            quarter: str | None = None, reviewed_version_id=_NOT_GIVEN,
            expected_version_id: int | None | object = _SEEN_NOW) -> PublishResult:
    """Verify and publish in one transaction; every upload is registered, whatever the outcome.

    `reviewed_version_id`: the current version (or None) the verification the user reviewed compared against (the
    page passes it); if another publication or a restore changed it since, nothing is written and
    `ReviewOutdated` says to look again. Without it, `expected_version_id` (default: the version current when
    the call starts) guards against a publication of the same report landing meanwhile (another process, replica
    or tab): nothing is published and the outcome is `conflit`, with a French message. An unexpected error (the
    database refusing a value…) rolls the transaction back, is logged with its traceback server-side, and the
    upload is registered as failed (`échec`): the caller gets a French message, never the exception."""
    lab_id, quarter = _check_target(store, kind, lab_id, quarter)
    target = f"{kind} {lab_id} {quarter}" if lab_id else kind
    try:
        permissions.require_upload(actor, kind, lab_id)
    except PermissionDenied as exc:
        audit.log(store, actor.email, Action.UPLOAD, Outcome.REFUSED, target, str(exc))
        raise
    report = check_file(data, file_name, load_schema(kind),
                        Context(kind, lab_id, quarter, known_labs(store), registry_values(store, kind)))
    if expected_version_id is _SEEN_NOW:
        store.refresh(wait=True)
        seen = current_version(store, kind, lab_id, quarter)
        expected_version_id = seen[0] if seen else None
    try:
        return _publish_checked(store, report, actor, reviewed_version_id, expected_version_id)
    except (ReviewOutdated, PermissionDenied, ConcurrentWriteError):
        raise
    except Exception as exc:  # rolled back by the transaction; recorded, logged, answered in French
        return PublishResult(outcome=FAILED, import_id=record_failure(store, report, actor, Action.PUBLICATION, exc),
                             report=report)


def record_failure(store: Store, report: Report, actor: Actor, action: str, exc: Exception,
                   what: str = "La publication") -> int:
    """An unexpected error while publishing (its transaction rolled back): the traceback in the server log, the
    upload registered as failed (`échec`) and audited in a transaction of its own; returns the upload's id. When
    the database cannot take that either (a full disk…), a `StoreError` in French."""
    log.exception("%s en échec : %s (%s)", what, report.target(), report.file_name)
    try:
        with store.transaction(writes=_REGISTRATION) as cur:
            import_id = _register_import(store, cur, report, actor, FAILED)
            audit.record(cur, actor.email, action, Outcome.FAILURE, report.target(),
                         f"{report.file_name} — erreur inattendue ({exc.__class__.__name__}), rien n'a été publié")
        return import_id
    except (StoreError, duckdb.Error) as again:
        log.exception("Enregistrement de l'échec impossible : %s (%s)", report.target(), report.file_name)
        reason = str(again) if isinstance(again, StoreError) else f"erreur de la base ({again.__class__.__name__})"
        raise StoreError(f"{what} a échoué et cet échec n'a pas pu être enregistré : rien n'a été publié. "
                         f"{reason}") from again


def _publish_checked(store: Store, report: Report, actor: Actor, reviewed_version_id,
                     expected_version_id) -> PublishResult:
    kind, lab_id, quarter, file_name = report.kind, report.lab_id, report.quarter, report.file_name
    with store.transaction(writes=_REGISTRATION + ("report_versions", DB_TABLES[kind][0])) as cur:
        _compare_with_current(store, report)  # inside the transaction: what is current now
        if (reviewed_version_id is not _NOT_GIVEN and report.ok and not report.already_published
                and report.current_version_id != reviewed_version_id):
            raise ReviewOutdated(
                "La version publiée de ce rapport a changé depuis votre vérification (une autre publication ou une "
                "restauration) : rien n'a été publié. Relisez le rapport de vérification mis à jour, puis publiez.")
        if not report.ok:
            outcome = REJECTED
        elif report.already_published:
            outcome = ALREADY
        elif report.current_version_id != expected_version_id:
            outcome = CONFLICT
        else:
            outcome = PUBLISHED
        import_id = _register_import(store, cur, report, actor, outcome)
        result = PublishResult(outcome=outcome, import_id=import_id, report=report)
        if outcome == PUBLISHED:
            result.version_id = store.next_id(cur, "report_versions", "version_id")
            result.replaced_version_id = report.current_version_id
            cur.execute("UPDATE report_versions SET is_current = false WHERE kind = ? AND lab_id IS NOT DISTINCT FROM ? "
                        "AND quarter IS NOT DISTINCT FROM ? AND is_current", [kind, lab_id, quarter])
            cur.execute("INSERT INTO report_versions (version_id, kind, lab_id, quarter, import_id, is_demo, "
                        "published_at, published_by, is_current) VALUES (?, ?, ?, ?, ?, false, ?, ?, true)",
                        [result.version_id, kind, lab_id, quarter, import_id, datetime.now(), actor.email])
            _insert_rows(cur, report, result.version_id)
            audit.record(cur, actor.email, Action.PUBLICATION, Outcome.SUCCESS, report.target(),
                         f"{file_name} — version n° {result.version_id}, {report.diff.summary()}")
        elif outcome == ALREADY:
            audit.record(cur, actor.email, Action.UPLOAD, Outcome.SUCCESS, report.target(),
                         f"{file_name} — déjà publié (version n° {report.current_version_id})")
        elif outcome == CONFLICT:
            audit.record(cur, actor.email, Action.UPLOAD, Outcome.FAILURE, report.target(),
                         f"{file_name} — conflit : la version n° {report.current_version_id} a été publiée "
                         "depuis la vérification")
        else:
            _record_rejection(cur, actor, report)
    return result


def register_rejected(store: Store, report: Report, actor: Actor) -> int:
    """Register a verified file that has errors as a rejected upload, with its errors, and audit it; `verify`
    calls it. Idempotent per file and target: when the latest upload of this report (kind, lab, quarter) by
    this account is this very file, rejected, its id is returned and nothing is written."""
    if report.ok:
        raise ValueError("Ce fichier ne contient pas d'erreur : publiez-le.")
    try:
        permissions.require_upload(actor, report.kind, report.lab_id)
    except PermissionDenied as exc:
        audit.log(store, actor.email, Action.UPLOAD, Outcome.REFUSED, report.target(), str(exc))
        raise
    same = _latest_rejection_of(store, report, actor)
    if same is not None:   # checked before opening a transaction: a page rerun does not move the data version
        return same
    with store.transaction(writes=_REGISTRATION) as cur:
        same = _latest_rejection_of(store, report, actor, cur)
        if same is not None:
            return same
        import_id = _register_import(store, cur, report, actor, REJECTED)
        _record_rejection(cur, actor, report)
    return import_id


def _latest_rejection_of(store: Store, report: Report, actor: Actor, cur=None) -> int | None:
    """The id of the latest upload of this report by this account when it is the same file, rejected."""
    run = (lambda sql, params: cur.execute(sql, params).fetchall()) if cur is not None else store.query
    row = run(
        """SELECT import_id, sha256, outcome FROM imports
           WHERE kind = ? AND lab_id IS NOT DISTINCT FROM ? AND quarter IS NOT DISTINCT FROM ? AND user_email = ?
           ORDER BY import_id DESC LIMIT 1""", [report.kind, report.lab_id, report.quarter, actor.email])
    if row and row[0][1] == report.sha256 and row[0][2] == REJECTED:
        return int(row[0][0])
    return None


def _record_rejection(cur, actor: Actor, report: Report) -> None:
    """The audit event of a rejected upload (publish and verify alike)."""
    audit.record(cur, actor.email, Action.UPLOAD, Outcome.FAILURE, report.target(),
                 f"{report.file_name} — {len(report.errors)} erreur(s)")


def _register_import(store: Store, cur, report: Report, actor: Actor, outcome: str) -> int:
    import_id = store.next_id(cur, "imports", "import_id")
    diff = report.diff if outcome == PUBLISHED else None
    detail = {PUBLISHED: f"Publié : {diff.summary()}" if diff else "Publié",
              ALREADY: f"Déjà publié (version n° {report.current_version_id})",
              CONFLICT: f"Refusé : la version n° {report.current_version_id} a été publiée depuis la vérification",
              REJECTED: f"Rejeté : {len(report.errors)} erreur(s)",
              FAILED: "Échec : erreur inattendue pendant la publication, rien n'a été publié"}[outcome]
    cur.execute(
        """INSERT INTO imports (import_id, kind, lab_id, quarter, origin, file_name, sha256, user_email, received_at,
                                row_count, outcome, detail, error_count, warning_count, rows_added, rows_changed,
                                rows_removed)
           VALUES (?, ?, ?, ?, 'upload', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [import_id, report.kind, report.lab_id, report.quarter, report.file_name, report.sha256, actor.email,
         datetime.now(), report.row_count, outcome, detail, len(report.errors), len(report.warnings),
         len(diff.added) if diff else None, len(diff.changed) if diff else None, len(diff.removed) if diff else None])
    issues = [(i, ERROR) for i in report.errors] + [(w, WARNING) for w in report.warnings]
    if issues:
        frame = pd.DataFrame([(import_id, n + 1, sev, i.line, i.column, i.code, i.message, i.value)
                              for n, (i, sev) in enumerate(issues)],
                             columns=["import_id", "seq", "severity", "line", "column_name", "code", "message", "value"])
        frame["line"] = frame["line"].astype("Int64")
        cur.register("ingest_issues", frame)
        try:
            cur.execute("INSERT INTO import_errors SELECT import_id, seq, severity, line, column_name, code, message, "
                        "value FROM ingest_issues")
        finally:
            cur.unregister("ingest_issues")
    return import_id


def _insert_rows(cur, report: Report, version_id: int) -> None:
    table, columns = DB_TABLES[report.kind]
    frame = report.rows.rename(columns=columns)[list(columns.values())].copy()
    for name in frame.columns:
        if frame[name].dtype == object and frame[name].map(lambda v: hasattr(v, "isoformat")).any():
            frame[name] = pd.to_datetime(frame[name])
    frame.insert(0, "version_id", version_id)
    if report.kind in LAB_REPORT_KINDS:
        frame.insert(1, "lab_id", report.lab_id)
        frame.insert(2, "quarter", report.quarter)
    cur.register("ingest_rows", frame)
    try:
        names = ", ".join(f'"{c}"' for c in frame.columns)
        cur.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM ingest_rows")
    finally:
        cur.unregister("ingest_rows")
