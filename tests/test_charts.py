"""Figure builders: DataFrames in, plotly figures out, with title, scope, source and French formats inside."""

from datetime import date

import pandas as pd

from lit_analytics import charts, geo, map_chart
from lit_analytics.charts import ChartText
from lit_analytics.formats import FUNDING_COLORS

TEXT = ChartText("Titre du graphique", "T1 2021 – T4 2021 · Bretagne",
                 "Source : données de démonstration (fictives) — données au 31/12/2021")


def caption_of(fig):
    return [a.text for a in fig.layout.annotations if a.name == "caption"]


def test_every_figure_carries_title_scope_caption_and_french_separators():
    df = pd.DataFrame({"status": ["émergence", "essaimage"], "projects": [3, 1234]})
    fig = charts.projects_by_status(df, TEXT)
    assert "Titre du graphique" in fig.layout.title.text
    assert fig.layout.title.subtitle.text == "T1 2021 – T4 2021 · Bretagne"
    assert caption_of(fig) == ["Source : données de démonstration (fictives) — données au 31/12/2021"]
    assert fig.layout.separators == ", "
    assert list(fig.data[0].y) == [3, 1234]
    assert list(fig.data[0].text) == ["3", "1\u202f234"]


def test_funding_sources_keep_their_colours_and_quarters_are_french():
    df = pd.DataFrame({"quarter": ["2021-T1", "2021-T1", "2021-T3"], "source": ["FTAP", "PIA", "relance"],
                       "committed": [10.0, 20.0, 30.0], "paid": [0.0, 0.0, 0.0],
                       "committed_cumulative": [10.0, 20.0, 30.0], "paid_cumulative": [0.0, 0.0, 0.0]})
    fig = charts.funding_by_quarter(df, TEXT)
    assert [t.name for t in fig.data] == ["PIA", "FTAP", "relance"]          # programme order, not data order
    assert {t.name: t.marker.color for t in fig.data} == {s: FUNDING_COLORS[s] for s in ("PIA", "FTAP", "relance")}
    assert list(fig.data[2].x) == ["T3 2021"]
    assert "€" in fig.data[0].hovertemplate and ",.0f" in fig.data[0].hovertemplate


def test_cumulative_funding_distinguishes_paid_by_dash_not_only_colour():
    df = pd.DataFrame({"quarter": ["2021-T1", "2021-T2"], "source": ["PIA", "PIA"], "committed": [100.0, 0.0],
                       "paid": [0.0, 100.0], "committed_cumulative": [100.0, 100.0], "paid_cumulative": [0.0, 100.0]})
    fig = charts.funding_cumulative(df, TEXT)
    names = [t.name for t in fig.data]
    assert names == ["PIA — engagé", "PIA — versé"]
    assert fig.data[1].line.dash == "dot" and fig.data[0].line.dash is None
    assert fig.data[0].line.color == fig.data[1].line.color == FUNDING_COLORS["PIA"]


def test_committed_vs_paid_hatches_paid_bars_and_writes_amounts():
    df = pd.DataFrame({"source": ["PIA", "relance"], "committed": [250000.0, 1000.0], "paid": [125000.0, 0.0],
                       "paid_pct": [50.0, 0.0]})
    fig = charts.committed_vs_paid(df, TEXT)
    assert fig.data[1].marker.pattern.shape == "/"
    assert list(fig.data[0].text) == ["250\u202f000\u00a0€", "1\u202f000\u00a0€"]


def test_empty_data_gives_a_french_message_and_no_axes():
    fig = charts.sessions_by_quarter(pd.DataFrame(columns=["quarter", "format", "sessions", "hours"]), TEXT)
    assert len(fig.data) == 0
    assert any(a.name == "empty" and "Aucune donnée" in a.text for a in fig.layout.annotations)
    assert fig.layout.xaxis.visible is False
    assert caption_of(fig)   # still says its source


