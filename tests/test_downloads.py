"""Every download button of the app is drawn by `lit_analytics.ui.export`: a file made at click time goes through
`deferred_download` (the session re-checked at download time, the export audited), a file already made goes
through `file_download`, which refuses a callable."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import PORTEUR, REPO, add_accounts
from lit_analytics import accounts, sessions
from lit_analytics.permissions import PermissionDenied
from lit_analytics.ui import export

WRAPPER = Path("lit_analytics/ui/export.py")
WRAPPER_FUNCTIONS = {"deferred_download", "file_download"}


def _sources() -> list[Path]:
    files = [REPO / "app.py", *(REPO / "pages").glob("*.py"), *(REPO / "lit_analytics").rglob("*.py")]
    return sorted(f for f in files if f.is_file())


def _download_button_calls(path: Path) -> list[tuple[int, str | None]]:
    """(line, enclosing function) of every call of something named `download_button` in a file."""
    found = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, child.name)
                continue
            if isinstance(child, ast.Call):
                func = child.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if name == "download_button":
                    found.append((child.lineno, function))
            visit(child, function)

    visit(ast.parse(path.read_text(encoding="utf-8")), None)
    return found


def test_no_download_button_bypasses_the_wrapper():
    bypasses = []
    for path in _sources():
        relative = path.relative_to(REPO)
        for line, function in _download_button_calls(path):
            if not (relative == WRAPPER and function in WRAPPER_FUNCTIONS):
                bypasses.append(f"{relative}:{line}")
    assert bypasses == [], ("st.download_button appelé hors de lit_analytics/ui/export.py (deferred_download "
                            f"pour un fichier produit au clic, file_download sinon) : {bypasses}")
    # and the wrapper itself draws buttons: the check above looks at real calls
    assert {f for _, f in _download_button_calls(REPO / WRAPPER)} == WRAPPER_FUNCTIONS


class Container:
    """Stands for a Streamlit container: keeps what the button was given."""

    def __init__(self):
        self.buttons = []

    def download_button(self, label, **options):
        self.buttons.append((label, options))


def test_a_file_made_at_click_time_cannot_bypass_the_session_check():
    with pytest.raises(TypeError):
        export.file_download(Container(), "Modèle", lambda: b"x", file_name="m.csv", mime="text/csv", key="k")
    container = Container()
    export.file_download(container, "Modèle", b"x", file_name="m.csv", mime="text/csv", key="k")
    assert container.buttons == [("Modèle", {"data": b"x", "file_name": "m.csv", "mime": "text/csv", "key": "k"})]


def test_a_disabled_account_gets_nothing_from_a_deferred_download(store, admin, monkeypatch):
    """Signed in, then disabled by an administrator: the button shown before gives nothing, and says why in the
    journal; a download before that is audited as a success."""
    add_accounts(store, [PORTEUR])
    opened = sessions.open_session(store, PORTEUR, "password")
    monkeypatch.setattr(export, "_session_id", lambda: opened.session_id)   # the tab's server-side session
    produced = []
    container = Container()
    export.deferred_download(container, "Modèle pré-rempli CSV (;)", lambda: produced.append(1) or b"id;date\n",
                             store=store, email=PORTEUR.email, target="modèle sessions siilab 2021-T3 pré-rempli",
                             fmt="csv", file_name="modele.csv", mime="text/csv", key="pre_csv_sessions")
    (label, options), = container.buttons
    assert options["on_click"] == "ignore" and callable(options["data"])
    download = options["data"]
    assert download() == b"id;date\n" and produced == [1]
    accounts.disable_account(store, admin, PORTEUR.email)
    with pytest.raises(PermissionDenied, match=export.SESSION_OVER):
        download()
    assert produced == [1]                                   # nothing produced for the disabled account
    assert store.query("SELECT actor, outcome, target, detail FROM audit_log WHERE action = 'export' "
                       "ORDER BY event_id") == [
        (PORTEUR.email, "succès", "modèle sessions siilab 2021-T3 pré-rempli (csv)", "8 octets"),
        (PORTEUR.email, "refus", "modèle sessions siilab 2021-T3 pré-rempli (csv)", "session terminée")]
