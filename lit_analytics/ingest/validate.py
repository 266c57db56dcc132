"""Validation of a read table against its Table Schema and the report's context (lab, quarter, known labs).

Every problem becomes an `Issue` with the line as the sender's spreadsheet numbers it (header = line 1), the
column (the exchange-format name) and a French message saying what is wrong and what is expected. Errors block
publication; warnings (a value accepted after normalisation, an ignored column) are reported apart, one per
column and value with the lines concerned.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lit_analytics.formats import fmt_date, fmt_number, fmt_quarter, quarter_end, quarter_start, unneutralise
from lit_analytics.ingest import fastcheck
from lit_analytics.ingest import values as V
from lit_analytics.ingest.read import RawTable
from lit_analytics.ingest.schema import LAB_REPORT_KINDS, Field, TableSchema, added_to, normalise_header

ERROR = "erreur"
WARNING = "avertissement"


@dataclass(frozen=True)
class Issue:
    line: int | None          # spreadsheet line (header = 1); None for the whole file
    column: str | None        # exchange-format column name; None for the whole file
    code: str                 # kind of problem (English code): 'type', 'required', 'enum', 'unique'...
    message: str              # French: what is wrong and what is expected
    value: str | None = None  # the cell as received
    severity: str = ERROR

    def where(self) -> str:
        parts = [f"ligne {self.line}"] if self.line is not None else []
        if self.column:
            parts.append(f"colonne « {self.column} »")
        text = ", ".join(parts)
        return text[:1].upper() + text[1:] if parts else "Fichier"


@dataclass(frozen=True)
class Context:
    kind: str
    lab_id: str | None
    quarter: str | None
    known_labs: frozenset[str]
    # Values the registry added to a column's list since the schema was written (the funding ledger's `source`:
    # the codes of `funding_sources`, migration 008), column → codes.
    registry_values: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # A history file (many labs and quarters, `ingest.history_file`): each row's (lab, quarter), or None where the
    # row's own lab or quarter is unreadable. Identifiers are then unique per lab and quarter, and dates checked
    # against their row's quarter.
    row_reports: tuple[tuple[str, str] | None, ...] | None = None

    def enum_of(self, f: Field) -> tuple[str, ...] | None:
        return added_to(f.enum, dict(self.registry_values).get(f.name, ())) if f.enum else f.enum


@dataclass
class Validation:
    frame: pd.DataFrame | None                  # parsed values, exchange column names (None if unusable)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    row_count: int = 0


def validate_table(raw: RawTable, schema: TableSchema, ctx: Context) -> Validation:
    result = Validation(frame=None, row_count=raw.row_count)
    columns, lab_column = _map_header(raw, schema, ctx, result)
    if result.errors:
        return result
    for line, position, value in raw.extra_cells:
        result.errors.append(Issue(line, f"colonne n° {position}", "extra-cell",
                                   f"Valeur « {value} » au-delà des {len(raw.header)} colonnes de l'en-tête : "
                                   "attendu une valeur par colonne de l'en-tête (vérifiez le séparateur et les "
                                   "guillemets).", value))
    if not _row_count_ok(raw, schema, result):
        return result

    warn_lines: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    parsed: dict[str, list] = {}
    for f in schema.fields:
        parsed[f.name] = _parse_column(f, columns.get(f.name), raw, ctx, result, warn_lines)

    _check_unique_and_examples(schema, parsed, raw, result, ctx.row_reports)
    _check_cross_fields(schema, parsed, raw, ctx, result)
    if lab_column is not None:
        _check_other_lab(lab_column, raw, ctx, result)

    for (column, code, note), lines in warn_lines.items():
        result.warnings.append(Issue(lines[0], column, code, f"{note} ({_lines_text(lines)}).",
                                     severity=WARNING))
    result.errors.sort(key=lambda i: (i.line or 0, schema.names.index(i.column) if i.column in schema.names else 99))
    result.frame = _typed_frame(schema, parsed)
    return result


def _row_count_ok(raw: RawTable, schema: TableSchema, result: Validation) -> bool:
    """A header-only file is an answer (« nothing to declare »: an empty report) unless the format needs a line
    (the météo); a one-line format refuses more. False when there is nothing more to check."""
    if not raw.row_count and schema.min_rows:
        result.errors.append(Issue(None, None, "no-rows", "Le fichier ne contient aucune ligne de données : "
                                   "attendu une ligne sous l'en-tête."))
        return False
    if not raw.row_count:
        result.warnings.append(Issue(None, None, "no-rows", "Aucune ligne sous l'en-tête : le rapport publié sera "
                                     "vide, ce qui déclare « rien ce trimestre » (il compte comme reçu).",
                                     severity=WARNING))
        result.frame = _typed_frame(schema, {f.name: [] for f in schema.fields})
        return False
    if schema.max_rows is not None and raw.row_count > schema.max_rows:
        for line in raw.lines[schema.max_rows:]:
            result.errors.append(Issue(line, None, "one-row",
                                       f"Ligne en trop : le rapport « {schema.kind} » tient en "
                                       f"{schema.max_rows} ligne(s) sous l'en-tête ; attendu une seule ligne."))
    return True


# --- header ----------------------------------------------------------------------------------------

def _map_header(raw: RawTable, schema: TableSchema, ctx: Context, result: Validation):
    known: dict[str, Field] = {}
    for f in schema.fields:
        known[normalise_header(f.name)] = f
        known[normalise_header(f.title)] = f
    columns: dict[str, int] = {}
    lab_column = None
    line = raw.header_line
    for position, name in enumerate(raw.header):
        key = normalise_header(name)
        if not key:
            if any(cell.strip() for cell in raw.column(position)):
                result.errors.append(Issue(line, f"colonne n° {position + 1}", "blank-header",
                                           f"La colonne n° {position + 1} a des valeurs mais pas de nom : attendu un "
                                           "des noms de colonnes du modèle."))
            continue
        f = known.get(key)
        if f is None:
            if key == "id_lab" and ctx.kind in LAB_REPORT_KINDS:
                lab_column = position
                continue
            result.warnings.append(Issue(line, name, "unknown-column",
                                         f"Colonne « {name} » ignorée : elle ne fait pas partie du modèle "
                                         f"« {ctx.kind} ».", severity=WARNING))
            continue
        if f.name in columns:
            result.errors.append(Issue(line, f.name, "duplicate-column",
                                       f"Colonne « {f.name} » présente deux fois (colonnes n° {columns[f.name] + 1} "
                                       f"et {position + 1}) : attendu une seule colonne « {f.name} »."))
            continue
        columns[f.name] = position
        if name != f.name:
            result.warnings.append(Issue(line, f.name, "header-renamed",
                                         f"En-tête « {name} » lu comme « {f.name} ».", severity=WARNING))
    expected = " ; ".join(schema.names)
    for f in schema.fields:
        if f.name not in columns and f.required:
            result.errors.append(Issue(line, f.name, "missing-column",
                                       f"Colonne obligatoire « {f.name} » ({f.title}) absente : attendu les "
                                       f"colonnes {expected} (téléchargez le modèle)."))
    return columns, lab_column


# --- cells -----------------------------------------------------------------------------------------

def _parser_for(f: Field, ctx: Context):
    if f.enum:
        return V.enum_parser(ctx.enum_of(f), "une valeur autorisée"), "enum"
    if f.item_enum:
        return V.list_parser(f.item_enum, "un type de partenaire autorisé"), "enum"
    if f.known_lab:
        return _lab_parser(ctx.known_labs), "unknown-lab"
    if f.type == "integer":
        return V.parse_integer, "type"
    if f.type == "number":
        return V.parse_number, "type"
    if f.type == "date":
        return V.parse_date, "type"
    return V.parse_text, "type"


def _lab_parser(known_labs: frozenset[str]):
    folded = {V.fold(lab): lab for lab in known_labs}
    examples = ", ".join(sorted(known_labs)[:3])

    def parse(text: str) -> V.Parsed:
        if text in known_labs:
            return text, None, None
        lab = folded.get(V.fold(text))
        if lab is not None:
            return lab, None, f"« {text} » lu comme « {lab} »"
        return None, (f"Laboratoire « {text} » inconnu : attendu l'identifiant d'un laboratoire existant "
                      f"(par exemple {examples}…)."), None
    return parse


def _bounds_error(f: Field, value, text: str) -> tuple[str, str] | None:
    if f.type in ("integer", "number"):
        if f.exclusive_minimum is not None and value <= f.exclusive_minimum:
            return "minimum", (f"« {text} » : {f.title.lower()} doit être strictement supérieur(e) à "
                               f"{V.fmt_plain(f.exclusive_minimum)} ; attendu un nombre positif.")
        if f.minimum is not None and value < f.minimum:
            return "minimum", (f"« {text} » est négatif : {f.title.lower()} attendu(e) supérieur(e) ou égal(e) "
                               f"à {V.fmt_plain(f.minimum)}.")
        if f.maximum is not None and value > f.maximum:
            return "maximum", (f"« {_shown(text)} » est trop grand : {f.title.lower()} attendu(e) inférieur(e) ou "
                               f"égal(e) à {V.fmt_plain(f.maximum)}.")
    if f.max_length is not None and isinstance(value, str) and len(value) > f.max_length:
        return "max-length", (f"Texte trop long ({fmt_number(len(value))} caractères) : attendu au plus "
                              f"{fmt_number(f.max_length)} caractères.")
    if f.min_length is not None and isinstance(value, str) and len(value) < f.min_length:
        return "min-length", (f"Texte trop court ({fmt_number(len(value))} caractère(s)) : attendu au moins "
                              f"{fmt_number(f.min_length)} caractères pour « {f.title} ».")
    return None


def _shown(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _parse_column(f: Field, position: int | None, raw: RawTable, ctx: Context, result: Validation,
                  warn_lines) -> list:
    """Parse one column: each distinct cell text once, then map back (fast on large files)."""
    if position is None:
        return [None] * raw.row_count
    parse, code = _parser_for(f, ctx)
    missing = f"Valeur manquante : « {f.name} » ({f.title}) est obligatoire ; attendu {_expected(f, ctx)}."
    if parse is V.parse_text:  # free text (often all distinct, e.g. identifiers): stored as received, less the
        texts = raw.texts(position)   # app's own CSV formula mark
        if texts.marked:   # a text starting with the app's mark
            texts = fastcheck.Texts.of([unneutralise(text) if text else None for text in texts.values])
        values, limit, least = texts.values, f.max_length or 10**9, f.min_length or 0
        if not texts.blank and least <= texts.shortest and texts.longest <= limit:
            return values   # the usual case, checked at C speed
        for i in [i for i, v in enumerate(values) if v is None or not least <= len(v) <= limit]:
            if values[i] is None:
                if f.required:
                    result.errors.append(Issue(raw.lines[i], f.name, "required", missing))
            else:
                code_, message = _bounds_error(f, values[i], values[i])
                result.errors.append(Issue(raw.lines[i], f.name, code_, message, values[i]))
                values[i] = None
        return values
    encoded = raw.encoded(position)   # read in columns: each distinct cell and each row's code, without strings
    cells = raw.column(position) if encoded is None else None
    outcomes: dict[str, tuple] = {}
    for text in (encoded[1] if encoded is not None else set(cells)):
        stripped = text.strip()
        if not stripped:
            outcomes[text] = (None, "required", missing, None) if f.required else (None, None, None, None)
            continue
        value, error, warning = parse(stripped)
        if error:
            outcomes[text] = (None, code, error, None)
            continue
        bound = _bounds_error(f, value, stripped)
        outcomes[text] = (None, bound[0], bound[1], None) if bound else (value, None, None, warning)
    flagged = {text for text, o in outcomes.items() if o[1] or o[3]}
    if encoded is not None:
        codes, distinct = encoded
        values = np.array([outcomes[text][0] for text in distinct], dtype=object)[codes].tolist()
        marked = [k for k, text in enumerate(distinct) if text in flagged]
        rows = np.flatnonzero(np.isin(codes, marked)).tolist() if marked else []
        cells = dict(zip(rows, (distinct[codes[i]] for i in rows)))
    else:
        value_of = {text: o[0] for text, o in outcomes.items()}
        values = list(map(value_of.__getitem__, cells))
        rows = range(len(cells)) if flagged else ()
    if flagged:
        lines = raw.lines
        for i in rows:
            text = cells[i]
            if text in flagged:
                _, err_code, message, warning = outcomes[text]
                if err_code:
                    result.errors.append(Issue(lines[i], f.name, err_code, message, text.strip() or None))
                else:
                    warn_lines[(f.name, "normalised", warning)].append(lines[i])
    return values


def _expected(f: Field, ctx: Context) -> str:
    if f.enum:
        return "l'une des valeurs " + " ; ".join(ctx.enum_of(f))
    return {"integer": "un nombre entier", "number": V.NUMBER_HINT, "date": V.DATE_HINT}.get(
        f.type, "un texte" if not f.known_lab else "l'identifiant d'un laboratoire")


# --- rows ------------------------------------------------------------------------------------------

def _check_examples(name: str, values: list, raw: RawTable, result: Validation) -> None:
    for i, value in enumerate(values):
        if value is not None and value[:7].upper() == "EXEMPLE":
            result.errors.append(Issue(raw.lines[i], name, "example-row",
                                       f"« {_shown(value)} » est la ligne d'exemple du modèle : attendu vos "
                                       "propres lignes (supprimez la ligne d'exemple).", value))


def _check_unique_and_examples(schema: TableSchema, parsed: dict, raw: RawTable, result: Validation,
                               row_reports=None) -> None:
    for name in schema.example_fields:
        if "exemple" in "\n".join(filter(None, parsed[name])).lower():   # else no row is the template's example
            _check_examples(name, parsed[name], raw, result)
    key = schema.key
    if key is None:
        return
    ids = parsed[key]
    present = [v for v in ids if v is not None]
    if row_reports is None:
        keys, compared = ids, present
    else:   # history: unique per lab and quarter (rows without one: not compared)
        keys = (list(zip(row_reports, ids)) if None not in row_reports else
                [(r, v) if r is not None else (i,) for i, (r, v) in enumerate(zip(row_reports, ids))])
        compared = keys if len(present) == len(ids) else [k for k, v in zip(keys, ids) if v is not None]
    if len(set(compared)) == len(present):
        return
    seen: dict = {}
    for i, value in enumerate(ids):
        if value is None:
            continue
        line = raw.lines[i]
        first = seen.setdefault(keys[i], line)
        if first != line:
            result.errors.append(Issue(line, key, "unique",
                                       f"Identifiant « {value} » en double (déjà ligne {first}) : attendu un "
                                       "identifiant différent sur chaque ligne.", value))


def _check_cross_fields(schema: TableSchema, parsed: dict, raw: RawTable, ctx: Context, result: Validation) -> None:
    for f in schema.fields:
        if f.not_before:
            other = schema.field(f.not_before)
            for i, (value, before) in enumerate(zip(parsed[f.name], parsed[other.name])):
                if value is not None and before is not None and value < before:
                    result.errors.append(Issue(
                        raw.lines[i], f.name, "date-order",
                        f"{f.title} ({fmt_date(value)}) antérieure à la {other.title.lower()} ({fmt_date(before)}) : "
                        f"attendu une date identique ou postérieure au {fmt_date(before)}.", fmt_date(value)))
                    parsed[f.name][i] = None
        if f.in_quarter and (ctx.quarter or ctx.row_reports):
            quarters = ([ctx.quarter] * raw.row_count if ctx.quarter else
                        [r[1] if r else None for r in ctx.row_reports])   # history: each row's own quarter
            bounds = {q: (quarter_start(q), quarter_end(q)) for q in set(quarters) if q}
            if ctx.quarter and all(bounds[ctx.quarter][0] <= v <= bounds[ctx.quarter][1]
                                   for v in set(parsed[f.name]) if v is not None):
                continue   # every distinct date inside the quarter: no row to look at
            for i, value in enumerate(parsed[f.name]):
                quarter = quarters[i]
                if value is None or quarter is None:
                    continue
                start, end = bounds[quarter]
                if not (start <= value <= end):
                    result.errors.append(Issue(
                        raw.lines[i], f.name, "outside-quarter",
                        f"Le {fmt_date(value)} est hors du trimestre déposé ({fmt_quarter(quarter)}) : attendu une "
                        f"date du {fmt_date(start)} au {fmt_date(end)} (déposez cette ligne avec son trimestre).",
                        fmt_date(value)))


def _check_other_lab(position: int, raw: RawTable, ctx: Context, result: Validation) -> None:
    for i, cell in enumerate(raw.column(position)):
        value = cell.strip()
        if value and V.fold(value) != V.fold(ctx.lab_id or ""):
            code = "other-lab" if value in ctx.known_labs else "unknown-lab"
            result.errors.append(Issue(
                raw.lines[i], "id_lab", code,
                f"Ligne du laboratoire « {value} » dans un dépôt pour « {ctx.lab_id} » : attendu uniquement des "
                f"lignes de « {ctx.lab_id} » (ou une colonne id_lab vide).", value))


def _lines_text(lines: list[int]) -> str:
    if len(lines) == 1:
        return f"ligne {lines[0]}"
    shown = ", ".join(str(n) for n in lines[:5])
    more = f" et {fmt_number(len(lines) - 5)} autres" if len(lines) > 5 else ""
    return f"lignes {shown}{more}"


def _typed_frame(schema: TableSchema, parsed: dict) -> pd.DataFrame:
    data = {}
    for f in schema.fields:
        column = parsed[f.name]
        if f.type in ("integer", "number"):   # nullable: the values and a mask through NumPy, 3× quicker than
            kind = "int64" if f.type == "integer" else "float64"   # pandas' own conversion of a list with None
            if None in column:
                values = np.array(column, dtype=object)
                missing = values == None  # noqa: E711 (element by element)
                values[missing] = 0
            else:
                values, missing = np.array(column), np.zeros(len(column), dtype=bool)
            data[f.name] = (pd.arrays.IntegerArray if kind == "int64" else pd.arrays.FloatingArray)(
                values.astype(kind), missing)
        else:
            data[f.name] = pd.Series(column, dtype="object")
    return pd.DataFrame(data)
