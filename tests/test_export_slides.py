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
