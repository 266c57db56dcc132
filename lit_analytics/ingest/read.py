"""Reading what people really send: CSV exported from Excel or LibreOffice in French settings, or XLSX.

Encodings: UTF-8, UTF-8 with BOM, Windows-1252 (and UTF-16, Excel's « texte Unicode »). Separators: `;`, `,`
and tab, chosen by how well the header line matches the expected columns. Every data row keeps the line number
the sender's spreadsheet shows (header = line 1), blank lines included in the count and otherwise ignored.
Cells stay text here; `values.py` interprets them.

Any lab lead can upload, so reading has a bounded cost whatever the file says about itself: the file size, the
length of a line and of a cell, the number of columns and of rows are capped *while* reading (CSV) or before
(an XLSX's uncompressed size and each sheet's declared dimension), and the XLSX sheet is streamed cell by cell
rather than row by row, so neither a 65 000-column header, a sheet declaring `A1:XFD3002`, a million empty rows
nor a zip bomb costs more than a bounded amount of time and memory. Every refusal is a `ReadError` with a French
message and, where there is one, the line and column; nothing here lets an English exception through.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from xml.etree.ElementTree import ParseError, iterparse

import numpy as np

from lit_analytics.formats import fmt_number
from lit_analytics.ingest.schema import normalise_header

MAX_FILE_BYTES = 8 * 1024 * 1024    # 8 Mo (a 100 000-row sessions file weighs about 6,5 Mo)
MAX_ROWS = 100_000                  # data rows
MAX_LINES = 2 * MAX_ROWS            # lines read, blank ones included
MAX_COLUMNS = 50                    # columns with a name or a value (the widest report has 10)
MAX_CELL_CHARS = 10_000             # characters in one cell (the longest text column allows 300)
MAX_LINE_CHARS = 64 * 1024          # characters in one line of a CSV file
MAX_XLSX_UNCOMPRESSED = 64 * 1024 * 1024     # everything inside the XLSX (zip) once uncompressed
MAX_XLSX_SHARED_STRINGS = 16 * 1024 * 1024   # its shared-strings part, read whole by openpyxl
MAX_XLSX_SHEETS = 20
_EXCEL_MAX_COLUMNS = 16_384         # XFD: no real sheet has a cell beyond
_MAX_EXTRA_CELLS = 1_000            # values beyond the header reported one by one (then the file is refused anyway)

SEPARATORS = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}

# The cell-length cap is ours (checked with line and column); the csv module's own, smaller one would raise
# an English error first.
csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES + 1))


class ReadError(Exception):
    """The file cannot be read as a table; `code` says why, the message (French) what to do."""

    def __init__(self, code: str, message: str, line: int | None = None, column: str | None = None):
        super().__init__(message)
        self.code = code
        self.line = line
        self.column = column


@dataclass
class RawTable:
    header: list[str]
    rows: list[list[str]]               # data rows, each as long as the header (padded with ''); the cells of
                                        # columns the report does not read are kept only as blank or not ('' / '·')
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
    """Read a CSV or XLSX file into text cells with spreadsheet line numbers. Raises `ReadError`.

    `expected_columns`: the names (and titles) of the columns the report reads; the cells of other columns are
    not kept (they are ignored with a warning by the validator), which bounds memory on wide files."""
    if len(data) > MAX_FILE_BYTES:
        raise ReadError("too-large", f"Le fichier pèse {fmt_number(len(data) / 1_048_576, 1)} Mo : la limite est de "
                                     f"{fmt_number(MAX_FILE_BYTES / 1_048_576)} Mo. Déposez un fichier plus petit.")
    name = (file_name or "").lower()
    if name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ReadError("unreadable", "Le format Excel 97-2003 (.xls) n'est pas accepté : enregistrez le fichier "
                                      "au format .xlsx ou CSV (point-virgule).")
    if data[:4] == b"PK\x03\x04" or name.endswith(".xlsx"):
        return _read_xlsx(data, expected_columns)
    return _read_csv(data, expected_columns)


def _too_many_rows(count: int) -> ReadError:
    return ReadError("too-many-rows", f"Le fichier contient plus de {fmt_number(count)} lignes de données : "
                                      f"la limite est de {fmt_number(MAX_ROWS)} lignes par dépôt.")


def _too_many_lines(line: int) -> ReadError:
    return ReadError("too-many-rows", f"Le fichier compte plus de {fmt_number(MAX_LINES)} lignes (lignes vides "
                                      f"comprises) : la limite est de {fmt_number(MAX_ROWS)} lignes de données par "
                                      "dépôt ; supprimez les lignes vides en fin de fichier.", line)


def _column_label(position: int, header: list[str] | None) -> str:
    """`position` is 0-based; the header's name when it has one, else « colonne n° k »."""
    if header and position < len(header) and header[position]:
        return header[position]
    return f"colonne n° {position + 1}"


