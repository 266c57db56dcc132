"""French formats, quarters and colours: the one place for each.

Numbers: narrow no-break space for thousands, decimal comma, `€` after (`1 234 567,8 €`).
Dates: `31/12/2021`. Quarters: stored as `2021-T3` (sorts as text), shown as `T3 2021`.
CSV for French Excel: `;`, UTF-8 with BOM, decimal comma, dates `31/12/2021`, formulas neutralised (`to_csv`).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pandas as pd

NNBSP = "\u202f"  # narrow no-break space, the French thousands separator
NBSP = "\u00a0"

# --- numbers ---------------------------------------------------------------------------------


def fmt_number(value, decimals: int = 0) -> str:
    """`1234567.8` → `1 234 567,8` (narrow no-break spaces). Empty for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        if value != value:  # pandas NA / NaN
            return ""
    except TypeError:
        return ""
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", NNBSP).replace(".", ",")


def fmt_int(value) -> str:
    return fmt_number(value, 0)


def fmt_eur(value, decimals: int = 0) -> str:
    """`1234567` → `1 234 567 €`."""
    text = fmt_number(value, decimals)
    return f"{text}{NBSP}€" if text else ""


def fmt_date(value) -> str:
    """A date → `31/12/2021`. Empty for missing values."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    try:
        return value.strftime("%d/%m/%Y")
    except (AttributeError, ValueError):
        return ""


# --- quarters --------------------------------------------------------------------------------

_QUARTER_PATTERNS = [
    re.compile(r"^\s*(?P<y>\d{4})\s*-?\s*[TQ](?P<q>[1-4])\s*$", re.IGNORECASE),  # 2021-T3, 2021Q3
    re.compile(r"^\s*[TQ](?P<q>[1-4])\s*[-/ ]?\s*(?P<y>\d{4})\s*$", re.IGNORECASE),  # T3 2021
]


def parse_quarter(text: str) -> str:
    """Accept `2021-T3`, `T3 2021`, `2021Q3` (any case); return the stored form `2021-T3`."""
    for pattern in _QUARTER_PATTERNS:
        match = pattern.match(str(text))
        if match:
            return f"{int(match.group('y')):04d}-T{match.group('q')}"
    raise ValueError(f"Trimestre non reconnu : « {text} » (attendu par exemple « T3 2021 » ou « 2021-T3 »).")


def parse_day(text: str) -> date | None:
    """`18/11/2016` (French) or `2016-11-18` (ISO) → a date; None when the text is neither (the caller says so in
    French, naming its field)."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(str(text).strip(), pattern).date()
        except ValueError:
            continue
    return None


def fmt_quarter(quarter: str) -> str:
    """`2021-T3` → `T3 2021`."""
    if not quarter:
        return ""
    year, q = quarter.split("-T")
    return f"T{q} {year}"


def quarter_of(day: date) -> str:
    return f"{day.year:04d}-T{(day.month - 1) // 3 + 1}"


def quarter_start(quarter: str) -> date:
    year, q = quarter.split("-T")
    return date(int(year), 3 * (int(q) - 1) + 1, 1)


def quarter_end(quarter: str) -> date:
    return next_quarter_start(quarter) - timedelta(days=1)


def next_quarter_start(quarter: str) -> date:
    year, q = (int(x) for x in quarter.split("-T"))
    return date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)


def shift_quarter(quarter: str, n: int) -> str:
    year, q = (int(x) for x in quarter.split("-T"))
    index = year * 4 + (q - 1) + n
    return f"{index // 4:04d}-T{index % 4 + 1}"


def quarter_range(first: str, last: str) -> list[str]:
    out, q = [], first
    while q <= last:
        out.append(q)
        q = shift_quarter(q, 1)
    return out


def last_complete_quarter(today: date | None = None) -> str:
    today = today or date.today()
    return shift_quarter(quarter_of(today), -1)


def fmt_datetime(value: datetime) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if value and value == value else ""   # NaT != NaT


