"""Each dashboard page run by Streamlit's AppTest on the demo database, with filters set."""

import json

import pytest

from conftest import make_app_test
from lit_analytics import charts, navigation, ui
from lit_analytics.filters import Filters
from lit_analytics.permissions import Actor

ADMIN = Actor("admin@test", "admin")
PAGES = [p.script for p in navigation.PAGES if p.charts]   # the dashboard pages (page registry)


def figures(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def titles(at) -> list[str]:
    return [fig["layout"]["title"]["text"] for fig in figures(at)]


def run(db, page, filters: Filters | None = None, query: dict | None = None):
    at = make_app_test(db, page, actor=ADMIN)
    if filters is not None:
        at.session_state[ui.FILTERS_KEY] = filters
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page,count", [("pages/accueil.py", 3), ("pages/carte.py", 1),
                                        ("pages/indicateurs.py", 7), ("pages/financements.py", 6),
                                        ("pages/laboratoires.py", 3)])
def test_each_page_shows_its_figures_with_filters_set(demo_copy, page, count):
    at = run(demo_copy, page, Filters(quarter_from="2019-T1", quarter_to="2022-T4", regions=("53", "93")))
    specs = figures(at)
    # A chart with nothing to show for its scope is shown as its French message instead of a figure: the lab
    # first in the list here, InSo Lab 83 (closed 31/12/2019), may have no demo funding in 2019-2022.
    shown_empty = [i for i in at.info if i.value == charts.EMPTY_MESSAGE] if page == "pages/laboratoires.py" else []
    assert len(specs) + len(shown_empty) == count
    for spec in specs:
        subtitle = spec["layout"]["title"]["subtitle"]["text"]
        # the DITP reference figures are national; the lab profile scopes its charts to the chosen lab
        assert "T1 2019 – T4 2022 · Bretagne, Provence-Alpes-Côte d'Azur" in subtitle \
            or subtitle.startswith("France entière, sans filtre") \
            or (page == "pages/laboratoires.py" and subtitle.startswith("T1 2019 – T4 2022 · "))
        assert spec["layout"]["separators"] == ", "
    # the sidebar shows the session's filters
    assert at.multiselect(key="flt_regions").value == ["53", "93"]
    assert at.select_slider(key="flt_period").value == ("2019-T1", "2022-T4")


def test_filters_are_written_to_the_url_and_read_back(demo_copy):
    at = run(demo_copy, "pages/indicateurs.py", query={"region": "84", "du": "2020-T1", "cohorte": "laureat-2016"})
    assert at.session_state[ui.FILTERS_KEY] == Filters(quarter_from="2020-T1", regions=("84",),
                                                       cohort="laureat-2016")
    assert "Auvergne-Rhône-Alpes" in figures(at)[0]["layout"]["title"]["subtitle"]["text"]
    # changing a widget updates the session filters and the URL
    at.multiselect(key="flt_regions").set_value(["84", "53"]).run()
    assert at.session_state[ui.FILTERS_KEY].regions == ("84", "53")
    assert at.query_params["region"] in ("84,53", ["84,53"])


def test_filters_follow_the_user_to_another_page(demo_copy):
    at = run(demo_copy, "pages/accueil.py")
    at.selectbox(key="flt_cohort").set_value("relance-2021-2022").run()
    at.switch_page("pages/financements.py").run()
    assert not at.exception
    assert at.session_state[ui.FILTERS_KEY].cohort == "relance-2021-2022"
    assert at.selectbox(key="flt_cohort").value == "relance-2021-2022"
    assert all("Créés en 2021-2022" in f["layout"]["title"]["subtitle"]["text"] for f in figures(at))


def test_a_filter_without_data_gives_french_messages_not_errors(demo_copy):
    at = run(demo_copy, "pages/financements.py", Filters(regions=("94",)))
    assert len(at.info) >= 6 and all("Aucun" in i.value for i in at.info)
    at = run(demo_copy, "pages/indicateurs.py", Filters(regions=("94",)))
    assert len(at.info) == 7


def test_stale_url_values_are_ignored(demo_copy):
    at = run(demo_copy, "pages/accueil.py", query={"region": "99,53", "lab": "inconnu", "du": "1990-T1"})
    assert at.session_state[ui.FILTERS_KEY] == Filters(regions=("53",))


def test_map_page_indicator_and_region_selection(demo_copy):
    at = run(demo_copy, "pages/carte.py", Filters(regions=("53",)))
    at.selectbox(key="carte_indicateur").set_value("engage-PIA").run()
    spec = figures(at)[0]
    assert "Montants engagés — PIA par région" in spec["layout"]["title"]["text"]
    outlined = [t for t in spec["data"] if t.get("name", "").startswith("Région sélectionnée")]
    assert outlined and outlined[0]["locations"] == ["53"]
    assert any("sans région connue" in c.value for c in at.caption)
    assert any("Filtre actif sur : Bretagne" in s.value for s in at.success)
    at.button[-1].click().run()         # « Retirer le filtre de région »
    assert at.session_state[ui.FILTERS_KEY].regions == ()


