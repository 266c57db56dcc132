"""Events on the time charts (migration 011): the programme's milestones shipped with their sources, administrators
adding, editing and removing events (checked, permission-checked, audited with before and after), the marks drawn
on every time chart and listed in its data table, and the command line. On both stores."""

from datetime import date

import pytest

from conftest import ADMIN, ANALYSTE, add_accounts, counts
from lit_analytics import audit, catalogue, cli, event_marks, events
from lit_analytics.events import Event, EventError
from lit_analytics.filters import Filters
from lit_analytics.permissions import PermissionDenied
from lit_analytics.presentation.events import MARKS_COLUMN
from lit_analytics.store import Store


def marks_of(chart) -> list[str]:
    return [a.text for a in chart.figure.layout.annotations if a.name == event_marks.MARK_NAME]


def last_journal(store: Store) -> dict:
    return audit.events(store).iloc[0].to_dict()


def test_the_programme_milestones_are_shipped_with_their_public_source(ref_store):
    rows = {r[0]: r[1:] for r in ref_store.query(
        "SELECT event_date, label, kind, lab_id, source_title, source_url, created_by FROM events")}
    laureates = rows[date(2016, 11, 18)]
    assert laureates[0] == "Annonce des 12 lauréats" and laureates[1] == "programme" and laureates[2] is None
    assert "Grand Est" in laureates[3] and laureates[4].startswith("http://prefectures-regions.gouv.fr/")
    assert date(2020, 12, 1) in rows and date(2022, 9, 19) in rows
    assert all(r[3] for r in rows.values()) and {r[5] for r in rows.values()} == {"référence"}
    assert "25 recrutés en 2024" in rows[date(2024, 12, 31)][3]     # the year only: said in the source line


def test_an_administrator_adds_edits_and_removes_an_event_each_audited(ref_store):
    event_id = events.add(ref_store, ADMIN, Event(date(2023, 3, 15), "  Visite   du préfet ", "other", "siilab",
                                                  "Préfecture du Nord, « Visite »", "https://www.nord.gouv.fr/x"))
    assert events.get(ref_store, event_id) == Event(date(2023, 3, 15), "Visite du préfet", "other", "siilab",
                                                    "Préfecture du Nord, « Visite »", "https://www.nord.gouv.fr/x")
    added = last_journal(ref_store)
    assert (added["actor"], added["action"], added["outcome"]) == (ADMIN.email, "ajout d'un événement", "succès")
    assert "15/03/2023 « Visite du préfet »" in added["detail"]

    events.edit(ref_store, ADMIN, event_id, Event(date(2023, 3, 16), "Visite du ministre", "other", "siilab"))
    changed = last_journal(ref_store)
    assert changed["action"] == "modification d'un événement"
    assert "avant : 15/03/2023 « Visite du préfet »" in changed["detail"]
    assert "après : 16/03/2023 « Visite du ministre »" in changed["detail"]
    assert ref_store.scalar("SELECT updated_by FROM events WHERE event_id = ?", [event_id]) == ADMIN.email

    events.remove(ref_store, ADMIN, event_id)
    assert events.get(ref_store, event_id) is None
    assert "avant : 16/03/2023 « Visite du ministre »" in last_journal(ref_store)["detail"]


def test_an_analyst_is_refused_and_the_refusal_is_audited(ref_store):
    before = counts(ref_store)["events"]
    with pytest.raises(PermissionDenied, match="réservée aux administrateurs"):
        events.add(ref_store, ANALYSTE, Event(date(2023, 1, 1), "Tentative"))
    with pytest.raises(PermissionDenied):
        events.remove(ref_store, ANALYSTE, 1)
    assert counts(ref_store)["events"] == before
    refused = last_journal(ref_store)
    assert (refused["actor"], refused["action"], refused["outcome"]) == (ANALYSTE.email, "suppression d'un événement",
                                                                         "refus")


@pytest.mark.parametrize("event,message", [
    (Event(date(2023, 1, 1), "X"), "Libellé : entre 3 et 60 caractères"),
    (Event(date(2023, 1, 1), "x" * 61), "Libellé : entre 3 et 60 caractères"),
    (Event(date(1999, 1, 1), "Trop tôt"), "Date : attendue entre le 01/01/2010"),
    (Event("31/02/2023", "Date impossible"), "Date : « 31/02/2023 » n'est pas une date"),
    (Event(date(2023, 1, 1), "Type inconnu", "fête"), "Type : « fête » inconnu"),
    (Event(date(2023, 1, 1), "Lab inconnu", "other", "nulle-part"), "Laboratoire : « nulle-part » inconnu"),
    (Event(date(2023, 1, 1), "Tranche", "lab-funding"), "Laboratoire : un événement de financement"),
    (Event(date(2023, 1, 1), "Mauvaise adresse", source_url="javascript:alert(1)"), "Adresse de la source"),
])
def test_bad_input_gets_a_french_message_naming_the_field_and_nothing_is_written(ref_store, event, message):
    before = counts(ref_store)
    with pytest.raises(EventError, match=message):
        events.add(ref_store, ADMIN, event)
    assert counts(ref_store) == before
    with pytest.raises(EventError, match="Aucun événement n° 999"):
        events.remove(ref_store, ADMIN, 999)
    assert counts(ref_store) == before


