"""Download buttons: every `st.download_button` of the app is drawn here (tests/test_downloads.py checks it).

- `deferred_download`: a file produced only when the user clicks (deferred `st.download_button` data): the
  click re-checks the session that showed the button (signed out, disabled, expired: refused and audited,
  nothing produced) and the download is audited. Used under every chart (image and data), for the briefing of
  the page « Note de synthèse » (by the same functions as the command line, `lit_analytics.export.briefing`)
  and for the pre-filled report templates (`ui.grid`).
- `file_download`: bytes already made by the page's run (a blank template, the journal's CSV); never a callable.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lit_analytics import audit, catalogue, indicators, presentation, sessions
from lit_analytics.export import briefing
from lit_analytics.permissions import PermissionDenied
from lit_analytics.store import Store
from lit_analytics.ui.cache import query

SESSION_OVER = "Votre session a pris fin : reconnectez-vous pour télécharger ce fichier."


def _session_id() -> str | None:
    from lit_analytics.ui.auth import current_session_id
    return current_session_id()


IMAGE_FORMATS = {"png": "Image PNG", "svg": "Image SVG", "pdf": "PDF"}
TABLE_FORMATS = {"csv": "Données CSV", "xlsx": "Données Excel"}


def _audited(store: Store, email: str, target: str, fmt: str, produce: Callable[[], bytes],
             session_id: str | None = None) -> Callable[[], bytes]:
    """Wrap a file producer so that each download re-checks the session that showed the button (signed out,
    disabled, expired: refused before a byte is produced) and is audited (success, failure or refusal)."""
    def run() -> bytes:
        if not sessions.is_active(store, session_id, email):
            audit.log(store, email, audit.Action.EXPORT, audit.Outcome.REFUSED, f"{target} ({fmt})",
                      "session terminée")
            raise PermissionDenied(SESSION_OVER)
        try:
            data = produce()
        except Exception as exc:
            audit.log_export(store, email, f"{target} ({fmt})", error=exc)
            raise
        audit.log_export(store, email, f"{target} ({fmt})", data)
        return data
    return run


def deferred_download(container, label: str, produce: Callable[[], bytes], *, store: Store, email: str,
                      target: str, fmt: str, file_name: str, mime: str, key: str, **button) -> None:
    """A download button whose file `produce()` makes at click time, through `_audited` (session re-checked,
    audited as the export of « `target` (`fmt`) » by `email`). `button`: more `st.download_button` options."""
    container.download_button(label, data=_audited(store, email, target, fmt, produce, _session_id()),
                              file_name=file_name, mime=mime, key=key, on_click="ignore", **button)


def file_download(container, label: str, data: bytes | str, *, file_name: str, mime: str, key: str,
                  **button) -> None:
    """A download button for a file the page's run has already made (a deferred one goes through
    `deferred_download`)."""
    if callable(data):
        raise TypeError("un fichier produit au clic passe par deferred_download (session revérifiée, audit)")
    container.download_button(label, data=data, file_name=file_name, mime=mime, key=key, **button)


def chart_downloads(store: Store, item: catalogue.Chart, email: str, key: str) -> None:
    """A row of download buttons: the chart as PNG (2×), SVG, PDF, and its data as CSV or XLSX."""
    source, data_date = query(presentation.data_source), query(indicators.data_date, item.filters)
    columns = st.columns(len(IMAGE_FORMATS) + len(TABLE_FORMATS))
    buttons = [(fmt, label, lambda fmt=fmt: briefing.chart_image(item, fmt)) for fmt, label in IMAGE_FORMATS.items()]
    buttons += [(fmt, label, lambda fmt=fmt: briefing.chart_table(item, fmt, source=source, data_date=data_date))
                for fmt, label in TABLE_FORMATS.items()]
    for column, (fmt, label, produce) in zip(columns, buttons):
        deferred_download(column, label, produce, store=store, email=email, target=item.title, fmt=fmt,
                          file_name=briefing.file_name(item.title, fmt), mime=briefing.CONTENT_TYPES[fmt],
                          key=f"{key}-export-{fmt}", icon=":material/download:", width="stretch")


def briefing_downloads(store: Store, scope: briefing.Scope, chart_ids: list[str], email: str) -> None:
    """The briefing as PPTX, PDF or XLSX."""
    formats = {"pptx": "Diaporama PowerPoint (PPTX)", "pdf": "Diaporama PDF", "xlsx": "Classeur Excel (XLSX)"}
    columns = st.columns(len(formats))
    for column, (fmt, label) in zip(columns, formats.items()):
        deferred_download(column, label, lambda fmt=fmt: briefing.export(store, scope, fmt, chart_ids),
                          store=store, email=email, target=f"note {scope.label}", fmt=fmt,
                          file_name=briefing.file_name(f"note {scope.slug}", fmt), mime=briefing.CONTENT_TYPES[fmt],
                          key=f"note-export-{fmt}", icon=":material/download:", width="stretch",
                          type="primary" if fmt == "pptx" else "secondary")
