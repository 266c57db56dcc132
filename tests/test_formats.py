"""French formats: numbers, money, dates and quarters."""

from datetime import date

import pytest

from lit_analytics import formats as f


def test_numbers_and_money_use_narrow_spaces_and_decimal_commas():
    assert f.fmt_int(1234567) == "1\u202f234\u202f567"
    assert f.fmt_number(1234.5, 1) == "1\u202f234,5"
    assert f.fmt_eur(1234567.8, 1) == "1\u202f234\u202f567,8\u00a0€"
    assert f.fmt_eur(None) == "" and f.fmt_int(float("nan")) == ""


def test_dates_and_quarters():
    assert f.fmt_date(date(2021, 12, 31)) == "31/12/2021"
    assert f.fmt_quarter("2021-T3") == "T3 2021"
    for text in ("2021-T3", "T3 2021", "2021Q3", "t3 2021", " 2021-t3 "):
        assert f.parse_quarter(text) == "2021-T3"
    with pytest.raises(ValueError, match="Trimestre non reconnu"):
        f.parse_quarter("2021-T5")
    assert f.quarter_of(date(2021, 9, 30)) == "2021-T3"
    assert f.quarter_start("2021-T3") == date(2021, 7, 1)
    assert f.quarter_end("2021-T4") == date(2021, 12, 31)
    assert f.shift_quarter("2021-T4", 1) == "2022-T1" and f.shift_quarter("2021-T1", -1) == "2020-T4"
    assert f.quarter_range("2020-T3", "2021-T2") == ["2020-T3", "2020-T4", "2021-T1", "2021-T2"]
    assert f.last_complete_quarter(date(2026, 11, 22)) == "2026-T3"
    assert f.last_complete_quarter(date(2026, 1, 1)) == "2025-T4"


def test_source_caption():
    assert f.source_caption("DITP", date(2021, 9, 30)) == "Source : DITP — données au 30/09/2021"


def test_screen_tables_never_show_none_nan_or_nat():
    """A rejected upload has no version: its history line shows an empty cell, not « None » (issue 14)."""
    from datetime import datetime

    import pandas as pd

    from lit_analytics.presentation.screen_tables import display_table
    from lit_analytics.formats import blank_missing
    from lit_analytics.ingest.display import history_frame

    history = pd.DataFrame({
        "import_id": [2, 1], "received_at": [datetime(2026, 10, 2, 9, 30), pd.NaT],
        "user_email": ["a@b.fr", None], "kind": ["projets", "projets"], "lab_id": ["archipel", None],
        "quarter": ["2026-T3", None], "file_name": ["p.csv", "q.csv"], "row_count": [12, None],
        "outcome": ["publié", "refusé"], "error_count": [0, 3], "version_id": [7, None],
        "is_current": [True, False], "detail": [None, "3 erreurs"]})
    shown = history_frame(history, {"archipel": "Archipel"})
    cells = {str(v) for v in shown.to_numpy().ravel()}
    assert not cells & {"None", "nan", "NaN", "NaT", "<NA>", "7.0", "12.0"}
    assert list(shown["Version"]) == ["7", ""] and list(shown["Lignes"]) == ["12", ""]
    mixed = pd.DataFrame({"Année": [2021.0, None], "Montant (€)": [1.5, None], "Texte": [None, "x"],
                          "Date": [pd.NaT, datetime(2021, 1, 1)]})
    for table in (display_table(mixed), blank_missing(mixed)):
        assert not {str(v) for v in table.to_numpy().ravel()} & {"None", "nan", "NaN", "NaT", "<NA>"}


def test_changes_are_written_the_french_way():
    from lit_analytics.formats import fmt_change
    assert fmt_change(453, 416) == "+37 (+8,9\u00a0%)"
    assert fmt_change(12, 13) == "\u22121 (\u22127,7\u00a0%)"
    assert fmt_change(8_165_000, 7_915_000, money=True) == "+250\u202f000\u00a0€ (+3,2\u00a0%)"
    assert fmt_change(5, 0) == "+5" and fmt_change(3, 3) == "stable"
