"""Build the public site: every page written from the templates, the charts as SVG with their tables, the open
data package, the DSFR's files; published atomically (`swap`).

    publish(store, Path("/var/www/lit-site"), base_url="https://…", allow_demo=False)
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import jinja2

from lit_analytics import catalogue, reference
from lit_analytics.filters import Filters
from lit_analytics.formats import fmt_date, fmt_int
from lit_analytics.site import assets, content, opendata, swap
from lit_analytics.site.charts import Pictures, site_chart
from lit_analytics.store import Store

VERSION_FILE = "version.json"   # what the site was built from: data version, date, demo (read by --if-changed)


class PublishRefused(ValueError):
    """A site that must not be published (French message)."""


@dataclass(frozen=True)
class NavItem:
    section: str
    label: str
    path: str
    description: str


NAV = (
    NavItem("accueil", "Accueil", "index.html", "Le programme et ses chiffres clés."),
    NavItem("carte", "Carte", "carte.html", "Les laboratoires et leur activité, région par région."),
    NavItem("indicateurs", "Indicateurs d'impact", "indicateurs.html",
            "Projets, thèmes, partenaires, formations et essaimage."),
    NavItem("financements", "Financements", "financements.html", "Les montants engagés et versés, dans le temps."),
    NavItem("laboratoires", "Laboratoires", "laboratoires/index.html", "L'annuaire, et la fiche de chaque laboratoire."),
    NavItem("donnees", "Données", "donnees.html", "Les données ouvertes à télécharger (CSV, Licence Ouverte)."),
    NavItem("methode", "Méthode et sources", "methode.html", "Définitions des indicateurs et sources publiques."),
)

CHART_PAGES = {
    "carte": ("Carte des régions", "Les laboratoires financés et leur activité, région par région ; les régions "
              "d'outre-mer figurent en médaillons."),
    "indicateurs": ("Indicateurs d'impact", "Ce que font les laboratoires : leurs projets et leurs étapes, leurs "
                    "thèmes et leurs partenaires, les formations qu'ils donnent et ce qui essaime."),
    "financements": ("Financements", "Les montants engagés et versés aux laboratoires, par source (PIA, FTAP, "
                     "France Relance, autres), dans le temps."),
}


@dataclass
class BuildReport:
    out: Path
    previous: Path | None
    pages: int
    charts: int
    rendered: int      # pictures drawn by this build
    reused: int        # pictures taken from the previous site (same figure)
    seconds: float
    demo: bool
    data_version: str


def published_version(out: Path) -> str | None:
    """The data version the published site at `out` was built from (None if there is none)."""
    try:
        return json.loads((out / VERSION_FILE).read_text("utf-8")).get("data_version")
    except (OSError, ValueError):
        return None


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(assets.TEMPLATES_DIR), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _render_svg(figure, width: int, height: int) -> bytes:
    from lit_analytics.export import images
    return images.render(figure, "svg", width, height)


class _Writer:
    def __init__(self, root: Path, store: Store, facts: content.SiteFacts, pictures: Pictures):
        self.root, self.store, self.facts, self.pictures = root, store, facts, pictures
        self.env = _environment()
        self.pages = self.charts = 0
        self.common = {"site": {"title": content.SITE_TITLE, "tagline": content.SITE_TAGLINE,
                                "demo_notice": content.DEMO_NOTICE},
                       "facts": facts, "nav": NAV, "built_on": fmt_date(facts.built_on), "description": None}

    def page(self, template: str, path: str, section: str, title: str, **values) -> None:
        depth = path.count("/")
        html = self.env.get_template(template).render(**self.common, root="../" * depth, section=section,
                                                      page_title=title, **values)
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, "utf-8")
        self.pages += 1

    def chart(self, chart_id: str, filters: Filters, name: str):
        self.charts += 1
        return site_chart(self.store, chart_id, filters, name, self.pictures)


def _resources(folder: Path, descriptor: dict) -> list[dict]:
    rows = []
    for res in descriptor["resources"]:
        path = folder / res["path"]
        with open(path, encoding="utf-8") as handle:
            count = sum(1 for _ in handle) - 1
        size = path.stat().st_size
        rows.append({"path": res["path"], "title": res["title"], "description": res["description"],
                     "columns": ", ".join(f["name"] for f in res["schema"]["fields"]), "rows": fmt_int(count),
                     "size": f"{fmt_int(max(1, round(size / 1024)))} Ko"})
    return rows


def build(store: Store, root: Path, base_url: str | None = None, today: date | None = None,
          render=None, previous: Path | None = None) -> tuple[content.SiteFacts, int, int, Pictures]:
    """Write the whole site into the (empty) folder `root`; return its facts, page and chart counts. `render`
    turns a figure into SVG bytes, `render(figure, width, height)` (default: kaleido); the pictures of an unchanged
    figure are taken from `previous` (the published site) instead of being rendered again."""
    today = today or date.today()
    pictures = Pictures(root, render or _render_svg, previous)
    facts = content.site_facts(store, today)
    w = _Writer(root, store, facts, pictures)
    assets.copy_dsfr(root / "dsfr")
    assets.copy_own(root)

    built_at = datetime.now().astimezone()
    descriptor = opendata.write_package(store, root / "donnees", built_at, facts.data_version, facts.demo,
                                        homepage=base_url)
    national = Filters()
    counts, money, compared = content.headline_figures(store, national, today)
    home_charts = [w.chart(cid, national, cid) for cid in catalogue.PAGE_CHARTS["accueil"]]
    w.page("index.html", "index.html", "accueil", "Accueil", counts=counts, money=money, compared=compared,
           scope=f"France entière, {facts.period}, rapports publiés seulement.", charts=home_charts,
           published=content.published(store))
    for section, (title, lead) in CHART_PAGES.items():
        charts = [w.chart(cid, national, cid) for cid in catalogue.PAGE_CHARTS[section]]
        w.page("charts_page.html", f"{section}.html", section, title, lead=lead, charts=charts)

    labs = content.lab_summaries(store)
    w.page("labs.html", "laboratoires/index.html", "laboratoires", "Laboratoires", labs=labs)
    lab_chart_ids = catalogue.PAGE_CHARTS["laboratoires"]
    for summary in labs:
        lab = content.lab_page(store, summary, lab_chart_ids, today)
        charts = [w.chart(cid, lab.filters, f"{summary.lab_id}-{cid}") for cid in lab_chart_ids]
        w.page("lab.html", f"laboratoires/{summary.lab_id}.html", "laboratoires", summary.name, lab=lab,
               charts=charts)

    w.page("donnees.html", "donnees.html", "donnees", "Données", resources=_resources(root / "donnees", descriptor))
    definitions = [{"id": spec.id, "title": spec.title_for(), "definition": spec.definition,
                    "path": "index.html" if spec.page == "accueil" else
                    "laboratoires/index.html" if spec.page == "laboratoires" else f"{spec.page}.html"}
                   for spec in catalogue.CATALOGUE.values()]
    w.page("methode.html", "methode.html", "methode", "Méthode et sources", definitions=definitions,
           sources=reference.source_links(store))
    w.page("accessibilite.html", "accessibilite.html", "", "Déclaration d'accessibilité")
    w.page("mentions.html", "mentions-legales.html", "", "Mentions légales")
    w.page("personnelles.html", "donnees-personnelles.html", "", "Données personnelles")
    w.page("plan.html", "plan-du-site.html", "", "Plan du site", labs=labs)
    pictures.close()
    if base_url:
        _sitemap(root, base_url)
    precompress(root)
    (root / VERSION_FILE).write_text(json.dumps({
        "data_version": facts.data_version, "built_at": built_at.isoformat(timespec="seconds"),
        "demo": facts.demo, "data_date": facts.data_date}, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return facts, w.pages, w.charts, pictures


COMPRESSED = {".html", ".css", ".js", ".svg", ".csv", ".json", ".xml"}


def precompress(root: Path) -> None:
    """A `.gz` copy beside every text file, same date: nginx sends it as is (`gzip_static on`) instead of compressing
    each response again."""
    import gzip
    import os
    for path in list(root.rglob("*")):
        if path.suffix in COMPRESSED and path.is_file() and path.stat().st_size >= 512:
            target = path.with_name(path.name + ".gz")
            target.write_bytes(gzip.compress(path.read_bytes(), 9, mtime=0))
            stat = path.stat()
            os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _sitemap(root: Path, base_url: str) -> None:
    base = base_url.rstrip("/") + "/"
    pages = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <url><loc>{base}{p}</loc></url>" for p in pages]
    lines.append("</urlset>")
    (root / "sitemap.xml").write_text("\n".join(lines) + "\n", "utf-8")


def publish(store: Store, out: Path, base_url: str | None = None, allow_demo: bool = False,
            today: date | None = None, render=None) -> BuildReport:
    """Build the site into a new sibling folder of `out`, then swap it in (the previous one kept)."""
    if content.is_demo_database(store) and not allow_demo:
        raise PublishRefused("Cette base contient des données de démonstration : le site public ne peut en être "
                             "construit qu'avec --demo (chaque page dira alors qu'il s'agit d'une démonstration).")
    started = time.perf_counter()
    folder = swap.new_folder(out, datetime.now())
    try:
        facts, pages, charts, pictures = build(store, folder, base_url, today, render, previous=out if out.is_dir() else None)
    except BaseException:
        swap.discard(folder)
        raise
    previous = swap.swap_in(folder, out)
    return BuildReport(out=out, previous=previous, pages=pages, charts=charts, rendered=pictures.rendered,
                       reused=pictures.reused,
                       seconds=time.perf_counter() - started, demo=facts.demo, data_version=facts.data_version)
