"""The chart catalogue: every chart builds for every preset scope, with French tables and its texts inside."""

from datetime import date

import pandas as pd
import pytest

from lit_analytics import catalogue, presentation
from lit_analytics.export import briefing
from lit_analytics.filters import Filters
from lit_analytics.presentation import screen_tables

ENGLISH = {"quarter", "status", "projects", "sessions", "source", "committed", "paid", "name", "region",
           "lab_id", "theme", "share_pct"}


def test_every_page_chart_is_in_the_catalogue_with_a_definition():
    assert set(catalogue.PAGE_CHARTS) == set(catalogue.PAGES)
    for page, ids in catalogue.PAGE_CHARTS.items():
        for chart_id in ids:
            spec = catalogue.CATALOGUE[chart_id]
            assert len(spec.definition) > 60 and spec.title
    assert {s.page for s in catalogue.CATALOGUE.values()} <= set(catalogue.PAGES)


@pytest.mark.parametrize("chart_id", list(catalogue.CATALOGUE))
def test_each_chart_for_each_preset(demo_store, chart_id):
    presets = briefing.presets(demo_store)
    assert set(presets) == {"national", "region", "laboratoire"}
    for label, filters in presets.values():
        chart = catalogue.build_chart(demo_store, chart_id, filters)
        assert chart.id == chart_id and chart.title in chart.figure.layout.title.text
        assert chart.figure.layout.title.subtitle.text == chart.subtitle
        assert chart.caption.startswith("Source : données de démonstration (fictives) — données au 30/09/2026")
        captions = [a.text for a in chart.figure.layout.annotations if a.name == "caption"]
        assert captions and captions[0].startswith(chart.caption.split(" ;")[0])
        assert not (set(chart.data.columns) & ENGLISH), chart.data.columns
        assert not chart.empty and len(chart.data) > 0
        shown = screen_tables.display_table(chart.data)
        assert list(shown.columns) == list(chart.data.columns) and len(shown) == len(chart.data)


def test_scope_is_in_the_subtitle(demo_store):
    chart = catalogue.build_chart(demo_store, "sessions-trimestre",
                                  Filters(quarter_from="2019-T1", quarter_to="2020-T4", regions=("53",)))
    assert chart.subtitle == "T1 2019 – T4 2020 · Bretagne"
    assert chart.caption.endswith("données au 31/12/2020")
    assert list(chart.data["Trimestre"])[:2] == ["T1 2019", "T2 2019"]


def test_a_scope_without_data_is_empty_not_an_error(demo_store):
    corse = Filters(regions=("94",))
    for chart_id in catalogue.PAGE_CHARTS["indicateurs"] + catalogue.PAGE_CHARTS["financements"]:
        chart = catalogue.build_chart(demo_store, chart_id, corse)
        assert chart.empty and "Aucun" in chart.empty_message
    reference = catalogue.build_chart(demo_store, "reference-ditp", corse)
    assert not reference.empty and reference.subtitle.startswith("France entière")


def test_the_map_counts_unlocated_laureates_nationally(demo_store):
    chart = catalogue.build_chart(demo_store, "carte", Filters(), variant="projets")
    assert chart.title == "Projets par région"
    assert chart.notes[0].startswith("Total national (projets)")
    assert "2 laboratoire(s) sans région connue" in chart.notes[1]
    unknown = chart.data[chart.data["Région"] == "Région non connue"].iloc[0]
    national = chart.data["Projets"].sum()
    assert f"{unknown['Projets']}" in chart.notes[1] and national > unknown["Projets"]
    assert any("sans région connue" in a.text for a in chart.figure.layout.annotations)
    with pytest.raises(KeyError):
        catalogue.build_chart(demo_store, "carte", Filters(), variant="inconnu")


def test_map_variants_are_money_or_counts(demo_store):
    money = catalogue.build_chart(demo_store, "carte", Filters(), variant="engage-PIA")
    assert money.title == "Montants engagés — PIA par région"
    assert money.figure.data[0].colorbar.ticksuffix == " €"


def test_display_table_writes_french_formats():
    df = pd.DataFrame({"Trimestre": ["T3 2021"], "Montant (€)": [1234567.0], "Part (%)": [12.5],
                       "Projets": [1234], "Engagée le": [pd.Timestamp("2021-12-31").date()]})
    out = screen_tables.display_table(df).iloc[0].to_dict()
    assert out == {"Trimestre": "T3 2021", "Montant (€)": "1\u202f234\u202f567\u00a0€", "Part (%)": "12,5\u00a0%",
                   "Projets": "1\u202f234", "Engagée le": "31/12/2021"}