def test_time_charts_mark_the_events_of_their_quarters_and_list_them_in_their_table(demo_store_rw):
    demo = demo_store_rw
    chart = catalogue.build_chart(demo, "evolution-activite")
    assert any("Nouvelle ambition" in text for text in marks_of(chart))
    assert MARKS_COLUMN in chart.data.columns
    t4_2020 = chart.data[chart.data["Trimestre"] == "T4 2020"][MARKS_COLUMN].iloc[0]
    assert t4_2020.startswith("01/12/2020 : Nouvelle ambition (FTAP, relance)") and "source : DITP" in t4_2020
    # the demo data starts in 2017: the 2016 announcement is on no axis, so in no table either
    assert not any("12 lauréats" in text for text in marks_of(chart))
    assert not chart.data[MARKS_COLUMN].str.contains("12 lauréats").any()

    events.add(demo, ADMIN, Event(date(2019, 5, 2), "Séminaire national", "programme"))
    events.add(demo, ADMIN, Event(date(2019, 5, 3), "Visite au Siilab", "other", "siilab"))
    national = catalogue.build_chart(demo, "sessions-trimestre")       # a new data version: built again
    assert any("Séminaire national" in text for text in marks_of(national))
    assert not any("Visite au Siilab" in text for text in marks_of(national))    # a lab's event: on its charts
    assert "02/05/2019 : Séminaire national" in national.data.set_index("Trimestre").loc["T2 2019", MARKS_COLUMN]

    siilab_sessions = " ".join(marks_of(catalogue.build_chart(demo, "sessions-trimestre", Filters(labs=("siilab",)))))
    assert "Visite au Siilab" in siilab_sessions and "Séminaire national" in siilab_sessions
    siilab = catalogue.build_chart(demo, "financements-cumules", Filters(labs=("siilab",)))
    assert "engagés" in " ".join(marks_of(siilab))       # its funding tranches, read from the ledger
    tranche = demo.query("SELECT source, committed_on FROM current_funding_tranches WHERE lab_id = 'siilab' "
                         "ORDER BY committed_on LIMIT 1")[0]
    quarter = f"T{(tranche[1].month - 1) // 3 + 1} {tranche[1].year}"
    listed = " ".join(siilab.data[siilab.data["Trimestre"] == quarter][MARKS_COLUMN])
    assert "engagés" in listed and (tranche[0] in listed or "Relance" in listed or "Cofinancement" in listed)
    many = tuple(lab for (lab,) in demo.query("SELECT lab_id FROM labs ORDER BY lab_id LIMIT 4"))
    assert "engagés" not in " ".join(marks_of(catalogue.build_chart(demo, "financements-cumules", Filters(labs=many))))
    # charts without a quarter axis are left as they are
    assert MARKS_COLUMN not in catalogue.build_chart(demo, "projets-par-theme").data.columns


def test_marks_on_nearby_quarters_are_set_on_rows_that_do_not_overlap():
    rows = event_marks._rows([0.0, 0.05, 0.1, 0.5], [0.3, 0.3, 0.3, 0.3])
    assert rows == [0, 1, 2, 0]


def test_the_command_line_lists_adds_edits_and_removes_events(demo_file_copy, capsys):
    demo_copy = demo_file_copy
    db = str(demo_copy)
    with Store(demo_copy) as store:
        add_accounts(store)
    assert cli.main(["events", "add", "--db", db, "--date", "15/03/2023", "--label", "Visite du ministre",
                     "--lab", "siilab", "--kind", "other", "--user", ADMIN.email]) == 0
    assert "Événement n° 7 ajouté : 15/03/2023 « Visite du ministre » (Autre, siilab)" in capsys.readouterr().out
    assert cli.main(["events", "edit", "--db", db, "--id", "7", "--label", "Visite ministérielle",
                     "--user", ADMIN.email]) == 0
    assert cli.main(["events", "list", "--db", db]) == 0
    listed = capsys.readouterr().out
    assert "18/11/2016  Annonce des 12 lauréats (Programme)" in listed and "Visite ministérielle" in listed
    assert cli.main(["events", "add", "--db", db, "--date", "15/03/2023", "--label", "X", "--user",
                     ADMIN.email]) == 1
    assert "Erreur : Libellé : entre 3 et 60 caractères" in capsys.readouterr().err
    assert cli.main(["events", "remove", "--db", db, "--id", "7", "--user", ANALYSTE.email]) == 1
    assert "réservée aux administrateurs" in capsys.readouterr().err
    assert cli.main(["events", "remove", "--db", db, "--id", "7", "--user", ADMIN.email]) == 0
    with Store(demo_copy, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM events WHERE event_id = 7") == 0
