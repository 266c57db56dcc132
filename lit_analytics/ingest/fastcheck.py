"""A large plain CSV read by DuckDB's own CSV reader, into columns: the fast path of `read.read_table`.

The Python reader (`read.py`) reads a file row by row, with every cap and every French refusal. For a large file
that is plainly within those caps, DuckDB's reader (`read_csv`, every column as VARCHAR, in a scratch in-memory
database) gives the same cells on the same spreadsheet lines several times faster, column by column, which is how
the validator reads them. « Plainly » means, checked before DuckDB reads a byte of it:

* a CSV (not XLSX nor .xls) of at least `FAST_MIN_BYTES` and at most `MAX_FILE_BYTES`, in an encoding `read.decode`
  accepts (`read.py` checks these three), without NUL nor quote character (`"`), with one kind of line end,
  without an empty line (DuckDB skips it: line numbers would shift), with at most `MAX_ROWS` data lines and a header
  of at most `MAX_COLUMNS` cells of at most `MAX_CELL_CHARS` characters;
* and, once read: exactly one record per line, no record wider than the header line (DuckDB's strict mode), every
  line clearly shorter than `MAX_LINE_CHARS`, no cell longer than `MAX_CELL_CHARS`, no value beyond the header's
  named columns.

Any other file — anything hostile, anything near a cap, anything with quotes — returns None and is read by
`read.py`, which words every refusal (line, column) exactly as before. Rows whose cells are all blank are left
out as `read.py` leaves them out (blank as Python's `str.strip` says), their lines still counted.
"""

from __future__ import annotations

import csv
import functools
import os
import tempfile
from typing import NamedTuple

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lit_analytics.ingest.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_LINE_CHARS, MAX_ROWS
from lit_analytics.ingest.schema import normalise_header
from lit_analytics.store.scratch import scratch_connection

FAST_MIN_BYTES = 256 * 1024     # below, the Python reader is as fast (DuckDB's start costs a few milliseconds)


def read_columns(text: str, separator: str, expected_columns: list[str], utf8: bytes | None = None):
    """(header, spreadsheet line of each data row, position → column of cells (Arrow)) of a decoded CSV text read by
    DuckDB, or None when it is not plainly within the caps (the caller then reads it row by row). `read.read_table`
    calls it for files of at least `FAST_MIN_BYTES` that are not workbooks; `utf8`: the file's bytes when they are
    the UTF-8 of `text` (BOM left out), given to DuckDB as they are."""
    if "\x00" in text or '"' in text:
        return None
    ends, returns = text.count("\n"), text.count("\r")
    if returns and not (returns == ends == text.count("\r\n")):
        return None   # a lone carriage return, or both kinds of line ends
    newline = "\r\n" if returns else "\n"
    last = len(text) - len(newline) if text.endswith(newline) else len(text)   # the text less its last line end
    if text.isspace() or text.startswith(newline) or text.find(newline * 2, 0, last + len(newline)) >= 0:
        return None   # a blank line (DuckDB skips it: the line numbers would shift; the count below checks it too)
    line_count = ends - (1 if last < len(text) else 0) + 1
    if line_count - 1 > MAX_ROWS:
        return None
    first = text.find(newline)
    cells = next(csv.reader([text[:first if first >= 0 else last]], delimiter=separator))
    header = [c.strip() for c in cells]
    while header and not header[-1]:
        header.pop()
    if not header or len(cells) > MAX_COLUMNS or any(len(c) > MAX_CELL_CHARS for c in cells):
        return None
    expected = {normalise_header(c) for c in expected_columns}
    found = _duckdb_columns(utf8 if utf8 is not None else text.encode("utf-8"), separator, len(cells), len(header),
                            line_count, [normalise_header(h) in expected for h in header])
    if found is None:
        return None
    lines, columns = found
    return header, lines, columns


