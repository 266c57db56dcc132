"""The French wording of what the queries return as codes and numbers.

`lit_analytics.indicators` answers in codes (statuses, sources, report kinds, PIA status codes, NULL for an
unknown region); this package writes them for people, once, so that a page, a figure, a workbook and a deck
say the same thing in the same words. It imports no Streamlit.

- `scopes`: the period and filters of a figure, its source line, the headline changes against a year earlier;
- `activity`: the tables of the overview and impact charts, the DITP's published figures named;
- `funding`: the tables of the funding charts, the PIA rules and verdicts;
- `map`: the map's indicator names, table and notes;
- `screen_tables`: tables that are not charts (latest reports, lab directory and profile, funding ledger) and
  `display_table`, which writes any French table's values the French way for a screen;
- `common`: helpers shared by the tables (quarters, pivoting, « Région non connue »).

The most used names are re-exported here (`presentation.scope_text`, `presentation.MAP_INDICATORS`…).
"""

from lit_analytics.presentation.activity import REFERENCE_FIGURES, reference_figures
from lit_analytics.presentation.funding import PIA_RULES, pia_checks, pia_verdict
from lit_analytics.presentation.map import MAP_INDICATORS
from lit_analytics.presentation.scopes import (
    SOURCE_DEMO, SOURCE_PUBLIC, Change, HeadlineChanges, caption, data_source, headline_changes, period_text,
    scope_text, subtitle)

__all__ = ["REFERENCE_FIGURES", "reference_figures", "PIA_RULES", "pia_checks", "pia_verdict", "MAP_INDICATORS",
           "SOURCE_DEMO", "SOURCE_PUBLIC", "Change", "HeadlineChanges", "caption", "data_source", "headline_changes",
           "period_text", "scope_text", "subtitle"]
