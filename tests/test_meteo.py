"""The quarter's météo and the field's words (issue 22, point 2): a one-line file checked against its Table Schema
(length bounds, French messages naming line and column), versioned (a new publication supersedes, restore brings an
older one back), audited; the DITP answers with comments and decides what is public. And « nothing to declare »: a
header-only sessions or projects file publishes an empty version that counts as reported and stops reminders."""

from datetime import date

import pytest

from conftest import ADMIN, ANALYSTE, PORTEUR, SESSIONS_HEADER, snapshot
from lit_analytics import audit, ingest
from lit_analytics.ingest import meteo, templates
from lit_analytics.ingest.reporting import RECEIVED, reporting_status
from lit_analytics.permissions import Actor, PermissionDenied

HEAD = "meteo;faits_marquants;difficultes_freins;besoins_appui\n"
GOOD = (HEAD + "nuage;Lancement de l'accueil unique avec deux communes;Recrutement reporté;"
        "Un appui juridique sur les données\n").encode()
BETTER = (HEAD + "soleil;Lancement de l'accueil unique avec deux communes;aucune;aucun\n").encode()
LAB, QUARTER = "siilab", "2021-T3"


def up(store, data, actor=PORTEUR, name="meteo.csv"):
    return meteo.publish(store, data, name, lab_id=LAB, quarter=QUARTER, actor=actor)


def journal(store, action):
    return store.query("SELECT actor, outcome, target, detail FROM audit_log WHERE action = ? ORDER BY event_id",
                       [str(action)])


def test_a_lab_lead_publishes_a_meteo_and_a_new_one_supersedes_it(ref_store):
    first = up(ref_store, GOOD)
    assert first.outcome == ingest.PUBLISHED and first.replaced_version_id is None
    got = meteo.current(ref_store, LAB, QUARTER)
    assert (got["level"], got["difficulties"], got["is_public"]) == ("nuage", "Recrutement reporté", False)
    again = up(ref_store, GOOD)
    assert again.outcome == ingest.ALREADY
    report = meteo.verify(ref_store, BETTER, "m2.csv", lab_id=LAB, quarter="T3 2021")
    assert report.ok and list(report.diff.changed) == ["rapport"]
    assert [c[0] for c in report.diff.changed["rapport"]] == ["meteo", "difficultes_freins", "besoins_appui"]
    second = up(ref_store, BETTER, name="m2.csv")
    assert second.outcome == ingest.PUBLISHED and second.replaced_version_id == first.version_id
    assert meteo.current(ref_store, LAB, QUARTER)["level"] == "soleil"
    assert list(meteo.versions(ref_store, LAB, QUARTER)["is_current"]) == [True, False]
    published = journal(ref_store, audit.Action.PUBLICATION)
    assert published[-1][:3] == (PORTEUR.email, "succès", "météo siilab 2021-T3")
    assert "nuage → soleil" in published[-1][3]
    # An administrator restores the first version; nothing is deleted.
    with pytest.raises(PermissionDenied):
        meteo.restore(ref_store, first.version_id, PORTEUR)
    meteo.restore(ref_store, first.version_id, ADMIN)
    assert meteo.current(ref_store, LAB, QUARTER)["level"] == "nuage"
    assert len(meteo.versions(ref_store, LAB, QUARTER)) == 2


@pytest.mark.parametrize("body, line, column, code", [
    (HEAD + "brouillard;Lancement de l'accueil unique;aucune;aucun\n", 2, "meteo", "enum"),
    (HEAD + "soleil;Trop court;aucune;aucun\n", 2, "faits_marquants", "min-length"),
    (HEAD + "soleil;" + "x" * 1001 + ";aucune;aucun\n", 2, "faits_marquants", "max-length"),
    (HEAD + "soleil;Lancement de l'accueil unique;;aucun\n", 2, "difficultes_freins", "required"),
    (HEAD, None, None, "no-rows"),
    (HEAD + "soleil;Lancement de l'accueil unique;aucune;aucun\n" * 2, 3, None, "one-row"),
])
def test_a_bad_meteo_is_refused_with_a_french_message_and_nothing_is_published(ref_store, body, line, column, code):
    before = snapshot(ref_store)["meteo_reports"]
    result = up(ref_store, body.encode())
    assert result.outcome == ingest.REJECTED
    issue = result.report.errors[0]
    assert (issue.line, issue.column, issue.code) == (line, column, code)
    assert "attendu" in issue.message
    assert snapshot(ref_store)["meteo_reports"] == before
    assert journal(ref_store, audit.Action.UPLOAD)[-1][:2] == (PORTEUR.email, "échec")


def test_the_template_example_row_is_refused_and_the_form_file_publishes(ref_store):
    untouched = up(ref_store, templates.template_csv("meteo"))
    assert [i.code for i in untouched.report.errors] == ["example-row"]
    data = meteo.form_file("orage", "Le comité de pilotage ne s'est pas réuni", "Pas de budget 2022",
                           "Un arbitrage de la préfecture")
    assert up(ref_store, data, name=meteo.form_file_name(LAB, QUARTER)).outcome == ingest.PUBLISHED
    assert meteo.current(ref_store, LAB, QUARTER)["level"] == "orage"


def test_only_the_labs_lead_or_an_administrator_publishes_a_meteo(ref_store):
    other = Actor("autre@lab.test", "porteur", frozenset({"lab-zero"}))
    for actor in (other, ANALYSTE):
        with pytest.raises(PermissionDenied):
            up(ref_store, GOOD, actor=actor)
    assert meteo.current(ref_store, LAB, QUARTER) is None
    assert [r[1] for r in journal(ref_store, audit.Action.UPLOAD)] == ["refus", "refus"]
    assert up(ref_store, GOOD, actor=ADMIN).outcome == ingest.PUBLISHED


