"""Everything of ours that relies on Streamlit's internals or on its frontend's DOM, in one place.

Each item says what it relies on and how to re-check it. `CHECKED_WITH` is the Streamlit version they were
checked against: tests/test_streamlit_compat.py fails as soon as another version is installed, and checks that
the internals used still exist (attributes, protobuf fields, the frontend bundle's strings and test ids).

Upgrading Streamlit: re-check every item below (read the named source files of the new version), run
tests/test_streamlit_compat.py, tests/test_browser_navigation.py and tests/test_browser_accessibility.py, then
set `CHECKED_WITH` to the new version.

1. `route_every_page_through_app`, `leave_legacy_pages_mode`: the class attribute
   `PagesManager.uses_pages_directory` (the legacy `pages/` directory mode).
2. `redirect`: the `ForwardMsg.auth_redirect` message, queued on the script run context.
3. `PreparedFigure`: `st.plotly_chart` serialising a figure through its `to_dict()`.
4. `TEXTS`, `PATTERNS`, `ATTRIBUTES`, `ATTRIBUTE_PATTERNS`, `TEST_IDS`: the English strings and `data-testid`s of
   Streamlit's frontend that `ui.locale`'s script translates or queries.
5. `page`: an `st.Page` made once per process and copied at each run (its one per-run field, `_can_be_called`).
6. `theme_once`: the theme part of the `new_session` message every run sends, built once per process
   (`runtime/app_session.py`, `_populate_theme_msg`).
"""

from __future__ import annotations

import copy
import threading

import plotly.graph_objects as go
import streamlit as st

from lit_analytics import navigation

CHECKED_WITH = "1.67.0"


# --- 1. every page through app.py, no legacy navigation --------------------------------------------------

def route_every_page_through_app() -> None:
    """Switch off Streamlit's legacy `pages/` directory mode for this process: every run of every session
    executes `app.py` (the sign-in gate, then `st.navigation`), from the very first one. Called by `serve.py`
    before the server accepts any connection.

    Why: with a `pages/` folder next to the entry script, Streamlit 1.67 sets `PagesManager.uses_pages_directory`
    when the first session is created (`PagesManager.__init__`, only while it is still None) and, while it is
    true, runs `_mpa_v1` instead of the script (`runtime/scriptrunner/script_runner.py`): a navigation message
    listing every file of `pages/` (« app, accueil, carte, comptes, connexion, depot… », the sidebar's legacy
    list, drawn at once) and then the page file itself, `/journal` without `app.py`. Only `st.navigation` turns
    the flag off (`commands/navigation.py`), and only after that first run has started.

    The documented options do not help: `client.showSidebarNavigation = false` would hide that legacy list
    (`_mpa_v1` then sends position HIDDEN) but it also overrides `st.navigation(position="sidebar")` to HIDDEN
    (`_navigation` in `commands/navigation.py`), so the app's own sidebar navigation would go too, and a first
    deep link would still run `pages/journal.py` without the gate; `st.navigation(position=...)` only acts
    from `app.py`'s own call, which the legacy first run reaches too late. Setting the class attribute to False
    before the first session is what `st.navigation` itself does, only earlier. The `pages/` folder stays (the
    layout users asked for).

    Re-check: `PagesManager.uses_pages_directory` exists and `PagesManager.__init__` sets it only when None
    (`runtime/pages_manager.py`); `ScriptRunner` reads it to choose `_mpa_v1`; `st.navigation` sets it to
    False; `st.App(lifespan=...)` runs before the server accepts connections (`web/server/starlette/
    starlette_app.py`). tests/test_browser_navigation.py watches a fresh server's first DOM states. AppTest resets
    the flag before each run (`testing/v1/app_test.py`): tests/conftest.py calls this after each new PagesManager.
    """
    from streamlit.runtime.pages_manager import PagesManager
    PagesManager.uses_pages_directory = False


