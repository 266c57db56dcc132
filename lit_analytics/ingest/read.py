"""Reading what people really send: CSV exported from Excel or LibreOffice in French settings, or XLSX.

Encodings: UTF-8, UTF-8 with BOM, Windows-1252 (and UTF-16, Excel's « texte Unicode »). Separators: `;`, `,`
and tab, chosen by how well the header line matches the expected columns. Every data row keeps the line number
the sender's spreadsheet shows (header = line 1), blank lines included in the count and otherwise ignored.
Cells stay text here; `values.py` interprets them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

import numpy as np

from lit_analytics.formats import fmt_number
from lit_analytics.ingest.schema import normalise_header

MAX_FILE_BYTES = 30 * 1024 * 1024   # 30 Mo
MAX_ROWS = 100_000

SEPARATORS = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}


class ReadError(Exception):
    """The file cannot be read as a table; `code` says why, the message (French) what to do."""

    def __init__(self, code: str, message: str, line: int | None = None):
        super().__init__(message)
        self.code = code
        self.line = line


@dataclass
class RawTable:
    header: list[str]
    rows: list[list[str]]               # data rows, each as long as the header (padded with '')
    lines: list[int]                    # the spreadsheet line of each data row
    file_format: str                    # 'csv' | 'xlsx'
    encoding: str | None = None         # 'UTF-8', 'UTF-8 avec BOM', 'Windows-1252', 'UTF-16'
    separator: str | None = None
    extra_cells: list[tuple[int, int, str]] = field(default_factory=list)  # (line, position, value) beyond header
    header_line: int = 1

    def describe(self) -> str:
        if self.file_format == "xlsx":
            return "classeur XLSX"
        return f"CSV, encodage {self.encoding}, séparateur {SEPARATORS.get(self.separator, self.separator)}"


def read_table(data: bytes, file_name: str, expected_columns: list[str]) -> RawTable:
    """Read a CSV or XLSX file into text cells with spreadsheet line numbers. Raises `ReadError`."""
    if len(data) > MAX_FILE_BYTES:
        raise ReadError("too-large", f"Le fichier pèse {fmt_number(len(data) / 1_048_576, 1)} Mo : la limite est de "
                                     f"{fmt_number(MAX_FILE_BYTES / 1_048_576)} Mo. Déposez un fichier plus petit.")
    name = (file_name or "").lower()
    if name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ReadError("unreadable", "Le format Excel 97-2003 (.xls) n'est pas accepté : enregistrez le fichier "
                                      "au format .xlsx ou CSV (point-virgule).")
    if data[:4] == b"PK\x03\x04" or name.endswith(".xlsx"):
        table = _read_xlsx(data, expected_columns)
    else:
        table = _read_csv(data, expected_columns)
    if len(table.rows) > MAX_ROWS:
        raise ReadError("too-many-rows", f"Le fichier contient {fmt_number(len(table.rows))} lignes de données : "
                                         f"la limite est de {fmt_number(MAX_ROWS)} lignes par dépôt.")
    return table


# --- CSV -----------------------------------------------------------------------------------------

def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the name of its encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 avec BOM"
        except UnicodeDecodeError as exc:
            raise _encoding_error(data[3:], exc) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise _encoding_error(data, exc) from exc


def _encoding_error(data: bytes, exc: UnicodeDecodeError) -> ReadError:
    line = data[:exc.start].count(b"\n") + 1
    return ReadError("encoding", f"Caractères illisibles (octet 0x{data[exc.start]:02X}) : attendu un fichier en UTF-8 "
                                 "(avec ou sans BOM) ou Windows-1252 ; enregistrez-le en « CSV UTF-8 (délimité par "
                                 "des points-virgules) ».", line)


def _read_csv(data: bytes, expected_columns: list[str]) -> RawTable:
    text, encoding = decode(data)
    if "\x00" in text:
        raise ReadError("unreadable", "Le fichier n'est pas un fichier texte CSV ni un classeur XLSX.")
    if not text.strip():
        raise ReadError("empty-file", "Le fichier est vide : attendu une ligne d'en-tête puis une ligne par "
                                      "enregistrement (téléchargez le modèle).")
    separator = detect_separator(text, expected_columns)
    records = _closed_quotes(csv.reader(io.StringIO(text, newline=""), delimiter=separator), text)
    try:
        table = _table_from_records(records, "csv")
    except csv.Error as exc:
        raise ReadError("unreadable", f"Fichier CSV mal formé : {exc} (vérifiez les guillemets).") from exc
    table.encoding, table.separator = encoding, separator
    return table


def _closed_quotes(reader, text: str):
    """The reader's records; raises `ReadError` when the last one ends inside a quote never closed (an opening
    `"` without its closing one swallows every following line into one cell: rows would be lost silently)."""
    start, index, last = 1, 0, None
    for record in reader:
        index += 1
        last = (index, start, record)
        start = reader.line_num + 1
        yield record
    if last is None:
        return
    index, first_line, record = last
    position = next((i for i, cell in enumerate(record) if "\n" in cell or "\r" in cell), None)
    if position is not None:
        tail = "\n".join(re.split(r"\r\n|\r|\n", text)[first_line - 1:])
        if tail.count('"') % 2:
            raise ReadError("unreadable", f"Un guillemet (\") ouvert dans la colonne n° {position + 1} n'est jamais "
                                          "refermé : toute la suite du fichier serait lue comme une seule cellule ; "
                                          "attendu un guillemet fermant après la valeur (vérifiez les guillemets).",
                            index)


def detect_separator(text: str, expected_columns: list[str]) -> str:
    """The separator under which the header line best matches the expected columns (then: most cells)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    expected = {normalise_header(c) for c in expected_columns}
    best, best_score = ";", (-1, -1)
    for sep in SEPARATORS:
        cells = next(csv.reader([first], delimiter=sep), [])
        score = (sum(normalise_header(c) in expected for c in cells), len(cells))
        if score > best_score:
            best, best_score = sep, score
    return best


