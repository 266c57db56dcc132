"""Data tables for French Excel: CSV (`;`, UTF-8 with BOM, decimal comma, dates 31/12/2021) and XLSX (frozen,
styled header row; € and date number formats; one sheet per table; a sheet with sources and data date).

Cells that a spreadsheet could read as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return)
are neutralised by a leading apostrophe in CSV and stored as plain text in XLSX (headers included). The CSV writer itself lives in
`formats` (templates of the upload pages use it too); it is re-exported here.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from lit_analytics.formats import neutralise, text_cells, to_csv  # noqa: F401  (to_csv: the one French-Excel CSV writer)

EURO_FORMAT = '#,##0 "€"'
DATE_FORMAT = "DD/MM/YYYY"
INT_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0"
_SHEET_FORBIDDEN = re.compile(r"[\[\]\*\?/\\:]")


@dataclass
class Table:
    """A table to export: a sheet name, the data (French column names), and which columns hold euros."""
    name: str
    data: pd.DataFrame
    euro_columns: list[str] = field(default_factory=list)
    description: str = ""


def _sheet_title(name: str, used: set[str]) -> str:
    title = re.sub(r"\s+", " ", _SHEET_FORBIDDEN.sub(" - ", name)).strip(" -")[:31].strip() or "Données"
    base, n = title, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(title.lower())
    return title


def to_xlsx(tables: list[Table], *, source: str, data_date: date | None, scope: str = "",
            demo: bool = False, title: str = "Laboratoires d'innovation territoriale") -> bytes:
    """A workbook with one sheet per table and a « Sources » sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = {"sources"}
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="000091")
    for table in tables:
        ws = wb.create_sheet(_sheet_title(table.name, used))
        df = table.data
        ws.append([str(c) for c in df.columns])
        for cell in ws[1]:
            cell.data_type = "s"  # a header stays text too (a column named « =HYPERLINK(…) » is no formula)
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in df.itertuples(index=False):
            ws.append([_xlsx_value(v) for v in row])
        for j, col in enumerate(df.columns, start=1):
            letter = get_column_letter(j)
            fmt = _column_format(df[col], col in table.euro_columns)
            if fmt:
                for cell in ws[letter][1:]:
                    cell.number_format = fmt
            for cell in ws[letter][1:]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text, never a formula
            width = max([len(str(col))] + [len(str(v)) for v in df[col].head(200).tolist()]) + 2
            ws.column_dimensions[letter].width = min(max(width, 10), 60)
        ws.freeze_panes = "A2"
        if len(df.columns):
            ws.auto_filter.ref = ws.dimensions
    ws = wb.create_sheet("Sources", 0 if not tables else len(tables))
    rows = [("Document", title), ("Périmètre", scope or "national"), ("Source", source),
            ("Données au", data_date.strftime("%d/%m/%Y") if data_date else "—"),
            ("Exporté le", datetime.now().strftime("%d/%m/%Y %H:%M"))]
    if demo:
        rows.append(("Avertissement", "Données de démonstration : les valeurs d'activité et de financement sont fictives."))
    for table in tables:
        if table.description:
            rows.append((f"Feuille « {table.name} »", table.description))
    for key, value in rows:
        ws.append([key, neutralise(value)])
    ws["A1"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 100
    buf = io.BytesIO()
    text_cells(wb)   # no text of any sheet becomes a formula (headers and notes included)
    wb.save(buf)
    return buf.getvalue()


def _xlsx_value(value):
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (AttributeError, ValueError):
            pass
    return value


def _column_format(series: pd.Series, is_euro: bool) -> str | None:
    if is_euro:
        return EURO_FORMAT
    if pd.api.types.is_datetime64_any_dtype(series):
        return DATE_FORMAT
    sample = series.dropna().head(20).tolist()
    if sample and all(isinstance(v, date) for v in sample):
        return DATE_FORMAT
    if pd.api.types.is_integer_dtype(series):
        return INT_FORMAT
    if pd.api.types.is_float_dtype(series):
        return DECIMAL_FORMAT if (series.dropna() % 1 != 0).any() else INT_FORMAT
    return None
