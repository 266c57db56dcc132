"""What `lit_analytics.ui.streamlit_compat` relies on in Streamlit still exists, in the installed version.

The first test fails as soon as Streamlit is upgraded (or downgraded) without re-checking the compat module; the
others check each internal it touches: attributes, protobuf fields, the serialisation path of a figure, and the
English strings and test ids of the frontend bundle that `ui.locale`'s script translates or queries."""

from __future__ import annotations

import inspect
import re
from importlib import metadata
from pathlib import Path

import plotly.graph_objects as go
import pytest
import plotly.tools
import streamlit

from lit_analytics.ui import streamlit_compat


def test_the_installed_streamlit_is_the_version_the_compat_module_was_checked_against():
    installed = metadata.version("streamlit")
    assert installed == streamlit_compat.CHECKED_WITH, (
        f"Streamlit {installed} est installé, lit_analytics/ui/streamlit_compat.py a été vérifié avec "
        f"{streamlit_compat.CHECKED_WITH}. Revérifiez chaque point de ce module dans les sources de la nouvelle "
        "version (PagesManager.uses_pages_directory et _mpa_v1, ForwardMsg.auth_redirect, le passage de "
        "st.plotly_chart par figure.to_dict(), les textes anglais et data-testid du frontend), lancez "
        "tests/test_streamlit_compat.py, tests/test_browser_navigation.py et tests/test_browser_accessibility.py, "
        "puis mettez CHECKED_WITH à jour.")


# --- 1. the legacy pages/ directory mode ---------------------------------------------------------------------

def test_the_legacy_pages_mode_is_a_class_flag_set_only_while_unset(tmp_path):
    from streamlit.commands import navigation as navigation_command
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import script_runner

    assert "uses_pages_directory" in vars(PagesManager)
    (tmp_path / "pages").mkdir()
    (tmp_path / "app.py").write_text("")
    init = inspect.unwrap(PagesManager.__init__)   # Streamlit's own (conftest wraps it for the AppTests)
    saved = PagesManager.uses_pages_directory
    try:
        PagesManager.uses_pages_directory = None
        init(object.__new__(PagesManager), str(tmp_path / "app.py"))
        assert PagesManager.uses_pages_directory is True        # a pages/ folder next to the entry script
        streamlit_compat.route_every_page_through_app()
        init(object.__new__(PagesManager), str(tmp_path / "app.py"))   # a later session keeps it
        assert PagesManager.uses_pages_directory is False
    finally:
        PagesManager.uses_pages_directory = saved
    # The script runner chooses the legacy runner on this flag; st.navigation switches it off.
    assert "PagesManager.uses_pages_directory" in inspect.getsource(script_runner.ScriptRunner)
    assert hasattr(script_runner, "_mpa_v1")
    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation_command.navigation)
    # client.showSidebarNavigation = false would hide the app's own sidebar navigation too (why it is not used).
    assert 'config.get_option("client.showSidebarNavigation") is False' in inspect.getsource(
        navigation_command._navigation)


def test_the_script_run_context_helpers_exist():
    from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext, get_script_run_ctx
    assert get_script_run_ctx() is None                          # outside a script run: the helpers do nothing
    assert callable(getattr(ScriptRunContext, "enqueue"))
    streamlit_compat.leave_legacy_pages_mode()
    streamlit_compat.redirect("/nulle-part")


def test_streamlit_app_offers_the_lifespan_hook_serve_py_uses():
    from streamlit.web.server.starlette.starlette_app import App
    assert "lifespan" in inspect.signature(App.__init__).parameters


# --- 2. the redirect message ---------------------------------------------------------------------------------

def test_the_auth_redirect_message_has_a_url():
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    assert "auth_redirect" in ForwardMsg.DESCRIPTOR.fields_by_name
    message = ForwardMsg()
    message.auth_redirect.url = "/_lit/session?suite=%2F"
    assert message.WhichOneof("type") == "auth_redirect"
    assert ForwardMsg.FromString(message.SerializeToString()).auth_redirect.url == "/_lit/session?suite=%2F"


# --- 3. a figure serialised once ----------------------------------------------------------------------------

