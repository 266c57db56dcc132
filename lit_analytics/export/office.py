"""A PPTX deck converted to PDF by LibreOffice Impress (headless), the office suite State services use: the PDF of
a subscription is the deck as a reader opening the PPTX sees it.

The decks of one run are converted by one LibreOffice start (`pptx_to_pdf_many`: starting is most of the time of a
single conversion). Each run has a private, throwaway LibreOffice profile (`-env:UserInstallation`), so nothing of
the account's HOME matters and two runs may go at once; it is bounded in time (the whole process group is stopped
past the limit) and fails with a French `ExportError`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from lit_analytics import config
from lit_analytics.export.images import ExportError

TIMEOUT_S = 180      # one deck, LibreOffice starting included
PER_DECK_S = 60      # each further deck of one run


def soffice() -> str | None:
    """LibreOffice's program: `LIT_SOFFICE`, else `soffice` (or `libreoffice`) on the PATH."""
    return config.soffice_path() or shutil.which("soffice") or shutil.which("libreoffice")


def pptx_to_pdf(pptx: bytes, timeout: float = TIMEOUT_S) -> bytes:
    """The deck as PDF, as LibreOffice Impress lays it out."""
    result = pptx_to_pdf_many({"note": pptx}, timeout)["note"]
    if isinstance(result, ExportError):
        raise result
    return result


def pptx_to_pdf_many(decks: dict[str, bytes], timeout: float = TIMEOUT_S,
                     per_deck: float = PER_DECK_S) -> dict[str, bytes | ExportError]:
    """Several decks (name → PPTX) converted by one LibreOffice run (it starts once: most of a single conversion's
    time), within `timeout` + `per_deck` seconds each; name → its PDF, or the French error of that deck."""
    if not decks:
        return {}
    program = soffice()
    if not program:
        error = ExportError("LibreOffice est introuvable : installez le paquet « libreoffice-impress » pour produire "
                            "le PDF de la note (ou indiquez le programme dans LIT_SOFFICE).")
        return {name: error for name in decks}
    limit = timeout + per_deck * max(0, len(decks) - 1)
    with tempfile.TemporaryDirectory(prefix="lit-office-") as tmp:
        folder = Path(tmp)
        sources = {name: folder / f"deck-{n}.pptx" for n, name in enumerate(decks)}
        for name, path in sources.items():
            path.write_bytes(decks[name])
        cmd = [program, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--invisible",
               "--nologo", "--nodefault", "--norestore", "--nolockcheck", "--convert-to", "pdf",
               "--outdir", str(folder), *(str(p) for p in sources.values())]
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                                   env={**os.environ, "HOME": tmp})
        said = ""
        try:
            output, _ = process.communicate(timeout=limit)
            said = output.decode("utf-8", "replace").strip()[-300:] if process.returncode else ""
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)   # soffice starts soffice.bin: stop the whole group
            process.communicate()
            said = f"délai de {limit:.0f} s dépassé"
        out: dict[str, bytes | ExportError] = {}
        for name, path in sources.items():
            pdf = path.with_suffix(".pdf")
            out[name] = pdf.read_bytes() if pdf.exists() and pdf.stat().st_size > 0 else ExportError(
                "LibreOffice n'a pas produit le PDF de la note" + (f" : {said}" if said else "."))
        return out


__all__ = ["pptx_to_pdf", "pptx_to_pdf_many", "soffice", "TIMEOUT_S"]
