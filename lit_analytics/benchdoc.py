"""The benchmarks file (`docs/benchmarks.md`): each bench command owns one `## ` section and rewrites only it."""

from __future__ import annotations

import re
from pathlib import Path


def write_section(path: Path, section: str) -> None:
    """Replace the section whose `## ` title starts `section` (or append it), keeping every other section."""
    title = section.lstrip().splitlines()[0].strip()
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(title)}[ \t]*\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.strip("\n") + "\n\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section.strip("\n") + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
