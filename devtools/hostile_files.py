"""Hostile and broken files, generated small on disk: what a careless or malicious uploader can send.

Each one must be refused by `import` (exit code 1) with a French message naming the line and the column where
there is one, in bounded time and memory, and leave every data table unchanged. The tests run them all
(`tests/test_ingest_hostile_files.py`); `bench-import` times them (docs/benchmarks.md).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Callable

HEADER = "id_session;date;intitule;format;duree_heures;participants_agents;participants_autres"
ROW = "S-{n};16/09/2021;Atelier;atelier;{hours};{agents};2"


@dataclass(frozen=True)
class Hostile:
    name: str                    # file name (its extension says CSV or XLSX)
    make: Callable[[], bytes]
    line: int | None             # expected line of the error (header = 1)
    column: str | None           # expected column
    code: str                    # expected kind of problem
    kind: str = "sessions"


def _csv(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def wide_header() -> bytes:
    """65 000 header columns and 800 short rows (129 KiB): rows used to be padded to the header's width."""
    return _csv([";".join(["c"] * 65_000)] + ["1;2"] * 800)


def many_columns() -> bytes:
    return _csv([HEADER + "".join(f";extra{n}" for n in range(60)), ROW.format(n=1, hours="2", agents="3")])


def wide_row() -> bytes:
    return _csv([HEADER, ROW.format(n=1, hours="2", agents="3") + ";" * 30_000 + "x"])


def long_first_line() -> bytes:
    return _csv(["x" * (129 * 1024), ROW.format(n=1, hours="2", agents="3")])


def long_cell() -> bytes:
    """A 129 KiB title, its lines short (a quoted cell may hold line breaks)."""
    title = '"' + "\n".join(["y" * 1000] * 132) + '"'
    return _csv([HEADER, f"S-1;16/09/2021;{title};atelier;2;3;1"])


def blank_lines() -> bytes:
    return _csv([HEADER, ROW.format(n=1, hours="2", agents="3")] + [""] * 250_000)


def utf16_odd_bytes() -> bytes:
    return ("\ufeff" + HEADER + "\n" + ROW.format(n=1, hours="2", agents="3") + "\n").encode("utf-16-le")[:-1]


def utf16_lone_surrogate() -> bytes:
    text = "\ufeff" + HEADER + "\n" + ROW.format(n=1, hours="2", agents="3") + "\n"
    data = text.encode("utf-16-le")
    return data + b"\x00\xd8" + "S-2;16/09/2021;A;atelier;2;3;1\n".encode("utf-16-le")


def huge_participants() -> bytes:
    return _csv([HEADER, ROW.format(n=1, hours="2", agents="3000000000")])


def huge_hours() -> bytes:
    return _csv([HEADER, ROW.format(n=1, hours="9" * 400, agents="3")])


def huge_budget() -> bytes:
    return _csv(["id_projet;titre;thematique;statut;date_debut;date_fin;types_partenaires;usagers_impliques;"
                 "agents_impliques;budget_eur",
                 "P-1;Projet;Numérique et données;expérimentation;01/07/2021;;;1;2;10000000000000"])


# --- XLSX, written by hand: a minimal valid package around a sheet XML we control ---------------

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="sessions" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""


def _cells(line: int, values: list[str], refs: list[str] | None = None) -> str:
    refs = refs or [f"{chr(65 + i)}{line}" for i in range(len(values))]
    return f'<row r="{line}">' + "".join(f'<c r="{r}" t="inlineStr"><is><t>{v}</t></is></c>'
                                         for r, v in zip(refs, values)) + "</row>"


def _sheet(rows: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"{dim}<sheetData>{rows}</sheetData></worksheet>")


