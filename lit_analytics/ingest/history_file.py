"""History files: years of follow-up already kept in spreadsheets, many labs and quarters in one file.

A history file is a `projets`, `sessions` or `financements` file (same columns, same reader, same French checks
and messages as a quarterly upload) with two more columns for the lab reports:

* `id_lab` (or `laboratoire`): the lab's id or its name (any case, accents), one lab per row;
* `trimestre`: `T3 2021`, `2021-T3`, `2021Q3`… (what `formats.parse_quarter` accepts). A `sessions` file may leave
  it out: each row's quarter is then that of its `date`. With it, each `date` must be inside the row's quarter.

Identifiers are unique per lab and quarter (a project appears in every quarter of its life). A row of a lab
closed before its quarter, of an unknown lab, or (with `only_lab`) of another lab is refused with its line.

`verify_history` checks the file as a whole and previews it per lab and quarter (`Batch`: new, changed or
unchanged against the published version); `history_publish.publish_history` publishes it in one transaction.
The funding ledger has no lab or quarter of its own: its history is previewed per lab and quarter of engagement
and published as one new version of the whole ledger (the file's tranches added to, or replacing by
`id_tranche`, those of the ledger in force: nothing is deleted).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from lit_analytics import permissions
from lit_analytics.formats import fmt_date, fmt_int, fmt_quarter, parse_quarter, quarter_of, quarter_start
from lit_analytics.ingest import values as V
from lit_analytics.ingest.diff import Diff, compare
from lit_analytics.ingest.publish import ERROR, Report, register_rejected, registry_values
from lit_analytics.ingest.read import RawTable, ReadError, read_table
from lit_analytics.ingest.schema import DB_TABLES, LAB_REPORT_KINDS, load_schema, normalise_header
from lit_analytics.ingest.validate import Context, Issue, validate_table
from lit_analytics.permissions import Actor
from lit_analytics.store import Store

LAB_HEADERS = ("id_lab", "laboratoire")
QUARTER_HEADER = "trimestre"
DATE_COLUMN = {"projets": None, "sessions": "date", "financements": "date_engagement"}
NEW, CHANGED, UNCHANGED = "nouveau", "modifié", "inchangé"
LEDGER = "financements"


@dataclass
class Batch:
    """The rows of one lab and quarter, and what publishing them would change."""
    lab_id: str
    quarter: str
    rows: pd.DataFrame                    # parsed rows, exchange column names
    lines: list[int]
    diff: Diff | None = None
    current_version_id: int | None = None

    @property
    def status(self) -> str:
        if self.current_version_id is None:
            return NEW
        return UNCHANGED if self.diff is not None and self.diff.is_empty else CHANGED


@dataclass
class HistoryReport(Report):
    """A verified history file: the whole file's errors and warnings, then one `Batch` per lab and quarter."""
    batches: list[Batch] = field(default_factory=list)
    only_lab: str | None = None

    def target(self) -> str:
        labs = {b.lab_id for b in self.batches}
        quarters = {b.quarter for b in self.batches}
        scope = (f" ({fmt_int(len(labs))} laboratoire(s), {fmt_int(len(quarters))} trimestre(s))"
                 if self.batches else "")
        return f"historique {self.kind}{scope}"

    def counts(self) -> dict[str, int]:
        found = {NEW: 0, CHANGED: 0, UNCHANGED: 0}
        for batch in self.batches:
            found[batch.status] += 1
        return found

    def preview(self, names: dict[str, str] | None = None) -> pd.DataFrame:
        """One French row per lab and quarter: rows, status, lines added / changed / removed / unchanged."""
        names = names or {}
        return pd.DataFrame([{
            "Laboratoire": names.get(b.lab_id, b.lab_id), "Trimestre": fmt_quarter(b.quarter),
            "Lignes": len(b.rows), "État": b.status,
            "Ajoutées": len(b.diff.added) if b.diff else 0, "Modifiées": len(b.diff.changed) if b.diff else 0,
            "Supprimées": len(b.diff.removed) if b.diff else 0, "Inchangées": b.diff.unchanged if b.diff else 0,
        } for b in self.batches], columns=["Laboratoire", "Trimestre", "Lignes", "État", "Ajoutées", "Modifiées",
                                           "Supprimées", "Inchangées"])

    def text(self, max_errors: int = 200) -> str:
        out = [Report.text(self, max_errors)]
        if self.ok:
            c = self.counts()
            out.append(f"Par laboratoire et trimestre : {fmt_int(c[NEW])} nouveau(x), {fmt_int(c[CHANGED])} "
                       f"modifié(s), {fmt_int(c[UNCHANGED])} inchangé(s).")
            out += [f"  {b.lab_id} {fmt_quarter(b.quarter)} : {b.status} — {fmt_int(len(b.rows))} ligne(s)"
                    + (f", {b.diff.summary()}" if b.diff else "") for b in self.batches]
        return "\n".join(out)