def _cell_too_long(line: int, position: int, length: int, header: list[str] | None) -> ReadError:
    return ReadError("cell-too-long", f"Cellule de {fmt_number(length)} caractères : attendu au plus "
                                      f"{fmt_number(MAX_CELL_CHARS)} caractères par cellule.",
                     line, _column_label(position, header))


def _too_many_columns(line: int, position: int) -> ReadError:
    return ReadError("too-many-columns", f"Une valeur en colonne n° {position + 1} : attendu au plus "
                                         f"{fmt_number(MAX_COLUMNS)} colonnes (le modèle en compte une dizaine ; "
                                         "supprimez les colonnes en trop).", line, f"colonne n° {position + 1}")


# --- CSV -----------------------------------------------------------------------------------------

def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the name of its encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 avec BOM"
        except UnicodeDecodeError as exc:
            raise _encoding_error(data[3:], exc) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise _utf16_error(data, exc) from exc
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


def _utf16_error(data: bytes, exc: UnicodeDecodeError) -> ReadError:
    """A damaged UTF-16 file (odd number of bytes, a lone surrogate): the line where reading stopped."""
    start = exc.start - exc.start % 2
    line = data[:start].decode("utf-16", errors="replace").count("\n") + 1
    return ReadError("encoding", "Fichier UTF-16 abîmé (un caractère incomplet ou invalide, octet n° "
                                 f"{fmt_number(exc.start + 1)}) : attendu un fichier texte complet ; enregistrez-le "
                                 "à nouveau en « CSV UTF-8 (délimité par des points-virgules) ».", line)


def _check_lines(text: str) -> None:
    """Refuse, before parsing, a file with an overlong line or too many lines (blank ones are cheap to write
    and each costs a record): one pass, one line in memory at a time."""
    count = 0
    for count, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise ReadError("line-too-long", f"La ligne {count} compte {fmt_number(len(line))} caractères : attendu "
                                             f"au plus {fmt_number(MAX_LINE_CHARS)} caractères par ligne (vérifiez le "
                                             "séparateur et les guillemets).", count)
        if count > MAX_LINES:
            raise _too_many_lines(count)


def _read_csv(data: bytes, expected_columns: list[str]) -> RawTable:
    text, encoding = decode(data)
    if "\x00" in text:
        raise ReadError("unreadable", "Le fichier n'est pas un fichier texte CSV ni un classeur XLSX.")
    if not text.strip():
        raise ReadError("empty-file", "Le fichier est vide : attendu une ligne d'en-tête puis une ligne par "
                                      "enregistrement (téléchargez le modèle).")
    _check_lines(text)
    separator = detect_separator(text, expected_columns)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    records = ((index + 1, record) for index, record in enumerate(_closed_quotes(reader, text)))
    try:
        table = _table_from_records(records, "csv", expected_columns)
    except csv.Error as exc:
        raise ReadError("unreadable", "Fichier CSV mal formé (vérifiez les guillemets).", reader.line_num) from exc
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
        offset = 0
        for n, match in enumerate(re.finditer(r"\r\n|\r|\n", text), start=1):
            if n == first_line - 1:
                offset = match.end()
                break
        if text.count('"', offset) % 2:
            raise ReadError("unreadable", f"Un guillemet (\") ouvert dans la colonne n° {position + 1} n'est jamais "
                                          "refermé : toute la suite du fichier serait lue comme une seule cellule ; "
                                          "attendu un guillemet fermant après la valeur (vérifiez les guillemets).",
                            index, f"colonne n° {position + 1}")


