"""The audit log has one home (lit_analytics.audit): typed actions and outcomes, nothing else writes it."""

from __future__ import annotations

import re
from datetime import date

import pytest

from conftest import REPO
from lit_analytics import audit
from lit_analytics.audit import Action, Outcome


def test_an_event_is_stored_with_its_french_labels(empty_store, journal_day):
    audit.log(empty_store, "chef@ditp.gouv.fr", Action.RESTORATION, Outcome.REFUSED, "version 3", "pas admin")
    assert empty_store.query("SELECT actor, action, target, outcome, detail FROM audit_log") == [
        ("chef@ditp.gouv.fr", "restauration", "version 3", "refus", "pas admin")]
    assert audit.choices(empty_store) == {"actor": ["chef@ditp.gouv.fr"], "action": ["restauration"],
                                          "outcome": ["refus"]}
    assert audit.summary(empty_store) == (1, journal_day)


def test_a_misspelt_action_or_outcome_is_refused_and_nothing_is_written(empty_store):
    with pytest.raises(ValueError):
        audit.log(empty_store, "chef@ditp.gouv.fr", "restoration", Outcome.SUCCESS)
    with pytest.raises(ValueError):
        audit.log(empty_store, "chef@ditp.gouv.fr", Action.EXPORT, "réussi")
    assert audit.summary(empty_store) == (0, None)


def test_an_export_is_logged_with_its_size_or_its_error(empty_store):
    audit.log_export(empty_store, "a@ditp.gouv.fr", "Carte (png)", data=b"x" * 12)
    audit.log_export(empty_store, "a@ditp.gouv.fr", "Carte (pdf)", error=RuntimeError("navigateur absent"))
    assert empty_store.query("SELECT action, outcome, target, detail FROM audit_log ORDER BY event_id") == [
        ("export", "succès", "Carte (png)", "12 octets"),
        ("export", "échec", "Carte (pdf)", "navigateur absent")]


def test_the_date_range_picker_gives_a_start_and_an_end():
    day, other = date(2021, 7, 1), date(2021, 9, 30)
    assert audit.period_bounds((day, other)) == (day, other)
    assert audit.period_bounds((day,)) == (day, None)          # second day not chosen yet
    assert audit.period_bounds(day) == (day, day)


def test_only_the_audit_module_reads_or_writes_the_audit_log():
    sources = [p for p in (REPO / "lit_analytics").rglob("*.py") if p.name != "audit.py"]
    sources += list((REPO / "pages").glob("*.py")) + [REPO / "app.py"]
    offenders = [str(p.relative_to(REPO)) for p in sources if re.search(r"\baudit_log\b", p.read_text("utf-8"))]
    assert offenders == []