def _duckdb_columns(data: bytes, separator: str, width: int, named: int, line_count: int, read: list[bool]):
    """(spreadsheet line of each non-blank row, position → its cells: '' for a missing one; the columns the report
    does not read only '' or '·'), or None. One scan by DuckDB; the checks on the Arrow columns."""
    names = [f"c{i}" for i in range(width)]
    fd, path = tempfile.mkstemp(prefix="lit-verify-", suffix=".csv")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        with scratch_connection() as conn:   # one thread: the rows come in the file's order
            spec = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
            try:
                table = conn.execute(f"SELECT * FROM read_csv(?, header = false, skip = 1, delim = ?, quote = '', "
                                     f"escape = '', auto_detect = false, columns = {spec}, null_padding = true, "
                                     "strict_mode = true)", [path, separator]).arrow().read_all()
            except duckdb.Error:
                return None   # a record wider than the header line, or anything DuckDB refuses: read.py says why
    finally:
        os.unlink(path)
    if table.num_rows != line_count - 1:
        return None   # a line DuckDB skipped
    columns = [table[n] for n in names]
    lengths = [pc.fill_null(pc.utf8_length(c), 0) for c in columns]
    longest_line = pc.max(functools.reduce(pc.add, lengths)).as_py() or 0   # cells (+ separators below)
    if longest_line + width + 1 >= MAX_LINE_CHARS or any((pc.max(n).as_py() or 0) > MAX_CELL_CHARS for n in lengths):
        return None   # a line or a cell near its cap: read.py measures and words it
    blank = [_blank(c, n) for c, n in zip(columns, lengths)]
    if any(pc.any(pc.invert(b)).as_py() for b in blank[named:]):
        return None   # a value beyond the named columns: read.py reports it (extra-cell)
    kept = pc.invert(functools.reduce(pc.and_, blank))   # rows with at least one non-blank cell
    lines = (np.flatnonzero(kept.to_numpy(zero_copy_only=False)) + 2).tolist()
    out = {}
    for i in range(named):
        cells = pc.fill_null(columns[i], "") if read[i] else pc.if_else(blank[i], "", "·")
        out[i] = pc.filter(cells, kept)
    return lines, out


def _blank(column, lengths):
    """Which cells are blank as Python's `str.strip` says (empty, missing, or whitespace only): Arrow's
    `utf8_is_space` calls whitespace exactly what `str.isspace` does, every code point checked
    (tests/test_ingest_fastcheck.py), and is several times quicker than a regular expression."""
    return pc.or_(pc.equal(lengths, 0), pc.fill_null(pc.utf8_is_space(column), True))


# --- the columns read (Arrow arrays: no Python string is made until a check needs it) ----------------------

def as_list(column) -> list[str]:
    """A column's cells as Python strings."""
    return column.to_pylist()


def encoded(column) -> tuple[np.ndarray, list[str]]:
    """(code of each row's cell, distinct cells): the validator parses each distinct cell once."""
    found = pc.dictionary_encode(column).combine_chunks()
    return found.indices.to_numpy(zero_copy_only=False), found.dictionary.to_pylist()


class Texts(NamedTuple):
    """A free-text column as the validator reads it first: each cell as `str.strip` leaves it (None when blank),
    whether one is blank, the shortest and longest length of the others, whether one starts with the app's CSV
    formula mark (')."""
    values: list
    blank: bool
    shortest: int
    longest: int
    marked: bool

    @classmethod
    def of(cls, values: list) -> Texts:
        """The summary of cells already stripped (None when blank)."""
        present = [v for v in values if v is not None]
        return cls(values, len(present) < len(values), min(map(len, present), default=0),
                   max(map(len, present), default=0), any(v[:1] == "'" for v in present))


def texts(column) -> Texts:
    """The `Texts` of a column read in columns, computed in Arrow: only the stripped cells become Python strings.
    Arrow's `utf8_trim_whitespace` strips exactly what `str.strip` does (every code point checked:
    tests/test_ingest_fastcheck.py); lengths count code points, as `len` does."""
    trimmed = pc.utf8_trim_whitespace(column)
    lengths = pc.utf8_length(trimmed)
    blank = pc.equal(lengths, 0)
    extremes = pc.min_max(pc.filter(lengths, pc.invert(blank)))
    return Texts(pc.if_else(blank, pa.scalar(None, pa.string()), trimmed).to_pylist(), bool(pc.any(blank).as_py()),
                 extremes["min"].as_py() or 0, extremes["max"].as_py() or 0,
                 bool(pc.any(pc.starts_with(trimmed, "'")).as_py()))
