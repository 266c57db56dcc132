"""Decks as a reader sees them (issue 22, point 7): each preset's PPTX (national, a region, a lab) converted to
PDF by LibreOffice Impress — the office suite State services use — and read back with `pdftotext -bbox-layout`
(poppler-utils): no text of a page overlaps another, no word is broken, no text lies on a chart's picture, the
links of « Sources et méthode » stay clickable and whole. Generic over every page, so slides added later are
checked too. One LibreOffice run converts the three decks (CPU is scarce)."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from conftest import ARTIFACTS
from lit_analytics import catalogue
from lit_analytics.export import briefing, deck, images, slide_charts, slide_text
from support.pdf_words import Page, overlapping_words, pages

pytestmark = pytest.mark.xdist_group("libreoffice")

PRESETS = {"national": "national", "region": "region:53", "lab": "lab:siilab"}
EMU_PER_PT = 12700


@pytest.fixture(scope="module")
def decks(demo_store, tmp_path_factory) -> dict[str, tuple[Presentation, list[Page], Path]]:
    """preset → (the PPTX, the pages of LibreOffice's PDF, the PDF), all converted by one LibreOffice run with a
    throwaway profile: the product's own converter (`export.office`, what subscriptions send)."""
    from lit_analytics.export import office
    assert shutil.which("pdftotext"), "pdftotext manque : lancez ./scripts/setup.sh --tests (poppler-utils)"
    assert office.soffice(), "LibreOffice manque : lancez ./scripts/setup.sh --tests (paquet libreoffice-impress)"
    tmp = tmp_path_factory.mktemp("libreoffice")
    for name, preset in PRESETS.items():
        scope = briefing.parse_preset(demo_store, preset)
        (tmp / f"{name}.pptx").write_bytes(briefing.deck_pptx(demo_store, scope, today=date(2026, 11, 22)))
    converted = office.pptx_to_pdf_many({name: (tmp / f"{name}.pptx").read_bytes() for name in PRESETS}, timeout=600)
    ARTIFACTS.mkdir(exist_ok=True)
    out = {}
    for name in PRESETS:
        assert isinstance(converted[name], bytes), converted[name]
        pdf = tmp / f"{name}.pdf"
        pdf.write_bytes(converted[name])
        shutil.copy(pdf, ARTIFACTS / f"diaporama-libreoffice-{name}.pdf")     # to look at
        out[name] = (Presentation(str(tmp / f"{name}.pptx")), pages(pdf), pdf)
    return out


@pytest.mark.parametrize("preset", list(PRESETS))
def test_no_text_of_a_page_overlaps_another(decks, preset):
    prs, pdf_pages, _ = decks[preset]
    assert len(pdf_pages) == len(prs.slides) > 3
    overlaps = {page.number: [(a.text, b.text) for a, b in overlapping_words(page)] for page in pdf_pages}
    assert {n: pairs for n, pairs in overlaps.items() if pairs} == {}


@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_word_of_a_slide_is_whole_on_its_page(decks, preset):
    """A word of the PPTX that LibreOffice broke across two lines (as it did inside links) is missing from the
    page's words; a line break after a hyphen (« ci- / dessous ») is fine."""
    prs, pdf_pages, _ = decks[preset]
    for slide, page in zip(prs.slides, pdf_pages):
        on_page = {w.text for w in page.words}
        text = " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
        missing = Counter(text.split()) - Counter(w.text for w in page.words)
        broken = [word for word in missing
                  if not all(part in on_page for part in re.findall(r"[^-]+-|[^-]+$", word))]
        assert broken == [], f"page {page.number}"


@pytest.mark.parametrize("preset", list(PRESETS))
def test_no_text_lies_on_a_picture_or_off_the_page(decks, preset):
    prs, pdf_pages, _ = decks[preset]
    for slide, page in zip(prs.slides, pdf_pages):
        pictures = [(s.left / EMU_PER_PT, s.top / EMU_PER_PT, (s.left + s.width) / EMU_PER_PT,
                     (s.top + s.height) / EMU_PER_PT) for s in slide.shapes if s.shape_type == 13]
        for w in page.words:
            assert 0 <= w.x0 and w.x1 <= page.width and 0 <= w.y0 and w.y1 <= page.height, (page.number, w)
            for x0, y0, x1, y1 in pictures:
                inside = min(w.x1, x1) - max(w.x0, x0) > 0.5 and min(w.y1, y1) - max(w.y0, y0) > 2
                assert not inside, f"page {page.number}: « {w.text} » est écrit sur l'image du graphique"


def test_the_footer_row_is_below_everything_else(decks):
    """The map slide's two-line source stays above the « Données de démonstration » footer."""
    _, pdf_pages, _ = decks["national"]
    for page in pdf_pages[1:]:
        footer = [w for w in page.words if w.y0 >= deck.FOOTER_TOP_IN * 72]
        assert {"démonstration", "(fictives)"} <= {w.text for w in footer}, page.number
        body = [w for w in page.words if w.y0 < deck.FOOTER_TOP_IN * 72]
        assert max(w.y1 for w in body) <= min(w.y0 for w in footer), page.number
    map_page = next(p for p in pdf_pages if "Laboratoires par région" in p.text)
    chart_bottom = (deck.CHART_BOX_IN[1] + deck.CHART_BOX_IN[3]) * 72
    source = [w for w in map_page.words if chart_bottom - 2 < w.y0 < deck.FOOTER_TOP_IN * 72]
    assert len({round(w.y0) for w in source}) == 2 and "(lauréats" in {w.text for w in source}


def test_a_labs_deck_opens_with_its_state_and_its_rows_apart(decks):
    _, pdf_pages, _ = decks["lab"]
    figures = pdf_pages[1]
    assert "Laboratoires financés" not in figures.text and "Laboratoires actifs" not in figures.text
    assert "Ouvert" in figures.text and "depuis le" in figures.text and "Lauréats 2016" in figures.text
    # each change line (« stable », « +2 (+7,1 %) ») ends above the next row's figure in its column
    values = [w for w in figures.words if w.text in {"82", "2", "669", "780", "170", "380", "190", "40"}]
    changes = [w for w in figures.words if w.text in {"stable"} or w.text.startswith("+")]
    assert values and changes
    for change in changes:
        below = [v for v in values if v.y0 > change.y0 and min(v.x1, change.x1) > max(v.x0, change.x0)]
        assert all(v.y0 >= change.y1 for v in below), change


def test_sources_links_are_clickable_whole_and_at_least_12_pt(decks):
    prs, pdf_pages, pdf = decks["region"]
    boxes = [(n, shape) for n, slide in enumerate(prs.slides) for shape in slide.shapes
             if shape.has_text_frame and shape.text_frame.text.startswith(deck.LINKS_HEADING)]
    (index, links_box), = boxes                    # the sources slide (the « Définitions » slides come after it)
    runs = [run for p in links_box.text_frame.paragraphs for run in p.runs]
    linked = [run for run in runs if run.hyperlink.address]
    assert len(linked) >= 8
    assert min(run.font.size.pt for run in runs) >= 12
    for run in linked:    # the link's text is its site's address: one word, on one line of the page
        assert run.text == slide_text.host(run.hyperlink.address) and " " not in run.text
        assert run.text in {w.text for w in pdf_pages[index].words}
    last = PdfReader(str(pdf)).pages[index]
    uris = {a.get_object()["/A"]["/URI"] for a in last.get("/Annots", []) if a.get_object().get("/A")}
    assert {run.hyperlink.address for run in linked} <= uris


def test_a_labs_key_figures_say_whether_it_is_open_or_closed(demo_store):
    today = date(2026, 11, 22)
    for lab, state in (("siilab", ("depuis le 01/01/2017 · cohorte « Lauréats 2016 »", "Ouvert")),
                       ("inso-lab-83", ("le 31/12/2019 (ouvert le 01/01/2017) · cohorte « Lauréats 2016 »", "Fermé"))):
        headline = briefing.build_deck(demo_store, briefing.parse_preset(demo_store, f"lab:{lab}"), [],
                                       today=today).headline
        assert headline[0] == state and [label for label, _ in headline][1:3] == ["Projets", "Sessions de formation"]
    national = briefing.build_deck(demo_store, briefing.parse_preset(demo_store, "national"), [], today=today)
    assert [label for label, _ in national.headline][:2] == ["Laboratoires financés", "Laboratoires actifs"]


def test_the_pdf_deck_printed_by_chromium_has_no_overlapping_text(demo_store, tmp_path):
    """The PDF deck (the HTML version printed by Chromium, what « Diaporama PDF » downloads) of a lab: the same
    check, so that the key figures, « Ce qui a changé » and the sources stay apart there too."""
    pdf = tmp_path / "lab.pdf"
    pdf.write_bytes(briefing.deck_pdf(demo_store, briefing.parse_preset(demo_store, PRESETS["lab"]),
                                      today=date(2026, 11, 22)))
    printed = pages(pdf)
    assert len(printed) > 3 and "Ouvert" in printed[1].text
    assert {p.number: overlapping_words(p) for p in printed if overlapping_words(p)} == {}


# --- the chart itself (so in PowerPoint too): no LibreOffice needed ---------------------------------------

NUMBER = r"(-?[\d.]+)"


def test_pia_ceiling_label_and_line_keep_clear_of_the_values(demo_store):
    """« Règles du PIA par lauréat » on its slide: the values stand in a column right of the plot, the dashed
    ceiling line ends left of them, and its « plafond 250 000 € » label sits above the plot's top."""
    chart = catalogue.build_chart(demo_store, "regles-pia")
    width, height = slide_charts.size_px(*deck.CHART_BOX_IN[2:])
    svg = images.render(briefing._slide_figure(chart.figure), "svg", width=width, height=height).decode()
    line = re.search(rf'd="M{NUMBER},{NUMBER}L{NUMBER},{NUMBER}"[^>]*stroke-dasharray', svg)
    assert line, "la ligne du plafond manque"
    line_x, plot_top = float(line.group(1)), min(float(line.group(2)), float(line.group(4)))
    values = re.findall(rf'<g class="y2tick"><text[^>]*x="{NUMBER}"[^>]*>([^<]*)</text>', svg)
    assert len(values) == len(chart.data) and all(text.startswith(("✓", "⚠")) for _, text in values)
    assert min(float(x) for x, _ in values) > line_x + 10
    label = re.search(rf'<g class="cursor-pointer" transform="translate\({NUMBER},{NUMBER}\)"><rect class="bg" '
                      rf'x="[\d.]+" y="[\d.]+" width="{NUMBER}" height="{NUMBER}"[^<]*/><text[^>]*>plafond', svg)
    assert label, "l'étiquette du plafond manque"
    assert float(label.group(2)) + float(label.group(4)) <= plot_top + 1
    assert "plafond 250\u202f000\u00a0€" in svg or "plafond 250" in svg


def test_long_names_are_shortened_alike_on_bars_and_on_what_stands_beside_them(demo_store):
    """The funding per lab (bars, and the totals written after them) keeps one row per lab on a slide, each
    named: a name shortened on the bars is shortened the same way on the totals."""
    import plotly.graph_objects as go
    chart = catalogue.build_chart(demo_store, "financements-laboratoires")
    figure = go.Figure(chart.figure)   # the registry's short names are short: give one lab a long one everywhere
    first = next(t for t in figure.data if t.type == "bar").y[0]
    longer = first + " — laboratoire au nom bien trop long pour une diapositive"
    for trace in figure.data:
        if trace.y is not None:
            trace.y = [longer if name == first else name for name in trace.y]
    on_screen = {name for t in figure.data if t.type == "bar" for name in t.y}
    fig = briefing._slide_figure(figure)
    on_slide = {name for t in fig.data if t.y is not None for name in t.y}
    assert len(on_slide) == len(on_screen) and longer not in on_slide
    assert [name for name in on_slide if name.endswith("…")] == [slide_charts._shorten(longer)]
    assert all(len(name) <= slide_charts.LABEL_CHARS + 1 for name in on_slide)
    assert fig.layout.yaxis.dtick == 1          # every lab named, none skipped


def test_text_room_matches_the_fonts_widths():
    """The widths the layout counts on are Arial's (Liberation Sans in LibreOffice): within 2 %."""
    from PIL import ImageFont
    font = ImageFont.truetype("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", 1000)
    for text in ("Laboratoires financés", "Évolutions par rapport à la même période (T1 2017 – T3 2025).",
                 "Préfecture de la région Grand Est, « Modernisation : douze laboratoires »", "8 517 000 €"):
        assert slide_text.text_width_pt(text, 12) == pytest.approx(font.getlength(text) * 12 / 1000, rel=0.02)
    assert slide_text.line_count("un deux trois quatre", 0.2 + 62 / 72, 12) == 2      # « un deux » / « trois quatre »
    assert slide_text.line_count("un deux trois quatre", 0.2 + 58 / 72, 12) == 3
    assert slide_text.host("https://www.memento.fr/article_14-10-2025") == "memento.fr"