def test_plotly_chart_serialises_what_the_prepared_figure_returns():
    from streamlit.elements import plotly_chart
    assert "return_figure_from_figure_or_data" in inspect.getsource(plotly_chart.PlotlyMixin.plotly_chart)
    figure = streamlit_compat.PreparedFigure(go.Figure(go.Bar(x=["a"], y=[1])))
    figure._prepared = {"data": [], "layout": {"title": {"text": "préparé"}}}
    assert plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=False) is figure._prepared
    assert "plotly.io.to_json(figure, validate=False)" in inspect.getsource(plotly_chart.PlotlyMixin.plotly_chart)


def test_a_prepared_figure_is_written_to_json_once_and_as_plotly_writes_it():
    import plotly.io
    original = go.Figure(go.Bar(x=["T1 2021", "T2 2021"], y=[1.5, float("nan")], name="Projets"),
                         layout={"title": {"text": "Projets par trimestre"}})
    figure = streamlit_compat.PreparedFigure(original)
    spec = plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True)
    assert type(spec) is streamlit_compat.PreparedSpec and spec.json is None
    written = plotly.io.to_json(spec, validate=False)
    # what Streamlit sent before: plotly's own (unwrapped) writing of the same dict
    assert written == plotly.io._json.to_json(dict(spec), validate=False) and spec.json is written
    assert '"Projets par trimestre"' in written and "NaN" not in written
    assert plotly.io.to_json(spec, validate=False) is written          # the second run reuses it
    assert plotly.io.to_json(spec, validate=False, pretty=True) != written    # any other call is plotly's own
    plain = {"data": [{"type": "bar", "y": [1]}], "layout": {}}
    assert plotly.io.to_json(plain) == plotly.io._json.to_json(plain)


# --- 5. the app's pages, made once ----------------------------------------------------------------------------

def test_a_page_made_once_is_copied_with_its_own_run_flag_and_navigation_sets_only_that_flag():
    from streamlit.commands import navigation as st_navigation
    from streamlit.navigation.page import Page
    source = inspect.getsource(st_navigation)
    # what st.navigation writes on pages: only `_can_be_called`, and `_default` when no page is the default
    assert set(re.findall(r"\b\w+\._(\w+) = ", source)) <= {"can_be_called", "default"}
    assert "self._can_be_called = False" in inspect.getsource(Page.run)
    page = object.__new__(Page)
    page.__dict__.update(_page=Path("pages/accueil.py"), _title="Vue d'ensemble", _icon="", _url_path="accueil",
                         _default=True, _can_be_called=False)
    import copy
    twin = copy.copy(page)
    twin._can_be_called = True
    assert page._can_be_called is False and twin.url_path == page.url_path and twin._script_hash == page._script_hash


def test_pages_are_made_once_per_process(demo_copy):
    from conftest import ADMIN, make_app_test
    at = make_app_test(demo_copy, "pages/accueil.py", actor=ADMIN)
    at.run()
    assert not at.exception
    made = dict(streamlit_compat._PAGES)
    assert len(made) >= 10 and all(isinstance(p, streamlit.Page) for p in made.values())
    at.run()
    assert not at.exception
    assert streamlit_compat._PAGES == made and all(streamlit_compat._PAGES[k] is p for k, p in made.items())


# --- 4. the frontend's strings and test ids -----------------------------------------------------------------

def _bundle() -> str:
    static = Path(streamlit.__file__).parent / "static"
    return "\n".join(p.read_text(errors="ignore") for p in static.rglob("*.js"))


# Literal pieces of the frontend's own templates that each pattern of the tables translates.
PATTERN_PIECES = {
    r"^([\d.,]+)\s?KB per file$": " per file", r"^([\d.,]+)\s?MB per file$": " per file",
    r"^([\d.,]+)\s?GB per file$": " per file", r"^([\d.,]+)\s?B per file$": " per file",
    r"^View (\d+) more$": "View ${",
    r"^The page that you have requested does not seem to exist\. Running the app's main page\.$":
        "The page that you have requested does not seem to exist",
    r"^You have requested page (/\S*), but no corresponding file was found in the app's pages/ directory\. "
    r"Running the app's main page\.$": "but no corresponding file was found in the app's pages/ directory",
    r"^Press Enter to (.+)$": "Press Enter to ${",
    r"^Remove (.+)$": "Remove ", r"^Upload (.+)$": "Upload ", r"^Download as (\w+)$": "Download as ${",
}


