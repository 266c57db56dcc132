"""What a reader downloads for each page of a built site, the DSFR's own files aside (they are shared by every page
and kept a week by the browser): the HTML, the site's style sheet and the SVG charts the page shows; raw, and
compressed as nginx sends them (gzip level 6, `deploy/nginx-site.conf`)."""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

_IMG = re.compile(r'<img[^>]* src="([^"]+)"')


@dataclass(frozen=True)
class PageWeight:
    page: str          # path inside the site
    html: int          # bytes of the HTML alone
    raw: int           # HTML + site.css + charts, bytes
    gzip: int          # the same, each file gzip-compressed
    charts: int


def page_weights(site: Path) -> list[PageWeight]:
    css = (site / "site.css").read_bytes()
    weights = []
    for page in sorted(site.rglob("*.html")):
        if "dsfr" in page.relative_to(site).parts:
            continue
        html = page.read_bytes()
        charts = [(page.parent / src).resolve().read_bytes() for src in _IMG.findall(html.decode("utf-8"))
                  if not src.startswith(("dsfr/", "../dsfr/"))]
        files = [html, css, *charts]
        weights.append(PageWeight(page.relative_to(site).as_posix(), len(html), sum(len(f) for f in files),
                                  sum(len(gzip.compress(f, 6)) for f in files), len(charts)))
    return weights