def leave_legacy_pages_mode() -> None:
    """The safety net for other entry points (`streamlit run app.py`, an AppTest that does not set the flag):
    if this script run is in the legacy mode, switch it off and rerun, so the same request goes through `app.py`.
    Every page imports `lit_analytics.ui`, whose `__init__` calls this; under `serve.py` it does nothing.
    Re-check: as `route_every_page_through_app`."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
        PagesManager.uses_pages_directory = False
        st.rerun()


# --- 2. sending the browser to one of the app's HTTP routes -----------------------------------------------

def redirect(url: str) -> None:
    """Send the browser to `url` (a path of this site, e.g. the session-cookie route of `lit_analytics.web`).

    Relies on the message `st.login` itself sends: a `ForwardMsg` whose `auth_redirect.url` the frontend opens
    as a full page load, queued with `ScriptRunContext.enqueue`. Streamlit has no public API for a redirect.
    Re-check: `streamlit/proto/ForwardMsg.proto` (field `auth_redirect`, message `AuthRedirect` with `url`),
    `streamlit/commands/user.py` (how `st.login` sends it), `get_script_run_ctx().enqueue`.
    """
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    message = ForwardMsg()
    message.auth_redirect.url = url
    ctx.enqueue(message)


# --- 3. a figure serialised once ---------------------------------------------------------------------------

class PreparedSpec(dict):
    """A prepared figure's dict (`to_dict()`), with its JSON once made (`plotly.io.to_json`, patched below)."""
    __slots__ = ("json",)


class PreparedFigure(go.Figure):
    """A copy of a cached chart's figure whose `to_dict()` (what `st.plotly_chart` serialises at every run: a deep
    copy of every trace, ~10 ms for the map) is computed once, and whose JSON (the chart's spec: ~5 ms for the map,
    110 KB of region outlines, at every run of every session) is written once. Built when the chart is; never
    modified.

    Relies on `st.plotly_chart` reaching the figure through `plotly.tools.return_figure_from_figure_or_data`,
    which calls `figure.to_dict()` on a `BaseFigure`, then `plotly.io.to_json(..., validate=False)` on the result:
    `plotly.io.to_json` is wrapped (once per process, `_spec_json_once`) to give a `PreparedSpec` its JSON made
    the first time by plotly itself, and to leave every other call as it was.
    Re-check: `streamlit/elements/plotly_chart.py` (`plotly_chart`: how the spec is made) and
    tests/test_streamlit_compat.py (the prepared dict is what gets serialised, and its JSON is plotly's).
    """

    def __init__(self, figure: go.Figure):
        super().__init__(figure)
        self._prepared = PreparedSpec(super().to_dict())
        self._prepared.json = None

    def to_dict(self) -> dict:
        return self._prepared


def _spec_json_once() -> None:
    import plotly.io
    plotly_to_json = plotly.io.to_json
    if getattr(plotly_to_json, "prepared_specs", False):
        return

    def to_json(fig, validate=True, pretty=False, remove_uids=True, engine=None):
        if type(fig) is PreparedSpec and not pretty and remove_uids and engine is None:
            if fig.json is None:
                fig.json = plotly_to_json(fig, validate=validate, remove_uids=True)
            return fig.json
        return plotly_to_json(fig, validate=validate, pretty=pretty, remove_uids=remove_uids, engine=engine)

    to_json.prepared_specs = True
    to_json.__doc__ = plotly_to_json.__doc__
    plotly.io.to_json = to_json


_spec_json_once()


# --- 5. the app's pages, made once ---------------------------------------------------------------------------

_PAGES: dict[tuple, st.Page] = {}
_PAGES_LOCK = threading.Lock()


def page(entry: navigation.PageEntry, hidden: bool = False) -> st.Page:
    """The `st.Page` of a page of the registry (`lit_analytics.navigation`), as `app.py`'s `st.navigation` lists it
    (`hidden`: reachable by its address, not listed, no icon), made once per process: making one resolves its
    script's path on disk (`Path.resolve` and a file check, about 0.5 ms each, 20 pages at every run of every
    session). Each call returns a shallow copy of the page made first, so that what `st.navigation` marks on the
    page a run executes stays that run's own. A link to a page (`st.page_link`) takes the same object.

    Relies on `st.Page` (`streamlit/navigation/page.py`) keeping its state in plain attributes that nothing
    changes after `__init__` except `_can_be_called` (set by `st.navigation` on the page it returns, cleared by
    `Page.run`) and `_default` (set by `st.navigation` when no page is the default: ours always names one).
    Re-check: `navigation/page.py` (`__init__`, `run`) and `commands/navigation.py` (what it sets on pages);
    tests/test_streamlit_compat.py checks that a copy's `_can_be_called` is its own.
    """
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    ctx = get_script_run_ctx()
    key = (ctx.pages_manager.main_script_parent if ctx else None, entry, hidden)
    made = _PAGES.get(key)
    if made is None:
        with _PAGES_LOCK:
            made = _PAGES.get(key) or st.Page(entry.script, title=entry.title, icon=None if hidden else entry.icon,
                                               url_path=entry.url_path, default=entry.default,
                                               visibility="hidden" if hidden else "visible")
            _PAGES[key] = made
    return copy.copy(made)


