"""Regressions found by reviewing the app as its users would (a lab lead's French spreadsheets, an analyst's
searches): each test failed before its fix."""

import io
from datetime import date

from openpyxl import load_workbook

from ingest_helpers import ADMIN, ref_db_path, ref_store  # noqa: F401
from lit_analytics import indicators, ingest
from lit_analytics.ingest import values as V
from lit_analytics.ingest.templates import template_xlsx

SESSIONS_HEADER = "id_session;date;intitule;format;duree_heures;participants_agents;participants_autres"


def verify(store, text: str, kind="sessions", name="rapport.csv"):
    return ingest.verify(store, text.encode("cp1252") if isinstance(text, str) else text, name, kind=kind,
                         lab_id="siilab", quarter="2021-T3", actor=ADMIN)


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
    assert V.parse_integer("1.200")[0] == 1200 and V.parse_integer("1.200")[2]
    report = verify(ref_store, f"{SESSIONS_HEADER}\r\nS-1;05/07/2021;Atelier;atelier;2;1.200;\r\n")
    assert report.ok, report.text()
    (warning,) = [w for w in report.warnings if w.code == "normalised"]
    assert (warning.line, warning.column) == (2, "participants_agents")
    assert "1.200" in warning.message and "séparateur de milliers" in warning.message


def test_french_dates_with_a_midnight_time_are_dates_like_iso_ones():
    # Excel writes a date cell formatted with its time as « 31/12/2021 00:00 »; « 2021-12-31 00:00 » was
    # accepted but not the French form.
    assert V.parse_date("31/12/2021 00:00") == (date(2021, 12, 31), None, None)
    assert V.parse_date("31/12/21 00:00:00") == (date(2021, 12, 31), None, None)
    assert V.parse_date("31/12/2021 14:30")[1] is not None       # a real time is still not a date


def test_an_opening_quote_never_closed_is_an_error_naming_its_line_not_silently_lost_rows(ref_store):
    # An opening quote without its closing one swallowed every following line into one cell: the rows
    # after it vanished and the errors spoke of missing values in unrelated columns.
    text = (f"{SESSIONS_HEADER}\r\nS-1;05/07/2021;Atelier;atelier;2;12;\r\n"
            'S-2;06/07/2021;"Atelier mal fermé;atelier;2;12;\r\n'
            "S-3;07/07/2021;Webinaire;webinaire;1;30;\r\n")
    report = verify(ref_store, text)
    assert not report.ok
    (error,) = report.errors
    assert (error.line, error.code) == (3, "unreadable")
    assert "guillemet" in error.message and "colonne n° 3" in error.message


def test_a_closed_multiline_quoted_cell_on_the_last_row_is_still_accepted(ref_store):
    text = f'{SESSIONS_HEADER}\r\nS-1;05/07/2021;"Atelier ; sur\r\ndeux lignes";atelier;2;12;\r\n'
    report = verify(ref_store, text)
    assert report.ok, report.text()
    assert report.row_count == 1


def test_lab_search_ignores_accents_and_treats_percent_and_underscore_as_text(demo_store):
    # « ile-de-france » (no circumflex, as typed on most keyboards) found nothing; « % » or « _ » found
    # every lab (SQL wildcards).
    assert "fabrique-rh" in set(indicators.lab_directory(demo_store, search="ile-de-france")["lab_id"])
    assert "etat-lin" in set(indicators.lab_directory(demo_store, search="ÉTAT'LIN")["lab_id"])
    assert indicators.lab_directory(demo_store, search="%").empty
    assert indicators.lab_directory(demo_store, search="_").empty
    assert list(indicators.lab_directory(demo_store, search="rennes")["lab_id"]) == ["ti-lab"]
