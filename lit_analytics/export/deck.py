"""Briefing decks: a 16:9 PPTX (python-pptx) and the same deck as PDF (the same slides laid out in HTML and
printed by the system Chromium), from one `Deck` description.

Slides: a cover (title, scope, date), the headline figures, one slide per chart (its title, scope, picture and
source), and a closing slide on sources and method (demo data flagged when present).
"""

from __future__ import annotations

import base64
import html
import io
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from lit_analytics.export import deck_glossary, deck_meteo, slide_text
from lit_analytics.export.images import ExportError, browser_path
from lit_analytics.formats import BLEU_FRANCE, GREY, TEXT_COLOR, WARNING

SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5
# Where a chart goes on its slide (left, top, width, height, inches): the full width between the margins. The
# chart is laid out at this size (see export/slide_charts.py), so its text is at least 14 pt on the slide.
CHART_BOX_IN = (0.5, 1.5, 12.333, 4.944)


@dataclass
class ChartSlide:
    title: str
    subtitle: str
    caption: str
    png: bytes            # the chart without its own title block, laid out for CHART_BOX_IN


@dataclass
class Deck:
    title: str
    scope: str
    date_line: str                               # e.g. "Données au 30/09/2026 — édité le 22/11/2026"
    headline: list[tuple[str, str]]              # (label, formatted value)
    charts: list[ChartSlide]
    sources: list[str]                           # closing slide, one paragraph each
    demo: bool = False
    headline_note: str = ""
    method: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)   # (title, address) of the public pages cited
    headline_changes: dict[str, str] = field(default_factory=dict)   # label → « +37 (+8,9 %) » against a year before
    comparison: str = ""                         # « Évolution par rapport à T1 2017 – T3 2025 (un an plus tôt) »
    # « Ce qui a changé en T3 2026 » (lab preset): a title and (label, value) lines, beside the headline figures
    changes_title: str = ""
    changes: list[tuple[str, str]] = field(default_factory=list)
    meteo: list[deck_meteo.MeteoSlide] = field(default_factory=list)   # the field's words, after the charts
    # « Définitions » slides after the sources: (section, term, definition), see `deck_glossary`
    glossary: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def slide_count(self) -> int:
        return 3 + len(self.charts) + len(self.meteo)

    @property
    def page_count(self) -> int:
        """Every slide, the « Définitions » ones after the numbered slides included."""
        return self.slide_count + len(deck_glossary.paginate(self.glossary))


LINKS_HEADING = "Pages publiques citées (adresse cliquable)"
FOOTER_TOP_IN = 7.05      # the footer row: deck title, demo warning, slide number
BOTTOM_IN = 7.0           # what is above the footer ends here
SOURCES_TOP_IN = 1.3      # where the text of « Sources et méthode » starts
MAX_LINKS = 12


def _shown_links(deck: Deck) -> tuple[list[tuple[str, str]], int]:
    """The links that fit on the sources slide, and how many are left out."""
    shown = slide_text.links_that_fit(LINKS_HEADING, deck.links[:MAX_LINKS], len(deck.links), _more_links_line,
                                      BOTTOM_IN - SOURCES_TOP_IN)
    return shown, len(deck.links) - len(shown)


def _more_links_line(left_out: int) -> str:
    return f"… et {left_out} autre(s) : voir la fiche de chaque laboratoire (page Laboratoires)."


DEMO_WARNING = ("Données de démonstration : les valeurs d'activité et de financement de ce document sont fictives, "
                "générées pour présenter l'outil.")


# --- PPTX ------------------------------------------------------------------------------------------

def _rgb(hex_color: str):
    from pptx.dml.color import RGBColor
    return RGBColor.from_string(hex_color.lstrip("#").upper())


def _text(slide, left, top, width, height, content, size=18, bold=False, color=TEXT_COLOR, align=None):
    """A text box of one paragraph per item of `content` (a string or a list of strings)."""
    paragraphs = content if isinstance(content, list) else [content]
    return _box(slide, left, top, width, height, [(line, size, bold, color) for line in paragraphs], align=align)


