"""The field's words in the decks: a « Faits marquants » slide per lab (lab and regional presets: the météo and the
three texts of the lab's latest quarter) and the « Météo des labs » table (national preset). Content from
`presentation.meteo`; drawn by `export.deck` through `pptx_slide` and `html_slide` (same boxes in both)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from lit_analytics.domain import METEO_LEVELS
from lit_analytics.filters import Filters
from lit_analytics.formats import BLEU_FRANCE, GREY, fmt_quarter
from lit_analytics.indicators import meteo as queries
from lit_analytics.presentation import meteo as words
from lit_analytics.store import Store

MAX_ROWS = 16          # lab rows of the national table on one slide (the rest is counted below it)
COLUMNS = list(words.TEXTS.values())


@dataclass
class MeteoSlide:
    title: str                                        # « Faits marquants — Siilab » or « Météo des labs »
    subtitle: str                                     # « T3 2026 · ☁ Nuage — appuis nécessaires »
    texts: list[tuple[str, str]] = field(default_factory=list)     # (heading, text): three columns
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (lab, region, météo): the national table
    note: str = words.NOT_PUBLIC


def meteo_slides(store: Store, scope_kind: str, filters: Filters) -> list[MeteoSlide]:
    """The slides of a preset: one per lab with a météo (lab, region), the table (national), none otherwise."""
    quarters = queries.meteo_quarters(store, filters)
    if not quarters or scope_kind not in ("lab", "region", "national"):
        return []
    quarter = quarters[0]
    table = queries.meteo_table(store, filters, quarter)
    if scope_kind == "national":
        table = table.assign(rank=[words.level_rank(c) for c in table["level"]]).sort_values(["rank", "lab_name"])
        rows = [(lab, region if isinstance(region, str) else "", words.level_text(level, symbol=False))
                for lab, region, level in zip(table["lab_name"], table["region"], table["level"])]
        counts = table["level"].map(lambda c: words.level_text(c, symbol=False)).value_counts()
        summary = " · ".join(f"{name.split(' — ')[0]} : {counts[name]}" for name in
                             [words.level_text(c, symbol=False) for c in METEO_LEVELS] + [words.NOT_GIVEN]
                             if name in counts)
        left_out = max(0, len(rows) - MAX_ROWS)
        note = (f"… et {left_out} autre(s) laboratoire(s) : voir le tableau de bord. " if left_out else "")
        return [MeteoSlide(words.TITLE, f"{fmt_quarter(quarter)} · {summary}", rows=rows[:MAX_ROWS],
                           note=note + words.NOT_PUBLIC)]
    given = table[table["level"].notna()]
    return [MeteoSlide(f"Faits marquants — {lab}", f"{fmt_quarter(quarter)} · Météo : "
                                                   f"{words.level_text(level, symbol=False)}",
                       texts=[(COLUMNS[0], hi), (COLUMNS[1], di), (COLUMNS[2], su)])
            for lab, level, hi, di, su in zip(given["lab_name"], given["level"], given["highlights"],
                                              given["difficulties"], given["support_needs"])]


def meteo_slide_count(store: Store, scope_kind: str, filters: Filters) -> int:
    """How many slides of the field's words a preset's deck has (the note page announces the slide count)."""
    return len(meteo_slides(store, scope_kind, filters))


def pptx_slide(slide, m: MeteoSlide, text) -> None:
    """Draw on a blank slide; `text` is the deck's text-box helper (`deck._text`)."""
    from pptx.util import Inches, Pt
    text(slide, 0.5, 0.25, 12.3, 0.7, m.title, size=28, bold=True, color=BLEU_FRANCE)
    text(slide, 0.5, 0.95, 12.3, 0.45, m.subtitle, size=16, color=GREY)
    for n, (heading, body) in enumerate(m.texts):
        text(slide, 0.5 + n * 4.15, 1.6, 3.95, 0.45, heading, size=16, bold=True, color=BLEU_FRANCE)
        text(slide, 0.5 + n * 4.15, 2.1, 3.95, 4.1, body, size=12)
    if m.rows:
        shape = slide.shapes.add_table(len(m.rows) + 1, 3, Inches(0.5), Inches(1.55), Inches(12.3),
                                       Inches(0.26 * (len(m.rows) + 1)))
        table = shape.table
        for col, width in enumerate((6.0, 3.3, 3.0)):
            table.columns[col].width = Inches(width)
        for r, values in enumerate([("Laboratoire", "Région", "Météo"), *m.rows]):
            for col, value in enumerate(values):
                cell = table.cell(r, col)
                cell.text = value
                cell.margin_top = cell.margin_bottom = Inches(0.02)
                for p in cell.text_frame.paragraphs:
                    for run in p.runs:
                        run.font.size, run.font.bold = Pt(11), r == 0
    text(slide, 0.5, 6.3, 12.3, 0.4, m.note, size=10, color=GREY)


def html_slide(m: MeteoSlide) -> str:
    """The slide's body in the deck's HTML (printed to PDF)."""
    e = html.escape
    body = ""
    if m.texts:
        body = "<div class='meteo-texts'>" + "".join(
            f"<div><h3>{e(h)}</h3><p>{e(t)}</p></div>" for h, t in m.texts) + "</div>"
    if m.rows:
        lines = "".join(f"<tr><td>{e(a)}</td><td>{e(b)}</td><td>{e(c)}</td></tr>" for a, b, c in m.rows)
        body += ("<table class='meteo-table'><thead><tr><th>Laboratoire</th><th>Région</th><th>Météo</th></tr>"
                 f"</thead><tbody>{lines}</tbody></table>")
    return (f"<h2>{e(m.title)}</h2><p class='scope'>{e(m.subtitle)}</p>{body}"
            f"<p class='caption meteo-note'>{e(m.note)}</p>")


CSS = f"""
.meteo-texts {{ display: grid; grid-template-columns: repeat(3, 3.95in); gap: 0.2in; margin-top: 0.2in; }}
.meteo-texts h3 {{ color: {BLEU_FRANCE}; font-size: 16pt; margin: 0 0 0.08in 0; }}
.meteo-texts p {{ font-size: 12pt; margin: 0; }}
.meteo-table {{ border-collapse: collapse; width: 12.3in; margin-top: 0.1in; font-size: 11pt; }}
.meteo-table th, .meteo-table td {{ text-align: left; padding: 0.02in 0.08in; border-bottom: 1px solid #ddd; }}
.meteo-note {{ position: absolute; left: 0.5in; right: 0.5in; top: 6.3in; font-size: 10pt; }}
"""
