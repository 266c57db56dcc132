"""A corpus of bad files (tests/files/ingest/bad/): each gives the expected error — line as the spreadsheet numbers
it (header = line 1), column, kind of problem — and leaves the database row-for-row unchanged, whether it is only
verified or sent to publish (then only the upload itself is registered, as rejected)."""

import pytest

from conftest import ADMIN, FILES, SESSIONS_HEADER, read, snapshot, verify_text
from lit_analytics import ingest
from lit_analytics.ingest import read as reader

S = ("sessions", "siilab", "2021-T3")
P = ("projets", "siilab", "2021-T3")
F = ("financements", None, None)

# file → (report, expected line, column, kind of problem)
BAD = {
    "empty.csv": (S, None, None, "empty-file"),
    "missing_column.csv": (S, 1, "date", "missing-column"),
    "duplicate_column.csv": (S, 1, "format", "duplicate-column"),
    "bad_number.csv": (S, 3, "duree_heures", "type"),
    "zero_duration.csv": (S, 2, "duree_heures", "minimum"),
    "negative_participants.csv": (S, 3, "participants_agents", "minimum"),
    "decimal_participants.csv": (S, 2, "participants_agents", "type"),
    "impossible_date.csv": (S, 2, "date", "type"),
    "date_as_words.csv": (S, 4, "date", "type"),
    "outside_quarter.csv": (S, 3, "date", "outside-quarter"),
    "unknown_format.csv": (S, 2, "format", "enum"),
    "missing_title.csv": (S, 3, "intitule", "required"),
    "duplicate_id.csv": (S, 4, "id_session", "unique"),
    "example_row.csv": (S, 2, "id_session", "example-row"),
    "extra_cell.csv": (S, 3, "colonne n° 8", "extra-cell"),
    "not_an_encoding.csv": (S, 3, None, "encoding"),
    "old_excel.xls": (S, None, None, "unreadable"),
    "broken.xlsx": (S, None, None, "unreadable"),
    "other_lab_rows.csv": (S, 3, "id_lab", "other-lab"),
    "formula_in_number.csv": (S, 2, "duree_heures", "type"),
    "title_too_long.csv": (S, 3, "intitule", "max-length"),
    "unnamed_column.csv": (S, 1, "colonne n° 2", "blank-header"),
    "blank_lines_then_error.csv": (S, 6, "participants_agents", "type"),
    "quoted_newline_then_error.csv": (S, 3, "participants_autres", "type"),
    "cp1252_bad_format.csv": (S, 3, "format", "enum"),
    "xlsx_bad_date.xlsx": (S, 3, "date", "type"),
    "too_many_rows.csv": (S, None, None, "too-many-rows"),
    "too_large.csv": (S, None, None, "too-large"),
    "projets_bad_status.csv": (P, 3, "statut", "enum"),
    "projets_end_before_start.csv": (P, 2, "date_fin", "date-order"),
    "projets_bad_partner.csv": (P, 2, "types_partenaires", "enum"),
    "projets_negative_budget.csv": (P, 2, "budget_eur", "minimum"),
    "projets_missing_theme.csv": (P, 2, "thematique", "required"),
    "projets_bad_theme.csv": (P, 2, "thematique", "enum"),
    "financements_unknown_lab.csv": (F, 3, "id_lab", "unknown-lab"),
    "financements_zero_amount.csv": (F, 2, "montant_eur", "minimum"),
    "financements_paid_before_committed.csv": (F, 2, "date_versement", "date-order"),
    "financements_bad_source.csv": (F, 2, "source", "enum"),
    "financements_missing_amount.csv": (F, 3, "montant_eur", "required"),
}


# The two limit files are checked against small limits (the real ones: 100 000 rows, 30 Mo).
LIMITS = {"too_many_rows.csv": ("MAX_ROWS", 5), "too_large.csv": ("MAX_FILE_BYTES", 200)}


