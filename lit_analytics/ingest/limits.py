"""What reading an uploaded file may cost, and the French refusals when a file goes beyond.

Any lab lead can upload: the readers (`read` for CSV and the table, `xlsx` for workbooks) cap the file size, the
length of a line and of a cell, the number of columns and of rows while reading, with these limits, and refuse
with a `ReadError` (French message, and the line and column where there is one).
"""

from __future__ import annotations

from lit_analytics.formats import fmt_number

MAX_FILE_BYTES = 8 * 1024 * 1024    # 8 Mo (a 100 000-row sessions file weighs about 6,5 Mo)
MAX_ROWS = 100_000                  # data rows
MAX_LINES = 2 * MAX_ROWS            # lines read, blank ones included
MAX_COLUMNS = 50                    # columns with a name or a value (the widest report has 10)
MAX_CELL_CHARS = 10_000             # characters in one cell (the longest text column allows 300)
MAX_LINE_CHARS = 64 * 1024          # characters in one line of a CSV file
MAX_XLSX_UNCOMPRESSED = 64 * 1024 * 1024     # everything inside the XLSX (zip) once uncompressed
MAX_XLSX_SHARED_STRINGS = 16 * 1024 * 1024   # its shared-strings part, read whole by openpyxl
MAX_XLSX_SHEETS = 20
EXCEL_MAX_COLUMNS = 16_384          # XFD: no real sheet has a cell beyond
MAX_EXTRA_CELLS = 1_000             # values beyond the header reported one by one (then the file is refused anyway)


class ReadError(Exception):
    """The file cannot be read as a table; `code` says why, the message (French) what to do."""

    def __init__(self, code: str, message: str, line: int | None = None, column: str | None = None):
        super().__init__(message)
        self.code = code
        self.line = line
        self.column = column


def too_many_lines(line: int) -> ReadError:
    return ReadError("too-many-rows", f"Le fichier compte plus de {fmt_number(MAX_LINES)} lignes (lignes vides "
                                      f"comprises) : la limite est de {fmt_number(MAX_ROWS)} lignes de données par "
                                      "dépôt ; supprimez les lignes vides en fin de fichier.", line)


def column_label(position: int, header: list[str] | None) -> str:
    """`position` is 0-based; the header's name when it has one, else « colonne n° k »."""
    if header and position < len(header) and header[position]:
        return header[position]
    return f"colonne n° {position + 1}"


def cell_too_long(line: int, position: int, length: int, header: list[str] | None) -> ReadError:
    return ReadError("cell-too-long", f"Cellule de {fmt_number(length)} caractères : attendu au plus "
                                      f"{fmt_number(MAX_CELL_CHARS)} caractères par cellule.",
                     line, column_label(position, header))


def too_many_columns(line: int, position: int) -> ReadError:
    return ReadError("too-many-columns", f"Une valeur en colonne n° {position + 1} : attendu au plus "
                                         f"{fmt_number(MAX_COLUMNS)} colonnes (le modèle en compte une dizaine ; "
                                         "supprimez les colonnes en trop).", line, f"colonne n° {position + 1}")
