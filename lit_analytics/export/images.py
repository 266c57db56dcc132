"""Chart images rendered by kaleido with the system Chromium, one browser kept per process."""

from __future__ import annotations

import os
import shutil
import threading

import plotly.graph_objects as go

from lit_analytics import config

FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_SCALE = 1200, 675, 2  # 16:9; PNG at 2× = 2400 × 1350 px

_lock = threading.Lock()
_started = False


class ExportError(ValueError):
    """An export that could not be produced (French message)."""


def browser_path() -> str | None:
    return config.browser_path() or shutil.which("chromium") or shutil.which("chromium-browser")


def _ensure_server() -> None:
    """Start kaleido's persistent browser once per process (later exports take ~0.3 s instead of ~4 s)."""
    global _started
    if _started:
        return
    path = browser_path()
    if not path:
        raise ExportError("Chromium est introuvable : installez le paquet « chromium » pour exporter des images.")
    os.environ.setdefault("BROWSER_PATH", path)
    import kaleido
    kaleido.start_sync_server(silence_warnings=True)
    _started = True


def render(fig: go.Figure, fmt: str = "png", width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT,
           scale: float = DEFAULT_SCALE) -> bytes:
    """The figure as PNG, SVG or PDF bytes, exactly as laid out (title, subtitle, caption included)."""
    if fmt not in FORMATS:
        raise ExportError(f"Format d'image inconnu : {fmt} (attendu : png, svg ou pdf).")
    import kaleido

    from lit_analytics.export.flat_map import flatten
    fig = flatten(fig)   # a tile map is redrawn on plain axes: no MapLibre start-up, names of the insets written
    with _lock:
        _ensure_server()
        try:
            return kaleido.calc_fig_sync(fig, opts={"format": fmt, "width": width, "height": height,
                                                    "scale": scale if fmt == "png" else 1})
        except Exception as exc:  # kaleido raises various errors; give one French line
            raise ExportError(f"L'export de l'image a échoué : {exc}") from exc
