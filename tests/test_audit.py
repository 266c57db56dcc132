"""The audit log has one home (lit_analytics.audit): typed actions and outcomes, nothing else writes it."""

from __future__ import annotations

import ast
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
    sources = [p for p in (REPO / "lit_analytics").rglob("*.py")
               if p.name != "audit.py" and "store" not in p.relative_to(REPO).parts]   # the store makes the schema
    sources += list((REPO / "pages").glob("*.py")) + [REPO / "app.py"]
    offenders = [str(p.relative_to(REPO)) for p in sources if re.search(r"\baudit_log\b", p.read_text("utf-8"))]
    assert offenders == []


# --- every label written once: callers pass Action / Outcome members, never a French literal ---------

# The audit functions that take a label, and the positions of their `action` / `outcome` arguments.
_LABEL_ARGUMENTS = {"record": {2: "action", 3: "outcome"}, "log": {2: "action", 3: "outcome"},
                    "already_logged": {2: "action"}}


def _audit_calls(source: str, in_audit_module: bool = False) -> list[tuple[int, str, str, ast.expr]]:
    """(line, function, argument role, argument) for each action/outcome argument of an audit call."""
    tree = ast.parse(source)
    modules: set[str] = set()
    functions: dict[str, str] = {name: name for name in _LABEL_ARGUMENTS} if in_audit_module else {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "lit_analytics":
            modules |= {a.asname or a.name for a in node.names if a.name == "audit"}
        elif isinstance(node, ast.ImportFrom) and node.module == "lit_analytics.audit":
            functions.update({a.asname or a.name: a.name for a in node.names if a.name in _LABEL_ARGUMENTS})
        elif isinstance(node, ast.Import):
            modules |= {a.asname for a in node.names if a.name == "lit_analytics.audit" and a.asname}
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in modules:
            name = func.attr
        elif isinstance(func, ast.Name) and func.id in functions:
            name = functions[func.id]
        else:
            continue
        if name not in _LABEL_ARGUMENTS:
            continue
        arguments = {role: node.args[i] for i, role in _LABEL_ARGUMENTS[name].items() if i < len(node.args)}
        arguments.update({k.arg: k.value for k in node.keywords if k.arg in ("action", "outcome")})
        calls += [(node.lineno, name, role, value) for role, value in arguments.items()]
    return calls


def _is_literal(value: ast.expr) -> bool:
    return isinstance(value, ast.JoinedStr) or (isinstance(value, ast.Constant) and isinstance(value.value, str))


def test_the_literal_check_sees_a_french_label_passed_to_the_journal():
    sample = ('from lit_analytics import audit\nfrom lit_analytics.audit import record as r\n'
              'audit.log(s, "a", "connexion", Outcome.SUCCESS)\nr(cur, "a", Action.SIGN_IN, outcome="succès")\n'
              'audit.already_logged(s, "a", f"{x}", "d")\naudit.log(s, "a", Action.SIGN_IN, Outcome.SUCCESS, "cible")\n')
    assert [(line, name, role) for line, name, role, value in _audit_calls(sample) if _is_literal(value)] == [
        (3, "log", "action"), (4, "record", "outcome"), (5, "already_logged", "action")]


def test_no_audit_call_passes_a_french_literal_as_action_or_outcome():
    """`audit.Action` / `audit.Outcome` hold every label once; a literal beside them is a second home that drifts."""
    sources = sorted((REPO / "lit_analytics").rglob("*.py")) + sorted((REPO / "pages").glob("*.py")) + [REPO / "app.py"]
    checked, literals = 0, []
    for path in sources:
        calls = _audit_calls(path.read_text("utf-8"), in_audit_module=path == REPO / "lit_analytics" / "audit.py")
        checked += len(calls)
        literals += [f"{path.relative_to(REPO)}:{line} {name}({role})" for line, name, role, value in calls
                     if _is_literal(value)]
    assert literals == []
    assert checked > 50   # the check does see the calls (accounts, sign-in, uploads, reminders, exports)
