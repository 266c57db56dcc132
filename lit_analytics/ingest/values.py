"""One reader per value format, forgiving of French spreadsheet habits and strict about meaning.

Each parser takes the cell's text (already stripped, never empty) and returns `(value, error, warning)`:
`error` is a French message saying what is wrong and what is expected (the value is then None), `warning` a
French note when the value was accepted after normalisation. They are pure and memoised per column by the
validator, so a 100 000-row file costs one call per distinct value.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date

from lit_analytics.formats import NBSP, NNBSP, fmt_number, unneutralise

Parsed = tuple[object, str | None, str | None]

_SPACES = str.maketrans("", "", f" {NBSP}{NNBSP}\u2009\u2007'")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_PLAIN = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_GROUPED_DOT_COMMA = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d*$")     # 1.234,5
_GROUPED_COMMA_DOT = re.compile(r"^[+-]?\d{1,3}(,\d{3})+\.\d*$")     # 1,234.5 (English)

NUMBER_HINT = "un nombre comme 1 234,5 (virgule décimale, € facultatif)"


def parse_number(text: str) -> Parsed:
    """`1 234,5`, `1 234,5 €`, `1.234,5`, `1234.5`, `1.234` (thousands) → float; never an infinite one (a
    400-digit number overflows to `inf`, which no column may hold)."""
    value, error, warning = _parse_number(text)
    if error is None and not math.isfinite(value):
        shown = text if len(text) <= 40 else text[:40] + "…"
        return None, f"« {shown} » est un nombre trop grand pour être lu : attendu {NUMBER_HINT}.", None
    return value, error, warning


def _parse_number(text: str) -> Parsed:
    cleaned = text.replace("€", "").replace("EUR", "").replace("\u2212", "-").translate(_SPACES)
    if _PLAIN.match(cleaned):
        if cleaned.count(".") == 1 and _THOUSANDS_DOT.match(cleaned):
            value = float(cleaned.replace(".", ""))   # French thousands dot: 1.500 = 1 500
            return value, None, f"« {text} » lu comme {fmt_plain(value)} (point pris pour séparateur de milliers)"
        return float(cleaned.replace(",", ".")), None, None
    if _THOUSANDS_DOT.match(cleaned):
        return float(cleaned.replace(".", "")), None, None
    if _GROUPED_DOT_COMMA.match(cleaned):
        return float(cleaned.replace(".", "").replace(",", ".")), None, None
    if _GROUPED_COMMA_DOT.match(cleaned):
        return float(cleaned.replace(",", "")), None, None
    if text.startswith("="):
        return None, f"« {text} » est une formule, qui n'est pas calculée : attendu sa valeur, {NUMBER_HINT}.", None
    return None, f"« {text} » n'est pas un nombre : attendu {NUMBER_HINT}.", None


def parse_integer(text: str) -> Parsed:
    value, error, warning = parse_number(text)
    if error:
        return None, f"« {text} » n'est pas un nombre entier : attendu un entier, par exemple 12.", None
    if not float(value).is_integer():
        return None, f"« {text} » n'est pas un nombre entier : attendu un entier, par exemple 12.", None
    return int(value), None, warning   # keep the note on a thousands dot (« 1.200 » → 1 200)


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?: 00:00(?::00)?)?$")  # Excel: « 31/12/2021 00:00 »
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
DATE_HINT = "une date JJ/MM/AAAA, par exemple 31/12/2021"


def parse_date(text: str) -> Parsed:
    """`31/12/2021`, `31/12/21`, `2021-12-31` (also `31.12.2021`, `31-12-2021`) → date."""
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            year += 2000
    else:
        match = _ISO.match(text)
        if not match:
            return None, f"« {text} » n'est pas une date : attendu {DATE_HINT}.", None
        year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day), None, None
    except ValueError:
        return None, f"« {text} » n'est pas une date qui existe : attendu {DATE_HINT}.", None


def fold(text: str) -> str:
    """Case, accents and repeated spaces do not matter when matching a list value."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().replace("’", "'").split())


def enum_parser(allowed: tuple[str, ...], what: str):
    """A parser accepting exactly one of `allowed`, in any case or accentuation (normalised with a warning)."""
    folded = {fold(v): v for v in allowed}
    listing = " ; ".join(allowed)

    def parse(text: str) -> Parsed:
        if text in allowed:
            return text, None, None
        canonical = folded.get(fold(text))
        if canonical is not None:
            return canonical, None, f"« {text} » lu comme « {canonical} »"
        return None, f"« {text} » n'est pas {what} : attendu l'une des valeurs {listing}.", None
    return parse


def list_parser(allowed: tuple[str, ...], what: str):
    """A comma-separated list of allowed values (`collectivité, usagers`), stored in the list's order."""
    one = enum_parser(allowed, what)

    def parse(text: str) -> Parsed:
        items, notes = [], []
        for part in re.split(r"[,;]", text):
            part = part.strip()
            if not part:
                continue
            value, error, warning = one(part)
            if error:
                return None, error, None
            if warning:
                notes.append(warning)
            if value not in items:
                items.append(value)
        items.sort(key=allowed.index)
        return (", ".join(items) or None), None, ("; ".join(notes) or None)
    return parse


def parse_text(text: str) -> Parsed:
    """Text is stored as received: `=1+2`, `+33…`, `-x`, `@x` stay text, never interpreted. The apostrophe the app
    puts before such a text in the CSV files it writes (`formats.neutralise`) is its own marker: a pre-filled
    template sent back gives the same text, not `'=1+2`."""
    return unneutralise(text), None, None


def fmt_plain(value: float) -> str:
    """A number as the message shows it (French)."""
    return fmt_number(value, 0 if float(value).is_integer() else 2)
