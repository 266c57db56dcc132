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

This module reads CSV (encoding, separator, quotes) and builds the table from records; `xlsx` streams a workbook's
sheet into records; `limits` holds the caps and the refusals both share.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from lit_analytics.formats import fmt_number
from lit_analytics.ingest import fastcheck, xlsx
from lit_analytics.ingest.limits import (MAX_CELL_CHARS, MAX_COLUMNS, MAX_EXTRA_CELLS, MAX_FILE_BYTES, MAX_LINE_CHARS,
                                         MAX_LINES, MAX_ROWS, ReadError, cell_too_long, too_many_columns,
                                         too_many_lines)
from lit_analytics.ingest.schema import normalise_header

SEPARATORS = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}

# The cell-length cap is ours (checked with line and column); the csv module's own, smaller one would raise
# an English error first.
csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES + 1))


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
    columns: dict | None = None     # read by DuckDB (`fastcheck`): position → its cells (Arrow); `rows` is empty
    _lists: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def row_count(self) -> int:
        return len(self.lines)

    def column(self, position: int) -> list[str]:
        """The cells of one column, row by row."""
        if self.columns is None:
            return [row[position] for row in self.rows]
        if position not in self._lists:
            self._lists[position] = fastcheck.as_list(self.columns[position])
        return self._lists[position]

    def texts(self, position: int) -> fastcheck.Texts:
        """One column's cells stripped (None when blank), with their extremes (`fastcheck.Texts`)."""
        if self.columns is None:
            return fastcheck.Texts.of([text or None for text in map(str.strip, self.column(position))])
        return fastcheck.texts(self.columns[position])

    def encoded(self, position: int):
        """(code of each row's cell, distinct cells) when the table was read in columns, else None."""
        return None if self.columns is None else fastcheck.encoded(self.columns[position])

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
    return _read_csv_columns(data, expected_columns) or _read_csv(data, expected_columns)


def _too_many_rows(count: int) -> ReadError:
    return ReadError("too-many-rows", f"Le fichier contient plus de {fmt_number(count)} lignes de données : "
                                      f"la limite est de {fmt_number(MAX_ROWS)} lignes par dépôt.")


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
            raise too_many_lines(count)


def _read_csv_columns(data: bytes, expected_columns: list[str]) -> RawTable | None:
    """A large plain CSV read by DuckDB (`fastcheck`); None for any other file, read below row by row."""
    if len(data) < fastcheck.FAST_MIN_BYTES:
        return None
    try:
        text, encoding = decode(data)
    except ReadError:
        return None
    separator = detect_separator(text, expected_columns)
    utf8 = {"UTF-8": data, "UTF-8 avec BOM": data[3:]}.get(encoding)   # given to DuckDB as they are
    found = fastcheck.read_columns(text, separator, expected_columns, utf8)
    if found is None:
        return None
    header, lines, columns = found
    return RawTable(header=header, rows=[], lines=lines, file_format="csv", encoding=encoding, separator=separator,
                    columns=columns)


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
    head = text[:2 * MAX_LINE_CHARS]   # most often enough (a large file is not copied for its first line)
    for line in io.StringIO(head, newline=""):
        if line.strip() and line.endswith(("\n", "\r")):
            return line.rstrip("\r\n")
        if line.strip():
            break   # cut by the slice (or the file's last line): read it from the whole text
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
            raise too_many_lines(line)
        for position, cell in enumerate(record):
            if len(cell) > MAX_CELL_CHARS:
                raise cell_too_long(line, position, len(cell), header)
        if header is None:
            if not any(str(c).strip() for c in record):
                continue
            header = [str(c).strip() for c in record]
            while header and not header[-1]:
                header.pop()
            if len(header) > MAX_COLUMNS:
                raise too_many_columns(line, MAX_COLUMNS)
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
                        raise too_many_columns(line, pos)
                    if len(extra) < MAX_EXTRA_CELLS:
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


def _read_xlsx(data: bytes, expected_columns: list[str]) -> RawTable:
    with xlsx.sheet_records(data, expected_columns) as records:
        return _table_from_records(records, "xlsx", expected_columns)
