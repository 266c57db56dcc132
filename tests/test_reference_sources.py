"""Reference data with its sources: every identified lab cites public pages, sourced facts stay as the pages say,
disagreements between sources are kept side by side, and the profile page and the deck show the pages as links."""

import io
import shutil
from datetime import date

import pandas as pd
import pytest
from pptx import Presentation

from conftest import make_app_test
from lit_analytics import reference
from lit_analytics.config import REFERENCE_DIR
from lit_analytics.export import briefing
from lit_analytics.filters import Filters
from lit_analytics.permissions import Actor
from lit_analytics.store import Store
from lit_analytics import ui

LABS = pd.read_csv(REFERENCE_DIR / "labs.csv", dtype=str, keep_default_na=False).set_index("lab_id")
SOURCES = pd.read_csv(REFERENCE_DIR / "sources.csv", dtype=str, keep_default_na=False)
FIGURES = pd.read_csv(REFERENCE_DIR / "published_figures.csv", dtype=str, keep_default_na=False)

# (lab, fact) → (value, a piece of the address it comes from): what public pages say, as of this commit.
SOURCED_FACTS = {
    ("lab-zero", "opened_on"): ("2017-02-01", "businews.fr"),
    ("lab-zero", "activity"): ("2017-2020", "marseille-solutions.fr"),
    ("le-campus", "pia_eur"): ("250000", "objectifaquitaine.latribune.fr"),
    ("le-campus", "lead_administration"): ("SGAR, DREAL, Département de la Gironde, Bordeaux Métropole",
                                           "objectifaquitaine.latribune.fr"),
    ("ti-lab", "name"): ("Ti Lab", "20minutes.fr"),
    ("archipel", "city"): ("Lyon", "pressreader.com"),
    ("archipel", "pia_eur"): ("162000", "pressreader.com"),
    ("archipel", "opened_on"): ("2017-04-04", "prefectures-regions.gouv.fr/auvergne-rhone-alpes"),
    ("lab-o", "ftap_award"): ("2018", "Incub-O-kesak-O"),
    ("fabrique-rh", "opened_on"): ("2017-03-10", "actu-juridique.fr"),
    ("lab-est", "opened_on"): ("2021-11-19", "prefectures-regions.gouv.fr/grand-est"),
    ("lab-est", "city"): ("Strasbourg", "smartcitymag.fr"),
    ("innovmandie", "city"): ("Rouen", "gazettenormandie.fr"),
    ("lit-bourgogne-franche-comte", "opened_on"): ("2021-11-24", "modernisation.gouv.fr/presse"),
}


def test_every_identified_lab_cites_at_least_one_public_address():
    with_address = set(SOURCES.loc[SOURCES["url"].str.match(r"^https?://"), "lab_id"])
    identified = set(LABS.index[LABS["identified"] == "true"])
    assert identified - with_address == set()
    assert set(SOURCES["lab_id"]) <= set(LABS.index)                 # no source for a lab that does not exist
    # the two unidentified laureates stay unidentified: no name, region, city, themes or lead invented
    unknown = LABS[LABS["identified"] == "false"]
    assert len(unknown) == 2
    assert (unknown[["region_code", "city", "themes", "lead_administration"]] == "").all().all()


def test_sourced_facts_stay_as_the_public_pages_say():
    facts: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for r in SOURCES.itertuples():
        facts.setdefault((r.lab_id, r.fact), []).append((r.value, r.url))
    for key, (value, address) in SOURCED_FACTS.items():
        assert any(v == value and address in url for v, url in facts.get(key, [])), (key, facts.get(key))
    # labs.csv says the same as its sources
    for (lab, fact), (value, _) in SOURCED_FACTS.items():
        if fact in ("opened_on", "city", "lead_administration"):
            assert LABS.loc[lab, fact] == value, (lab, fact)
    assert LABS.loc["le-campus", "opened_on"][:7] in ("2017-06", "2017-07")        # June-July 2017
    assert LABS.loc["ti-lab", "city"] == "Rennes" and "Région Bretagne" in LABS.loc["ti-lab", "lead_administration"]
    assert "2017-06" <= LABS.loc["ti-lab", "opened_on"][:7] <= "2017-09"           # summer 2017
    assert "Région Grand Est" in LABS.loc["lab-est", "lead_administration"]
    assert any("CPER 2021-2027" in s for s in SOURCES.loc[SOURCES["lab_id"] == "lab-est", "statement"])
    assert "adjoint au SGAR" in LABS.loc["innovmandie", "lead_administration"]
    assert "Friche la Belle de Mai" in LABS.loc["lab-zero", "source"]