def _box(slide, left, top, width, height, paragraphs, align=None, space_after=0):
    """A text box (Arial: the same widths in every office suite) of (text, size, bold, colour) paragraphs."""
    from pptx.util import Inches, Pt
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    for i, (line, size, bold, color) in enumerate(paragraphs):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        p.text = line
        if space_after:
            p.space_after = Pt(space_after)
        if align is not None:
            p.alignment = align
        for run in p.runs:
            _font(run, size, bold, color)
    return box


def _font(run, size, bold=False, color=TEXT_COLOR):
    from pptx.util import Pt
    run.font.name = slide_text.FONT
    run.font.size, run.font.bold = Pt(size), bold
    run.font.color.rgb = _rgb(color)


def _new_slide(prs):
    """A blank slide with the blue band along its top."""
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, prs.slide_width, Inches(0.12))
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(BLEU_FRANCE)
    shape.line.fill.background()
    return slide




def _footer(slide, deck: Deck, number: int) -> None:
    _text(slide, 0.5, FOOTER_TOP_IN, 4.4, 0.35, deck.title, size=10, color=GREY)
    _text(slide, 11.8, FOOTER_TOP_IN, 1.0, 0.35, str(number), size=10, color=GREY)
    if deck.demo:   # on the footer row: the slide keeps its room down to BOTTOM_IN
        _text(slide, 5.0, FOOTER_TOP_IN, 6.6, 0.35, "Données de démonstration (fictives)", size=10, color=WARNING)


def _cover_slide(prs, deck: Deck) -> None:
    s = _new_slide(prs)
    _text(s, 0.8, 2.0, 11.7, 1.4, deck.title, size=36, bold=True, color=BLEU_FRANCE)
    _text(s, 0.8, 3.5, 11.7, 0.9, deck.scope, size=22)
    _text(s, 0.8, 4.4, 11.7, 0.6, deck.date_line, size=16, color=GREY)
    if deck.demo:
        _text(s, 0.8, 5.4, 11.7, 0.9, DEMO_WARNING, size=14, bold=True, color=WARNING)


def _headline_slide(prs, deck: Deck) -> None:
    s = _new_slide(prs)
    _text(s, 0.5, 0.35, 12.3, 0.8, "Chiffres clés", size=28, bold=True, color=BLEU_FRANCE)
    _text(s, 0.5, 1.05, 12.3, 0.5, deck.scope, size=16, color=GREY)
    notes = [line for line in (deck.comparison, deck.headline_note) if line]
    notes_width = 9.2 if deck.changes else 12.3
    notes_top = BOTTOM_IN - (slide_text.height_in([(n, 12, False) for n in notes], notes_width) if notes else 0)
    if notes:
        _text(s, 0.5, notes_top, notes_width, BOTTOM_IN - notes_top, notes, size=12, color=GREY)
    per_row = 3 if deck.changes else 4       # the lab preset keeps a column for « Ce qui a changé »
    top = 1.7
    for left, cell_top, paragraphs in slide_text.headline_cells(deck.headline, deck.headline_changes, per_row,
                                                                top, notes_top - 0.1):
        _box(s, left, cell_top, slide_text.CELL_W_IN, 0.9, paragraphs)
    if deck.changes:
        _box(s, 9.9, top, 3.2, BOTTOM_IN - top, slide_text.changes_paragraphs(
            deck.changes_title, deck.changes, 3.2, BOTTOM_IN - top), space_after=slide_text.CHANGES_GAP_PT)
    _footer(s, deck, 2)


def _chart_slide(prs, deck: Deck, chart: ChartSlide, number: int) -> None:
    from pptx.util import Inches
    s = _new_slide(prs)
    _text(s, 0.5, 0.25, 12.3, 0.7, chart.title, size=slide_text.one_line_size(chart.title, 12.3, (28, 24, 20), True),
          bold=True, color=BLEU_FRANCE)
    _text(s, 0.5, 0.95, 12.3, 0.45, chart.subtitle, size=slide_text.one_line_size(chart.subtitle, 12.3, (16, 14, 12)),
          color=GREY)
    left, top, width, height = CHART_BOX_IN
    s.shapes.add_picture(io.BytesIO(chart.png), Inches(left), Inches(top), Inches(width), Inches(height))
    caption_top = top + height + 0.01
    size = next((pt for pt in (12, 11, 10) if caption_top + slide_text.height_in([(chart.caption, pt, False)], 12.3)
                 <= BOTTOM_IN), 10)        # a two-line source stays above the footer
    _text(s, 0.5, caption_top, 12.3, BOTTOM_IN - caption_top, chart.caption, size=size, color=GREY)
    _footer(s, deck, number)