# --- 4. the frontend's English strings and test ids (ui.locale's script) -----------------------------------
# Streamlit 1.67 hard-codes its interface strings in English in its frontend bundle
# (`streamlit/static/static/js/*.js`) and has no locale setting. Re-check: tests/test_streamlit_compat.py looks
# each string and test id up in the installed bundle; tests/test_browser_accessibility.py reads every page for
# English left over (tests/support/streamlit_english.py).

# Exact text of a text node (after trimming) → French.
TEXTS: dict[str, str] = {
    # file uploader
    "Drag and drop a file here": "Glissez-déposez un fichier ici",
    "Drag and drop files here": "Glissez-déposez des fichiers ici",
    "Drag and drop file here": "Glissez-déposez un fichier ici",
    "Drag and drop directories here": "Glissez-déposez des dossiers ici",
    "Upload": "Choisir un fichier",
    "Upload directories": "Choisir un dossier",
    "Browse files": "Parcourir",
    # page not found, errors, dialogs
    "Page not found": "Page introuvable",
    "Close": "Fermer",
    "Cancel": "Annuler",
    "Copy": "Copier",
    "Try again": "Réessayer",
    "Traceback:": "Trace :",
    "An error has occurred, please try again.": "Une erreur est survenue, veuillez réessayer.",
    "Script execution error": "Erreur d'exécution",
    # navigation and menus
    "View less": "Voir moins",
    "Skip to main content": "Aller au contenu principal",
    "Rerun": "Relancer",
    "Print": "Imprimer",
    "Clear cache": "Vider le cache",
    "Clear caches": "Vider les caches",
    "About": "À propos",
    "Settings": "Paramètres",
    "Record a screencast": "Enregistrer l'écran",
    "Running...": "Calcul en cours…",
    "Stop": "Arrêter",
    # selects, tables
    "No results": "Aucun résultat",
    "No data": "Aucune donnée",
    "No content": "Aucun contenu",
    "Choose an option": "Choisissez une option",
    "Choose options": "Choisissez des options",
    "Select...": "Choisir…",
    "Select all": "Tout sélectionner",
    "Clear selection": "Effacer la sélection",
    "Press Enter to apply": "Appuyez sur Entrée pour valider",
    "Press Enter to submit form": "Appuyez sur Entrée pour envoyer le formulaire",
}

# Regular expressions (JavaScript syntax, whole trimmed text) → French replacement ($1… groups).
PATTERNS: list[tuple[str, str]] = [
    (r"^([\d.,]+)\s?KB per file$", "$1 Ko par fichier"),
    (r"^([\d.,]+)\s?MB per file$", "$1 Mo par fichier"),
    (r"^([\d.,]+)\s?GB per file$", "$1 Go par fichier"),
    (r"^([\d.,]+)\s?B per file$", "$1 octets par fichier"),
    (r"^View (\d+) more$", "Voir $1 de plus"),
    (r"^The page that you have requested does not seem to exist\. Running the app's main page\.$",
     "La page demandée n'existe pas. Voici la page d'accueil de l'application."),
    (r"^You have requested page (/\S*), but no corresponding file was found in the app's pages/ directory\. "
     r"Running the app's main page\.$",
     "La page $1 n'existe pas. Voici la page d'accueil de l'application."),
    (r"^Press Enter to (.+)$", "Appuyez sur Entrée pour valider"),
]

