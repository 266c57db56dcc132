"""A large plain CSV read by DuckDB's own CSV reader, into columns: the fast path of `read.read_table`.

The Python reader (`read.py`) reads a file row by row, with every cap and every French refusal. For a large file
that is plainly within those caps, DuckDB's reader (`read_csv`, every column as VARCHAR, in a scratch in-memory
database) gives the same cells on the same spreadsheet lines several times faster, column by column, which is how
the validator reads them. « Plainly » means, checked before DuckDB reads a byte of it:

* a CSV (not XLSX nor .xls) of at least `FAST_MIN_BYTES` and at most `MAX_FILE_BYTES`, in an encoding `read.decode`
  accepts (`read.py` checks these three), without NUL nor quote character (`"`), without a lone carriage return,
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
import os
import tempfile

import duckdb
import numpy as np
import pyarrow.compute as pc

from lit_analytics.ingest.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_LINE_CHARS, MAX_ROWS
from lit_analytics.ingest.schema import normalise_header
from lit_analytics.store.scratch import scratch_connection

FAST_MIN_BYTES = 256 * 1024     # below, the Python reader is as fast (DuckDB's start costs a few milliseconds)
# What Python's `str.isspace` calls whitespace, as an RE2 class (a blank cell is blank for both readers).
_BLANK = (r"[\t\n\x{0B}\x{0C}\r\x{1C}-\x{1F} \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}"
          r"\x{205F}\x{3000}]*")


def read_columns(text: str, separator: str, expected_columns: list[str]):
    """(header, spreadsheet line of each data row, position → column of cells (Arrow)) of a decoded CSV text read by
    DuckDB, or None
    when it is not plainly within the caps (the caller then reads it row by row). `read.read_table` calls it for
    files of at least `FAST_MIN_BYTES` that are not workbooks."""
    if "\x00" in text or '"' in text or text.count("\r") != text.count("\r\n"):
        return None
    body = text.replace("\r\n", "\n") if "\r" in text else text
    core = body[:-1] if body.endswith("\n") else body
    if not core.strip() or core.startswith("\n") or "\n\n" in core:
        return None   # a blank line (DuckDB skips it: the line numbers would shift; the count below checks it too)
    line_count = core.count("\n") + 1
    if line_count - 1 > MAX_ROWS:
        return None
    cells = next(csv.reader([core.split("\n", 1)[0]], delimiter=separator))
    header = [c.strip() for c in cells]
    while header and not header[-1]:
        header.pop()
    if not header or len(cells) > MAX_COLUMNS or any(len(c) > MAX_CELL_CHARS for c in cells):
        return None
    expected = {normalise_header(c) for c in expected_columns}
    columns = _duckdb_columns(core, separator, len(cells), len(header), line_count,
                              [normalise_header(h) in expected for h in header])
    if columns is None:
        return None
    lines = columns.pop("line")
    return header, lines, {int(k[1:]): v for k, v in columns.items()}


def _duckdb_columns(core: str, separator: str, width: int, named: int, line_count: int, read: list[bool]):
    """line → cells of each header column (the columns the report does not read: '' or '·'), or None."""
    names = [f"c{i}" for i in range(width)]
    fd, path = tempfile.mkstemp(prefix="lit-verify-", suffix=".csv")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(core.encode("utf-8"))
        with scratch_connection(threads=1) as conn:
            spec = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
            try:
                conn.execute(f"CREATE TABLE t AS SELECT * FROM read_csv(?, header = false, skip = 1, delim = ?, "
                             f"quote = '', escape = '', auto_detect = false, columns = {spec}, null_padding = true, "
                             "strict_mode = true, parallel = true)", [path, separator])
            except duckdb.Error:
                return None   # a record wider than the header line, or anything DuckDB refuses: read.py says why
            checks = ", ".join(f"max(length({n}))" for n in names)
            # A line's length: its cells, its separators (an empty cell is NULL: counted as a separator anyway).
            line = f"max({' + '.join(f'coalesce(length({n}), 0)' for n in names)})"
            found = conn.execute(f"SELECT count(*), {line}, {checks} FROM t").fetchone()
            if found[0] != line_count - 1 or (found[1] or 0) + width + 1 >= MAX_LINE_CHARS \
                    or any((m or 0) > MAX_CELL_CHARS for m in found[2:]):
                return None   # a skipped line, a line or a cell near its cap: read.py measures and words it
            blank = f"regexp_full_match(concat({', '.join(names)}), '{_BLANK}')"
            beyond = [f"NOT regexp_full_match(coalesce({n}, ''), '{_BLANK}')" for n in names[named:]]
            if beyond and conn.execute(f"SELECT count(*) FROM t WHERE {' OR '.join(beyond)}").fetchone()[0]:
                return None   # a value beyond the named columns: read.py reports it (extra-cell)
            select = [f"coalesce({n}, '') AS {n}" if read[i] else
                      f"CASE WHEN regexp_full_match(coalesce({n}, ''), '{_BLANK}') THEN '' ELSE '·' END AS {n}"
                      for i, n in enumerate(names[:named])]
            table = conn.execute(f"SELECT rowid + 2 AS line, {', '.join(select)} FROM t "
                                 f"WHERE NOT coalesce({blank}, true) ORDER BY rowid").arrow().read_all()
            found = {name: table[name] for name in table.column_names}
            found["line"] = found["line"].to_numpy().tolist()
            return found
    finally:
        os.unlink(path)


# --- the columns read (Arrow arrays: no Python string is made until a check needs it) ----------------------

def as_list(column) -> list[str]:
    """A column's cells as Python strings."""
    return column.to_pylist()


def encoded(column) -> tuple[np.ndarray, list[str]]:
    """(code of each row's cell, distinct cells): the validator parses each distinct cell once."""
    found = pc.dictionary_encode(column).combine_chunks()
    return found.indices.to_numpy(zero_copy_only=False), found.dictionary.to_pylist()