def _sources_slide(prs, deck: Deck) -> None:
    s = _new_slide(prs)
    _text(s, 0.5, 0.35, 12.3, 0.8, "Sources et méthode", size=28, bold=True, color=BLEU_FRANCE)
    paragraphs = list(deck.sources) + list(deck.method) + ([DEMO_WARNING] if deck.demo else [])
    top, room = SOURCES_TOP_IN, BOTTOM_IN - SOURCES_TOP_IN
    if not deck.links:
        _text(s, 0.5, top, 12.3, room, paragraphs, size=14)
    else:  # two columns: the text, and the public pages, each with its site's address as a hyperlink
        from pptx.util import Pt
        (text_left, text_width), (links_left, links_width) = slide_text.SOURCE_COLUMNS_IN
        size = next((pt for pt in (12, 11) if slide_text.height_in([(p, pt, False) for p in paragraphs],
                                                                    text_width, 4) <= room), 10)
        _box(s, text_left, top, text_width, room, [(p, size, False, TEXT_COLOR) for p in paragraphs], space_after=4)
        shown, left_out = _shown_links(deck)
        box = _box(s, links_left, top, links_width, room, [(LINKS_HEADING, slide_text.LINK_PT, True, TEXT_COLOR)],
                   space_after=4)
        for title, url in shown:
            p = box.text_frame.add_paragraph()
            p.space_after = Pt(4)
            for text, link in ((f"{title} — ", None), (slide_text.host(url), url)):
                run = p.add_run()
                run.text = text
                _font(run, slide_text.LINK_PT, color=BLEU_FRANCE if link else TEXT_COLOR)
                if link:   # the address alone is the link: short, so no office suite breaks it inside a word
                    run.hyperlink.address = link
                    run.font.underline = True
        if left_out:
            run = box.text_frame.add_paragraph().add_run()
            run.text = _more_links_line(left_out)
            _font(run, slide_text.LINK_PT)
    _footer(s, deck, deck.slide_count)


def _glossary_slide(prs, deck: Deck, page, number: int) -> None:
    """One slide of the glossary: section headings and « term — definition » paragraphs at 12 pt."""
    from pptx.util import Pt
    s = _new_slide(prs)
    _text(s, 0.5, 0.35, 12.3, 0.8, deck_glossary.TITLE, size=28, bold=True, color=BLEU_FRANCE)
    box = _text(s, 0.5, 1.05, 12.3, 5.6, deck_glossary.INTRO, size=12, color=GREY)
    for section, term, definition in page:
        paragraph = box.text_frame.add_paragraph()
        paragraph.space_before = Pt(6 if term is None else 2)
        parts = [(section, True, BLEU_FRANCE, 14)] if term is None else [(term, True, TEXT_COLOR, 12),
                                                                         (f" — {definition}", False, TEXT_COLOR, 12)]
        for text, bold, color, size in parts:
            run = paragraph.add_run()
            run.text = text
            run.font.size, run.font.bold = Pt(size), bold
            run.font.color.rgb = _rgb(color)
    _footer(s, deck, number)


def to_pptx(deck: Deck) -> bytes:
    """Cover, headline figures, one slide per chart, sources and method."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W_IN), Inches(SLIDE_H_IN)
    _cover_slide(prs, deck)
    _headline_slide(prs, deck)
    for number, chart in enumerate(deck.charts, start=3):
        _chart_slide(prs, deck, chart, number)
    for number, words in enumerate(deck.meteo, start=3 + len(deck.charts)):
        slide = _new_slide(prs)
        deck_meteo.pptx_slide(slide, words, _text)
        _footer(slide, deck, number)
    _sources_slide(prs, deck)
    for number, page in enumerate(deck_glossary.paginate(deck.glossary), start=deck.slide_count + 1):
        _glossary_slide(prs, deck, page, number)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# --- PDF (HTML printed by Chromium) ----------------------------------------------------------------

_CSS = f"""
@page {{ size: {SLIDE_W_IN}in {SLIDE_H_IN}in; margin: 0; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; font-family: "DejaVu Sans", Arial, sans-serif; color: {TEXT_COLOR}; }}
.slide {{ width: {SLIDE_W_IN}in; height: {SLIDE_H_IN}in; position: relative; overflow: hidden;
          page-break-after: always; padding: 0.35in 0.5in 0 0.5in; border-top: 0.12in solid {BLEU_FRANCE}; }}