def test_the_corpus_is_complete():
    on_disk = {p.name for p in (FILES / "bad").iterdir()}
    assert on_disk == set(BAD) and len(BAD) >= 30


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_is_rejected_with_its_line_column_and_kind(name, ref_store, monkeypatch):
    if name in LIMITS:
        monkeypatch.setattr(reader, *LIMITS[name])
    (kind, lab, quarter), line, column, code = BAD[name]
    data = read(name, "bad")
    before = snapshot(ref_store)
    report = ingest.verify(ref_store, data, name, kind=kind, lab_id=lab, quarter=quarter, actor=ADMIN)
    assert not report.ok
    found = [(e.line, e.column, e.code) for e in report.errors]
    assert (line, column, code) in found, found
    issue = next(e for e in report.errors if (e.line, e.column, e.code) == (line, column, code))
    assert "attendu" in issue.message or code in ("too-many-rows", "too-large", "unreadable"), issue.message
    registry = ("imports", "import_errors", "audit_log", "meta")
    after_verify = snapshot(ref_store)
    assert {t: rows for t, rows in after_verify.items() if t not in registry} == \
        {t: rows for t, rows in before.items() if t not in registry}  # verify writes no data...
    assert ref_store.query("SELECT outcome, file_name FROM imports") == [("rejeté", name)]  # ...it registers the file

    result = ingest.publish(ref_store, data, name, kind=kind, lab_id=lab, quarter=quarter, actor=ADMIN)
    assert result.outcome == ingest.REJECTED
    after = snapshot(ref_store)
    for table in before:
        if table not in ("imports", "import_errors", "audit_log", "meta"):
            assert after[table] == before[table], table
    bookkeeping = ("data_version", "store_version", "instance", "schema")   # the store's own versions (store.py)
    assert [r for r in after["meta"] if r[0] not in bookkeeping and not r[0].startswith("table:")] == \
        [r for r in before["meta"] if r[0] not in bookkeeping and not r[0].startswith("table:")]
    (row,) = ref_store.query("SELECT outcome, file_name, error_count, kind FROM imports WHERE import_id = ?",
                             [result.import_id])
    assert row == ("rejeté", name, len(report.errors), kind)
    stored = ref_store.query("SELECT line, column_name, code FROM import_errors WHERE import_id = ? AND "
                             "severity = 'erreur'", [result.import_id])
    assert (line, column, code) in stored


def test_messages_are_french_and_say_what_is_expected(ref_store):
    report = ingest.verify(ref_store, read("outside_quarter.csv", "bad"), "f.csv", kind="sessions",
                           lab_id="siilab", quarter="T3 2021")
    (issue,) = report.errors
    assert issue.message == ("Le 01/10/2021 est hors du trimestre déposé (T3 2021) : attendu une date du 01/07/2021 "
                             "au 30/09/2021 (déposez cette ligne avec son trimestre).")
    report = ingest.verify(ref_store, read("bad_number.csv", "bad"), "f.csv", kind="sessions", lab_id="siilab",
                           quarter="2021-T3")
    assert report.errors[0].message == ("« deux » n'est pas un nombre : attendu un nombre comme 1 234,5 "
                                        "(virgule décimale, € facultatif).")
    assert "Ligne 3, colonne « duree_heures »" in report.text()


def test_every_error_of_a_file_is_reported_not_only_the_first(ref_store):
    lines = ["id_session;date;intitule;format;duree_heures;participants_agents;participants_autres"]
    lines += [f"S-{n};05/07/2021;Atelier;atelier;zéro;8;" for n in range(40)]
    report = ingest.verify(ref_store, ("\n".join(lines)).encode(), "f.csv", kind="sessions", lab_id="siilab",
                           quarter="2021-T3")
    assert [e.line for e in report.errors] == list(range(2, 42))


def test_an_opening_quote_never_closed_is_an_error_naming_its_line_not_silently_lost_rows(ref_store):
    # An opening quote without its closing one swallowed every following line into one cell: the rows
    # after it vanished and the errors spoke of missing values in unrelated columns.
    text = (f"{SESSIONS_HEADER}\r\nS-1;05/07/2021;Atelier;atelier;2;12;\r\n"
            'S-2;06/07/2021;"Atelier mal fermé;atelier;2;12;\r\n'
            "S-3;07/07/2021;Webinaire;webinaire;1;30;\r\n")
    report = verify_text(ref_store, text)
    assert not report.ok
    (error,) = report.errors
    assert (error.line, error.code) == (3, "unreadable")
    assert "guillemet" in error.message and "colonne n° 3" in error.message