# --- colours (State design system, DSFR) -----------------------------------------------------

BLEU_FRANCE = "#000091"
ROUGE_MARIANNE = "#E1000F"
SUCCESS = "#18753C"
WARNING = "#B34000"
ERROR = "#CE0500"
GREY = "#666666"
TEXT_COLOR = "#161616"

# Funding sources keep the same colour on every chart. Okabe-Ito based, colour-blind safe,
# each at least 3:1 against white.
FUNDING_COLORS = {
    "PIA": "#000091",      # bleu France
    "FTAP": "#D55E00",     # vermilion
    "relance": "#009E73",  # bluish green
    "autre": "#6A6A6A",    # grey
}

# Ordered categorical palette for other series (colour-blind safe, ≥ 3:1 on white).
CATEGORICAL = ["#000091", "#D55E00", "#009E73", "#CC79A7", "#0072B2", "#8F6A00", "#6A6A6A", "#56267A"]


def source_caption(source: str, data_date: date | None) -> str:
    """`Source : … — données au 30/09/2021`."""
    if data_date is None:
        return f"Source : {source}"
    return f"Source : {source} — données au {fmt_date(data_date)}"


# --- CSV for French Excel --------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text that would start a formula gets a leading apostrophe; other values are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unneutralise(text: str) -> str:
    """The inverse of `neutralise` for a text read back from a file the app wrote: `'=A1` → `=A1` (the apostrophe
    is the app's own marker, never data), anything else unchanged."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def text_cells(book) -> None:
    """Every text cell of an openpyxl workbook stays text: a value such as `=HYPERLINK(…)` (a project title typed
    by a lab lead) is stored as a string, never as a live formula, for whoever opens the file next."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type == "f":
                    cell.data_type = "s"


def _csv_cell(value) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (datetime, pd.Timestamp)):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        text = repr(float(value)) if value != int(value) else str(int(value))
        return text.replace(".", ",")
    if isinstance(value, (int, Decimal)):
        return str(value).replace(".", ",")
    return str(neutralise(str(value)))


def to_csv(df: pd.DataFrame) -> bytes:
    """CSV for French Excel: `;` separated, UTF-8 with BOM, decimal comma, dates as 31/12/2021, no thousands
    separator (so numbers stay numbers), formulas neutralised."""
    out = pd.DataFrame({col: [_csv_cell(v) for v in df[col].tolist()] for col in df.columns}, columns=df.columns)
    header = [str(neutralise(str(c))) for c in df.columns]
    return out.to_csv(sep=";", index=False, header=header, lineterminator="\r\n").encode("utf-8-sig")


def blank_missing(df):
    """A table for the screen with no « None », « nan », « NaT » or « <NA> »: missing values become empty
    cells; numeric columns with gaps keep their numbers (integers without « .0 »), as text."""
    import pandas as pd
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if not series.isna().any():
            continue
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            whole = (series.dropna() % 1 == 0).all()
            out[col] = ["" if pd.isna(v) else (str(int(v)) if whole else fmt_number(v, 1)) for v in series]
        else:
            out[col] = ["" if v is None or (not isinstance(v, (list, tuple, dict)) and pd.isna(v)) else v
                        for v in series]
    return out


def fmt_change(now: float, before: float, *, money: bool = False) -> str:
    """A change in French: « +37 (+8,9 %) », « −1 (−7,7 %) », « +250 000 € », « stable »; the share is left
    out when the earlier value is zero."""
    diff = float(now) - float(before)
    if diff == 0:
        return "stable"
    sign = "+" if diff > 0 else "\u2212"
    amount = fmt_eur(abs(diff)) if money else fmt_number(abs(diff), 0 if float(diff).is_integer() else 1)
    if not before:
        return f"{sign}{amount}"
    return f"{sign}{amount} ({sign}{fmt_number(abs(diff) / abs(float(before)) * 100, 1)}\u00a0%)"