.slide:last-child {{ page-break-after: auto; }}
h1 {{ color: {BLEU_FRANCE}; font-size: 36pt; margin: 1.6in 0 0.2in 0.3in; }}
h2 {{ color: {BLEU_FRANCE}; font-size: 28pt; margin: 0 0 0.05in 0; }}
.scope {{ font-size: 16pt; color: {GREY}; margin: 0 0 0.1in 0; }}
.cover-scope {{ font-size: 22pt; margin-left: 0.3in; }}
.cover-date {{ font-size: 16pt; color: {GREY}; margin-left: 0.3in; }}
.demo {{ color: {WARNING}; font-weight: bold; }}
.cover-demo {{ margin: 0.5in 0 0 0.3in; font-size: 14pt; }}
.grid {{ display: grid; grid-template-columns: repeat(4, 1fr); gap: 0.25in; margin-top: 0.4in; }}
.with-changes {{ display: flex; gap: 0.4in; }}
.with-changes .grid {{ grid-template-columns: repeat(3, 1fr); flex: 3; }}
.changes {{ flex: 1; margin-top: 0.4in; }}
.changes h3 {{ color: {BLEU_FRANCE}; font-size: 16pt; margin: 0 0 0.1in 0; }}
.changes .value {{ font-size: 16pt; }}
.changes .label {{ font-size: 14pt; margin-bottom: 0.08in; }}
.value {{ font-size: 28pt; font-weight: bold; color: {BLEU_FRANCE}; }}
.label {{ font-size: 14pt; }}
.change {{ font-size: 14pt; color: {GREY}; margin-top: 0.04in; }}
.grid + .caption {{ margin-top: 0.35in; }}
.chart {{ display: block; position: absolute; left: {CHART_BOX_IN[0]}in; top: {CHART_BOX_IN[1]}in;
          width: {CHART_BOX_IN[2]}in; height: {CHART_BOX_IN[3]}in; }}
.caption {{ font-size: 12pt; color: {GREY}; margin-top: 0.05in; }}
.chart + .caption {{ position: absolute; left: 0.5in; right: 0.5in; top: 6.45in; margin: 0; }}
.footer {{ position: absolute; bottom: 0.15in; left: 0.5in; right: 0.5in; font-size: 10pt; color: {GREY};
           display: flex; justify-content: space-between; }}
