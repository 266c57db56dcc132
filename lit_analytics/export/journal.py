"""The audit journal as a CSV file for French Excel (page « Journal d'audit »): the journal's table
(`audit.journal_table`) through the shared writer, so that logged text that looks like a formula is neutralised."""

from __future__ import annotations

import pandas as pd

from lit_analytics import audit
from lit_analytics.export.tables import to_csv


def journal_csv(events: pd.DataFrame) -> bytes:
    """The events (from `audit.events`) as CSV: `;`, UTF-8 with BOM, CRLF, dates 31/12/2021 14:05:09."""
    return to_csv(audit.journal_table(events))