def test_region_from_a_map_click():
    assert ui.region_from_selection({"selection": {"points": [{"location": "84"}]}}) == "84"
    assert ui.region_from_selection({"selection": {"points": [{"customdata": ["53", "Ti Lab"]}]}}) == "53"
    assert ui.region_from_selection({"selection": {"points": []}}) is None
    assert ui.region_from_selection(None) is None


def test_funding_page_flags_pia_breaches_in_words(demo_copy):
    from lit_analytics.store import Store
    with Store(demo_copy) as store, store.transaction(writes="funding_tranches") as cur:
        version = cur.execute("SELECT version_id FROM report_versions WHERE kind = 'financements'").fetchone()[0]
        cur.execute("INSERT INTO funding_tranches VALUES (?, 'TR-X', 'siilab', 'PIA', 200000, DATE '2017-03-01', "
                    "DATE '2019-03-01', 'PIA complémentaire')", [version])
    at = run(demo_copy, "pages/financements.py")
    statuses = [df.value for df in at.dataframe if "Statut" in df.value.columns][0]
    siilab = statuses[statuses["Laboratoire"] == "Siilab"].iloc[0]
    assert siilab["Statut"].startswith("Non conforme") and "après 18 mois" in siilab["Statut"]
    assert siilab["PIA ≤ 250\u202f000 €"] == "DÉPASSÉE"
    assert any("1 laboratoire(s) non conforme(s)" in c.value for c in at.caption)


def test_lab_profile_shows_facts_with_sources_and_assumptions(demo_copy):
    at = run(demo_copy, "pages/laboratoires.py", Filters(labs=("archipel",)))
    assert at.selectbox(key="labo_fiche").value == "archipel"
    assert any(h.value == "Archipel" for h in at.header)
    facts = [df.value for df in at.dataframe if "Information" in df.value.columns][0].set_index("Information")
    assert "préfecture" in facts.loc["Source", "Valeur"]
    assert any("Valeurs supposées ou de démonstration" in w.value for w in at.warning)
    assert all("Archipel" in f["layout"]["title"]["subtitle"]["text"] for f in figures(at))
    at.text_input(key="labo_recherche").set_value("aucun-labo-de-ce-nom").run()
    assert any("Aucun laboratoire" in i.value for i in at.info)
    assert not at.exception


def test_lab_profile_shows_what_changed_this_quarter(demo_copy, demo_store):
    from lit_analytics import indicators
    at = run(demo_copy, "pages/laboratoires.py", Filters(labs=("siilab",)))
    latest = indicators.lab_report_quarters(demo_store, "siilab")[0]
    assert at.selectbox(key="labo_trimestre_siilab").value == latest
    changes = [df.value for df in at.dataframe if "Évolution" in df.value.columns][0]
    assert list(changes["Évolution"]) == ["Nouveaux projets", "Projets qui ont changé d'étape", "Projets terminés",
                                          "Projets abandonnés", "Sessions de formation tenues"]
    expected = indicators.quarter_changes(demo_store, "siilab", latest)
    assert [int(v) for v in changes.iloc[:, 1]] == list(expected["current"])
    sessions = demo_store.scalar("SELECT count(*) FROM current_training_sessions WHERE lab_id = 'siilab' "
                                 "AND quarter = ?", [latest])
    assert int(changes.iloc[4, 1]) == sessions
    assert not at.exception


def test_a_publication_shows_at_the_next_run_and_the_older_figures_are_dropped(demo_copy):
    from lit_analytics.store import Store
    at = run(demo_copy, "pages/accueil.py")
    before = [m.value for m in at.metric]
    cached = [key for key in ui.cache.MEMO._values if key[0][0] == str(demo_copy)]
    assert cached and len({key[0] for key in cached}) == 1          # this database's figures, one data version
    with Store(demo_copy) as other:                                   # another process closes an active lab
        with other.transaction(writes="labs") as cur:
            cur.execute("UPDATE labs SET closed_on = DATE '2017-01-01' WHERE lab_id = "
                        "(SELECT min(lab_id) FROM labs WHERE closed_on IS NULL)")
    at.run()
    assert not at.exception
    assert [m.value for m in at.metric] != before
    versions = {key[0] for key in ui.cache.MEMO._values if key[0][0] == str(demo_copy)}
    assert len(versions) == 1 and versions != {cached[0][0]}          # the older version's entries are gone


def test_a_charts_data_table_and_exports_are_drawn_only_once_opened(demo_copy):
    """Closed, a chart's « Données et export » costs its page run nothing (issue 19, point 7: the five export buttons
    and the table were a third of a page run); opened, its table and export buttons are there."""
    at = run(demo_copy, "pages/financements.py")
    key = "chart-financements-financements-trimestre"
    assert not at.get("download_button")
    assert not [df for df in at.dataframe if "Trimestre" in df.value.columns]
    assert any(e.label.startswith("Données et export : « ") for e in at.expander)
    at.session_state[f"{key}-table"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert sorted(b.proto.label for b in at.get("download_button")) == sorted(
        ["Image PNG", "Image SVG", "PDF", "Données CSV", "Données Excel"])
    table = next(df.value for df in at.dataframe if "Trimestre" in df.value.columns)
    assert len(table) > 0 and table["Trimestre"].iloc[0].startswith("T")
