"""The Système de design de l'État (DSFR) copied into the site: its CSS, the fonts and icons that CSS names, its
favicon and its script (the menu on a phone; every page works without it). Installed from npm by
`scripts/setup.sh` into `lit_analytics/site/dsfr/node_modules` (pinned by `package-lock.json`), never downloaded here."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

DSFR_DIR = Path(__file__).parent / "dsfr" / "node_modules" / "@gouvfr" / "dsfr" / "dist"
TEMPLATES_DIR = Path(__file__).parent / "templates"
_FILES = ("dsfr.min.css", "dsfr.module.min.js", "dsfr.nomodule.min.js",
          "favicon/favicon.svg", "favicon/favicon.ico", "favicon/apple-touch-icon.png")
_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


class AssetsMissing(RuntimeError):
    """The DSFR is not installed (French message)."""


def referenced_files(css: str) -> list[str]:
    """Relative files a stylesheet loads (fonts, icons), without data: URIs and fragments."""
    found = []
    for ref in _URL.findall(css):
        if ref.startswith(("data:", "#")) or "//" in ref:
            continue
        ref = ref.split("?")[0].split("#")[0]
        if ref not in found:
            found.append(ref)
    return found


def copy_dsfr(target: Path, source: Path = DSFR_DIR) -> int:
    """Copy the DSFR files the site uses into `target` (the site's `dsfr/`); return the bytes copied."""
    if not (source / "dsfr.min.css").exists():
        raise AssetsMissing("Le Système de design de l'État (DSFR) n'est pas installé : lancez « ./scripts/setup.sh » "
                            "(il installe @gouvfr/dsfr dans lit_analytics/site/dsfr/node_modules).")
    names = list(_FILES) + referenced_files((source / "dsfr.min.css").read_text("utf-8"))
    total = 0
    for name in names:
        src = source / name
        if not src.exists():
            raise AssetsMissing(f"Fichier du DSFR introuvable : {name} (réinstallez-le avec « ./scripts/setup.sh »).")
        dst = target / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        total += dst.stat().st_size
    return total


def copy_own(target: Path) -> None:
    """The site's own stylesheet."""
    shutil.copyfile(TEMPLATES_DIR / "site.css", target / "site.css")
