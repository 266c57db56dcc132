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
