"""A PPTX deck converted to PDF by LibreOffice Impress (headless), the office suite State services use: the PDF of
a subscription is the deck as a reader opening the PPTX sees it.

Each conversion runs with a private, throwaway LibreOffice profile (`-env:UserInstallation`), so nothing of the
account's HOME matters and two conversions may run at once; it is bounded in time (the whole process group is
stopped past `timeout`) and fails with a French `ExportError`.
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

TIMEOUT_S = 180


def soffice() -> str | None:
    """LibreOffice's program: `LIT_SOFFICE`, else `soffice` (or `libreoffice`) on the PATH."""
    return config.soffice_path() or shutil.which("soffice") or shutil.which("libreoffice")


def pptx_to_pdf(pptx: bytes, timeout: float = TIMEOUT_S) -> bytes:
    """The deck as PDF, as LibreOffice Impress lays it out."""
    program = soffice()
    if not program:
        raise ExportError("LibreOffice est introuvable : installez le paquet « libreoffice-impress » pour produire "
                          "le PDF de la note (ou indiquez le programme dans LIT_SOFFICE).")
    with tempfile.TemporaryDirectory(prefix="lit-office-") as tmp:
        folder = Path(tmp)
        source, out = folder / "note.pptx", folder / "note.pdf"
        source.write_bytes(pptx)
        cmd = [program, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--invisible",
               "--nologo", "--nodefault", "--norestore", "--nolockcheck", "--convert-to", "pdf",
               "--outdir", str(folder), str(source)]
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                                   env={**os.environ, "HOME": tmp})
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            os.killpg(process.pid, signal.SIGKILL)   # soffice starts soffice.bin: stop the whole group
            process.communicate()
            raise ExportError(f"La conversion de la note en PDF par LibreOffice a dépassé {timeout:.0f} s.") from exc
        if process.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            said = output.decode("utf-8", "replace").strip()[-300:]
            raise ExportError("LibreOffice n'a pas produit le PDF de la note" + (f" : {said}" if said else "."))
        return out.read_bytes()


__all__ = ["pptx_to_pdf", "soffice", "TIMEOUT_S"]
