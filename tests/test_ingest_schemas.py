"""The exchange schemas: valid Frictionless Table Schemas, the same vocabularies as the code, and templates that
round-trip (a filled-in template publishes; the untouched example row is refused)."""

import io
import json

import pytest
from openpyxl import load_workbook

from conftest import ADMIN
from lit_analytics import config, domain, ingest
from lit_analytics.ingest import templates

KINDS = ["projets", "sessions", "financements"]
FORMATS = [*KINDS, "meteo"]      # and the quarter's météo (one line)


@pytest.mark.parametrize("kind", FORMATS)
def test_schemas_are_valid_frictionless_table_schemas(kind):
    from frictionless import Schema
    descriptor = json.loads((config.SCHEMA_DIR / f"{kind}.json").read_text(encoding="utf-8"))
    schema = Schema.from_descriptor(descriptor)
    assert [f.name for f in schema.fields] == ingest.load_schema(kind).names
    assert all(f.title and f.description for f in schema.fields)


def test_schema_vocabularies_are_the_domain_vocabularies():
    projets, sessions, financements = (ingest.load_schema(k) for k in KINDS)
    assert list(projets.field("thematique").enum) == domain.THEMES
    assert list(projets.field("statut").enum) == domain.PROJECT_STATUSES
    assert list(projets.field("types_partenaires").item_enum) == domain.PARTNER_TYPES
    assert list(sessions.field("format").enum) == domain.SESSION_FORMATS
    assert list(financements.field("source").enum) == domain.FUNDING_SOURCES
    assert list(ingest.load_schema("meteo").field("meteo").enum) == domain.METEO_LEVELS


def test_exchange_columns_are_the_documented_ones():
    assert ingest.load_schema("projets").names == [
        "id_projet", "titre", "thematique", "statut", "date_debut", "date_fin", "types_partenaires",
        "usagers_impliques", "agents_impliques", "budget_eur"]
    assert ingest.load_schema("sessions").names == [
        "id_session", "date", "intitule", "format", "duree_heures", "participants_agents", "participants_autres"]
    assert ingest.load_schema("financements").names == [
        "id_tranche", "id_lab", "source", "montant_eur", "date_engagement", "date_versement", "objet"]


def test_csv_template_is_semicolon_utf8_bom_with_an_example_row():
    data = templates.template_csv("sessions")
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines == ["id_session;date;intitule;format;duree_heures;participants_agents;participants_autres",
                     "EXEMPLE-S-001;16/09/2021;Initiation au design de services;formation;3,5;18;4"]


@pytest.mark.parametrize("kind", FORMATS)
def test_xlsx_template_has_data_and_dictionary_sheets(kind):
    book = load_workbook(io.BytesIO(templates.template_xlsx(kind)))
    assert book.sheetnames == [kind, "Dictionnaire"]
    rows = list(book[kind].iter_rows(values_only=True))
    assert list(rows[0]) == ingest.load_schema(kind).names and len(rows) == 2
    dictionary = list(book["Dictionnaire"].iter_rows(values_only=True))
    assert dictionary[0][:5] == ("Colonne", "Titre", "Description", "Type", "Obligatoire")
    assert [r[0] for r in dictionary[1:]] == ingest.load_schema(kind).names


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_untouched_template_is_refused_and_the_filled_in_one_publishes(ref_store, fmt):
    data = templates.template_csv("sessions") if fmt == "csv" else templates.template_xlsx("sessions")
    report = ingest.verify(ref_store, data, f"modele.{fmt}", kind="sessions", lab_id="siilab", quarter="2021-T3")
    assert [(e.line, e.column, e.code) for e in report.errors] == [(2, "id_session", "example-row")]
    if fmt == "csv":
        filled = data.replace("EXEMPLE-S-001".encode(), b"S-2021-001")
    else:
        book = load_workbook(io.BytesIO(data))
        book["sessions"]["A2"] = "S-2021-001"
        out = io.BytesIO()
        book.save(out)
        filled = out.getvalue()
    result = ingest.publish(ref_store, filled, f"rapport.{fmt}", kind="sessions", lab_id="siilab",
                            quarter="2021-T3", actor=ADMIN)
    assert result.outcome == ingest.PUBLISHED, result.report.text()
    assert ref_store.query("SELECT session_id, duration_hours, participants_agents, participants_others "
                           "FROM training_sessions") == [("S-2021-001", 3.5, 18, 4)]


def test_dictionary_lists_allowed_values_in_french():
    frame = templates.dictionary("projets")
    statut = frame.set_index("Colonne").loc["statut"]
    assert statut["Obligatoire"] == "oui"
    assert statut["Valeurs autorisées"] == " ; ".join(domain.PROJECT_STATUSES)
    assert frame.set_index("Colonne").loc["date_fin", "Règles"] == "pas avant date_debut"
