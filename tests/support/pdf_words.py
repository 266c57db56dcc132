"""Where the text of a PDF's pages lies, from `pdftotext -bbox-layout` (poppler-utils): words with their boxes
(points, top-left origin), grouped by line, and the pairs of words from different lines whose boxes overlap."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

NS = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Word:
    text: str
    line: int          # the line it belongs to, numbered over the page
    x0: float
    y0: float
    x1: float
    y1: float

    def overlap(self, other: "Word") -> tuple[float, float]:
        """Width and height of the intersection of the two boxes (≤ 0 when they do not meet)."""
        return min(self.x1, other.x1) - max(self.x0, other.x0), min(self.y1, other.y1) - max(self.y0, other.y0)


@dataclass
class Page:
    number: int        # from 1
    width: float
    height: float
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def lines(self) -> dict[int, str]:
        out: dict[int, list[str]] = {}
        for w in self.words:
            out.setdefault(w.line, []).append(w.text)
        return {n: " ".join(words) for n, words in out.items()}


def pages(pdf: Path) -> list[Page]:
    xhtml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True,
                           timeout=120).stdout
    root = ET.fromstring(xhtml)
    out = []
    for n, page in enumerate(root.iter(f"{NS}page"), start=1):
        words, line_no = [], 0
        for line in page.iter(f"{NS}line"):
            line_no += 1
            for w in line.iter(f"{NS}word"):
                words.append(Word((w.text or "").strip(), line_no, *(float(w.get(k)) for k in
                                                                     ("xMin", "yMin", "xMax", "yMax"))))
        out.append(Page(n, float(page.get("width")), float(page.get("height")), words))
    return out


def overlapping_words(page: Page, share: float = 0.3) -> list[tuple[Word, Word]]:
    """Pairs of words of different lines whose boxes overlap across, and down by more than `share` of the
    smaller word's height (a word's box runs from its font's ascent to its descent, so the boxes of lines set
    one under the other may share a point or two; text written over other text shares far more)."""
    pairs = []
    words = sorted(page.words, key=lambda w: w.y0)
    for i, a in enumerate(words):
        for b in words[i + 1:]:
            if b.y0 >= a.y1:
                break
            if a.line != b.line:
                across, down = a.overlap(b)
                if across > 0.5 and down > share * min(a.y1 - a.y0, b.y1 - b.y0):
                    pairs.append((a, b))
    return pairs
