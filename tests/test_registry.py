"""The living registry (issue 21): labs added, corrected, closed and reopened in the running service with their
history and audit rows; cohorts and funding sources as data; a closed lab's later reports refused; `reference sync`
as a reviewed diff that never deletes what users entered (`--dry-run` writes nothing)."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from conftest import ADMIN, ANALYSTE, PORTEUR, read, snapshot
from lit_analytics import ingest
from lit_analytics.lab_names import lab_names
from lit_analytics.permissions import PermissionDenied
from lit_analytics.reference import REFERENCE_DIR
from lit_analytics.registry import Citation, RegistryError, catalog, labs, sync

PAGE = Citation("Préfecture de La Réunion, « Inauguration du Lab Essai »", date(2025, 10, 14),
                "https://example.org/essai")


def audit_rows(store, action):
    return store.query("SELECT actor, target, outcome, detail FROM audit_log WHERE action = ? ORDER BY event_id",
                       [action])


def add_test_lab(store):
    catalog.add_entry(store, ADMIN, "cohorts", "vague-2025", "Créés en 2025", starts_on="2025-01-01", citation=PAGE)
    return labs.add_lab(store, ADMIN, "lab-essai", {"name": "Laboratoire d'essai de La Réunion (test)",
                                                  "short_name": "Lab Essai", "region_code": "4", "city": "Saint-Pierre",
                                                  "cohort": "vague-2025", "opened_on": "13/10/2025",
                                                  "lead_administration": "Préfecture de La Réunion",
                                                  "budget_eur": "200 000"}, PAGE)


def test_an_admin_adds_a_lab_in_a_new_cohort_with_history_audit_and_sources(ref_store):
    note = add_test_lab(ref_store)
    assert "centre de la région La Réunion" in note                      # no city known: the region's centre
    row = labs.lab_row(ref_store, "lab-essai")
    assert row["cohort"] == "vague-2025" and row["region_code"] == "04" and row["opened_on"] == date(2025, 10, 13)
    assert -21.5 < row["latitude"] < -20.8 and 55.2 < row["longitude"] < 55.9
    assert lab_names(ref_store, ["lab-essai"]) == {"lab-essai": "Lab Essai"}
    history = labs.history(ref_store, "lab-essai")
    assert "Création" in set(history["Champ"]) and "13/10/2025" in set(history["Après"])
    assert set(history["Adresse"]) == {"https://example.org/essai"}
    assert audit_rows(ref_store, "création de laboratoire")[0][:3] == (ADMIN.email, "lab-essai", "succès")
    assert audit_rows(ref_store, "ajout au référentiel")[0][1] == "cohorte vague-2025"
    assert ("name", "https://example.org/essai") in ref_store.query("SELECT fact, url FROM lab_sources "
                                                                   "WHERE lab_id = 'lab-essai'")


def test_a_lab_in_a_known_city_takes_that_citys_coordinates(ref_store):
    catalog.add_entry(ref_store, ADMIN, "cohorts", "vague-2025", "Créés en 2025")
    labs.add_lab(ref_store, ADMIN, "lab-rennes-2", {"name": "Second lab", "region_code": "53", "city": "rennes",
                                                    "cohort": "vague-2025"})
    ti = labs.lab_row(ref_store, "ti-lab")
    assert (labs.lab_row(ref_store, "lab-rennes-2")["latitude"], labs.lab_row(ref_store, "lab-rennes-2")["longitude"]) \
        == (ti["latitude"], ti["longitude"])


@pytest.mark.parametrize("fields, message", [
    ({"cohort": "vague-9999"}, "Cohorte : « vague-9999 » inconnue"),
    ({"region_code": "99"}, "Région : code INSEE « 99 » inconnu"),
    ({"opened_on": "2025-13-01"}, "Ouverture : « 2025-13-01 » n'est pas une date"),
    ({"budget_eur": "beaucoup"}, "Budget : « beaucoup » n'est pas un montant"),
    ({"latitude": "48,1"}, "Coordonnées : indiquez la latitude et la longitude"),
    ({"opened_on": "2025-01-01", "closed_on": "2024-01-01"}, "Fermeture : le 01/01/2024 précède l'ouverture"),
])
def test_bad_values_are_refused_in_french_and_nothing_is_written(ref_store, fields, message):
    before = snapshot(ref_store)
    with pytest.raises(RegistryError, match=message):
        labs.add_lab(ref_store, ADMIN, "lab-x", {"name": "X", "cohort": "laureat-2016", **fields})
    assert snapshot(ref_store) == before


def test_only_admins_change_the_registry_and_refusals_are_audited(ref_store):
    for actor in (ANALYSTE, PORTEUR):
        with pytest.raises(PermissionDenied, match="réservée aux administrateurs"):
            labs.close_lab(ref_store, actor, "siilab", "2024-12-31")
    assert [r[2] for r in audit_rows(ref_store, "fermeture de laboratoire")] == ["refus", "refus"]
    assert labs.lab_row(ref_store, "siilab")["closed_on"] is None


def test_close_refuses_later_reports_then_reopen_accepts_them(ref_store):
    labs.close_lab(ref_store, ADMIN, "siilab", "30/06/2021", PAGE)
    assert labs.closed_text(labs.lab_row(ref_store, "siilab")["closed_on"]) == "fermé le 30/06/2021"
    good = read("sessions_utf8_comma_iso.csv")
    with pytest.raises(ValueError, match="« siilab » est fermé depuis le 30/06/2021 : aucun rapport n'est accepté "
                                         "pour le T3 2021"):
        ingest.publish(ref_store, good, "sessions.csv", kind="sessions", lab_id="siilab", quarter="2021-T3",
                       actor=PORTEUR)
    # its lead can still read its history
    assert "Fermeture" in set(labs.history(ref_store, "siilab")["Champ"])
    labs.reopen_lab(ref_store, ADMIN, "siilab")
    assert labs.lab_row(ref_store, "siilab")["closed_on"] is None
    result = ingest.publish(ref_store, good, "sessions.csv", kind="sessions", lab_id="siilab", quarter="2021-T3",
                            actor=PORTEUR)
    assert result.outcome == "publié", result.report.text()
    rows = ref_store.query("SELECT field, before_value, after_value, changed_by FROM lab_changes "
                           "WHERE lab_id = 'siilab' ORDER BY change_id")
    assert rows == [("closed_on", None, "2021-06-30", ADMIN.email), ("closed_on", "2021-06-30", None, ADMIN.email)]
    assert [r[3] for r in audit_rows(ref_store, "fermeture de laboratoire")] == [
        "Fermeture : — → 30/06/2021 (source : " + PAGE.title + ")"]
    assert audit_rows(ref_store, "réouverture de laboratoire")[0][3] == "Fermeture : 30/06/2021 → —"
    with pytest.raises(RegistryError, match="n'est pas fermé"):
        labs.reopen_lab(ref_store, ADMIN, "siilab")


def test_an_edit_records_before_and_after_per_field(ref_store):
    changed = labs.edit_lab(ref_store, ADMIN, "ti-lab", {"lead_administration": "SGAR Bretagne", "city": "Rennes"})
    assert changed == ["Administration porteuse"]                          # the city did not change
    assert ref_store.query("SELECT field, before_value, after_value FROM lab_changes WHERE lab_id = 'ti-lab'") == [
        ("lead_administration", "Préfecture de région et Région Bretagne", "SGAR Bretagne")]
    assert labs.edit_lab(ref_store, ADMIN, "ti-lab", {"city": "Rennes"}) == []


def test_a_new_funding_source_is_accepted_in_the_ledger(ref_store):
    catalog.add_entry(ref_store, ADMIN, "funding_sources", "fonds-outre-mer", "Fonds outre-mer")
    assert "fonds-outre-mer" in catalog.labels(ref_store, "funding_sources")
    with pytest.raises(RegistryError, match="existe déjà"):
        catalog.add_entry(ref_store, ADMIN, "funding_sources", "FONDS-outre-mer", "Doublon")
    ledger = ("id_tranche,id_lab,source,montant_eur,date_engagement,date_versement,objet\n"
              "T1,siilab,fonds-outre-mer,1000,2025-01-15,,essai\n").encode()
    report = ingest.verify(ref_store, ledger, "financements.csv", kind="financements", actor=ADMIN)
    assert not [e for e in report.errors if e.column == "source"], report.text()
    # …and offered wherever the ledger's list is: the XLSX template's drop-down, the data dictionary, the messages
    import io

    from openpyxl import load_workbook

    from lit_analytics.ingest import templates
    registry = ingest.registry_values(ref_store, "financements")
    book = load_workbook(io.BytesIO(templates.template_xlsx("financements", registry=registry)))
    column = ingest.load_schema("financements").names.index("source") + 1
    (check,) = [v for v in book["financements"].data_validations.dataValidation
                if f"{chr(64 + column)}2:{chr(64 + column)}5000" in str(v.sqref)]
    cells = book["Dictionnaire"][check.formula1.split("!")[1].replace("$", "")]
    assert [c.value for row in cells for c in row] == ["PIA", "FTAP", "relance", "autre", "fonds-outre-mer"]
    allowed = templates.dictionary("financements", registry).set_index("Colonne").loc["source", "Valeurs autorisées"]
    assert allowed.endswith("autre ; fonds-outre-mer")
    assert "fonds-outre-mer" not in templates.dictionary("financements").to_csv()    # the schema alone: its own four
    missing = ingest.verify(ref_store, ledger.replace(b"fonds-outre-mer", b""), "financements.csv",
                            kind="financements", actor=ADMIN)
    (error,) = [e for e in missing.errors if e.column == "source"]
    assert error.line == 2 and "fonds-outre-mer" in error.message, error.message


def sync_copy(tmp_path):
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    return folder


def test_reference_sync_dry_run_writes_nothing_then_sync_applies_and_keeps_user_entries(ref_store, tmp_path):
    folder = sync_copy(tmp_path)
    assert sync.plan(ref_store, folder).empty                              # the database is what init loaded
    labs.edit_lab(ref_store, ADMIN, "lab-l", {"short_name": "Lab L (saisi)"})   # an administrator's value
    add_test_lab(ref_store)                                                      # a lab users entered
    text = (folder / "labs.csv").read_text(encoding="utf-8")
    text = text.replace("Lab'EST,44,Strasbourg", "Lab'EST,44,Metz")       # a corrected fact
    text = text.replace(",LAB'L\n", ",LAB L\n")                             # conflicts with the admin's value
    text += ("lab-nouveau,Laboratoire nouveau,53,Brest,48.39,-4.49,Préfecture,vague-2026,2026-01-05,,,,true,"
             "Page de test,,Nouveau\n")
    (folder / "labs.csv").write_text(text, encoding="utf-8")
    with (folder / "cohorts.csv").open("a", encoding="utf-8") as handle:
        handle.write("vague-2026,Créés en 2026,2026-01-01,,,,,\n")
    before = snapshot(ref_store)
    dry = sync.apply(ref_store, "ligne de commande", folder, dry_run=True)
    assert snapshot(ref_store) == before                                   # nothing written
    out = dry.text(dry_run=True)
    assert "essai à blanc" in out and "+ lab-nouveau (Laboratoire nouveau)" in out and "+ vague-2026" in out
    assert "~ lab-est : Ville Strasbourg → Metz" in out
    assert "= lab-l : Nom court (Lab L (saisi), saisi dans le service" in out
    shipped = len((folder / "labs.csv").read_text("utf-8").splitlines()) - 2   # header, and lab-nouveau
    assert dry.diffs["labs"].unchanged == shipped - 1                          # all but lab-est (lab-l: kept)
    sync.apply(ref_store, "ligne de commande", folder)
    assert labs.lab_row(ref_store, "lab-est")["city"] == "Metz"
    assert labs.lab_row(ref_store, "lab-l")["short_name"] == "Lab L (saisi)"   # the admin's value kept
    assert labs.lab_row(ref_store, "lab-essai") is not None                      # never deleted
    assert labs.lab_row(ref_store, "lab-nouveau")["cohort"] == "vague-2026"
    assert ref_store.query("SELECT changed_by, before_value, after_value FROM lab_changes WHERE lab_id = 'lab-est'") \
        == [(sync.SYNC_ACTOR, "Strasbourg", "Metz")]
    assert audit_rows(ref_store, "synchronisation du référentiel")[0][0] == "ligne de commande"
    assert sync.plan(ref_store, folder).empty                              # applied: nothing left


def test_reference_sync_refuses_a_bad_file_naming_file_and_line(ref_store, tmp_path):
    folder = sync_copy(tmp_path)
    with (folder / "labs.csv").open("a", encoding="utf-8") as handle:
        handle.write("lab-bad,Mauvais,53,Brest,,,,inconnue,2026-01-05,,,,true,Page,,\n")
    line = len((folder / "labs.csv").read_text("utf-8").splitlines())      # the appended row (header = line 1)
    with pytest.raises(RegistryError, match=rf"labs\.csv, ligne {line} : Cohorte : « inconnue » inconnue"):
        sync.apply(ref_store, "ligne de commande", folder)


def test_reference_sync_leaves_a_demo_database_as_it_is_and_fills_what_an_upgrade_left_empty(demo_copy):
    from lit_analytics.store import Store
    with Store(demo_copy) as store:
        assert sync.plan(store).empty                       # the demo's « budget (démo) » assumptions are kept
        with store.transaction(writes=("labs",)) as cur:    # as migration 008 leaves a database of an earlier release
            cur.execute("UPDATE labs SET short_name = NULL")
        planned = sync.plan(store)
        assert "~ ti-lab : Nom court — → Ti Lab" in planned.text(dry_run=True)
        sync.apply(store, "ligne de commande")
        assert lab_names(store, ["le-campus", "ti-lab"]) == {"le-campus": "LaBase", "ti-lab": "Ti Lab"}