@dataclass(frozen=True)
class LabFacts:
    ids: frozenset[str]
    by_folded: dict            # fold(id or name) → id
    closed_on: dict            # id → closing date (open labs absent)
    names: dict
    registry_values: tuple = ()   # values the registry added to a column's list (`publish.registry_values`)


def lab_facts(store: Store, kind: str | None = None) -> LabFacts:
    rows = store.query("SELECT lab_id, name, closed_on, short_name FROM labs")
    by_folded = {V.fold(short): lab for lab, _, _, short in rows if short}   # « Ti Lab » as well as its full name
    by_folded.update({V.fold(name): lab for lab, name, _, _ in rows if name})
    by_folded.update({V.fold(lab): lab for lab, _, _, _ in rows})
    return LabFacts(frozenset(r[0] for r in rows), by_folded, {lab: c for lab, _, c, _ in rows if c is not None},
                    {lab: name for lab, name, _, _ in rows}, registry_values(store, kind) if kind else ())


# --- verify --------------------------------------------------------------------------------------

def verify_history(store: Store, data: bytes, file_name: str, *, kind: str, actor: Actor | None = None,
                   only_lab: str | None = None, register_rejection: bool = True,
                   today: date | None = None) -> HistoryReport:
    """Check a history file as a whole and preview it per lab and quarter. Writes nothing, except that a file with
    errors verified for `actor` is registered as a rejected upload (unless `register_rejection` is False)."""
    if actor is not None:
        require_history(store, actor)
    report = check_history(data, file_name, kind, lab_facts(store, kind), only_lab=only_lab, today=today)
    compare_batches(store, report)
    if actor is not None and register_rejection and not report.ok:
        register_rejected(store, report, actor)
    return report


def require_history(store: Store, actor: Actor) -> None:
    """Administrators only; a refusal is audited (the journal says who tried)."""
    from lit_analytics import audit
    try:
        permissions.require_admin(actor, "importer un historique")
    except permissions.PermissionDenied as exc:
        audit.log(store, actor.email, audit.Action.HISTORY_IMPORT, audit.Outcome.REFUSED, "historique", str(exc))
        raise


def check_history(data: bytes, file_name: str, kind: str, labs: LabFacts, *, only_lab: str | None = None,
                  today: date | None = None) -> HistoryReport:
    """Read and validate a history file (no database access beyond `labs`)."""
    schema = load_schema(kind)
    report = HistoryReport(kind=kind, lab_id=None, quarter=None, file_name=file_name,
                           sha256=hashlib.sha256(data).hexdigest(), size=len(data), only_lab=only_lab)
    expected = schema.names + [f.title for f in schema.fields] + list(LAB_HEADERS) + [QUARTER_HEADER]
    try:
        raw = read_table(data, file_name, expected)
    except ReadError as exc:
        report.errors.append(Issue(exc.line, exc.column, exc.code, str(exc)))
        return report
    report.file_description = raw.describe()
    positions = {normalise_header(name): i for i, name in reversed(list(enumerate(raw.header)))}
    lab_pos = next((positions[h] for h in LAB_HEADERS if h in positions), None)
    lab_name = next((h for h in LAB_HEADERS if h in positions), "id_lab")
    quarter_pos = positions.get(QUARTER_HEADER)
    errors: list[Issue] = []
    if kind in LAB_REPORT_KINDS:
        if lab_pos is None and only_lab is None:
            errors.append(Issue(raw.header_line, "id_lab", "missing-column",
                                "Colonne obligatoire « id_lab » (laboratoire) absente : attendu l'identifiant ou le "
                                "nom du laboratoire de chaque ligne dans un fichier d'historique."))
        if quarter_pos is None and DATE_COLUMN[kind] is None:
            errors.append(Issue(raw.header_line, QUARTER_HEADER, "missing-column",
                                "Colonne obligatoire « trimestre » absente : attendu le trimestre de chaque ligne, "
                                "par exemple T3 2021, dans un fichier d'historique."))
        table = _without(raw, [p for p in (lab_pos, quarter_pos) if p is not None])
    else:
        table = raw
    row_reports = None
    if not errors:
        row_reports = _row_reports(raw, kind, schema, lab_pos, lab_name, quarter_pos, labs, only_lab, today, errors)
    # The ledger's tranche ids are unique in the whole file; a lab report's ids per lab and quarter.
    per_report = row_reports if kind in LAB_REPORT_KINDS else None
    result = validate_table(table, schema, Context(kind, None, None, labs.ids, labs.registry_values, per_report))
    if per_report is None and kind in LAB_REPORT_KINDS:   # without a lab or quarter column, ids cannot be compared
        result.errors = [e for e in result.errors if e.code != "unique"]
    report.row_count = result.row_count
    report.errors = sorted(errors + result.errors, key=lambda i: (i.line or 0, i.column or ""))
    report.warnings = result.warnings
    if report.ok:
        report.rows = result.frame
        report.batches = _batches(result.frame, row_reports, raw.lines)
    return report