def _first_line(text: str) -> str:
    for line in io.StringIO(text, newline=""):
        if line.strip():
            return line.rstrip("\r\n")
    return ""


def detect_separator(text: str, expected_columns: list[str]) -> str:
    """The separator under which the header line best matches the expected columns (then: most cells)."""
    first = _first_line(text)
    expected = {normalise_header(c) for c in expected_columns}
    best, best_score = ";", (-1, -1)
    for sep in SEPARATORS:
        try:
            cells = next(csv.reader([first], delimiter=sep), [])
        except csv.Error:
            cells = []
        score = (sum(normalise_header(c) in expected for c in cells), len(cells))
        if score > best_score:
            best, best_score = sep, score
    return best


def _table_from_records(records, file_format: str, expected_columns: list[str]) -> RawTable:
    """`records`: (spreadsheet line, cells) in order. Caps rows, lines, columns and cell length as it goes."""
    expected = {normalise_header(c) for c in expected_columns}
    header, header_line = None, 0
    rows, lines, extra = [], [], []
    width, ignored = 0, ()
    for line, record in records:
        if line > MAX_LINES:
            raise _too_many_lines(line)
        for position, cell in enumerate(record):
            if len(cell) > MAX_CELL_CHARS:
                raise _cell_too_long(line, position, len(cell), header)
        if header is None:
            if not any(str(c).strip() for c in record):
                continue
            header = [str(c).strip() for c in record]
            while header and not header[-1]:
                header.pop()
            if len(header) > MAX_COLUMNS:
                raise _too_many_columns(line, MAX_COLUMNS)
            width, header_line = len(header), line
            # Columns the report does not read keep only « blank or not » (the validator needs no more).
            ignored = tuple(i for i, name in enumerate(header) if normalise_header(name) not in expected)
            continue
        if not "".join(record).strip():
            continue  # blank line (trailing blank lines, or ';;;;')
        if len(record) > width:
            for pos in range(width, len(record)):
                if record[pos].strip():
                    if pos >= MAX_COLUMNS:
                        raise _too_many_columns(line, pos)
                    if len(extra) < _MAX_EXTRA_CELLS:
                        extra.append((line, pos + 1, record[pos]))
            record = record[:width]
        elif len(record) < width:
            record = record + [""] * (width - len(record))
        for i in ignored:
            record[i] = "·" if record[i].strip() else ""
        if len(rows) >= MAX_ROWS:
            raise _too_many_rows(MAX_ROWS)
        rows.append(record)
        lines.append(line)
    if header is None:
        raise ReadError("empty-file", "Le fichier est vide : attendu une ligne d'en-tête puis une ligne par "
                                      "enregistrement (téléchargez le modèle).")
    return RawTable(header=header, rows=rows, lines=lines, file_format=file_format, extra_cells=extra,
                    header_line=header_line)


# --- XLSX ----------------------------------------------------------------------------------------

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _SHEET_DATA, _DIMENSION = _NS + "row", _NS + "c", _NS + "sheetData", _NS + "dimension"
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d{1,7})$")


def _unreadable_xlsx(line: int | None = None, column: str | None = None, detail: str = "") -> ReadError:
    what = detail or "fichier abîmé ou autre format"
    return ReadError("unreadable", f"Le classeur XLSX est illisible ({what}) : enregistrez-le à nouveau au format "
                                   ".xlsx ou en CSV.", line, column)


