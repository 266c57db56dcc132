"""Downloadable templates, made from the Table Schemas: `;`-separated UTF-8-with-BOM CSV (what Excel opens
correctly in French settings) and XLSX, each with one example row (its identifier starts with `EXEMPLE`, which the
validator refuses, so a forgotten example row is never published), plus the data dictionary.
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd

from lit_analytics.formats import to_csv
from lit_analytics.ingest.schema import Field, load_schema

TYPE_LABELS = {"string": "texte", "integer": "nombre entier", "number": "nombre (virgule décimale)",
               "date": "date JJ/MM/AAAA", "list": "liste séparée par des virgules"}


def example_value(f: Field) -> str:
    """The schema's example written the French way (3,5 ; 15/03/2021)."""
    if f.example is None:
        return ""
    if f.type == "number":
        return f.example.replace(".", ",")
    return f.example


def dictionary(kind: str) -> pd.DataFrame:
    """The data dictionary of a report kind, in French."""
    rows = []
    for f in load_schema(kind).fields:
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


def template_csv(kind: str) -> bytes:
    """Header and example row, through the one French-Excel CSV writer (`formats.to_csv`)."""
    schema = load_schema(kind)
    return to_csv(pd.DataFrame([[example_value(f) for f in schema.fields]], columns=schema.names))


def dictionary_csv(kind: str) -> bytes:
    return to_csv(dictionary(kind))


def template_xlsx(kind: str) -> bytes:
    """A workbook: sheet `kind` (header + example row, typed cells) and sheet `Dictionnaire`."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    schema = load_schema(kind)
    book = Workbook()
    sheet = book.active
    sheet.title = kind
    sheet.append(schema.names)
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
    sheet.append(example)
    for position, f in enumerate(schema.fields, start=1):
        letter = get_column_letter(position)
        sheet[f"{letter}1"].font = Font(bold=True)
        sheet.column_dimensions[letter].width = max(14, len(f.name) + 4)
        if f.type == "date":
            sheet[f"{letter}2"].number_format = "DD/MM/YYYY"
        elif f.type == "number":
            sheet[f"{letter}2"].number_format = "#,##0.00"
        elif f.type == "string":
            sheet[f"{letter}2"].number_format = "@"
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("Dictionnaire")
    frame = dictionary(kind)
    notes.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        notes.append(list(row))
    for position, width in enumerate([22, 28, 70, 26, 12, 60, 40, 30], start=1):
        notes.column_dimensions[get_column_letter(position)].width = width
        notes.cell(row=1, column=position).font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_name(kind: str, extension: str) -> str:
    return f"modele_{kind}.{extension}"