def _without(raw: RawTable, positions: list[int]) -> RawTable:
    """The table less the history's own columns (lab, quarter): what the report's schema validates."""
    if not positions:
        return raw
    keep = [i for i in range(len(raw.header)) if i not in positions]
    if raw.columns is not None:
        return replace(raw, header=[raw.header[i] for i in keep], _lists={},   # a cache by position of its own
                       columns={new: raw.columns[old] for new, old in enumerate(keep)})
    return replace(raw, header=[raw.header[i] for i in keep], rows=[[row[i] for i in keep] for row in raw.rows])


def _row_reports(raw: RawTable, kind: str, schema, lab_pos, lab_name, quarter_pos, labs: LabFacts, only_lab,
                 today, errors: list[Issue]) -> tuple:
    """Each row's (lab, quarter), None where either is unreadable (its error is then in `errors`). Each distinct
    (lab cell, quarter) is looked at once; only the rows of a refused one are walked through."""
    today = today or date.today()
    lab_cells = raw.column(lab_pos) if lab_pos is not None else [only_lab or ""] * raw.row_count
    pairs = list(zip(lab_cells, _quarters(raw, kind, schema, quarter_pos, today, errors)))
    outcome = {pair: _lab_outcome(pair[0].strip(), pair[1], kind, lab_name, labs, only_lab) for pair in set(pairs)}
    refused = {pair for pair, (_, problem) in outcome.items() if problem}
    if refused:
        lines = raw.lines
        errors += [Issue(lines[i], lab_name, *outcome[pair][1]) for i, pair in enumerate(pairs) if pair in refused]
    report_of = {pair: found for pair, (found, _) in outcome.items()}
    return tuple(map(report_of.__getitem__, pairs))


def _lab_outcome(text: str, quarter: str | None, kind: str, lab_name: str, labs: LabFacts, only_lab):
    """((lab, quarter) or None, None or (code, French message, value)) for one distinct lab cell and quarter."""
    lab = labs.by_folded.get(V.fold(text)) if text else None
    if kind not in LAB_REPORT_KINDS:   # the ledger: `id_lab` is the schema's own column, checked by the validator
        return ((lab, quarter) if lab and quarter else None), None
    if not text:
        return None, ("required", f"Valeur manquante : « {lab_name} » est obligatoire ; attendu l'identifiant ou le "
                                  "nom d'un laboratoire.", None)
    if lab is None:
        return None, ("unknown-lab", f"Laboratoire « {text} » inconnu : attendu l'identifiant d'un laboratoire "
                                     f"existant (par exemple {', '.join(sorted(labs.ids)[:3])}…).", text)
    if only_lab is not None and lab != only_lab:
        return None, ("other-lab", f"Ligne du laboratoire « {text} » dans un dépôt pour « {only_lab} » : attendu "
                                   f"uniquement des lignes de « {only_lab} » (ou une colonne id_lab vide).", text)
    if quarter is not None and lab in labs.closed_on and quarter_start(quarter) > labs.closed_on[lab]:
        return None, ("lab-closed", f"Le laboratoire « {text} » est fermé depuis le "
                                    f"{fmt_date(labs.closed_on[lab])} : attendu un trimestre jusqu'à sa fermeture, "
                                    f"reçu {fmt_quarter(quarter)}.", text)
    return ((lab, quarter) if quarter else None), None