def test_assumptions_that_sources_settle_are_gone():
    assert "ville" not in LABS.loc["archipel", "assumptions"]
    assert "date d'ouverture" not in LABS.loc["archipel", "assumptions"]
    assert "incertain" not in LABS.loc["ti-lab", "source"]
    assert "porteur (déduit)" not in LABS.loc["lab-est", "assumptions"]
    assert "ville" not in LABS.loc["innovmandie", "assumptions"]
    assert "porteur (déduit)" not in LABS.loc["innovmandie", "assumptions"]
    assert "date d'ouverture" not in LABS.loc["lab-zero", "assumptions"]
    # État'LIN's city is still inferred, and says so
    assert "déduit" in LABS.loc["etat-lin", "assumptions"]
    # vague citations are replaced by the pages themselves
    assert not LABS["source"].str.fullmatch(r"(Presse.*|.*site de la préfecture.*)").any()


def test_disagreements_between_sources_are_kept_with_their_dates():
    rows = {(r.figure, r.published_on, r.url.split("/")[2] if r.url else "") for r in FIGURES.itertuples()}
    assert ("16 candidatures", "2016-11-23", "prefectures-regions.gouv.fr") in rows
    assert ("17 projets déposés", "2016-11-10", "www.modernisation.gouv.fr") in rows
    assert ("9 labs actifs sur 12 lauréats", "2020-12-01", "") in rows                  # seed text: title and date
    assert ("12 labs dont 4 nouveaux en 2021", "2021-11-24", "www.modernisation.gouv.fr") in rows
    assert ("10 lauréats de 2016 actifs en 2022", "2022-09-19", "www.bercynumerique.finances.gouv.fr") in rows
    assert ("16 labs territoriaux dans un réseau de 135", "2024-11-21", "www.modernisation.gouv.fr") in rows
    assert any(f.startswith("Lab Péï") and "13/10/2025" in f for f, _, _ in rows)
    disagree = FIGURES.groupby("topic")["disagree"].first().to_dict()
    assert disagree == {"Candidatures à l'appel de 2016": "true", "Laboratoires en activité": "true",
                        "Laboratoires créés après 2022": "false"}


def test_loaded_sources_and_the_amounts_the_demo_follows(tmp_path):
    with Store(tmp_path / "ref.duckdb") as store:
        counts = reference.load_reference(store)
        assert counts["lab_sources"] == len(SOURCES) and counts["published_figures"] == len(FIGURES)
        assert reference.known_amounts(store) == {"le-campus": {"pia_eur": 250_000.0},
                                                  "archipel": {"pia_eur": 162_000.0},
                                                  "lab-o": {"ftap_award_year": 2018}}
        archipel = reference.lab_sources(store, "archipel")
        assert archipel["published_on"].iloc[1] == pd.Timestamp(date(2017, 4, 4))
        text = reference.lab_sources_markdown(archipel)
        assert "[La Tribune de Lyon, « Ça innove ! » (PressReader), 26/07/2018]" \
               "(http://www.pressreader.com/france/la-tribune-de-lyon/20180726/281608126228431)" in text
        assert "**Financement PIA**" in text
        # a fact without an address says so instead of showing a link
        assert "Presse 2017 (adresse publique non trouvée)" in reference.lab_sources_markdown(
            reference.lab_sources(store, "lab-zero"))
        home = reference.published_figures_markdown(reference.published_figures(store))
        assert "**Candidatures à l'appel de 2016** — les sources ne concordent pas" in home
        assert "**Laboratoires créés après 2022** :" in home
        links = reference.source_links(store, ["archipel"])
        assert links[0][1].startswith("https://www.modernisation.gouv.fr/") and len({u for _, u in links}) == len(links)