def test_lab_ranking_keeps_the_top_and_says_so():
    df = pd.DataFrame({"name": [f"Lab {i}" for i in range(30)], "projects": list(range(30)),
                       "sessions": [1] * 30, "participants": [5] * 30, "region": ["Bretagne"] * 30})
    fig = charts.lab_ranking(df, TEXT, top=10)
    assert len(fig.data[0].y) == 10 and fig.data[0].y[-1] == "Lab 29"
    assert "10 premiers sur 30" in fig.layout.title.subtitle.text


def test_pia_checks_label_breaches_in_text():
    df = pd.DataFrame({"name": ["A", "B"], "pia_committed": [300000.0, 100000.0],
                       "status": ["Non conforme : PIA de plus de 250 000 €", "Conforme"]})
    fig = charts.pia_checks(df, TEXT)
    bars = fig.data[0]
    assert list(bars.y) == ["B", "A"]
    assert bars.text[1].startswith("⚠") and bars.text[0].startswith("✓")
    assert bars.marker.pattern.shape[1] == "x"
    assert any(s.x0 == 250000 for s in fig.layout.shapes)


def _regions(values: dict[str, tuple[int, int]]) -> pd.DataFrame:
    rows = []
    for code, name in [("01", "Guadeloupe"), ("53", "Bretagne"), ("84", "Auvergne-Rhône-Alpes"), ("94", "Corse")]:
        labs, projects = values.get(code, (0, 0))
        rows.append({"region_code": code, "region": name, "labs_ever": labs, "labs": labs, "projects": projects})
    rows.append({"region_code": None, "region": "Région non connue", "labs_ever": 2, "labs": 2, "projects": 7})
    return pd.DataFrame(rows)


def test_map_separates_regions_without_lab_from_regions_at_zero():
    labs = pd.DataFrame({"lab_id": ["ti-lab"], "name": ["Ti Lab"], "city": ["Rennes"], "region_code": ["53"],
                         "region": ["Bretagne"], "latitude": [48.11], "longitude": [-1.68], "cohort": ["laureat-2016"],
                         "opened_on": [date(2017, 1, 1)], "closed_on": [None], "projects": [0]})
    fig = map_chart.region_map(_regions({"53": (1, 0), "84": (1, 12)}), TEXT, value="projects", value_label="Projets",
                            labs=labs, selected=("84",))
    choro = [t for t in fig.data if t.type == "choroplethmap"]
    values = choro[0]
    assert list(values.locations) == ["53", "84"] and list(values.z) == [0, 12]     # Bretagne at zero, coloured
    no_lab = choro[1]
    assert list(no_lab.locations) == ["01", "94"] and "aucun laboratoire" in no_lab.hovertemplate
    assert no_lab.name.startswith("Aucun laboratoire")
    assert any(t.type == "scattermap" and t.name == "hachures" and len(t.lon) > 10 for t in fig.data)
    assert choro[2].marker.line.width == 3 and list(choro[2].locations) == ["84"]   # selected region outlined
    markers = [t for t in fig.data if t.type == "scattermap" and t.name.startswith("Laboratoire")]
    assert markers[0].customdata[0][0] == "53"                                      # a click gives the region
    assert fig.layout.map.style == "white-bg"
    frames = [t for t in fig.data if t.name == "outre-mer"]
    assert list(frames[0].text) == [f["label"] for f in geo.inset_frames()]


def test_map_places_overseas_labs_in_their_inset():
    labs = pd.DataFrame({"lab_id": ["x"], "name": ["Lab Réunion"], "city": ["Saint-Denis"], "region_code": ["04"],
                         "region": ["La Réunion"], "latitude": [-20.88], "longitude": [55.45],
                         "cohort": ["relance-2021-2022"], "opened_on": [date(2022, 1, 1)], "closed_on": [None],
                         "projects": [1]})
    fig = map_chart.region_map(_regions({}), TEXT, value="labs", value_label="Laboratoires", labs=labs)
    marker = [t for t in fig.data if t.type == "scattermap" and t.name.startswith("Laboratoire")][0]
    x0, y0, x1, y1 = geo.INSETS["04"]["box"]
    assert x0 <= marker.lon[0] <= x1 and y0 <= marker.lat[0] <= y1


