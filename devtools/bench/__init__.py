"""Benchmarks: how long the dashboard, the import and the exports take, written to `docs/benchmarks.md`.

One module per measure, each with `run(...) -> dict` (measure) and `render(result) -> str` (its Markdown section):
`pages` (`python -m lit_analytics bench`), `imports` (`bench-import`), `exports` (`bench-export`), `load`
(`bench-load`), `subscriptions` (`bench-subscriptions`), `writes` (`bench-writes`). The command line
(`lit_analytics.cli.bench`) sets up their arguments. Each measure owns one `## ` section of the benchmarks file and
rewrites only it (`write_section`). Timings live here and in that file, never in the tests.
"""

from __future__ import annotations

import re
from pathlib import Path

from lit_analytics import config

BENCHMARKS_FILE = config.REPO_ROOT / "docs" / "benchmarks.md"


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
