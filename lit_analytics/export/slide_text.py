"""How much room a text takes on a slide, so that the deck's boxes are placed one under the other without
overlapping in any office suite.

The deck's text is set in Arial, which LibreOffice draws with Liberation Sans (same widths, « metric
compatible »): the width of a line is the sum of Arial's advance widths, and a text is broken into lines at
its spaces the way an office suite does (a word longer than the line is never broken here: keep such words,
addresses for example, short). Estimates err on the wide side (bold counts wider).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from lit_analytics.formats import BLEU_FRANCE, GREY, TEXT_COLOR

FONT = "Arial"
LINE_SPACING = 1.2        # line height, in font sizes (PowerPoint's single spacing; LibreOffice's is ≈ 1.15)
INSET_X_IN = 0.1          # python-pptx text boxes: left and right insets
INSET_Y_IN = 0.05         # top and bottom insets
POINTS_PER_INCH = 72

# Advance widths of Arial, in thousandths of the font size (the usual Latin and French characters).
_WIDTHS = {
    **dict.fromkeys("ijl'|", 222), **dict.fromkeys("ftI!.,:;/\\ ", 278), **dict.fromkeys("r()-[]`°", 333),
    **dict.fromkeys("cksvxyzJ\"*", 500), "m": 833, "w": 722, "M": 833, "W": 944, "%": 889, "—": 1000,
    **dict.fromkeys("ABEKPSVXY", 667), **dict.fromkeys("CDHNRUw", 722), **dict.fromkeys("FTZL", 611),
    **dict.fromkeys("GOQ", 778), "·": 278, "\u202f": 200, "\u00a0": 278, "…": 1000, "⚠": 1000, "✓": 800,
}
_DEFAULT_WIDTH = 556       # other lowercase letters, digits, accented letters, « », €, –
_UPPER_WIDTH = 722         # other capitals (É, À…)
_BOLD = 1.08


def text_width_pt(text: str, size_pt: float, bold: bool = False) -> float:
    """The width of `text` on one line, in points."""
    thousandths = sum(_WIDTHS.get(ch, _UPPER_WIDTH if ch.isupper() else _DEFAULT_WIDTH) for ch in text)
    return thousandths / 1000 * size_pt * (_BOLD if bold else 1.0)


def line_count(text: str, box_width_in: float, size_pt: float, bold: bool = False) -> int:
    """How many lines `text` takes in a text box `box_width_in` wide, broken at its spaces."""
    room = (box_width_in - 2 * INSET_X_IN) * POINTS_PER_INCH
    lines, current = 0, ""
    for paragraph in str(text).split("\n"):
        lines += 1
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if current and text_width_pt(candidate, size_pt, bold) > room:
                lines += 1
                current = word
            else:
                current = candidate
    return max(lines, 1)


def height_in(paragraphs: list[tuple[str, float, bool]], box_width_in: float, space_after_pt: float = 0) -> float:
    """The height of a text box holding these (text, size in points, bold) paragraphs, insets included."""
    points = sum(line_count(text, box_width_in, size, bold) * size * LINE_SPACING + space_after_pt
                 for text, size, bold in paragraphs)
    return points / POINTS_PER_INCH + 2 * INSET_Y_IN


def fits_on_one_line(text: str, box_width_in: float, size_pt: float, bold: bool = False) -> bool:
    return text_width_pt(text, size_pt, bold) <= (box_width_in - 2 * INSET_X_IN) * POINTS_PER_INCH


def one_line_size(text: str, box_width_in: float, sizes: tuple[float, ...], bold: bool = False) -> float:
    """The first (largest) of `sizes` at which `text` holds on one line; the smallest otherwise."""
    return next((size for size in sizes if fits_on_one_line(text, box_width_in, size, bold)), sizes[-1])


def host(url: str) -> str:
    """The site of an address, as a reader types it: `https://www.memento.fr/article…` → `memento.fr`."""
    name = urlsplit(url).hostname or url
    return name[4:] if name.startswith("www.") else name


# --- the deck's boxes that depend on their text ------------------------------------------------------

CELL_W_IN, CELL_STEP_IN, ROW_GAP_IN = 2.9, 3.1, 0.25      # « Chiffres clés »: a cell's width, column step, row gap
# (figure, label and change) sizes in points, largest first: the first that lets every row fit is used
HEADLINE_SIZES = ((28, 14), (24, 13), (20, 12))
CHANGES_GAP_PT = 2
SOURCE_COLUMNS_IN = ((0.5, 5.3), (6.0, 6.8))              # « Sources et méthode »: (left, width) of each column
LINK_PT = 12


def headline_cells(headline: list[tuple[str, str]], changes: dict[str, str], per_row: int, top_in: float,
                   bottom_in: float) -> list[tuple[float, float, list[tuple]]]:
    """(left, top, paragraphs) of each cell of the key figures: the figure, its label and its change in a year,
    each row as tall as its tallest cell so that a change line never runs under the next row's figure; the
    largest sizes that keep the rows above `bottom_in`."""
    for value_pt, label_pt in HEADLINE_SIZES:
        cells, top = [], top_in
        for start in range(0, len(headline), per_row):
            tallest = 0.0
            for col, (label, value) in enumerate(headline[start:start + per_row]):
                paragraphs = [(value, value_pt, True, BLEU_FRANCE), (label, label_pt, False, TEXT_COLOR)]
                if changes.get(label):
                    paragraphs.append((changes[label], label_pt, False, GREY))
                tallest = max(tallest, height_in([p[:3] for p in paragraphs], CELL_W_IN))
                cells.append((0.5 + col * CELL_STEP_IN, top, paragraphs))
            top += tallest + ROW_GAP_IN
        if top - ROW_GAP_IN <= bottom_in:
            break
    return cells


def changes_paragraphs(title: str, changes: list[tuple[str, str]], width_in: float, room_in: float) -> list[tuple]:
    """« Ce qui a changé en T3 2026 » and its (value, label) lines, in smaller sizes if they would not fit."""
    for title_pt, value_pt, label_pt in ((16, 16, 14), (14, 14, 12)):
        paragraphs = [(title, title_pt, True, BLEU_FRANCE)]
        for label, value in changes:
            paragraphs += [(value, value_pt, True, TEXT_COLOR), (label, label_pt, False, TEXT_COLOR)]
        if height_in([p[:3] for p in paragraphs], width_in, CHANGES_GAP_PT) <= room_in:
            break
    return paragraphs


def links_that_fit(heading: str, links: list[tuple[str, str]], total: int, more_line, room_in: float
                   ) -> list[tuple[str, str]]:
    """The first of `links` that fit in the links column under `heading`, with the « … and N others » line
    (`more_line(N)`) when some of the `total` are left out."""
    shown = list(links)
    while shown:
        lines = [heading] + [f"{title} — {host(url)}" for title, url in shown]
        lines += [more_line(total - len(shown))] if total > len(shown) else []
        if height_in([(line, LINK_PT, False) for line in lines], SOURCE_COLUMNS_IN[1][1], 4) <= room_in:
            break
        shown.pop()
    return shown
