"""Good files in every encoding, separator, number and date style people really send: each publishes, and the
stored values are exactly the ones the sender meant."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from conftest import ADMIN, SESSIONS_HEADER, read, verify_text
from lit_analytics import ingest
import lit_analytics.ingest.values  # noqa: F401  (ingest.values.parse_*)
from lit_analytics.ingest.templates import template_xlsx

SESSIONS_COLUMNS = "session_id, held_on, title, format, duration_hours, participants_agents, participants_others"


def publish(store, name, kind="sessions", lab="siilab", quarter="2021-T3"):
    result = ingest.publish(store, read(name), name, kind=kind, lab_id=lab, quarter=quarter, actor=ADMIN)
    assert result.outcome == ingest.PUBLISHED, result.report.text()
    return result


def stored_sessions(store, version_id):
    return store.query(f"SELECT {SESSIONS_COLUMNS} FROM training_sessions WHERE version_id = ? ORDER BY 1",
                       [version_id])


def test_utf8_bom_semicolon_decimal_comma_and_formula_like_text(ref_store):
    result = publish(ref_store, "sessions_utf8_bom_semicolon.csv")
    assert result.report.file_description == "CSV, encodage UTF-8 avec BOM, séparateur point-virgule"
    assert stored_sessions(ref_store, result.version_id) == [
        ("S-01", date(2021, 7, 5), '=HYPERLINK("x")', "formation", 3.5, 12, 4),
        ("S-02", date(2021, 9, 16), "-Atelier @usagers", "atelier", 2.0, 8, None),
    ]
    (warning,) = result.report.warnings
    assert (warning.line, warning.column) == (2, "format")
    assert warning.message == "« Formation » lu comme « formation » (ligne 2)."


def test_utf8_comma_separator_iso_dates(ref_store):
    result = publish(ref_store, "sessions_utf8_comma_iso.csv")
    assert result.report.file_description == "CSV, encodage UTF-8, séparateur virgule"
    assert stored_sessions(ref_store, result.version_id) == [
        ("S-01", date(2021, 7, 5), "Atelier, prototypage", "atelier", 1.5, 10, 0),
        ("S-02", date(2021, 9, 30), "Webinaire", "webinaire", 1.0, 25, 3),
    ]


def test_windows_1252_tab_two_digit_years_and_loose_headers(ref_store):
    result = publish(ref_store, "sessions_cp1252_tab.txt")
    assert result.report.file_description == "CSV, encodage Windows-1252, séparateur tabulation"
    assert stored_sessions(ref_store, result.version_id) == [
        ("S-01", date(2021, 7, 5), "Séminaire d'été", "autre", 7.0, 30, 12),
        ("S-02", date(2021, 9, 30), "Sensibilisation à l'innovation", "sensibilisation", 0.5, 14, None),
    ]
    renamed = {w.column for w in result.report.warnings if w.code == "header-renamed"}
    assert renamed == {"id_session", "date", "intitule", "format", "duree_heures", "participants_agents",
                       "participants_autres"}


def test_xlsx_with_typed_cells(ref_store):
    result = publish(ref_store, "sessions.xlsx")
    assert result.report.file_description == "classeur XLSX"
    assert stored_sessions(ref_store, result.version_id) == [
        ("S-01", date(2021, 7, 5), "Atelier", "atelier", 2.5, 8, None),
        ("S-02", date(2021, 9, 30), "Formation", "formation", 14.0, 20, 5),
    ]


def test_thousands_separators_euro_signs_and_normalised_enums(ref_store):
    result = publish(ref_store, "projets_thousands.csv", kind="projets")
    rows = ref_store.query("""SELECT project_id, status, started_on, ended_on, partner_types, users_involved,
                                     agents_involved, budget_eur, lab_id, quarter
                              FROM project_snapshots WHERE version_id = ? ORDER BY 1""", [result.version_id])
    assert rows == [
        ("P-01", "expérimentation", date(2021, 3, 15), None, "collectivité, usagers", 1200, 35, Decimal("45000.00"),
         "siilab", "2021-T3"),
        ("P-02", "conception", date(2021, 1, 1), None, "recherche", 12500, 4, Decimal("1234.50"), "siilab", "2021-T3"),
        ("P-03", "terminé", date(2020, 1, 1), date(2021, 6, 30), None, None, None, Decimal("2000000.00"),
         "siilab", "2021-T3"),
        ("P-04", "déploiement", date(2019, 2, 1), None, "entreprise", None, None, Decimal("1500000.00"),
         "siilab", "2021-T3"),
        ("P-05", "abandonné", date(2019, 2, 1), date(2021, 8, 31), None, None, None, Decimal("1234.56"),
         "siilab", "2021-T3"),
    ]
    notes = {(w.column, w.message) for w in result.report.warnings}
    assert ("statut", "« Experimentation » lu comme « expérimentation » (ligne 2).") in notes
    assert ("types_partenaires", "« Recherche » lu comme « recherche » (ligne 3).") in notes


def test_funding_ledger_windows_1252(ref_store):
    result = publish(ref_store, "financements_ledger.csv", kind="financements", lab=None, quarter=None)
    rows = ref_store.query("SELECT tranche_id, lab_id, source, amount_eur, committed_on, paid_on, purpose "
                           "FROM funding_tranches WHERE version_id = ? ORDER BY 1", [result.version_id])
    assert rows == [
        ("TR-1", "siilab", "PIA", Decimal("150000.00"), date(2017, 2, 15), date(2017, 4, 30), "PIA — première tranche"),
        ("TR-2", "archipel", "FTAP", Decimal("75000.50"), date(2019, 3, 1), None, "FTAP — projet"),
        ("TR-3", "lab-o", "relance", Decimal("100000.00"), date(2021, 1, 15), date(2021, 3, 1), "France Relance"),
    ]
    assert ref_store.query("SELECT lab_id, quarter FROM report_versions WHERE version_id = ?",
                           [result.version_id]) == [(None, None)]


@pytest.mark.parametrize("text, expected", [
    ("1 234,5", 1234.5), ("1\u00a0234,5 €", 1234.5), ("1\u202f234\u202f567,8\u00a0€", 1234567.8),
    ("1.234.567", 1234567.0), ("1.234,56", 1234.56), ("3,5", 3.5), ("3.5", 3.5), ("12", 12.0), ("-4", -4.0),
    ("1,234.5", 1234.5), ("0,5", 0.5), (",5", 0.5),
])
def test_numbers_the_french_way(text, expected):
    value, error, _ = ingest.values.parse_number(text)
    assert error is None and value == expected


@pytest.mark.parametrize("text", ["deux", "1,2,3", "1 2 3,4,5", "=A1*2", "12 %", "1..2"])
def test_not_numbers(text):
    value, error, _ = ingest.values.parse_number(text)
    assert value is None and "attendu" in error


@pytest.mark.parametrize("text, expected", [
    ("31/12/2021", date(2021, 12, 31)), ("31/12/21", date(2021, 12, 31)), ("2021-12-31", date(2021, 12, 31)),
    ("1/7/2021", date(2021, 7, 1)), ("31.12.2021", date(2021, 12, 31)), ("2021-12-31 00:00:00", date(2021, 12, 31)),
])
def test_dates(text, expected):
    assert ingest.values.parse_date(text)[0] == expected


@pytest.mark.parametrize("text", ["31/02/2021", "2021/31/12", "hier", "12/2021", "45000"])
def test_not_dates(text):
    value, error, _ = ingest.values.parse_date(text)
    assert value is None and "JJ/MM/AAAA" in error


def test_header_normalisation():
    from lit_analytics.ingest.schema import normalise_header
    assert normalise_header("  Date début ") == "date_debut"
    assert normalise_header("\ufeffID_Session") == "id_session"
    assert normalise_header("Durée (heures)") == "duree_heures"
    assert normalise_header("Budget (€)") == "budget_eur"


def test_xlsx_template_with_a_blank_row_above_the_header_reads_the_data_sheet_not_the_dictionary(ref_store):
    # The lab lead inserted a blank row at the top of the template's data sheet. The reader takes the first
    # non-blank row as the header, but the sheet choice looked only at row 1, so the « Dictionnaire » sheet
    # (whose « Titre » column matches « titre ») was read instead: four « colonne absente » errors.
    book = load_workbook(io.BytesIO(template_xlsx("projets")))
    sheet = book["projets"]
    sheet.insert_rows(1)
    sheet.cell(row=3, column=1).value = "P-100"          # replace the example identifier
    out = io.BytesIO()
    book.save(out)
    result = ingest.publish(ref_store, out.getvalue(), "projets.xlsx", kind="projets", lab_id="siilab",
                            quarter="2021-T3", actor=ADMIN)
    assert result.outcome == ingest.PUBLISHED, result.report.text()
    assert ref_store.query("SELECT project_id, title, started_on FROM project_snapshots WHERE version_id = ?",
                           [result.version_id]) == [("P-100", "Courriers administratifs en langage clair",
                                                     date(2021, 3, 15))]


def test_a_thousands_dot_in_an_integer_column_is_reported_as_a_warning(ref_store):
    # « 1.200 » participants is read as 1 200 (documented: with a warning); the integer reader dropped the
    # warning that the number reader gives, so the value changed silently.
    assert ingest.values.parse_integer("1.200")[0] == 1200 and ingest.values.parse_integer("1.200")[2]
    report = verify_text(ref_store, f"{SESSIONS_HEADER}\r\nS-1;05/07/2021;Atelier;atelier;2;1.200;\r\n")
    assert report.ok, report.text()
    (warning,) = [w for w in report.warnings if w.code == "normalised"]
    assert (warning.line, warning.column) == (2, "participants_agents")
    assert "1.200" in warning.message and "séparateur de milliers" in warning.message


def test_french_dates_with_a_midnight_time_are_dates_like_iso_ones():
    # Excel writes a date cell formatted with its time as « 31/12/2021 00:00 »; « 2021-12-31 00:00 » was
    # accepted but not the French form.
    assert ingest.values.parse_date("31/12/2021 00:00") == (date(2021, 12, 31), None, None)
    assert ingest.values.parse_date("31/12/21 00:00:00") == (date(2021, 12, 31), None, None)
    assert ingest.values.parse_date("31/12/2021 14:30")[1] is not None       # a real time is still not a date


def test_a_closed_multiline_quoted_cell_on_the_last_row_is_still_accepted(ref_store):
    text = f'{SESSIONS_HEADER}\r\nS-1;05/07/2021;"Atelier ; sur\r\ndeux lignes";atelier;2;12;\r\n'
    report = verify_text(ref_store, text)
    assert report.ok, report.text()
    assert report.row_count == 1