.sources p {{ font-size: 14pt; margin: 0 0 0.12in 0; }}
.sources-columns {{ display: grid; grid-template-columns: 5.3in 6.8in; gap: 0.2in; }}
.sources-columns p {{ font-size: 12pt; }}
.sources ul {{ font-size: 12pt; margin: 0; padding-left: 0.2in; }}
.sources li {{ margin-bottom: 4pt; }}
.sources a {{ color: {BLEU_FRANCE}; }}
.glossary h3 {{ color: {BLEU_FRANCE}; font-size: 14pt; margin: 0.08in 0 0.02in 0; }}
.glossary p {{ font-size: 12pt; margin: 0 0 0.03in 0; }}
"""


def to_html(deck: Deck) -> str:
    e = html.escape
    parts = [f"<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>{e(deck.title)}</title>"
             f"<style>{_CSS}{deck_meteo.CSS}</style></head><body>"]

    def footer(n):
        demo = "<span class='demo'>Données de démonstration (fictives)</span>" if deck.demo else ""
        return f"<div class='footer'><span>{e(deck.title)}</span>{demo}<span>{n}</span></div>"

    demo = f"<p class='demo cover-demo'>{e(DEMO_WARNING)}</p>" if deck.demo else ""
    parts.append(f"<section class='slide'><h1>{e(deck.title)}</h1><p class='cover-scope'>{e(deck.scope)}</p>"
                 f"<p class='cover-date'>{e(deck.date_line)}</p>{demo}</section>")
    def change(k):
        return f"<div class='change'>{e(deck.headline_changes[k])}</div>" if deck.headline_changes.get(k) else ""
    cells = "".join(f"<div><div class='value'>{e(v)}</div><div class='label'>{e(k)}</div>{change(k)}</div>"
                    for k, v in deck.headline)
    note = "".join(f"<p class='caption'>{e(line)}</p>" for line in (deck.comparison, deck.headline_note) if line)
    grid = f"<div class='grid'>{cells}</div>"
    if deck.changes:
        lines = "".join(f"<div class='value'>{e(v)}</div><div class='label'>{e(k)}</div>" for k, v in deck.changes)
        grid = (f"<div class='with-changes'>{grid}<div class='changes'><h3>{e(deck.changes_title)}</h3>{lines}</div>"
                "</div>")
    parts.append(f"<section class='slide'><h2>Chiffres clés</h2><p class='scope'>{e(deck.scope)}</p>"
                 f"{grid}{note}{footer(2)}</section>")
    for n, chart in enumerate(deck.charts, start=3):
        picture = f"<img class='chart' alt='' src='data:image/png;base64,{base64.b64encode(chart.png).decode()}'>"
        parts.append(f"<section class='slide'><h2>{e(chart.title)}</h2><p class='scope'>{e(chart.subtitle)}</p>"
                     f"{picture}<p class='caption'>{e(chart.caption)}</p>{footer(n)}</section>")
    for n, words in enumerate(deck.meteo, start=3 + len(deck.charts)):
        parts.append(f"<section class='slide'>{deck_meteo.html_slide(words)}{footer(n)}</section>")
    paragraphs = list(deck.sources) + list(deck.method)
    body = "".join(f"<p>{e(p)}</p>" for p in paragraphs)
    if deck.demo:
        body += f"<p class='demo'>{e(DEMO_WARNING)}</p>"
    if deck.links:
        shown, left_out = _shown_links(deck)
        items = "".join(f"<li>{e(title)} — <a href='{e(url, quote=True)}'>{e(slide_text.host(url))}</a></li>"
                        for title, url in shown)
        items += f"<li>{e(_more_links_line(left_out))}</li>" if left_out else ""
        body = (f"<div class='sources-columns'><div>{body}</div>"
                f"<div><p><strong>{e(LINKS_HEADING)}</strong></p><ul>{items}</ul></div></div>")
    parts.append(f"<section class='slide sources'><h2>Sources et méthode</h2>{body}{footer(deck.slide_count)}"
                 "</section>")
    for n, page in enumerate(deck_glossary.paginate(deck.glossary), start=deck.slide_count + 1):
        lines = "".join(f"<h3>{e(section)}</h3>" if term is None else f"<p><strong>{e(term)}</strong> — {e(text)}</p>"
                        for section, term, text in page)
        parts.append(f"<section class='slide glossary'><h2>{e(deck_glossary.TITLE)}</h2><p class='caption'>"
                     f"{e(deck_glossary.INTRO)}</p>{lines}{footer(n)}</section>")
    return "".join(parts) + "</body></html>"


def to_pdf(deck: Deck, timeout: float = 120) -> bytes:
    """The deck as PDF: its HTML version printed by headless Chromium (no network, no extra software)."""
    browser = browser_path()
    if not browser:
        raise ExportError("Chromium est introuvable : installez le paquet « chromium » pour produire le PDF.")
    with tempfile.TemporaryDirectory(prefix="lit-deck-") as tmp:
        page, out, profile = Path(tmp) / "deck.html", Path(tmp) / "deck.pdf", Path(tmp) / "profile"
        page.write_text(to_html(deck), encoding="utf-8")
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
               "--no-pdf-header-footer", f"--user-data-dir={profile}", f"--print-to-pdf={out}", page.as_uri()]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False,
                           env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired as exc:
            raise ExportError("La production du PDF a dépassé le délai imparti.") from exc
        if not out.exists() or out.stat().st_size == 0:
            raise ExportError("Chromium n'a pas produit le PDF.")
        return out.read_bytes()


__all__ = ["ChartSlide", "Deck", "to_pptx", "to_html", "to_pdf"]
