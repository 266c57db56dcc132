"""An atomic publication: the site is written into a new sibling folder, then swapped with the published one in
one step (Linux `renameat2(RENAME_EXCHANGE)`; two renames where it is not available), and the previous site is
kept beside it as `<name>.precedent`. A reader never sees a half-written site."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from datetime import datetime
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def new_folder(out: Path, now: datetime) -> Path:
    """A fresh sibling folder of `out` to build into."""
    out.parent.mkdir(parents=True, exist_ok=True)
    folder = out.parent / f".{out.name}.construction-{now:%Y%m%d-%H%M%S-%f}"
    folder.mkdir()
    return folder


def previous_of(out: Path) -> Path:
    return out.parent / f"{out.name}.precedent"


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False when the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def swap_in(built: Path, out: Path) -> Path | None:
    """Publish `built` at `out`; return where the previous site was kept (None for a first publication)."""
    previous = previous_of(out)
    if not out.exists():
        os.rename(built, out)
        return None
    if previous.exists():
        shutil.rmtree(previous)
    if _exchange(built, out):
        os.rename(built, previous)          # `built` now holds the old site
    else:
        os.rename(out, previous)
        os.rename(built, out)
    return previous


def discard(built: Path) -> None:
    shutil.rmtree(built, ignore_errors=True)
