"""Reading an XLSX workbook as (line, cells) records, in bounded time and memory whatever the file says.

Before reading: the archive's declared uncompressed size (zip bombs), the number of sheets and each sheet's declared
dimension (`A1:XFD3002`). Then the sheet whose header best matches the expected columns is streamed cell by cell
rather than row by row (openpyxl's own reader pads every row to the declared width), each cell checked as it is
parsed and dropped. Cells become the text a French user would have typed (`_cell_text`); `read` builds the table.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from xml.etree.ElementTree import ParseError, iterparse

import numpy as np

from lit_analytics.formats import fmt_number
from lit_analytics.ingest.limits import (EXCEL_MAX_COLUMNS, MAX_COLUMNS, MAX_LINES, MAX_ROWS, MAX_XLSX_SHARED_STRINGS,
                                         MAX_XLSX_SHEETS, MAX_XLSX_UNCOMPRESSED, ReadError, too_many_columns,
                                         too_many_lines)
from lit_analytics.ingest.schema import normalise_header

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
    except Exception as exc:   # not a zip, a damaged one, an unsupported zip version (NotImplementedError)…
        raise _unreadable_xlsx() from exc
    total = sum(m.file_size for m in members)
    shared = sum(m.file_size for m in members if m.filename.lower().endswith("sharedstrings.xml"))
    if total > MAX_XLSX_UNCOMPRESSED or shared > MAX_XLSX_SHARED_STRINGS:
        raise ReadError("too-large", f"Le classeur décompressé pèse {fmt_number(total / 1_048_576, 1)} Mo : la limite "
                                     f"est de {fmt_number(MAX_XLSX_UNCOMPRESSED / 1_048_576)} Mo (dont "
                                     f"{fmt_number(MAX_XLSX_SHARED_STRINGS / 1_048_576)} Mo de textes). Déposez un "
                                     "classeur plus petit ou un CSV.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in members:
                if member.filename.lower().endswith((".xml", ".rels")) and _declares_a_doctype(archive, member):
                    raise ReadError("unreadable", f"Le classeur contient une déclaration DOCTYPE (partie "
                                                  f"« {member.filename[:60]} ») : refusé par sécurité, un classeur "
                                                  "d'Excel ou de LibreOffice n'en a jamais. Enregistrez-le à "
                                                  "nouveau au format .xlsx ou en CSV.")
    except ReadError:
        raise
    except Exception as exc:   # an unsupported compression method, a damaged member…: unreadable, in French
        raise _unreadable_xlsx() from exc


_PROLOG_LIMIT = 64 * 1024   # the bytes before a part's root element: an XML declaration and a few comments


def _declares_a_doctype(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """Whether an XML part declares a DOCTYPE (entities: « billion laughs »), read up to its root element only:
    the prolog (declaration, comments, processing instructions) is walked; a prolog longer than `_PROLOG_LIMIT`
    counts as one (nothing legitimate is that long)."""
    with archive.open(member) as source:
        head = source.read(_PROLOG_LIMIT)
    position = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while position < len(head) and head[position:position + 1].isspace():
            position += 1
        rest = head[position:]
        if not rest:
            return len(head) >= _PROLOG_LIMIT
        if rest.startswith(b"<?"):
            closing = b"?>"
        elif rest.startswith(b"<!--"):
            closing = b"-->"
        elif rest.startswith(b"<!"):
            return True   # <!DOCTYPE (or <!ENTITY) before the root element
        else:
            return False  # the root element (or not XML: the parser will say so)
        end = head.find(closing, position + 2)
        if end < 0:
            return True
        position = end + len(closing)


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


@contextmanager
def sheet_records(data: bytes, expected_columns: list[str]) -> Iterator:
    """The (line, cells) records of the workbook's sheet that best matches `expected_columns`, after refusing a zip
    bomb, too many sheets or a sheet declaring a size beyond the caps; the workbook is closed on leaving."""
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
        try:
            yield _sheet_records(workbook, path)
        except ReadError:
            raise
        except Exception as exc:   # whatever the XML or zip layer raises (NotImplementedError for an unsupported
            raise _unreadable_xlsx() from exc   # zip version…) is « illisible », in French, never a crash
    except ReadError:
        raise
    except Exception as exc:
        raise _unreadable_xlsx() from exc
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
        declared = f"A1:{get_column_letter(min(max_column or 1, EXCEL_MAX_COLUMNS))}{max_row or 1}"
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
                            raise too_many_lines(line)
                    continue
                stack.pop()
                if in_cell:
                    in_cell -= 1
                    if tag != _CELL:
                        continue
                    seen += 1
                    if seen > EXCEL_MAX_COLUMNS:
                        raise too_many_columns(line, EXCEL_MAX_COLUMNS)
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
        if column > EXCEL_MAX_COLUMNS:
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
        raise too_many_columns(line, position)
    cells[position] = text   # its length is checked with the header's names, as for CSV


def _choose_sheet(workbook: _Workbook, expected_columns: list[str]) -> str:
    """The sheet whose header row (its first non-blank row, as `read._table_from_records` reads it) best matches the
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
