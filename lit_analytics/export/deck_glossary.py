"""The « Définitions » slides closing a deck: the glossary (`lit_analytics.glossary`) cut into slides that each hold
what fits at 12 pt in the text area, so no text runs over the footer or another text, in PowerPoint, LibreOffice or
the PDF. `deck` draws them; this module only decides what goes on which slide.

    for page in paginate(items):        # items: (section, term, definition)
        for section, term, definition in page: ...   # term None: a section heading (« Graphiques », « … (suite) »)
"""

from __future__ import annotations

import math

TITLE = "Définitions"
INTRO = ("Toutes les définitions, avec chaque colonne des fichiers d'échange : page « Définitions » du tableau de "
         "bord.")
CHARS_PER_LINE = 125      # 12 pt Arial/DejaVu on the 12.3 in text area holds ~145: a margin for wider letters
LINES_PER_SLIDE = 22      # the text area (5.2 in) holds ~26 lines of 12 pt: room left for paragraph spacing
HEADING_LINES = 1.6


def _lines(term: str, definition: str) -> float:
    return math.ceil((len(term) + 3 + len(definition)) / CHARS_PER_LINE) + 0.3


def paginate(items: list[tuple[str, str, str]]) -> list[list[tuple[str, str | None, str]]]:
    """The glossary's slides: each a list of (section, None, "") headings and (section, term, definition) entries;
    a section continued on the next slide is headed again « … (suite) »."""
    pages: list[list[tuple[str, str | None, str]]] = []
    page: list[tuple[str, str | None, str]] = []
    used, current = 0.0, None
    for section, term, definition in items:
        need = _lines(term, definition) + (HEADING_LINES if section != current else 0)
        if page and used + need > LINES_PER_SLIDE:
            pages.append(page)
            page, used = [], 0.0
            if section == current:
                page.append((f"{section} (suite)", None, ""))
                used += HEADING_LINES
        if section != current:
            page.append((section, None, ""))
            used += HEADING_LINES
            current = section
        page.append((section, term, definition))
        used += _lines(term, definition)
    if page:
        pages.append(page)
    return pages
