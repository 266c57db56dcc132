"""The Streamlit glue of the dashboard: everything that calls Streamlit, outside `app.py` and `pages/`.

The rest of the package imports without Streamlit. Pages import this package and read like a description of the
screen; the glue runs the indicator queries (cached, through `cache`) and calls the figure, table and export
functions, but holds no query or figure of its own.

- `cache`: the one `Store` of the process, cached queries, the demo notice and the source line;
- `sidebar`: the filters in the sidebar (kept across pages and in the URL) and the map click;
- `display`: a chart or a table as every page shows it, with its data table and export buttons;
- `auth`: who is signed in (session expiry, OpenID Connect), the sign-in page and the account in the sidebar;
- `export`: every download button (chart images and data, briefings, templates); a file made at click time
  re-checks the session and is audited;
- `locale`: Streamlit's own interface strings in French, and the accessibility fixes of its frontend;
- `streamlit_compat`: everything that relies on Streamlit's internals or its DOM, checked against one version.
"""

# Submodules bound by name: `leave_legacy_pages_mode` may interrupt this import with a rerun, after which a new
# import of the package finds them in sys.modules but would not bind them as its attributes (`ui.auth`).
from lit_analytics.ui import auth, cache, display, export, locale, sidebar, streamlit_compat
from lit_analytics.ui.cache import DEMO_NOTICE, data_caption, demo_notice, get_store, query
from lit_analytics.ui.display import chart, headline_metric, page_charts, show_chart, show_table
from lit_analytics.ui.sidebar import (FILTERS_KEY, MAP_KEY, clear_regions, current_filters, on_map_click,
                                      region_from_selection, set_filters, sidebar_filters)

__all__ = ["DEMO_NOTICE", "FILTERS_KEY", "MAP_KEY", "auth", "cache", "chart", "clear_regions", "current_filters",
           "data_caption", "display", "export", "locale", "sidebar", "streamlit_compat",
           "demo_notice", "get_store", "headline_metric", "on_map_click", "page_charts", "query", "region_from_selection",
           "set_filters", "show_chart", "show_table", "sidebar_filters"]

# Every page goes through app.py's sign-in gate: serve.py switches Streamlit's legacy pages/ mode off before the
# first session; this is the safety net for other entry points (`streamlit run app.py`, AppTests).
streamlit_compat.leave_legacy_pages_mode()
