"""Streamlit's default English strings that must never be visible: the browser tests read the text of every page
for them (tests/test_browser_accessibility.py). What translates them is `lit_analytics.ui.locale`, from the
tables of `lit_analytics.ui.streamlit_compat`."""

ENGLISH_DEFAULTS: list[str] = [
    "Drag and drop", "per file", "Browse files", "Upload", "Page not found", "does not seem to exist",
    "Running the app's main page", "View less", "Skip to main content", "No results", "Choose an option",
    "Choose options", "Press Enter", "Select...", "Clear all", "App pages", "Collapse sidebar", "Expand sidebar",
    "Running...", "Stop script", "Main menu", "Download as CSV", "Show/hide columns", "Fullscreen", "No data",
    "Made with Streamlit", "Deploy", "Rerun", "Record a screencast", "Clear cache", "Traceback", "Try again",
]