@pytest.mark.parametrize("edit,message", [
    (("url", "www.exemple.fr/sans-protocole"), "ligne 2, colonne « url »"),
    (("published_on", "03/02/2017"), "ligne 2, colonne « published_on »"),
    (("lab_id", "lab-inconnu"), "ligne 2, colonne « lab_id » : laboratoire inconnu"),
    (("statement", ""), "ligne 2, colonne « statement » : valeur obligatoire absente"),
])
def test_a_bad_sources_file_is_refused_with_line_and_column(tmp_path, edit, message):
    directory = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, directory)
    bad = SOURCES.copy()
    bad.loc[0, edit[0]] = edit[1]
    bad.to_csv(directory / "sources.csv", index=False)
    with Store(tmp_path / "x.duckdb") as store:
        with pytest.raises(ValueError, match=f"sources.csv, {message}"):
            reference.load_reference(store, directory)
        assert store.scalar("SELECT count(*) FROM labs") == 0                 # nothing half-loaded


def test_lab_profile_page_shows_its_sources_as_links(demo_copy):
    at = make_app_test(demo_copy, "pages/laboratoires.py", actor=Actor("admin@test", "admin"))
    at.session_state[ui.FILTERS_KEY] = Filters(labs=("archipel",))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    markdown = "\n".join(m.value for m in at.markdown)
    assert "(http://www.pressreader.com/france/la-tribune-de-lyon/20180726/281608126228431)" in markdown
    assert "https://www.modernisation.gouv.fr/campus-de-la-transformation-publique/laboratoires-innovation/" \
           "laboratoire-dauvergne-rhone-alpes-lab" in markdown


def test_home_page_lists_what_the_ditp_published_with_dates_and_links(demo_copy):
    at = make_app_test(demo_copy, "pages/accueil.py", actor=Actor("admin@test", "admin"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    markdown = "\n".join(m.value for m in at.markdown)
    assert "16 candidatures" in markdown and "17 projets déposés" in markdown and "23/11/2016" in markdown
    assert "(https://www.bercynumerique.finances.gouv.fr/un-second-souffle-pour-les-laboratoires-" \
           "dinnovation-territoriale)" in markdown


def test_sources_slide_of_the_deck_carries_hyperlinks(demo_store):
    scope = briefing.parse_preset(demo_store, "lab:archipel")
    data = briefing.deck_pptx(demo_store, scope, ["sessions-trimestre"])
    last = next(slide for slide in Presentation(io.BytesIO(data)).slides   # before the « Définitions » slides
                if any(s.has_text_frame and s.text_frame.text.startswith("Sources et méthode") for s in slide.shapes))
    runs = [run for shape in last.shapes if shape.has_text_frame
            for p in shape.text_frame.paragraphs for run in p.runs]
    links = {run.hyperlink.address for run in runs if run.hyperlink.address}
    assert "http://www.pressreader.com/france/la-tribune-de-lyon/20180726/281608126228431" in links
    assert any("prefectures-regions.gouv.fr/auvergne-rhone-alpes" in link for link in links)
    assert "Sources et méthode" in " ".join(s.text_frame.text for s in last.shapes if s.has_text_frame)
    # national deck: the programme's published figures, no lab's pages
    national = briefing.build_deck(demo_store, briefing.parse_preset(demo_store, "national"), [])
    assert [url for _, url in national.links] == [u for u in FIGURES["url"] if u]
    html = briefing.deck_mod.to_html(national)
    assert "<a href='https://www.bercynumerique.finances.gouv.fr/" in html
