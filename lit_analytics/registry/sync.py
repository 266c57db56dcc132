"""`reference sync [--dry-run]`: the repository's `data/reference/*.csv` applied to a live database (file or
PostgreSQL) as a reviewed diff — added, changed, unchanged — so that a release correcting a sourced fact reaches
existing installations without `init --force` (which would rebuild the database and lose every report).

Rules: nothing is ever deleted (a lab, cohort, source or figure a user entered stays); an empty cell of a file
never clears a value; assumptions the service appended to the file's (« budget (démo) ») are kept; a lab field an administrator changed in the service (a `lab_changes` row not written by a
sync) is kept, and reported as kept. Every lab change is one `lab_changes` row by « référentiel du dépôt » and
is audited with before/after, in one transaction; `--dry-run` computes the same diff and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lit_analytics import audit, reference
from lit_analytics.audit import Action, Outcome
from lit_analytics.config import REFERENCE_DIR
from lit_analytics.formats import fmt_int
from lit_analytics.registry import values as V
from lit_analytics.registry.catalog import CATALOG_COLUMNS, CATALOGS
from lit_analytics.registry.labs import add_source_row, apply_changes, clean, codes, lab_row, record_change
from lit_analytics.registry.values import CREATED, FIELD_LABELS, LAB_FIELDS, Citation, RegistryError
from lit_analytics.store import Store

SYNC_ACTOR = "référentiel du dépôt"
WRITES = ("labs", "lab_changes", "lab_sources", "published_figures", "regions", *CATALOGS, audit.TABLE)
TITLES = {"regions": "Régions", "cohorts": "Cohortes", "funding_sources": "Sources de financement",
          "labs": "Laboratoires", "lab_sources": "Sources des laboratoires", "published_figures": "Chiffres publiés"}


@dataclass
class TableDiff:
    added: list[str] = field(default_factory=list)      # French, one line each
    changed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)       # values a user changed in the service, kept
    unchanged: int = 0


@dataclass
class SyncPlan:
    diffs: dict[str, TableDiff] = field(default_factory=lambda: {t: TableDiff() for t in TITLES})
    operations: list = field(default_factory=list)      # (callable(cur), ...) applied in one transaction

    @property
    def empty(self) -> bool:
        return not self.operations

    def text(self, dry_run: bool) -> str:
        out = ["Synchronisation du référentiel" + (" (essai à blanc : rien n'est écrit)" if dry_run else "")]
        for table, diff in self.diffs.items():
            out.append(f"{TITLES[table]} : {fmt_int(len(diff.added))} ajouté(s), {fmt_int(len(diff.changed))} "
                       f"modifié(s), {fmt_int(diff.unchanged)} inchangé(s)"
                       + (f", {fmt_int(len(diff.kept))} valeur(s) saisie(s) dans le service conservée(s)"
                          if diff.kept else ""))
            out += [f"  + {line}" for line in diff.added] + [f"  ~ {line}" for line in diff.changed]
            out += [f"  = {line}" for line in diff.kept]
        if self.empty:
            out.append("Rien à appliquer : la base est à jour.")
        return "\n".join(out)


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value == ""


def _file_rows(directory: Path, name: str, columns: list[str], required: tuple[str, ...]) -> list[dict]:
    return reference.read_rows(directory / name, columns, required)


def plan(store: Store, directory: Path = REFERENCE_DIR) -> SyncPlan:
    """What applying the files would change (reads only). Bad files raise a French error naming file and line."""
    p = SyncPlan()
    _plan_regions(store, directory, p)
    known_cohorts = _plan_catalogs(store, directory, p)
    lab_ids = _plan_labs(store, directory, p, known_cohorts)
    _plan_sources(store, directory, p, lab_ids)
    _plan_figures(store, directory, p)
    return p


def apply(store: Store, who: str, directory: Path = REFERENCE_DIR, dry_run: bool = False) -> SyncPlan:
    """Plan, then (unless `dry_run`) apply in one transaction, audited."""
    p = plan(store, directory)
    if dry_run or p.empty:
        return p
    with store.transaction(writes=WRITES) as cur:
        for operation in p.operations:
            operation(cur)
        summary = "; ".join(f"{TITLES[t]} : +{len(d.added)} ~{len(d.changed)}" for t, d in p.diffs.items()
                            if d.added or d.changed)
        audit.record(cur, who, Action.REFERENCE_SYNC, Outcome.SUCCESS, str(directory.name), summary)
    return p


def _plan_regions(store: Store, directory: Path, p: SyncPlan) -> None:
    rows = _file_rows(directory, "regions.csv", ["region_code", "name", "is_overseas"], ("region_code", "name"))
    have = {c for (c,) in store.query("SELECT region_code FROM regions")}
    diff = p.diffs["regions"]
    for row in rows:
        if row["region_code"] in have:
            diff.unchanged += 1
            continue
        diff.added.append(f"{row['region_code']} {row['name']}")
        p.operations.append(lambda cur, r=row: cur.execute("INSERT INTO regions VALUES (?, ?, ?)",
                                                           [r["region_code"], r["name"], r["is_overseas"] == "true"]))


def _plan_catalogs(store: Store, directory: Path, p: SyncPlan) -> set[str]:
    cohorts = codes(store, "cohorts")
    for table in CATALOGS:
        rows = _file_rows(directory, f"{table}.csv", list(CATALOG_COLUMNS), ("code", "label"))
        current = {r["code"]: r for r in store.query_df(f"SELECT * FROM {table}").to_dict("records")}
        diff = p.diffs[table]
        for row in rows:
            where = f"{table}.csv, ligne {row['_line']}"
            try:
                typed = {c: (V.to_date(row[c], c) if c in ("starts_on", "ends_on", "published_on")
                             else V.to_url(row[c], c) if c == "url" else (row[c] or None)) for c in CATALOG_COLUMNS}
            except RegistryError as exc:
                raise RegistryError(f"{where} : {exc}") from None
            if table == "cohorts":
                cohorts.add(typed["code"])
            if typed["code"] not in current:
                diff.added.append(f"{typed['code']} ({typed['label']})")
                p.operations.append(lambda cur, t=table, r=typed: cur.execute(
                    f"INSERT INTO {t} ({', '.join(r)}) VALUES ({', '.join('?' * len(r))})", list(r.values())))
                continue
            old = current[typed["code"]]
            changes = {c: v for c, v in typed.items() if not _blank(v) and V.as_text(v) != V.as_text(
                None if _blank(old[c]) else (old[c].date() if isinstance(old[c], pd.Timestamp) else old[c]))}
            if not changes:
                diff.unchanged += 1
                continue
            diff.changed.append(f"{typed['code']} : "
                                + ", ".join(f"{c} → {V.as_text(v)}" for c, v in changes.items()))
            p.operations.append(lambda cur, t=table, k=typed["code"], ch=changes: cur.execute(
                f"UPDATE {t} SET {', '.join(f'{c} = ?' for c in ch)} WHERE code = ?", [*ch.values(), k]))
    return cohorts


def _plan_labs(store: Store, directory: Path, p: SyncPlan, cohorts: set[str]) -> set[str]:
    rows = _file_rows(directory, "labs.csv", ["lab_id", *LAB_FIELDS],
                      ("lab_id", "name", "cohort", "identified", "source"))
    user_fields = {(lab, f) for lab, f in store.query(
        "SELECT DISTINCT lab_id, field FROM lab_changes WHERE changed_by <> ?", [SYNC_ACTOR])}
    diff = p.diffs["labs"]
    lab_ids = {lab for (lab,) in store.query("SELECT lab_id FROM labs")}
    for row in rows:
        lab_id = row["lab_id"]
        given = {f: row.get(f, "") for f in LAB_FIELDS if f in row}
        try:
            typed = clean(store, {f: v for f, v in given.items() if v != ""}, cohorts=cohorts)
        except RegistryError as exc:
            raise RegistryError(f"labs.csv, ligne {row['_line']} : {exc}") from None
        current = lab_row(store, lab_id)
        lab_ids.add(lab_id)
        if current is None:
            diff.added.append(f"{lab_id} ({typed['name']})")
            p.operations.append(lambda cur, lab=lab_id, v=typed: _insert_lab(cur, lab, v))
            continue
        changes, kept = {}, []
        for f, v in typed.items():
            now = V.as_text(current.get(f))
            if V.as_text(v) == now or (f == "assumptions" and now and now.startswith(V.as_text(v) + " ; ")):
                continue     # the same, or the file's assumptions plus what the service added (the demo's budgets)
            if (lab_id, f) in user_fields:
                kept.append(f"{lab_id} : {FIELD_LABELS[f]} ({V.shown(f, V.as_text(current.get(f)))}, saisi dans le "
                            f"service ; le fichier dit {V.shown(f, V.as_text(v))})")
            else:
                changes[f] = v
        diff.kept += kept
        if not changes:
            diff.unchanged += 1
            continue
        diff.changed.append(f"{lab_id} : " + "; ".join(f"{FIELD_LABELS[f]} {V.shown(f, V.as_text(current.get(f)))} → "
                                                       f"{V.shown(f, V.as_text(v))}" for f, v in changes.items()))
        p.operations.append(lambda cur, lab=lab_id, cu=current, ch=changes: _update_lab(cur, lab, cu, ch))
    return lab_ids


def _insert_lab(cur, lab_id: str, values: dict) -> None:
    names = ["lab_id", *values]
    cur.execute(f"INSERT INTO labs ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                [lab_id, *values.values()])
    record_change(cur, lab_id, SYNC_ACTOR, CREATED, None, values["name"], None)
    audit.record(cur, SYNC_ACTOR, Action.LAB_CREATED, Outcome.SUCCESS, lab_id, values["name"])


def _update_lab(cur, lab_id: str, current: dict, changes: dict) -> None:
    apply_changes(cur, lab_id, current, changes, SYNC_ACTOR, None)
    audit.record(cur, SYNC_ACTOR, Action.LAB_CHANGED, Outcome.SUCCESS, lab_id, "; ".join(
        f"{FIELD_LABELS[f]} : {V.shown(f, V.as_text(current.get(f)))} → {V.shown(f, V.as_text(v))}"
        for f, v in changes.items()))


def _plan_sources(store: Store, directory: Path, p: SyncPlan, lab_ids: set[str]) -> None:
    frame = reference.read_sources(directory / "sources.csv", lab_ids)
    have = {(lab, fact, statement, url) for lab, fact, statement, url in store.query(
        "SELECT lab_id, fact, statement, url FROM lab_sources")}
    diff = p.diffs["lab_sources"]
    for row in frame.itertuples(index=False):
        url = None if _blank(row.url) else row.url
        if (row.lab_id, row.fact, row.statement, url) in have:
            diff.unchanged += 1
            continue
        diff.added.append(f"{row.lab_id}, {row.fact} : {row.source_title}")
        p.operations.append(lambda cur, r=row, u=url: _insert_source(cur, r, u))


def _insert_source(cur, row, url) -> None:
    published = None if _blank(row.published_on) else row.published_on
    add_source_row(cur, row.lab_id, row.fact, row.statement, Citation(row.source_title, published, url))
    if not _blank(row.value):
        cur.execute("UPDATE lab_sources SET value = ? WHERE lab_id = ? AND seq = (SELECT max(seq) FROM lab_sources "
                    "WHERE lab_id = ?)", [row.value, row.lab_id, row.lab_id])


def _plan_figures(store: Store, directory: Path, p: SyncPlan) -> None:
    frame = reference.read_published_figures(directory / "published_figures.csv")
    have = {(t, f, u) for t, f, u in store.query("SELECT topic, figure, url FROM published_figures")}
    diff = p.diffs["published_figures"]
    for row in frame.itertuples(index=False):
        url = None if _blank(row.url) else row.url
        if (row.topic, row.figure, url) in have:
            diff.unchanged += 1
            continue
        diff.added.append(f"{row.topic} : {row.figure}")
        p.operations.append(lambda cur, r=row, u=url: cur.execute(
            "INSERT INTO published_figures "
            "SELECT coalesce(max(seq), 0) + 1, ?, ?, ?, ?, ?, ?, ? FROM published_figures",
            [r.topic, r.figure, r.statement, r.source_title, None if _blank(r.published_on) else r.published_on,
             u, bool(r.disagree)]))
