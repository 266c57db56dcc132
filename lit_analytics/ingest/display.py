"""What the upload pages show, as data: choices for the form and French tables (no Streamlit here)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from lit_analytics.domain import FIRST_QUARTER
from lit_analytics.formats import blank_missing, fmt_datetime, fmt_quarter, last_complete_quarter, quarter_of, quarter_range
from lit_analytics.ingest.reporting import STATUS_COLORS, SYMBOLS

KIND_LABELS = {
    "projets": "Projets (portefeuille en fin de trimestre)",
    "sessions": "Sessions de formation du trimestre",
    "financements": "Registre des financements (DITP)",
}


_MARKDOWN_SPECIAL = "\\`*_{}[]()#+-.!|<>~$:"


def as_text(text: str) -> str:
    """A user-supplied string (a file name…) made inert for Streamlit's Markdown: shown as typed, never as a
    link, an image, emphasis or HTML."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in str(text)).replace("\n", " ")


def quarter_choices(today: date | None = None) -> tuple[list[str], int]:
    """Quarters one may report (newest first, up to the current one) and the index of the default choice
    (the last complete quarter)."""
    today = today or date.today()
    quarters = quarter_range(FIRST_QUARTER, quarter_of(today))[::-1]
    return quarters, quarters.index(last_complete_quarter(today))


def history_frame(history: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The upload history in French."""
    return pd.DataFrame({
        "N°": history["import_id"],
        "Reçu le": [fmt_datetime(v) for v in history["received_at"]],
        "Par": history["user_email"],
        "Rapport": history["kind"],
        "Laboratoire": [names.get(v, v) if isinstance(v, str) else "—" for v in history["lab_id"]],
        "Trimestre": [fmt_quarter(v) if isinstance(v, str) else "—" for v in history["quarter"]],
        "Fichier": history["file_name"],
        "Lignes": history["row_count"],
        "Résultat": history["outcome"],
        "Erreurs": history["error_count"],
        "Version": history["version_id"],
        "En vigueur": ["oui" if v else "" for v in history["is_current"]],
        "Détail": history["detail"],
    }).pipe(blank_missing)   # a rejected upload has no version: an empty cell, never « None »


def versions_frame(versions: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Version": versions["version_id"],
        "Publiée le": [fmt_datetime(v) for v in versions["published_at"]],
        "Par": versions["published_by"],
        "Fichier": [v if isinstance(v, str) else ("données de démonstration" if d else "—")
                    for v, d in zip(versions["file_name"], versions["is_demo"])],
        "Lignes": versions["row_count"],
        "En vigueur": ["oui" if v else "" for v in versions["is_current"]],
    }).pipe(blank_missing)


def grid_cell_style(value: str) -> str:
    """Background of a reporting-grid cell (the text already says the status; colour only helps)."""
    for status, label in SYMBOLS.items():
        if value == label:
            return f"background-color: {STATUS_COLORS[status]}; color: #161616"
    return ""