def test_lab_profile_tables_are_french_and_filled(demo_store):
    facts = screen_tables.lab_facts_table(demo_store, "siilab").set_index("Information")["Valeur"]
    assert facts["Région"] == "Hauts-de-France" and "18/11/2016" in facts["Source"]
    assert "budget (démo)" in facts["Valeurs supposées ou de démonstration"]
    directory = screen_tables.lab_directory_table(demo_store, Filters(), "lille")
    assert list(directory["Identifiant"]) == ["siilab"] and directory["État"].iloc[0] == "ouvert"
    assert not screen_tables.lab_tranches_table(demo_store, "siilab").empty
    assert len(screen_tables.latest_reports_table(demo_store, Filters(), 5)) == 5


@pytest.mark.parametrize("filters", [Filters(), Filters(regions=("01",)), Filters(labs=("archipel",))],
                         ids=["national", "guadeloupe", "archipel"])
def test_no_screen_table_shows_none_nan_or_nat(demo_store, filters):
    """Issue 14: every chart's table and every page table, as the pages show them, has empty cells where a
    value is missing, never « None », « nan », « NaT » or « <NA> » (also for an empty scope)."""
    raw = {"None", "nan", "NaN", "NaT", "<NA>"}
    tables = {cid: screen_tables.display_table(catalogue.build_chart(demo_store, cid, filters).data)
              for cid in catalogue.CATALOGUE}
    tables["derniers rapports"] = screen_tables.display_table(screen_tables.latest_reports_table(demo_store, filters))
    tables["annuaire"] = screen_tables.display_table(screen_tables.lab_directory_table(demo_store, filters))
    for lab in ("archipel", "siilab"):
        tables[f"fiche {lab}"] = screen_tables.display_table(screen_tables.lab_facts_table(demo_store, lab))
        tables[f"tranches {lab}"] = screen_tables.display_table(screen_tables.lab_tranches_table(demo_store, lab))
    leaks = {name: sorted({str(v).strip() for v in t.astype(object).to_numpy().ravel()} & raw)
             for name, t in tables.items()}
    assert {name: found for name, found in leaks.items() if found} == {}


def test_headline_changes_against_the_same_period_a_year_earlier(demo_store):
    """Issue 14: « compared with when? » — each headline figure with its change, in French."""
    from lit_analytics import indicators
    result = presentation.headline_changes(demo_store, Filters(), date.today())
    assert result.period == "T1 2017 – T3 2025"
    assert result.sentence == "Évolutions par rapport à la même période un an plus tôt (T1 2017 – T3 2025)."
    now = indicators.headline(demo_store, Filters(), date.today())
    before = indicators.headline(demo_store, Filters(quarter_to="2025-T3"), date.today())
    projects = result.changes["projects"]
    diff = now.projects - before.projects
    assert projects.text.startswith(f"+{diff} (+") and projects.text.endswith("\u00a0%)") and projects.direction == "up"
    assert result.changes["committed_total"].text.endswith("%)") or result.changes["committed_total"].text == "stable"
    assert "€" in result.changes["committed_total"].text or result.changes["committed_total"].text == "stable"
    assert set(result.changes) >= {"labs_funded", "labs_active", "sessions", "participants", "paid_total",
                                   "committed:PIA", "paid:FTAP"}
    assert presentation.headline_changes(demo_store, Filters(quarter_to="2017-T2"), date.today()) is None


def test_the_map_page_table_gives_each_region_the_value_shown(demo_store):
    """Issue 14: beside the map, the regions and the value of the chosen indicator, largest first."""
    item = catalogue.build_chart(demo_store, "carte", variant="engage-PIA")
    table = screen_tables.map_values_table(item.data, "engage-PIA")
    assert list(table.columns) == ["Région", "PIA (€)"]
    assert table["PIA (€)"].is_monotonic_decreasing and len(table) == len(item.data)
    labs = screen_tables.map_values_table(catalogue.build_chart(demo_store, "carte").data, None)
    assert list(labs.columns) == ["Région", "Laboratoires"] and labs.iloc[0]["Région"] == "Provence-Alpes-Côte d'Azur"
