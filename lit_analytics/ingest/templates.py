"""Downloadable templates, made from the Table Schemas: `;`-separated UTF-8-with-BOM CSV (what Excel opens
correctly in French settings) and XLSX, each with one example row (its identifier starts with `EXEMPLE`, which the
validator refuses, so a forgotten example row is never published), plus the data dictionary.

A template can instead be *pre-filled* (`prefill_rows`): the projects report is a portfolio snapshot, so the
lab's last published portfolio before the quarter is carried over (projects neither finished nor abandoned, ids
kept); the lab lead changes what moved and re-imports it. A pre-filled file re-imported unchanged is valid.
Sessions are held within a quarter: nothing is carried over, the pre-filled sessions template is the header only.
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd

from lit_analytics.domain import PROJECT_STATUSES
from lit_analytics.formats import fmt_quarter, text_cells, to_csv
from lit_analytics.ingest.schema import DB_TABLES, Field, TableSchema, load_schema
from lit_analytics.store import Store

# Statuses a project is not carried over from: it has ended.
FINAL_STATUSES = tuple(PROJECT_STATUSES[-2:])

TYPE_LABELS = {"string": "texte", "integer": "nombre entier", "number": "nombre (virgule décimale)",
               "date": "date JJ/MM/AAAA", "list": "liste séparée par des virgules"}


def example_value(f: Field) -> str:
    """The schema's example written the French way (3,5 ; 15/03/2021)."""
    if f.example is None:
        return ""
    if f.type == "number":
        return f.example.replace(".", ",")
    return f.example


def dictionary(kind: str, registry: tuple = ()) -> pd.DataFrame:
    """The data dictionary of a report kind, in French; `registry`: the values a registry added to its lists
    (`publish.registry_values`), listed among the allowed values."""
    rows = []
    for f in load_schema(kind).with_values(registry).fields:
        rules = []
        if f.unique:
            rules.append("unique dans le fichier")
        if f.minimum is not None or f.exclusive_minimum is not None:
            rules.append("strictement positif" if f.exclusive_minimum is not None else "positif ou nul")
        if f.max_length:
            rules.append(f"{f.max_length} caractères au plus")
        if f.not_before:
            rules.append(f"pas avant {f.not_before}")
        if f.in_quarter:
            rules.append("dans le trimestre déposé")
        if f.known_lab:
            rules.append("laboratoire connu")
        rows.append({
            "Colonne": f.name, "Titre": f.title, "Description": f.description, "Type": TYPE_LABELS[f.type],
            "Obligatoire": "oui" if f.required else "non",
            "Valeurs autorisées": " ; ".join(f.enum or f.item_enum or ()), "Règles": " ; ".join(rules),
            "Exemple": example_value(f)})
    return pd.DataFrame(rows)


# --- pre-filled rows ----------------------------------------------------------------------------------

def previous_portfolio(store: Store, lab_id: str, quarter: str) -> tuple[str | None, pd.DataFrame]:
    """The quarter and rows (exchange column names, typed) of the lab's last published projects report
    before `quarter`; (None, no rows) when there is none."""
    table, columns = DB_TABLES["projets"]
    row = store.query("SELECT version_id, quarter FROM report_versions WHERE kind = 'projets' AND lab_id = ? "
                      "AND quarter < ? AND is_current ORDER BY quarter DESC LIMIT 1", [lab_id, quarter])
    select = ", ".join(f'"{db}" AS "{name}"' for name, db in columns.items())
    frame = store.query_df(f"SELECT {select} FROM {table} WHERE version_id = ? ORDER BY project_id",
                           [row[0][0] if row else -1])
    return (row[0][1] if row else None), typed_rows(frame, load_schema("projets"))


def prefill_rows(store: Store, kind: str, lab_id: str, quarter: str) -> pd.DataFrame:
    """The rows a pre-filled template of `kind` for (lab, quarter) starts with: for projects, the last published
    portfolio before the quarter without finished or abandoned projects; for sessions, none."""
    schema = load_schema(kind)
    if kind != "projets":
        return typed_rows(pd.DataFrame(columns=schema.names), schema)
    _, rows = previous_portfolio(store, lab_id, quarter)
    rows = rows[~rows["statut"].isin(FINAL_STATUSES)]
    return rows.reset_index(drop=True)


def typed_rows(frame: pd.DataFrame, schema: TableSchema) -> pd.DataFrame:
    """Rows with the schema's types: dates as `datetime.date`, integers as nullable integers, numbers as floats,
    texts as text (None when empty)."""
    out = {}
    for f in schema.fields:
        column = frame[f.name] if f.name in frame else pd.Series([None] * len(frame), dtype="object")
        if f.type == "date":
            out[f.name] = pd.Series([None if pd.isna(v) else pd.Timestamp(v).date() for v in column],
                                    dtype="object")
        elif f.type == "integer":
            out[f.name] = pd.array([None if pd.isna(v) else int(v) for v in column], dtype="Int64")
        elif f.type == "number":
            out[f.name] = pd.array([None if pd.isna(v) else float(v) for v in column], dtype="Float64")
        else:
            out[f.name] = pd.Series([None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
                                     for v in column], dtype="object")
    return pd.DataFrame(out, columns=schema.names)