def xlsx(sheet_xml: str | bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


_GOOD = [HEADER.split(";"), ["S-1", "16/09/2021", "Atelier", "atelier", "2", "3", "1"]]


def _good_rows() -> str:
    return "".join(_cells(n + 1, values) for n, values in enumerate(_GOOD))


def xlsx_declared_xfd() -> bytes:
    """A 20 KiB workbook declaring A1:XFD3002: openpyxl used to pad 3 002 rows to 16 384 cells."""
    rows = _good_rows() + "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(3, 3003, 3))
    return xlsx(_sheet(rows, "A1:XFD3002"))


def xlsx_declared_million_rows() -> bytes:
    return xlsx(_sheet(_good_rows() + '<row r="1000000"><c r="A1000000"><v>1</v></c></row>', "A1:G1000000"))


def xlsx_far_row() -> bytes:
    """No declared dimension, one row numbered 1 000 000: 20 000 rows like this took 13 s."""
    return xlsx(_sheet(_good_rows() + '<row r="1000000"><c r="A1000000"><v>1</v></c></row>'))


def xlsx_many_cells_in_a_row() -> bytes:
    return xlsx(_sheet(_good_rows() + '<row r="3">' + "<c/>" * 200_000 + "</row>"))


def xlsx_far_column() -> bytes:
    return xlsx(_sheet(_good_rows() + '<row r="3"><c r="BA3" t="inlineStr"><is><t>x</t></is></c></row>'))


def xlsx_zip_bomb() -> bytes:
    """80 MiB of XML (spaces) in a few hundred KiB."""
    return xlsx(_sheet(_good_rows()).replace("<sheetData>", "<sheetData>" + " " * (80 * 1024 * 1024)))


def xlsx_truncated() -> bytes:
    sheet = _sheet(_good_rows() + _cells(3, ["S-2", "17/09/2021", "Atelier", "atelier", "2", "3", "1"]))
    return xlsx(sheet[: sheet.index('<row r="3">') + 40])


def xlsx_impossible_reference() -> bytes:
    rows = _cells(1, _GOOD[0]) + _cells(2, _GOOD[1], ["ZZZZ2", "B2", "C2", "D2", "E2", "F2", "G2"])
    return xlsx(_sheet(rows))


def xlsx_long_cell() -> bytes:
    rows = _cells(1, _GOOD[0]) + _cells(2, ["S-1", "16/09/2021", "z" * (129 * 1024), "atelier", "2", "3", "1"])
    return xlsx(_sheet(rows))


HOSTILE = [
    Hostile("wide_header.csv", wide_header, 1, None, "line-too-long"),
    Hostile("many_columns.csv", many_columns, 1, "colonne n° 51", "too-many-columns"),
    Hostile("wide_row.csv", wide_row, 2, "colonne n° 30007", "too-many-columns"),
    Hostile("long_first_line.csv", long_first_line, 1, None, "line-too-long"),
    Hostile("long_cell.csv", long_cell, 2, "intitule", "cell-too-long"),
    Hostile("blank_lines.csv", blank_lines, 200_001, None, "too-many-rows"),
    Hostile("utf16_odd_bytes.csv", utf16_odd_bytes, 2, None, "encoding"),
    Hostile("utf16_lone_surrogate.csv", utf16_lone_surrogate, 3, None, "encoding"),
    Hostile("huge_participants.csv", huge_participants, 2, "participants_agents", "maximum"),
    Hostile("huge_hours.csv", huge_hours, 2, "duree_heures", "type"),
    Hostile("huge_budget.csv", huge_budget, 2, "budget_eur", "maximum", kind="projets"),
    Hostile("declared_xfd.xlsx", xlsx_declared_xfd, None, None, "too-large"),
    Hostile("declared_million_rows.xlsx", xlsx_declared_million_rows, None, None, "too-large"),
    Hostile("far_row.xlsx", xlsx_far_row, 1_000_000, None, "too-many-rows"),
    Hostile("many_cells_in_a_row.xlsx", xlsx_many_cells_in_a_row, 3, "colonne n° 16385", "too-many-columns"),
    Hostile("far_column.xlsx", xlsx_far_column, 3, "colonne n° 53", "too-many-columns"),
    Hostile("zip_bomb.xlsx", xlsx_zip_bomb, None, None, "too-large"),
    Hostile("truncated.xlsx", xlsx_truncated, 3, None, "unreadable"),
    Hostile("impossible_reference.xlsx", xlsx_impossible_reference, 2, "ZZZZ2", "unreadable"),
    Hostile("long_cell.xlsx", xlsx_long_cell, 2, "intitule", "cell-too-long"),
]