def test_the_frontend_still_writes_the_english_strings_that_are_translated():
    bundle = _bundle()
    strings = set(streamlit_compat.TEXTS) | set(streamlit_compat.ATTRIBUTES)
    missing = sorted(s for s in strings - streamlit_compat.NOT_VERBATIM if s not in bundle)
    assert missing == [], f"absents du frontend de Streamlit {streamlit.__version__} : {missing}"
    patterns = [p for p, _ in streamlit_compat.PATTERNS + streamlit_compat.ATTRIBUTE_PATTERNS]
    assert set(patterns) == set(PATTERN_PIECES)
    assert [p for p in patterns if PATTERN_PIECES[p] not in bundle] == []
    for pattern in patterns:
        re.compile(pattern)


def test_the_frontend_still_has_the_test_ids_the_locale_script_queries():
    bundle = _bundle()
    missing = [t for t in streamlit_compat.TEST_IDS.values() if t not in bundle]
    assert missing == []
    assert streamlit_compat.KEY_CLASS_PREFIX in bundle


# --- the server's event loop ----------------------------------------------------------------------------------

def test_the_server_runs_on_uvloop():
    """Streamlit serves the app with uvicorn, whose default loop (`loop="auto"`) is uvloop when it is installed
    (pinned in requirements.txt): with asyncio's own loop a page run took ~40 ms more from click to last element,
    even for a one-line page (docs/benchmarks.md, « Charge »)."""
    import uvloop
    from uvicorn.loops.auto import auto_loop_factory
    from streamlit.web.server.starlette import starlette_server
    assert auto_loop_factory(use_subprocess=False) is uvloop.new_event_loop
    assert "loop" not in starlette_server._get_uvicorn_config_kwargs()   # Streamlit leaves the choice to uvicorn


# --- 6. the theme of the new_session message, built once ---------------------------------------------------

@pytest.fixture
def theme_options():
    """The theme options a test sets, set back afterwards."""
    from streamlit import config
    names = ("theme.primaryColor", "theme.textColor")
    saved = {name: config.get_option(name) for name in names}
    yield
    for name, value in saved.items():
        config.set_option(name, value)


def test_the_theme_built_once_is_the_message_streamlit_builds_and_follows_a_new_configuration(monkeypatch,
                                                                                               theme_options):
    """Each theme section's message, made once and merged into each run's `new_session`, is byte for byte what
    Streamlit's own `_populate_theme_msg` makes from the config, the options are scanned once per section, not at
    every run, and a configuration parsed again is read again."""
    from streamlit import config
    from streamlit.proto.NewSession_pb2 import CustomThemeConfig
    from streamlit.runtime import app_session

    build = app_session._populate_theme_msg
    assert list(inspect.signature(build).parameters) == ["msg", "section"]
    assert "_populate_theme_msg(" in inspect.getsource(app_session.AppSession._create_new_session_message)
    monkeypatch.setattr(app_session, "_populate_theme_msg", build)   # restored after the test
    monkeypatch.setattr(streamlit_compat, "_THEMES", {})
    original = config.get_options_for_section
    scans = []
    monkeypatch.setattr(config, "get_options_for_section", lambda section: scans.append(section) or original(section))
    config.set_option("theme.primaryColor", "#000091")
    config.set_option("theme.textColor", "#161616")

    def theme_of(populate) -> bytes:
        msg = CustomThemeConfig()
        populate(msg)
        for section in ("light", "dark", "sidebar", "light.sidebar", "dark.sidebar"):
            populate(eval(f"msg.{section}"), f"theme.{section}")   # noqa: S307 (attribute paths written above)
        return msg.SerializeToString()

    expected = theme_of(build)
    assert b"#000091" in expected
    streamlit_compat.theme_once()
    once = app_session._populate_theme_msg
    assert once is not build
    streamlit_compat.theme_once()
    assert app_session._populate_theme_msg is once   # installed twice is installed once
    scans.clear()
    assert theme_of(app_session._populate_theme_msg) == expected
    assert len(scans) == 6
    assert [theme_of(app_session._populate_theme_msg) for _ in range(3)] == [expected] * 3
    assert len(scans) == 6   # not scanned again

    config.set_option("theme.primaryColor", "#E1000F")
    config._on_config_parsed.send()   # what Streamlit sends when it parses its configuration again
    changed = theme_of(app_session._populate_theme_msg)
    assert b"#E1000F" in changed and b"#000091" not in changed