def test_hatching_stays_inside_the_region():
    from shapely.geometry import Point, shape
    lons, lats = map_chart.hatch_lines(("94",))
    corse = next(shape(f["geometry"]) for f in geo.inset_geojson()["features"] if f["id"] == "94")
    points = [Point(x, y) for x, y in zip(lons, lats) if x is not None]
    assert points and all(corse.buffer(0.01).contains(p) for p in points)


# --- quarter axes (issue 14): years as labels, quarters as minor ticks, on long periods ------------------

def _quarters(first_year: int, first_q: int, count: int) -> list[str]:
    out, year, q = [], first_year, first_q
    for _ in range(count):
        out.append(f"{year}-T{q}")
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out


def test_short_periods_write_every_quarter():
    quarters = _quarters(2021, 1, 8)
    df = pd.DataFrame({"quarter": quarters, "projects_cumulative": range(8), "sessions_cumulative": range(8)})
    axis = charts.activity_over_time(df, ChartText("t")).layout.xaxis
    assert list(axis.ticktext) == ["T1 2021", "T2 2021", "T3 2021", "T4 2021", "T1 2022", "T2 2022", "T3 2022",
                                   "T4 2022"]
    assert axis.minor.tickvals is None


def test_long_periods_write_years_and_mark_quarters_with_minor_ticks():
    quarters = _quarters(2017, 1, 39)           # T1 2017 – T3 2026
    df = pd.DataFrame({"quarter": quarters, "projects_cumulative": range(39), "sessions_cumulative": range(39)})
    axis = charts.activity_over_time(df, ChartText("t")).layout.xaxis
    assert list(axis.ticktext) == ["2017", "2019", "2021", "2023", "2025"]     # ten years: every other one
    assert list(axis.tickvals) == ["T1 2017", "T1 2019", "T1 2021", "T1 2023", "T1 2025"]
    assert axis.tickangle == 0
    assert len(axis.minor.tickvals) == 39 and axis.minor.ticks == "outside"
    # the hover still names the quarter
    assert "%{x}" in df.pipe(lambda d: charts.activity_over_time(d, ChartText("t"))).data[0].hovertemplate


def test_a_long_period_starting_mid_year_labels_its_first_year():
    assert charts.quarter_ticks(_quarters(2020, 1, 24))[1] == ["2020", "2021", "2022", "2023", "2024", "2025"]
    assert charts.quarter_ticks(_quarters(2017, 2, 20))[1][:2] == ["2017", "2018"]
    assert charts.quarter_ticks(_quarters(2017, 4, 20))[1][:2] == ["2018", "2019"]   # T4 alone: no room


def test_the_map_names_its_overseas_insets_on_screen(demo_store):
    """Issue 14: the insets' names are written beside their frames on the tile map (annotations placed in pixels
    from the map's centre, so they follow the map at any page width), left of the frames."""
    from lit_analytics import catalogue
    fig = catalogue.build_chart(demo_store, "carte").figure
    labels = [a for a in fig.layout.annotations if a.name == "inset-label"]
    assert [a.text for a in labels] == ["Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"]
    assert all(a.xanchor == "right" and a.xshift < 0 for a in labels)
    assert [round(a.yshift) for a in labels] == sorted((round(a.yshift) for a in labels), reverse=True)
    view = fig.layout.map
    left_of_insets, _ = geo.pixels_from_center({"zoom": view.zoom, "center": {"lon": view.center.lon,
                                                                              "lat": view.center.lat}}, -8.3, 46)
    assert -map_chart.MAP_WIDTH / 2 < left_of_insets - 80      # room for the names inside the map area
