"""Pre-filled reports: the template carries the lab's last published portfolio before the quarter (projects
neither finished nor abandoned, ids kept, French formats), as CSV and XLSX; re-imported unchanged for the next
quarter it is valid and publishes the same projects. Also the `template` command."""

import io
from datetime import date

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import ADMIN, SESSIONS_HEADER
from lit_analytics import cli, ingest
from lit_analytics.ingest import templates

PORTFOLIO = ("id_projet;titre;thematique;statut;date_debut;date_fin;types_partenaires;usagers_impliques;"
             "agents_impliques;budget_eur\n"
             "P-01;Courriers en langage clair;Relation aux usagers;expérimentation;15/03/2021;;collectivité, usagers;"
             "120;14;12 500,5\n"
             "P-02;Tiers-lieu des agents;Ressources humaines et management;terminé;01/02/2020;30/06/2021;;;;\n"
             "P-03;Données ouvertes de l'eau;Numérique et données;conception;01/07/2021;;recherche;;3;\n"
             "P-04;Guichet unique;Autre;abandonné;01/01/2021;01/09/2021;;;;\n").encode()


@pytest.fixture
def published(ref_store):
    result = ingest.publish(ref_store, PORTFOLIO, "projets.csv", kind="projets", lab_id="siilab",
                            quarter="2021-T3", actor=ADMIN)
    assert result.outcome == ingest.PUBLISHED
    return ref_store


def test_prefill_carries_the_open_projects_of_the_last_portfolio(published):
    rows = templates.prefill_rows(published, "projets", "siilab", "2021-T4")
    assert list(rows["id_projet"]) == ["P-01", "P-03"]          # finished and abandoned projects dropped
    assert list(rows.columns) == ingest.load_schema("projets").names
    first = rows.iloc[0]
    assert first["date_debut"] == date(2021, 3, 15) and first["budget_eur"] == 12500.5
    assert first["types_partenaires"] == "collectivité, usagers" and first["usagers_impliques"] == 120
    # only portfolios *before* the quarter: nothing for T3 2021 itself or earlier
    assert templates.prefill_rows(published, "projets", "siilab", "2021-T3").empty
    # sessions happen within a quarter: nothing is carried over
    assert templates.prefill_rows(published, "sessions", "siilab", "2021-T4").empty
    note = templates.prefill_note(published, "siilab", "2021-T4")
    assert note.startswith("Pré-rempli avec le portefeuille publié pour T3 2021 : 2 projet(s) en cours repris")


def test_prefilled_csv_is_french_and_reimports_unchanged_for_the_next_quarter(published):
    data = templates.template_csv("projets", templates.prefill_rows(published, "projets", "siilab", "2021-T4"))
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == ("id_projet;titre;thematique;statut;date_debut;date_fin;types_partenaires;usagers_impliques;"
                        "agents_impliques;budget_eur")
    assert lines[1] == ("P-01;Courriers en langage clair;Relation aux usagers;expérimentation;15/03/2021;;"
                        "collectivité, usagers;120;14;12500,5")
    assert lines[2] == "P-03;Données ouvertes de l'eau;Numérique et données;conception;01/07/2021;;recherche;;3;"
    report = ingest.verify(published, data, "projets_siilab_2021-T4.csv", kind="projets", lab_id="siilab",
                           quarter="2021-T4", actor=ADMIN)
    assert report.ok and not report.warnings, report.text()
    result = ingest.publish(published, data, "projets_siilab_2021-T4.csv", kind="projets", lab_id="siilab",
                            quarter="2021-T4", actor=ADMIN)
    assert result.outcome == ingest.PUBLISHED
    before = ingest.version_rows(published, result.replaced_version_id or -1, "projets")
    assert before.empty   # a new report: T4 2021 had no version
    t3 = int(ingest.versions(published, "projets", "siilab", "2021-T3").version_id.iloc[0])
    t3_rows = ingest.version_rows(published, t3, "projets")
    t4_rows = ingest.version_rows(published, result.version_id, "projets")
    open_t3 = t3_rows[t3_rows["id_projet"].isin(["P-01", "P-03"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(t4_rows, open_t3, check_dtype=False)   # the same rows, value for value


def test_prefilled_xlsx_has_typed_cells_drop_down_lists_and_reimports_unchanged(published):
    data = templates.template_xlsx("projets", templates.prefill_rows(published, "projets", "siilab", "2021-T4"))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["projets", "Dictionnaire"]
    sheet = book["projets"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(ingest.load_schema("projets").names)
    assert rows[1][0] == "P-01" and rows[1][4].date() == date(2021, 3, 15) and rows[1][9] == 12500.5
    assert sheet["E2"].number_format == "DD/MM/YYYY"
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert set(lists) == {"C2:C5000", "D2:D5000"}    # thematique, statut
    themes = [c.value for c in book["Dictionnaire"][lists["C2:C5000"].split("!")[1].replace("$", "")][0]]
    assert themes == list(ingest.load_schema("projets").field("thematique").enum)
    report = ingest.verify(published, data, "projets.xlsx", kind="projets", lab_id="siilab", quarter="2021-T4",
                           actor=ADMIN)
    assert report.ok and not report.warnings, report.text()
    assert sorted(report.diff.added) == ["P-01", "P-03"]


def test_without_a_previous_portfolio_the_prefilled_template_is_the_blank_one(ref_store):
    rows = templates.prefill_rows(ref_store, "projets", "siilab", "2021-T4")
    assert rows.empty
    assert templates.template_csv("projets", rows) == templates.template_csv("projets")
    assert templates.template_csv("sessions", templates.prefill_rows(ref_store, "sessions", "siilab", "2021-T4")) \
        .decode("utf-8-sig").strip() == SESSIONS_HEADER


@pytest.mark.parametrize("quarter", ["2021-T4", "T4 2021"])
def test_template_command_writes_the_prefilled_file(published, tmp_path, capsys, quarter):
    published.close()   # the command opens the file itself
    out = tmp_path / "projets.csv"
    code = cli.main(["template", "--db", str(published.path), "--kind", "projets", "--lab", "siilab",
                     "--quarter", quarter, "--prefill", "--format", "csv", "--out", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "2 projet(s) en cours repris" in text and f"Écrit : {out}" in text
    assert out.read_bytes().decode("utf-8-sig").splitlines()[1].startswith("P-01;")
    xlsx = tmp_path / "projets.xlsx"
    assert cli.main(["template", "--db", str(published.path), "--kind", "sessions", "--lab", "siilab",
                     "--quarter", quarter, "--format", "xlsx", "--out", str(xlsx)]) == 0
    assert load_workbook(xlsx).sheetnames == ["sessions", "Dictionnaire"]
    assert cli.main(["template", "--db", str(published.path), "--kind", "projets", "--lab", "nulle-part",
                     "--quarter", quarter, "--format", "csv", "--out", str(out)]) == 1
    assert "Laboratoire inconnu : « nulle-part »" in capsys.readouterr().err
