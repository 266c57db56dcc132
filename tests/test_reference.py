"""Reference data: the 18 regions and the labs, with their sources."""

from datetime import date

import pandas as pd
import pytest

from lit_analytics.config import REFERENCE_DIR
from lit_analytics.reference import load_reference

REGIONS = {"01": "Guadeloupe", "02": "Martinique", "03": "Guyane", "04": "La Réunion", "06": "Mayotte",
           "11": "Île-de-France", "24": "Centre-Val de Loire", "27": "Bourgogne-Franche-Comté", "28": "Normandie",
           "32": "Hauts-de-France", "44": "Grand Est", "52": "Pays de la Loire", "53": "Bretagne",
           "75": "Nouvelle-Aquitaine", "76": "Occitanie", "84": "Auvergne-Rhône-Alpes",
           "93": "Provence-Alpes-Côte d'Azur", "94": "Corse"}

# Rough boxes (lon_min, lon_max, lat_min, lat_max): metropolitan France with Corsica, and each overseas region.
BOXES = {"metro": (-5.5, 10.0, 41.0, 51.5), "01": (-62, -60.8, 15.8, 16.6), "02": (-61.3, -60.7, 14.3, 15.0),
         "03": (-55, -51.5, 2, 6), "04": (55.1, 56, -21.5, -20.8), "06": (44.9, 45.4, -13.1, -12.6)}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    from lit_analytics.store import Store
    store = Store(tmp_path_factory.mktemp("ref") / "ref.duckdb")
    load_reference(store)
    yield store
    store.close()


def test_the_18_regions_with_insee_codes_as_text(loaded):
    rows = dict(loaded.query("SELECT region_code, name FROM regions"))
    assert rows == REGIONS
    overseas = {c for (c,) in loaded.query("SELECT region_code FROM regions WHERE is_overseas")}
    assert overseas == {"01", "02", "03", "04", "06"}


def test_every_lab_region_exists_and_only_unidentified_labs_lack_one(loaded):
    assert loaded.scalar("SELECT count(*) FROM labs l LEFT JOIN regions r USING (region_code) "
                         "WHERE l.region_code IS NOT NULL AND r.name IS NULL") == 0
    no_region = loaded.query("SELECT lab_id, identified, name FROM labs WHERE region_code IS NULL ORDER BY 1")
    assert [identified for _, identified, _ in no_region] == [False, False]
    assert all("non identifié" in name for *_, name in no_region)


def test_coordinates_are_inside_france_or_its_overseas_regions(loaded):
    labs = loaded.query_df("SELECT lab_id, region_code, latitude, longitude FROM labs WHERE latitude IS NOT NULL")
    placed = loaded.scalar("SELECT count(*) FROM labs WHERE identified")   # every identified lab has a place
    assert len(labs) == placed and placed >= 14
    for lab in labs.itertuples():
        lon0, lon1, lat0, lat1 = BOXES.get(lab.region_code, BOXES["metro"])
        assert lon0 <= lab.longitude <= lon1 and lat0 <= lab.latitude <= lat1, lab.lab_id


def test_twelve_2016_laureates_and_nine_active_on_1_december_2020(loaded):
    assert loaded.scalar("SELECT count(*) FROM labs WHERE cohort = 'laureat-2016'") == 12
    active = loaded.scalar("SELECT count(*) FROM labs WHERE cohort = 'laureat-2016' AND opened_on <= ? "
                           "AND (closed_on IS NULL OR closed_on >= ?)", [date(2020, 12, 1), date(2020, 12, 1)])
    assert active == 9


def test_the_labs_created_in_2021_2022(loaded):
    rows = loaded.query("SELECT region_code, opened_on FROM labs WHERE cohort = 'relance-2021-2022' ORDER BY 1")
    assert [r for r, _ in rows] == ["24", "27", "28", "44"]
    assert all(date(2021, 1, 1) <= d <= date(2022, 12, 31) for _, d in rows)


def test_every_lab_has_a_source_and_assumptions_are_stated(loaded):
    assert loaded.scalar("SELECT count(*) FROM labs WHERE source IS NULL OR trim(source) = ''") == 0
    # a closing date is never public here: every closed lab must say it is an assumption
    closed = loaded.query("SELECT lab_id, assumptions FROM labs WHERE closed_on IS NOT NULL")
    assert closed and all("fermeture" in (a or "") for _, a in closed)


def test_reference_csv_has_no_invented_names_for_unidentified_laureates():
    labs = pd.read_csv(REFERENCE_DIR / "labs.csv", dtype=str)
    unknown = labs[labs["identified"] == "false"]
    assert len(unknown) == 2
    assert unknown["region_code"].isna().all() and unknown["city"].isna().all()