def _table_from_records(records, file_format: str) -> RawTable:
    header, header_line = None, 0
    rows, lines, extra = [], [], []
    width = 0
    for index, record in enumerate(records):
        line = index + 1
        if header is None:
            if not any(str(c).strip() for c in record):
                continue
            header = [str(c).strip() for c in record]
            while header and not header[-1]:
                header.pop()
            width, header_line = len(header), line
            continue
        if not "".join(record).strip():
            continue  # blank line (trailing blank lines, or ';;;;')
        if len(record) == width:
            pass
        elif len(record) > width:
            for pos in range(width, len(record)):
                if record[pos].strip():
                    extra.append((line, pos + 1, record[pos]))
            record = record[:width]
        elif len(record) < width:
            record = record + [""] * (width - len(record))
        rows.append(record)
        lines.append(line)
    if header is None:
        raise ReadError("empty-file", "Le fichier est vide : attendu une ligne d'en-tête puis une ligne par "
                                      "enregistrement (téléchargez le modèle).")
    return RawTable(header=header, rows=rows, lines=lines, file_format=file_format, extra_cells=extra,
                    header_line=header_line)


# --- XLSX ----------------------------------------------------------------------------------------

def _read_xlsx(data: bytes, expected_columns: list[str]) -> RawTable:
    from openpyxl import load_workbook
    try:
        # data_only=False: a formula is read as its text (« =A1*2 »), never computed.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReadError("unreadable", "Le classeur XLSX est illisible (fichier abîmé ou autre format) : "
                                      "enregistrez-le à nouveau au format .xlsx ou en CSV.") from exc
    try:
        sheet = _choose_sheet(workbook, expected_columns)
        records = ([_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
        return _table_from_records(records, "xlsx")
    finally:
        workbook.close()


def _choose_sheet(workbook, expected_columns: list[str]):
    """The sheet whose header row (its first non-blank row, as `_table_from_records` reads it) best matches the
    expected columns (the template's data sheet, even with blank rows above its header)."""
    expected = {normalise_header(c) for c in expected_columns}
    best, best_score = workbook.worksheets[0], -1
    for sheet in workbook.worksheets:
        rows = sheet.iter_rows(max_row=20, values_only=True)
        first = next((row for row in rows if any(_cell_text(c).strip() for c in row)), ()) or ()
        score = sum(normalise_header(_cell_text(c)) in expected for c in first)
        if score > best_score:
            best, best_score = sheet, score
    return best


def _cell_text(value) -> str:
    """An XLSX cell as the text a French user would have typed (numbers with a decimal comma)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return np.format_float_positional(value, trim="-").replace(".", ",")
    return str(value)