def prefill_note(store: Store, lab_id: str, quarter: str) -> str:
    """What a pre-filled projects template carries, in French (shown beside the download buttons)."""
    source, rows = previous_portfolio(store, lab_id, quarter)
    if source is None:
        return ("Aucun portefeuille publié avant ce trimestre : le modèle pré-rempli est le modèle vierge "
                "(avec sa ligne d'exemple).")
    kept = int((~rows["statut"].isin(FINAL_STATUSES)).sum())
    return (f"Pré-rempli avec le portefeuille publié pour {fmt_quarter(source)} : {kept} projet(s) en cours repris "
            f"(identifiants conservés), {len(rows) - kept} projet(s) terminé(s) ou abandonné(s) retiré(s). "
            "Mettez à jour les statuts, dates et chiffres, ajoutez les nouveaux projets.")


# --- files ------------------------------------------------------------------------------------------

def template_csv(kind: str, rows: pd.DataFrame | None = None) -> bytes:
    """Header and example row (or `rows`, e.g. `prefill_rows`), through the one French-Excel CSV writer
    (`formats.to_csv`): dates 31/12/2021, decimal comma."""
    schema = load_schema(kind)
    if rows is not None and (len(rows) or kind != "projets"):
        return to_csv(typed_rows(rows, schema))
    return to_csv(pd.DataFrame([[example_value(f) for f in schema.fields]], columns=schema.names))


# « Nothing to declare is an answer »: the upload page's box, publishing the header-only file.
NOTHING_TO_DECLARE = {"sessions": "Aucune session ce trimestre", "projets": "Aucun projet en cours ce trimestre"}


def header_only(kind: str) -> bytes:
    """The template's header without any line: published, an empty report (« nothing to declare »)."""
    return to_csv(pd.DataFrame(columns=load_schema(kind).names))


def dictionary_csv(kind: str, registry: tuple = ()) -> bytes:
    return to_csv(dictionary(kind, registry))


def _example_row(schema: TableSchema) -> list:
    example = []
    for f in schema.fields:
        if f.example is None:
            example.append(None)
        elif f.type == "date":
            day, month, year = (int(x) for x in f.example.split("/"))
            example.append(date(year, month, day))
        elif f.type == "integer":
            example.append(int(f.example))
        elif f.type == "number":
            example.append(float(f.example))
        else:
            example.append(f.example)
    return example


def template_xlsx(kind: str, rows: pd.DataFrame | None = None, registry: tuple = ()) -> bytes:
    """A workbook: sheet `kind` (header + example row, or `rows`; typed cells; drop-down lists on the
    enumerated columns, with the values `registry` added, as in `dictionary`) and sheet `Dictionnaire` (with
    the lists' allowed values)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    schema = load_schema(kind).with_values(registry)
    book = Workbook()
    sheet = book.active
    sheet.title = kind
    sheet.append(schema.names)
    if rows is not None and (len(rows) or kind != "projets"):
        data = [[None if pd.isna(v) else (int(v) if f.type == "integer" else float(v) if f.type == "number" else v)
                 for f, v in zip(schema.fields, row)] for row in typed_rows(rows, schema).itertuples(index=False)]
    else:
        data = [_example_row(schema)]
    for row in data:
        sheet.append(row)
    last = max(len(data) + 1, 2)
    for position, f in enumerate(schema.fields, start=1):
        letter = get_column_letter(position)
        sheet[f"{letter}1"].font = Font(bold=True)
        sheet.column_dimensions[letter].width = max(14, len(f.name) + 4)
        number_format = {"date": "DD/MM/YYYY", "number": "#,##0.00", "string": "@"}.get(f.type)
        if number_format:
            for line in range(2, last + 1):
                sheet[f"{letter}{line}"].number_format = number_format
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("Dictionnaire")
    frame = dictionary(kind, registry)
    notes.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        notes.append(list(row))
    for position, width in enumerate([22, 28, 70, 26, 12, 60, 40, 30], start=1):
        notes.column_dimensions[get_column_letter(position)].width = width
        notes.cell(row=1, column=position).font = Font(bold=True)
    _drop_down_lists(notes, sheet, schema, DataValidation, get_column_letter)
    text_cells(book)   # typed text (a title such as `=HYPERLINK(…)`) never becomes a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _drop_down_lists(notes, sheet, schema: TableSchema, DataValidation, get_column_letter) -> None:
    """A drop-down list on each enumerated column (rows 2 to 5 000). An inline list is limited to 255
    characters (the themes are longer), so the allowed values are written on the `Dictionnaire` sheet, on the
    column's own row, one per cell from column J (« Menu déroulant »), and the list points there."""
    first = 10   # the dictionary takes A:H; one blank column
    notes.cell(row=1, column=first, value="Menu déroulant (valeurs)")
    for position, f in enumerate(schema.fields, start=1):
        if not f.enum:
            continue
        line = position + 1   # the field's row in the dictionary
        for n, value in enumerate(f.enum):
            notes.cell(row=line, column=first + n, value=value)
        start, end = get_column_letter(first), get_column_letter(first + len(f.enum) - 1)
        check = DataValidation(type="list", formula1=f"Dictionnaire!${start}${line}:${end}${line}",
                               allow_blank=not f.required, showErrorMessage=True,
                               errorTitle="Valeur non autorisée",
                               error=f"Choisissez une valeur de la liste « {f.name} » (voir l'onglet Dictionnaire).")
        target = get_column_letter(position)
        check.add(f"{target}2:{target}5000")
        sheet.add_data_validation(check)


def template_name(kind: str, extension: str, lab_id: str | None = None, quarter: str | None = None) -> str:
    """`modele_projets.csv`, or for a pre-filled template `projets_siilab_2021-T4.csv`."""
    if lab_id and quarter:
        return f"{kind}_{lab_id}_{quarter}.{extension}"
    return f"modele_{kind}.{extension}"
