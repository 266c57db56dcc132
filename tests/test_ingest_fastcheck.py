"""The DuckDB reader (`ingest.fastcheck`, used for large plain CSV files) reads exactly what the row reader reads:
the same header, cells, spreadsheet lines, encoding and separator, hence the same errors, warnings and rows; any
file it is not sure of (quotes, blank lines, a cap near, workbooks, hostile files) is left to the row reader."""

from __future__ import annotations

import pyarrow.compute as pc
import pytest

from conftest import FILES
from devtools.hostile_files import HOSTILE
from lit_analytics.ingest import fastcheck
from lit_analytics.ingest import read as reader
from lit_analytics.ingest.publish import check_file
from lit_analytics.ingest.schema import load_schema
from lit_analytics.ingest.validate import Context

LABS = frozenset({"siilab", "liric", "lab-zero"})
KINDS = {"projets": "projets", "financements": "financements"}
CORPUS = sorted(p for folder in ("good", "bad") for p in (FILES / folder).iterdir() if p.suffix in (".csv", ".txt"))


def kind_of(name: str) -> str:
    return next((k for k in KINDS if name.startswith(k)), "sessions")


def both_ways(monkeypatch, data: bytes, name: str, kind: str):
    schema = load_schema(kind)
    ctx = Context(kind, None if kind == "financements" else "siilab", None if kind == "financements" else "2021-T3",
                  LABS)
    monkeypatch.setattr(fastcheck, "FAST_MIN_BYTES", 10**12)
    slow = check_file(data, name, schema, ctx)
    monkeypatch.setattr(fastcheck, "FAST_MIN_BYTES", 0)
    fast = check_file(data, name, schema, ctx)
    return slow, fast


def _same(slow, fast):
    assert (fast.errors, fast.warnings, fast.row_count, fast.file_description) == \
        (slow.errors, slow.warnings, slow.row_count, slow.file_description)
    if slow.rows is None:
        assert fast.rows is None
    else:
        assert fast.rows.equals(slow.rows) and list(fast.rows.dtypes) == list(slow.rows.dtypes)


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_every_file_of_the_corpus_gives_the_same_report_either_way(path, monkeypatch):
    slow, fast = both_ways(monkeypatch, path.read_bytes(), path.name, kind_of(path.name))
    _same(slow, fast)


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_hostile_files_are_left_to_the_row_reader(hostile, monkeypatch):
    slow, fast = both_ways(monkeypatch, hostile.make(), hostile.name, hostile.kind)
    _same(slow, fast)


HEAD = "id_session;date;intitule;format;duree_heures;participants_agents;participants_autres;commentaire"


@pytest.mark.parametrize("body", [
    "S-1;05/07/2021;Atelier;atelier;2;8;;vu\r\nS-2;16/09/2021;Formation;FORMATION;3,5;12;4;\r\n",
    "S-1;05/07/2021;Atelier;atelier;2;8\n;;;;;;;\n  \nS-2;16/09/2021;  Formation ;formation;1.500;12;4;x\n",
    "S-1;05/07/2021;Atelier;atelier;2;8;;\nS-1;32/07/2021;'=1+2;autre;0;-1;;\nEXEMPLE-1;05/07/2021;x;atelier;2;8;;",
    "S-1;05/07/2021;Atelier;atelier;2;8;;;;\nS-2;05/07/2021;Atelier;atelier;2;8;;\xa0;\n",
    "S-1;05/07/2021;Atelier;atelier;2;8;;;;z\n",          # a value beyond the header: left to the row reader
    "S-1;05/07/2021;Atelier;atelier;2;8;;\n\nS-2;05/07/2021;Atelier;atelier;2;8;;\n",    # an empty line: same
    'S-1;05/07/2021;"Atelier; usagers";atelier;2;8;;\n',  # quotes: same
])
def test_tricky_rows_give_the_same_report_either_way(body, monkeypatch):
    for encoding in ("utf-8", "utf-8-sig", "cp1252"):
        slow, fast = both_ways(monkeypatch, (HEAD + "\n" + body).encode(encoding), "f.csv", "sessions")
        _same(slow, fast)


def test_a_large_plain_file_is_read_by_duckdb_in_columns():
    from devtools.bench.imports import generate_sessions_csv
    data = generate_sessions_csv(5_000)
    assert len(data) >= fastcheck.FAST_MIN_BYTES
    table = reader.read_table(data, "s.csv", load_schema("sessions").names)
    assert table.columns is not None and table.row_count == 5_000 and table.lines[-1] == 5_001
    assert table.encoding == "UTF-8 avec BOM" and table.separator == ";"


def test_most_of_the_corpus_takes_the_duckdb_reader_when_large_enough(monkeypatch):
    """The comparisons above compare something: the plain files of the corpus are read by DuckDB when allowed."""
    monkeypatch.setattr(fastcheck, "FAST_MIN_BYTES", 0)
    names = load_schema("sessions").names
    by_duckdb = []
    for path in CORPUS:
        try:
            by_duckdb.append(reader.read_table(path.read_bytes(), path.name, names).columns is not None)
        except reader.ReadError:
            by_duckdb.append(False)
    assert sum(by_duckdb) >= 30, sum(by_duckdb)


def test_a_blank_cell_is_blank_for_duckdb_s_reader_exactly_as_python_strips_it(monkeypatch):
    """The DuckDB reader's blank cells (Arrow's `utf8_is_space`) are the row reader's (`str.strip`): every code
    point, alone and repeated, and the mixed cells of a real file (a control separator, a line separator, a
    no-break space) give the same report either way."""
    import pyarrow as pa
    chars = [chr(i) for i in range(0x110000) if not 0xD800 <= i <= 0xDFFF]
    for cells in (chars, [c * 3 for c in chars], [c + "x" for c in chars]):
        column = pa.array(cells)
        found = fastcheck._blank(column, pc.utf8_length(column)).to_pylist()
        assert found == [not c.strip() for c in cells]
    assert fastcheck._blank(pa.array(["", None, " ", "a"]), pc.fill_null(pc.utf8_length(pa.array(
        ["", None, " ", "a"])), 0)).to_pylist() == [True, True, True, False]
    body = "S-1;05/07/2021;Atelier;atelier;2;8;;\x1c\u2028\nS-2;05/07/2021;\u00a0\u2028;atelier;2;8;;\n\x1c;;;;;;;\n"
    read = fastcheck.read_columns(HEAD + "\n" + body, ";", HEAD.split(";"))
    assert read is not None and read[1] == [2, 3]   # DuckDB read it; the whitespace-only line 4 left out
    slow, fast = both_ways(monkeypatch, (HEAD + "\n" + body).encode("utf-8"), "f.csv", "sessions")
    _same(slow, fast)


def test_free_text_is_stripped_and_measured_in_arrow_as_python_does():
    """A free-text column read in columns is stripped, blanked and measured in Arrow (`fastcheck.texts`) exactly as
    the row reader's Python does (`Texts.of`): every code point around a word, blanks, the formula mark."""
    import pyarrow as pa
    chars = [chr(i) for i in range(0x110000) if not 0xD800 <= i <= 0xDFFF]
    for cells in ([c + "mot" + c for c in chars], [c for c in chars], ["", "  ", "'=1+2", "a", "\u00e9t\u00e9 "]):
        python = fastcheck.Texts.of([text or None for text in map(str.strip, cells)])
        assert fastcheck.texts(pa.chunked_array([cells[:7], cells[7:]])) == python
    assert fastcheck.texts(pa.array(["'=1+2", " x ", "\t"])) == (["'=1+2", "x", None], True, 1, 5, True)