def _check_archive(data: bytes) -> None:
    """Refuse a zip bomb from the sizes the archive declares (a member is never inflated beyond its declared size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable_xlsx() from exc
    total = sum(m.file_size for m in members)
    shared = sum(m.file_size for m in members if m.filename.lower().endswith("sharedstrings.xml"))
    if total > MAX_XLSX_UNCOMPRESSED or shared > MAX_XLSX_SHARED_STRINGS:
        raise ReadError("too-large", f"Le classeur décompressé pèse {fmt_number(total / 1_048_576, 1)} Mo : la limite "
                                     f"est de {fmt_number(MAX_XLSX_UNCOMPRESSED / 1_048_576)} Mo (dont "
                                     f"{fmt_number(MAX_XLSX_SHARED_STRINGS / 1_048_576)} Mo de textes). Déposez un "
                                     "classeur plus petit ou un CSV.")


@dataclass
class _Workbook:
    """What reading a sheet needs from an XLSX package, opened by openpyxl's reader *without* its worksheets
    (openpyxl's read-only workbook parses each sheet up to its end when it declares no dimension)."""
    archive: zipfile.ZipFile
    shared_strings: list
    epoch: object
    date_formats: object
    timedelta_formats: object
    sheets: list[tuple[str, str]]        # (title, path in the archive)


def _open_workbook(data: bytes) -> _Workbook:
    from openpyxl.reader.excel import ExcelReader   # openpyxl==3.1.5 (pinned)
    from openpyxl.styles.stylesheet import apply_stylesheet
    try:
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=False)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [(sheet.name, rel.target) for sheet, rel in reader.parser.find_sheets()
                  if rel.target in reader.valid_files and "chartsheet" not in rel.Type]
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook; all mean « unreadable »
        raise _unreadable_xlsx() from exc
    wb = reader.wb
    return _Workbook(reader.archive, reader.shared_strings, wb.epoch, wb._date_formats, wb._timedelta_formats, sheets)


def _read_xlsx(data: bytes, expected_columns: list[str]) -> RawTable:
    _check_archive(data)
    workbook = _open_workbook(data)
    try:
        if not workbook.sheets:
            raise _unreadable_xlsx(detail="aucune feuille de calcul")
        if len(workbook.sheets) > MAX_XLSX_SHEETS:
            raise ReadError("too-many-sheets", f"Le classeur compte {fmt_number(len(workbook.sheets))} feuilles : "
                                               f"attendu au plus {MAX_XLSX_SHEETS} (le modèle en a deux).")
        for title, path in workbook.sheets:
            _check_dimension(workbook, title, path)
        path = _choose_sheet(workbook, expected_columns)
        return _table_from_records(_sheet_records(workbook, path), "xlsx", expected_columns)
    finally:
        workbook.archive.close()


