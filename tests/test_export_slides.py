"""Charts on slides (issue 14): laid out at the size of their picture on a 16:9 slide, so that every text is at
least 14 pt when the slide is projected — measured on the rendered SVG, scaled to the picture's width."""

import pytest

from lit_analytics import catalogue
from lit_analytics.export import images, slide_charts

PICTURE_IN = (12.333, 4.944)     # the chart's box on a 13.333 × 7.5 in slide


@pytest.mark.parametrize("chart_id", ["carte", "reference-ditp", "projets-etapes-trimestre", "financements-cumules",
                                      "comparaison-laboratoires", "regles-pia", "engage-verse", "part-essaimage"])
def test_slide_charts_write_no_text_under_14_pt(demo_store, chart_id):
    chart = catalogue.build_chart(demo_store, chart_id)
    fig = slide_charts.for_slide(chart.figure, *PICTURE_IN)
    width, height = slide_charts.size_px(*PICTURE_IN)
    svg = images.render(fig, "svg", width=width, height=height).decode()
    assert slide_charts.smallest_text_pt(svg, PICTURE_IN[0]) >= 14 - 0.01
    assert chart.title not in svg                      # the slide writes the title (larger) itself
    if chart_id == "carte":
        assert ">Guadeloupe" in svg and "font-size: 16px" in svg   # insets named, colour-bar title larger


def test_the_measure_fails_on_a_screen_chart_shrunk_onto_a_slide(demo_store):
    """What the decks did before: a 1 600 px wide screen chart placed 8.9 in wide on the slide (about 6 pt)."""
    chart = catalogue.build_chart(demo_store, "projets-etapes-trimestre")
    svg = images.render(chart.figure, "svg", width=1600, height=900).decode()
    assert slide_charts.smallest_text_pt(svg, 8.889) < 7


def test_long_lab_names_are_shortened_on_slides():
    assert slide_charts._shorten("Laboratoire régional d'innovation de Bretagne (Ti Lab)") == \
        "Laboratoire régional d'innovation…"
    assert slide_charts._shorten("Liric") == "Liric"


def test_deck_pictures_are_laid_out_at_their_size_on_the_slide(demo_store):
    """In the PPTX, each chart picture fills the chart box and its pixels are the box in points × SCALE: the
    chart was laid out at slide size (so the SVG measure above holds on the slide), not shrunk from the screen."""
    import io

    from PIL import Image
    from pptx import Presentation

    from lit_analytics.export import briefing, deck

    scope = briefing.parse_preset(demo_store, "national")
    prs = Presentation(io.BytesIO(briefing.deck_pptx(demo_store, scope, ["carte", "sessions-trimestre"])))
    pictures = [shape for slide in prs.slides for shape in slide.shapes if shape.shape_type == 13]
    assert len(pictures) == 2
    for picture in pictures:
        width_in, height_in = picture.width / 914400, picture.height / 914400
        assert abs(width_in - deck.CHART_BOX_IN[2]) < 0.01 and abs(height_in - deck.CHART_BOX_IN[3]) < 0.01
        assert width_in > 12                                 # the map and charts fill the slide's width
        px_w, px_h = Image.open(io.BytesIO(picture.image.blob)).size
        assert (px_w, px_h) == tuple(slide_charts.SCALE * v for v in slide_charts.size_px(width_in, height_in))


def test_deck_pdf_pages_as_pictures_in_test_artifacts(demo_store):
    """The national deck as PDF, each page as PNG (pdftoppm, poppler-utils) in test-artifacts/ to look at."""
    import shutil
    import subprocess

    from conftest import ARTIFACTS
    from lit_analytics.export import briefing

    assert shutil.which("pdftoppm"), "pdftoppm manque : lancez ./scripts/setup.sh --tests (poppler-utils)"
    scope = briefing.parse_preset(demo_store, "national")
    pdf = briefing.deck_pdf(demo_store, scope, ["carte", "reference-ditp", "projets-etapes-trimestre",
                                                "comparaison-laboratoires"])
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("diaporama-*.png"):
        old.unlink()
    (ARTIFACTS / "diaporama.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "100", str(ARTIFACTS / "diaporama.pdf"), str(ARTIFACTS / "diaporama")],
                   check=True, timeout=120)
    pages = sorted(ARTIFACTS.glob("diaporama-*.png"))
    assert len(pages) == 10                                     # cover, figures, 4 charts, météo, sources, 2 Définitions
    from PIL import Image
    assert Image.open(pages[2]).size in {(1333, 750), (1334, 750)}            # 13.333 × 7.5 in at 100 dpi: 16:9


def test_text_shrunk_by_plotly_counts_at_its_drawn_size():
    svg = ('<svg width="888" height="356"><text style="font-size: 14px;" transform="translate(5,6)scale(0.5)">a'
           '</text><text style="font-family: Arial; font-size: 16px;">b</text></svg>')
    assert slide_charts.text_sizes_px(svg) == [7.0, 16.0]
    assert abs(slide_charts.smallest_text_pt(svg, 888 / 72) - 7.0) < 1e-9


def test_the_key_figures_slide_gives_each_figure_its_change_in_a_year(demo_store):
    import io

    from pptx import Presentation

    from lit_analytics.export import briefing

    scope = briefing.parse_preset(demo_store, "national")
    deck = briefing.build_deck(demo_store, scope, ["sessions-trimestre"])
    assert set(deck.headline_changes) == {label for label, _ in deck.headline}
    assert deck.headline_changes["Projets"].startswith("+") and deck.headline_changes["Projets"].endswith("\u00a0%)")
    assert deck.comparison == "Évolutions par rapport à la même période un an plus tôt (T1 2017 – T3 2025)."
    prs = Presentation(io.BytesIO(briefing.deck_pptx(demo_store, scope, ["sessions-trimestre"])))
    texts = [shape.text_frame.text for shape in prs.slides[1].shapes if shape.has_text_frame]
    assert "\n".join([dict(deck.headline)["Projets"], "Projets", deck.headline_changes["Projets"]]) in texts   # one box
    assert deck.comparison in " ".join(texts)
    sizes = [run.font.size.pt for shape in prs.slides[1].shapes if shape.has_text_frame
             for p in shape.text_frame.paragraphs for run in p.runs if deck.headline_changes["Projets"] in run.text]
    assert sizes and min(sizes) >= 14