def _quarters(raw: RawTable, kind: str, schema, quarter_pos, today: date, errors: list[Issue]) -> list:
    """Each row's quarter: the `trimestre` cell, else the quarter of the row's date (unreadable: None)."""
    if quarter_pos is None:
        column = DATE_COLUMN[kind]
        names = {normalise_header(schema.field(column).name), normalise_header(schema.field(column).title)}
        position = next((i for i, h in enumerate(raw.header) if normalise_header(h) in names), None)
        if position is None:
            return [None] * raw.row_count   # the missing date column is the validator's error
        cells = raw.column(position)
        day = {text: V.parse_date(text.strip())[0] if text.strip() else None for text in set(cells)}
        quarter = {text: quarter_of(d) if d is not None else None for text, d in day.items()}
        return list(map(quarter.__getitem__, cells))
    cells = raw.column(quarter_pos)
    outcome = {text: _quarter_outcome(text.strip(), quarter_of(today)) for text in set(cells)}
    if any(problem for _, problem in outcome.values()):
        lines = raw.lines
        errors += [Issue(lines[i], QUARTER_HEADER, *outcome[text][1]) for i, text in enumerate(cells)
                   if outcome[text][1]]
    return [outcome[text][0] for text in cells]


def _quarter_outcome(text: str, current: str):
    """(quarter or None, None or (code, French message, value)) for one distinct `trimestre` cell."""
    if not text:
        return None, ("required", "Valeur manquante : « trimestre » est obligatoire ; attendu un trimestre, par "
                                  "exemple T3 2021.", None)
    try:
        quarter = parse_quarter(text)
    except ValueError:
        return None, ("type", f"« {text} » n'est pas un trimestre : attendu par exemple T3 2021 ou 2021-T3.", text)
    if quarter > current:
        return None, ("future-quarter", f"Le trimestre {fmt_quarter(quarter)} n'a pas encore commencé : attendu un "
                                        f"trimestre passé ou en cours (jusqu'au {fmt_quarter(current)}).", text)
    return quarter, None


def _batches(frame: pd.DataFrame, row_reports: tuple, lines: list[int]) -> list[Batch]:
    """The rows of each (lab, quarter), in the file's order, sorted by lab then quarter: one sort, then slices."""
    targets = sorted(set(row_reports))
    code_of = {target: k for k, target in enumerate(targets)}
    codes = np.fromiter(map(code_of.__getitem__, row_reports), dtype=np.int64, count=len(row_reports))
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(targets) + 1))
    ordered = frame.take(order).reset_index(drop=True)
    ordered_lines = np.asarray(lines)[order].tolist()
    return [Batch(lab, quarter, ordered.iloc[bounds[k]:bounds[k + 1]].reset_index(drop=True),
                  ordered_lines[bounds[k]:bounds[k + 1]]) for k, (lab, quarter) in enumerate(targets)]


def compare_batches(store: Store, report: HistoryReport) -> None:
    """Each batch against the current version of its (lab, quarter); the ledger against the ledger in force."""
    if not report.ok:
        return
    currents, rows = current_rows(store, report.kind, {(b.lab_id, b.quarter) for b in report.batches})
    schema = load_schema(report.kind)
    empty = _empty(schema)
    if report.kind == LEDGER:
        ledger = rows.get(currents.get((None, None)))
        report.current_version_id = currents.get((None, None))
    for batch in report.batches:
        if report.kind == LEDGER:
            batch.current_version_id = report.current_version_id
            current = ledger if ledger is not None else empty
            mine = current[current["id_tranche"].isin(set(batch.rows["id_tranche"]))] if len(current) else current
            batch.diff = compare(mine, batch.rows, schema)
            batch.diff.removed = []   # the ledger's other tranches are kept
            continue
        batch.current_version_id = currents.get((batch.lab_id, batch.quarter))
        current = rows.get(batch.current_version_id)
        batch.diff = compare(current if current is not None else empty, batch.rows, schema)


def current_rows(store: Store, kind: str, targets: set) -> tuple[dict, dict]:
    """(lab, quarter) → current version id, and version id → its rows (exchange column names), for `targets`
    (the ledger: its one current version under (None, None))."""
    found = store.query("SELECT lab_id, quarter, version_id FROM report_versions WHERE kind = ? AND is_current",
                        [kind])
    currents = {(lab, quarter): version for lab, quarter, version in found}
    if kind == LEDGER:
        wanted = [currents[(None, None)]] if (None, None) in currents else []
    else:
        wanted = [currents[t] for t in targets if t in currents]
    if not wanted:
        return currents, {}
    table, columns = DB_TABLES[kind]
    select = ", ".join(f'"{db}" AS "{name}"' for name, db in columns.items())
    frame = store.query_df(f"SELECT version_id AS _version, {select} FROM {table} "
                           f"WHERE list_contains(?, version_id) ORDER BY 1, 2", [wanted])
    rows = {int(v): part.drop(columns="_version").reset_index(drop=True) for v, part in frame.groupby("_version")}
    return currents, rows


def _empty(schema) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([], dtype="object") for name in schema.names})


def errors_frame(report: HistoryReport) -> pd.DataFrame:
    return report.issues_frame(ERROR)