def _check_dimension(workbook: _Workbook, title: str, path: str) -> None:
    """Refuse a sheet whose declared size (`<dimension ref="A1:XFD3002"/>`) is beyond the caps, before reading it."""
    from openpyxl.utils import get_column_letter, range_boundaries
    ref = None
    try:
        with workbook.archive.open(path) as source:
            for _, element in iterparse(source, events=("start",)):
                if element.tag == _DIMENSION:
                    ref = element.get("ref")
                    break
                if element.tag == _SHEET_DATA:
                    break
    except (ParseError, zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as exc:
        raise _unreadable_xlsx(detail=f"feuille « {title} » mal formée") from exc
    if not ref:
        return
    try:
        _, _, max_column, max_row = range_boundaries(ref)
    except (ValueError, TypeError) as exc:
        raise _unreadable_xlsx(detail=f"la feuille « {title} » déclare une plage impossible, « {ref[:30]} »") from exc
    if (max_column or 0) > MAX_COLUMNS or (max_row or 0) > MAX_LINES:
        declared = f"A1:{get_column_letter(min(max_column or 1, _EXCEL_MAX_COLUMNS))}{max_row or 1}"
        raise ReadError("too-large", f"La feuille « {title} » déclare la plage {declared} : attendu au plus "
                                     f"{fmt_number(MAX_COLUMNS)} colonnes et {fmt_number(MAX_ROWS)} lignes de données "
                                     "(supprimez les lignes et colonnes vides ou mises en forme au-delà des données, "
                                     "ou déposez un CSV).")


def _sheet_records(workbook: _Workbook, path: str, max_line: int | None = None):
    """(line, cells) of each non-empty row of a sheet, streamed one cell at a time.

    openpyxl's own row iterator pads every row to the declared width and builds a whole row before returning
    it; here each cell is checked (reference, column) as it is parsed and then dropped, so the cost is bounded
    by the caps whatever the XML says. Cell values are converted by openpyxl's cell parser (dates from the cell
    styles, shared strings, formulas kept as text)."""
    from openpyxl.worksheet._reader import WorkSheetParser   # openpyxl==3.1.5 (pinned)

    parser = WorkSheetParser(None, workbook.shared_strings, data_only=False, epoch=workbook.epoch,
                             date_formats=workbook.date_formats, timedelta_formats=workbook.timedelta_formats)
    line, cells, seen, row_open = 0, {}, 0, False
    stack, in_cell = [], 0   # open elements; > 0 while inside a <c> (its <v>, <f>, <is> are kept until it ends)
    try:
        with workbook.archive.open(path) as source:
            for event, element in iterparse(source, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    stack.append(element)
                    if tag == _CELL or in_cell:
                        in_cell += 1
                    elif tag == _ROW:
                        cells, seen, row_open = {}, 0, True
                        number = element.get("r")
                        try:
                            line = int(number) if number is not None else line + 1
                        except ValueError:
                            raise _unreadable_xlsx(line + 1, None, f"numéro de ligne « {number[:20]} » impossible")
                        parser.row_counter, parser.col_counter = line, 0
                        if line > MAX_LINES or line < 1:
                            raise _too_many_lines(line)
                    continue
                stack.pop()
                if in_cell:
                    in_cell -= 1
                    if tag != _CELL:
                        continue
                    seen += 1
                    if seen > _EXCEL_MAX_COLUMNS:
                        raise _too_many_columns(line, _EXCEL_MAX_COLUMNS)
                    _read_cell(parser, element, line, cells)
                elif tag == _ROW:
                    row_open = False
                    if cells:
                        record = [""] * (max(cells) + 1)
                        for position, value in cells.items():
                            record[position] = value
                        yield line, record
                    cells = {}
                    if max_line is not None and line >= max_line:
                        return
                elif tag == _SHEET_DATA:
                    return   # nothing after the data matters here
                if stack:
                    del stack[-1][:]   # what has ended is read: free it (memory stays flat whatever the XML holds)
    except ReadError:
        raise
    except (ParseError, zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as exc:
        where = line if row_open else (line + 1 if line else None)
        raise _unreadable_xlsx(where, None, "contenu de la feuille tronqué ou mal formé") from exc


def _read_cell(parser, element, line: int, cells: dict) -> None:
    """Parse one `<c>` element into `cells` (position → text), refusing an impossible reference or a value beyond
    the column cap."""
    reference = element.get("r")
    if reference is not None:
        match = _CELL_REF.match(reference)
        row_number = int(match.group(2)) if match else None
        if match is None or row_number != line:
            raise _unreadable_xlsx(line, reference[:20], f"référence de cellule « {reference[:20]} » impossible")
        letters = match.group(1)
        column = 0
        for letter in letters:
            column = column * 26 + ord(letter) - 64
        if column > _EXCEL_MAX_COLUMNS:
            raise _unreadable_xlsx(line, reference, f"référence de cellule « {reference} » impossible : la dernière "
                                                    "colonne d'un classeur est XFD")
    try:
        parsed = parser.parse_cell(element)
    except Exception as exc:  # a damaged cell (bad shared-string index, number…): French, with where it is
        raise _unreadable_xlsx(line, reference, f"cellule {reference or ''} illisible".replace("  ", " ")) from exc
    position = parsed["column"] - 1
    text = _cell_text(parsed["value"])
    if not text:
        return
    if position >= MAX_COLUMNS:
        raise _too_many_columns(line, position)
    cells[position] = text   # its length is checked with the header's names, as for CSV


def _choose_sheet(workbook: _Workbook, expected_columns: list[str]) -> str:
    """The sheet whose header row (its first non-blank row, as `_table_from_records` reads it) best matches the
    expected columns (the template's data sheet, even with blank rows above its header); its path."""
    expected = {normalise_header(c) for c in expected_columns}
    best, best_score = workbook.sheets[0][1], -1
    for _, path in workbook.sheets:
        first = next((cells for _, cells in _sheet_records(workbook, path, max_line=20)
                      if any(c.strip() for c in cells)), [])
        score = sum(normalise_header(c) in expected for c in first)
        if score > best_score:
            best, best_score = path, score
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