def test_the_ditp_comments_and_decides_what_is_public(ref_store):
    with pytest.raises(ValueError, match="Aucune météo publiée"):
        meteo.add_comment(ref_store, LAB, QUARTER, "Bien reçu", ANALYSTE)
    version = up(ref_store, GOOD).version_id
    with pytest.raises(PermissionDenied):
        meteo.add_comment(ref_store, LAB, QUARTER, "Je me réponds", PORTEUR)
    with pytest.raises(ValueError, match="trop long"):
        meteo.add_comment(ref_store, LAB, QUARTER, "x" * 1001, ANALYSTE)
    meteo.add_comment(ref_store, LAB, QUARTER, "Nous organisons un appel avec la DAJ.", ANALYSTE)
    assert ref_store.query("SELECT version_id, body, written_by FROM meteo_comments") == [
        (version, "Nous organisons un appel avec la DAJ.", ANALYSTE.email)]
    assert journal(ref_store, audit.Action.METEO_COMMENT)[-1][:2] == (ANALYSTE.email, "succès")
    with pytest.raises(PermissionDenied):
        meteo.set_public(ref_store, version, True, ANALYSTE)
    meteo.set_public(ref_store, version, True, ADMIN)
    assert meteo.current(ref_store, LAB, QUARTER)["is_public"]
    assert "non → oui" in journal(ref_store, audit.Action.METEO_VISIBILITY)[-1][3]
    # A new version is not public until the DITP says so again.
    up(ref_store, BETTER)
    assert not meteo.current(ref_store, LAB, QUARTER)["is_public"]


@pytest.mark.parametrize("kind, data", [
    ("sessions", ("\ufeff" + SESSIONS_HEADER + "\r\n").encode()),   # what LibreOffice writes from the template
    ("projets", None),
])
def test_nothing_to_declare_publishes_an_empty_version_that_counts_as_received(ref_store, kind, data):
    data = data or ("\ufeff" + ";".join(ingest.load_schema(kind).names) + "\n").encode()
    report = ingest.verify(ref_store, data, "vide.csv", kind=kind, lab_id=LAB, quarter=QUARTER)
    assert report.ok and report.row_count == 0 and [w.code for w in report.warnings] == ["no-rows"]
    result = ingest.publish(ref_store, data, "vide.csv", kind=kind, lab_id=LAB, quarter=QUARTER, actor=PORTEUR)
    assert result.outcome == ingest.PUBLISHED
    status = reporting_status(ref_store, today=date(2022, 3, 1), labs=(LAB,), kind=kind)
    assert status.set_index("quarter").loc[QUARTER, "status"] == RECEIVED
    assert journal(ref_store, audit.Action.PUBLICATION)[-1][:2] == (PORTEUR.email, "succès")
    assert ref_store.query("SELECT row_count, outcome FROM imports ORDER BY import_id DESC LIMIT 1") == [
        (0, "publié")]


def test_sessions_header_only_from_the_prefilled_template_is_an_answer(ref_store):
    data = templates.template_csv("sessions", templates.prefill_rows(ref_store, "sessions", LAB, QUARTER))
    assert data.decode("utf-8-sig").strip() == SESSIONS_HEADER
    result = ingest.publish(ref_store, data, "sessions.csv", kind="sessions", lab_id=LAB, quarter=QUARTER,
                            actor=PORTEUR)
    assert result.outcome == ingest.PUBLISHED and result.report.row_count == 0


def test_an_empty_sessions_report_stops_its_reminders(ref_store):
    from lit_analytics import reminders
    today = date(2021, 11, 15)     # T3 2021 is late (due 30/10/2021)

    def reminded():
        due, nobody = reminders.plan(ref_store, today, labs=(LAB,), quarters=(QUARTER,))
        return sorted(kind for r in due + nobody for kind in r.reports)

    assert reminded() == ["projets", "sessions"]
    ingest.publish(ref_store, templates.header_only("sessions"), "vide.csv", kind="sessions", lab_id=LAB,
                   quarter=QUARTER, actor=PORTEUR)
    assert reminded() == ["projets"]


def test_the_command_line_writes_the_template_and_imports_a_meteo(ref_store, tmp_path, capsys):
    from conftest import add_accounts
    from lit_analytics.cli import main
    add_accounts(ref_store, [PORTEUR])
    db = str(ref_store.path)
    template = tmp_path / "meteo.xlsx"
    assert main(["template", "--db", db, "--kind", "meteo", "--lab", LAB, "--quarter", QUARTER, "--format", "xlsx",
                 "--out", str(template)]) == 0
    assert main(["import", "--db", db, "--user", PORTEUR.email, "--kind", "meteo", "--lab", LAB, "--quarter",
                 QUARTER, str(template)]) == 1
    assert "ligne d'exemple" in capsys.readouterr().out
    good = tmp_path / "meteo.csv"
    good.write_bytes(GOOD)
    assert main(["import", "--db", db, "--user", PORTEUR.email, "--kind", "meteo", "--lab", LAB, "--quarter",
                 QUARTER, "--dry-run", str(good)]) == 0
    assert main(["import", "--db", db, "--user", PORTEUR.email, "--kind", "meteo", "--lab", LAB, "--quarter",
                 QUARTER, str(good)]) == 0
    assert "Publié : météo siilab T3 2021" in capsys.readouterr().out
    assert main(["import", "--db", db, "--user", PORTEUR.email, "--kind", "meteo", str(good)]) == 2   # no lab