# Attribute values (aria-label, title, placeholder, data-title) → French.
ATTRIBUTES: dict[str, str] = {
    "App pages": "Pages de l'application",
    "Add row": "Ajouter une ligne",
    "Delete row(s)": "Supprimer la ou les lignes",
    "Sidebar": "Panneau latéral",
    "Collapse sidebar": "Replier le panneau latéral",
    "Expand sidebar": "Déplier le panneau latéral",
    "Main menu": "Menu principal",
    "Navigate to home page": "Aller à la page d'accueil",
    "Running...": "Calcul en cours…",
    "Stop script": "Arrêter le calcul",
    "Notifications": "Notifications",
    "Close": "Fermer",
    "Open": "Ouvrir",
    "Clear all": "Tout effacer",
    "Clear value": "Effacer",
    "Clear entry": "Effacer",
    "Selected values": "Valeurs choisies",
    "Add files": "Ajouter des fichiers",
    "Link to heading": "Lien vers ce titre",
    "Increment": "Augmenter",
    "Decrement": "Diminuer",
    "Choose date": "Choisir une date",
    "Choose date range": "Choisir une période",
    "Next month": "Mois suivant",
    "Previous month": "Mois précédent",
    "Next page": "Page suivante",
    "Previous page": "Page précédente",
    "Pagination": "Pagination",
    "Dataframe column menu": "Menu de la colonne",
    "Scroll tabs left": "Faire défiler les onglets vers la gauche",
    "Scroll tabs right": "Faire défiler les onglets vers la droite",
    "Download as CSV": "Télécharger en CSV",
    "Search": "Rechercher",
    "Close Search": "Fermer la recherche",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Toggle fullscreen": "Plein écran",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Copy to clipboard": "Copier",
    "Select...": "Choisir…",
    "Choose an option": "Choisissez une option",
    "Choose options": "Choisissez des options",
    "No results": "Aucun résultat",
    # plotly's mode bar (tooltips)
    "Download plot as a png": "Télécharger le graphique en PNG",
    "Download plot as a PNG": "Télécharger le graphique en PNG",
    "Zoom": "Zoomer",
    "Pan": "Déplacer",
    "Box Select": "Sélection rectangulaire",
    "Lasso Select": "Sélection au lasso",
    "Zoom in": "Zoom avant",
    "Zoom out": "Zoom arrière",
    "Autoscale": "Échelle automatique",
    "Reset axes": "Réinitialiser les axes",
    "Reset view": "Réinitialiser la vue",
    "Reset": "Réinitialiser",
    "Produced with Plotly.js": "Réalisé avec Plotly.js",
}
ATTRIBUTE_PATTERNS: list[tuple[str, str]] = [
    (r"^Remove (.+)$", "Retirer $1"),
    (r"^Upload (.+)$", "Choisir $1"),
    (r"^Download as (\w+)$", "Télécharger en $1"),
]

# Entries of the tables above that the 1.67 bundle does not hold verbatim: composed at run time (« Press Enter
# to » + an action, « Download plot as a » + the format), or written by other versions. Kept: harmless.
NOT_VERBATIM: frozenset[str] = frozenset({"Drag and drop file here", "Browse files", "Press Enter to apply",
                                          "Press Enter to submit form", "Download plot as a png"})

# The `data-testid`s (and the widget-key class prefix) that ui.locale's script and CSS query.
TEST_IDS: dict[str, str] = {
    "nav_items": "stSidebarNavItems",        # the sidebar navigation's list (sections are <div>s inside it)
    "nav_section_header": "stNavSectionHeader",
    "caption": "stCaptionContainer",
    "uploader_instructions": "stFileUploaderDropzoneInstructions",
    "metric_label": "stMetricLabel",
}
KEY_CLASS_PREFIX = "st-key-"   # Streamlit gives an element with `key=k` the class `st-key-k`


# --- 6. the theme of the `new_session` message, built once ----------------------------------------------------

_THEMES: dict[str, bytes] = {}   # a config section → its theme message, serialised


def theme_once() -> None:
    """Every page run of every session starts with a `new_session` message carrying the `[theme]` settings of
    `.streamlit/config.toml`; Streamlit 1.67 rebuilds them at each run, six times over every config option
    (`_populate_theme_msg`, once per theme section, each calling `config.get_options_for_section`): ~1,9 ms of
    interpreter per page run, a fifteenth of a dashboard page's (py-spy, docs/benchmarks.md « Charge »). This
    builds each section's message once per process and merges a copy into each run's message; the cache empties
    whenever Streamlit parses its configuration again. Called by `serve.py` before the server accepts connections.

    Re-check: `runtime/app_session.py` (`_create_new_session_message` calls the module-level
    `_populate_theme_msg(msg, section)`, which only sets fields of `msg` from that section's options) and
    `config.on_config_parsed`; tests/test_streamlit_compat.py compares the message built both ways."""
    from streamlit import config
    from streamlit.runtime import app_session
    build = app_session._populate_theme_msg
    if getattr(build, "built_once", False):
        return

    def populate(msg, section: str = "theme") -> None:
        made = _THEMES.get(section)
        if made is None:
            scratch = type(msg)()
            build(scratch, section)
            made = _THEMES[section] = scratch.SerializeToString()
        if made:   # an empty section leaves its message unset, as Streamlit does
            msg.MergeFromString(made)

    populate.built_once = True
    app_session._populate_theme_msg = populate
    config.on_config_parsed(_forget_themes, force_connect=True)


def _forget_themes() -> None:
    _THEMES.clear()
