"""The public static site (`publish-site`): it builds from the demo database with every page, says « démonstration »
on every page, refuses a demo database without --demo, publishes atomically (the previous site kept, a failed build
changes nothing), offers a data package Frictionless accepts, leaks nothing that is not public (a planted account,
e-mail, rejected upload and superseded version are looked for in every file, and the check is shown to catch them),
loads nothing from another host, and every internal link resolves. In Chromium (marked `browser`): every page passes
axe-core (WCAG 2.1 A/AA, no critical or serious violation) and a 390 px wide screen never scrolls sideways."""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import REPO, screenshot
from lit_analytics.cli import main
from lit_analytics.site import builder
from lit_analytics.store import Store

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
TEXT_FILES = {".html", ".csv", ".json", ".svg", ".xml", ".css", ".txt"}
PLANTED = {"email": "chef.labo.fuite@prefecture.example", "name": "Prénom Fuiteur-Nomdefamille",
           "file": "rapport-refuse-fuite.xlsx", "project": "Projet remplacé FUITE-7731",
           "session": "Session remplacée FUITE-8842", "tranche": "TRANCHE-FUITE-9953",
           "highlights": "Faits marquants FUITE-1166", "difficulties": "Difficultés FUITE-2277",
           "needs": "Besoins d'appui FUITE-3388", "comment": "Réponse de la DITP FUITE-4499"}


PUBLIC_WORDS = "Texte rendu public par la DITP PUBLIC-5511"


def plant_private_rows(path: Path) -> None:
    """An account (a lab lead with a name), a rejected upload, and a superseded version of a lab's report whose
    rows exist nowhere else: none of it may reach the site."""
    with Store(path) as store:
        lab = store.scalar("SELECT min(lab_id) FROM labs WHERE identified")
        quarter = store.scalar("SELECT max(quarter) FROM report_versions WHERE lab_id = ? AND kind = 'projets'", [lab])
        with store.transaction(writes=("users", "user_labs", "imports", "report_versions", "project_snapshots",
                                       "training_sessions", "funding_tranches", "meteo_reports",
                                       "meteo_comments")) as cur:
            cur.execute("INSERT INTO users (email, display_name, role, created_at, created_by) "
                        "VALUES (?, ?, 'porteur', now(), 'test')", [PLANTED["email"], PLANTED["name"]])
            cur.execute("INSERT INTO user_labs VALUES (?, ?)", [PLANTED["email"], lab])
            base = cur.execute("SELECT max(import_id) FROM imports").fetchone()[0] + 1
            cur.execute("INSERT INTO imports (import_id, kind, lab_id, quarter, origin, file_name, sha256, user_email, received_at, row_count, outcome, detail) VALUES (?, 'projets', ?, ?, 'upload', ?, 'x', ?, now(), 3, 'rejeté', "
                        "'refusé')", [base, lab, quarter, PLANTED["file"], PLANTED["email"]])
            version = cur.execute("SELECT max(version_id) FROM report_versions").fetchone()[0] + 1
            for offset, kind in enumerate(("projets", "sessions", "financements")):
                cur.execute("INSERT INTO imports (import_id, kind, lab_id, quarter, origin, file_name, sha256, user_email, received_at, row_count, outcome, detail) VALUES (?, ?, ?, ?, 'upload', 'ancien.xlsx', 'y', ?, now(), 1, "
                            "'publié', 'remplacé')", [base + 1 + offset, kind, lab, quarter, PLANTED["email"]])
                cur.execute("INSERT INTO report_versions VALUES (?, ?, ?, ?, ?, false, now(), ?, false)",
                            [version + offset, kind, lab if kind != "financements" else None,
                             quarter if kind != "financements" else None, base + 1 + offset, PLANTED["email"]])
            cur.execute("INSERT INTO project_snapshots VALUES (?, ?, ?, 'FUITE-P', ?, 'Emploi', 'conception', "
                        "DATE '2020-01-01', NULL, 'recherche', 1, 1, 1000)",
                        [version, lab, quarter, PLANTED["project"]])
            cur.execute("INSERT INTO training_sessions VALUES (?, ?, ?, 'FUITE-S', DATE '2026-07-01', ?, 'atelier', "
                        "2, 5, 0)", [version + 1, lab, quarter, PLANTED["session"]])
            cur.execute("INSERT INTO funding_tranches VALUES (?, ?, ?, 'PIA', 1234567.89, DATE '2020-01-01', NULL, "
                        "'fuite')", [version + 2, PLANTED["tranche"], lab])
            # The quarter's météo and the DITP's answer: current, but not marked public by the DITP.
            cur.execute("UPDATE meteo_reports SET is_current = false WHERE lab_id = ? AND quarter = ?", [lab, quarter])
            meteo = cur.execute("SELECT coalesce(max(version_id), 0) + 1 FROM meteo_reports").fetchone()[0]
            cur.execute("INSERT INTO meteo_reports VALUES (?, ?, ?, 'orage', ?, ?, ?, 'meteo.csv', 'z', false, now(), "
                        "?, true, false)", [meteo, lab, quarter, PLANTED["highlights"], PLANTED["difficulties"],
                                            PLANTED["needs"], PLANTED["email"]])
            cur.execute("INSERT INTO meteo_comments VALUES (1, ?, ?, ?, ?, now(), 'admin@ditp.test')",
                        [lab, quarter, meteo, PLANTED["comment"]])
            # Another lab's météo the DITP made public: the site may show it, on that lab's page.
            other = store.scalar("SELECT max(lab_id) FROM labs WHERE identified")
            cur.execute("UPDATE meteo_reports SET is_current = false WHERE lab_id = ? AND quarter = ?", [other, quarter])
            cur.execute("INSERT INTO meteo_reports VALUES (?, ?, ?, 'soleil', ?, 'aucune', 'aucun', NULL, NULL, "
                        "false, now(), 'démo', true, true)", [meteo + 1, other, quarter, PUBLIC_WORDS])


def private_strings(path: Path) -> set[str]:
    """What may never be public, read from the database: accounts (e-mails, names), who sent or published what,
    uploaded files' names, and the distinctive values of every row of a version that is not current."""
    with Store(path, read_only=True) as store:
        found = set()
        for sql in ("SELECT email FROM users", "SELECT display_name FROM users", "SELECT user_email FROM imports",
                    "SELECT file_name FROM imports", "SELECT published_by FROM report_versions",
                    "SELECT actor FROM audit_log",
                    """SELECT title FROM project_snapshots p JOIN report_versions v USING (version_id)
                       WHERE NOT v.is_current AND title NOT IN (SELECT title FROM current_project_snapshots)""",
                    """SELECT title FROM training_sessions s JOIN report_versions v USING (version_id)
                       WHERE NOT v.is_current AND title NOT IN (SELECT title FROM current_training_sessions)""",
                    """SELECT tranche_id FROM funding_tranches f JOIN report_versions v USING (version_id)
                       WHERE NOT v.is_current AND tranche_id NOT IN (SELECT tranche_id FROM current_funding_tranches)""",
                    # the field's words are not public unless the DITP marked them so
                    "SELECT highlights FROM meteo_reports WHERE NOT is_public",
                    "SELECT difficulties FROM meteo_reports WHERE NOT is_public",
                    "SELECT support_needs FROM meteo_reports WHERE NOT is_public",
                    "SELECT body FROM meteo_comments", "SELECT published_by FROM meteo_reports"):
            found |= {str(v) for (v,) in store.query(sql) if v}
    generic = {"démo", "système", "ligne de commande", "test"}
    return {s for s in found if len(s) >= 6 and s not in generic}


def leaks(site: Path, private: set[str]) -> list[str]:
    """Every e-mail address, and every private string, found in a text file of the site (DSFR's files aside)."""
    found = []
    for path in sorted(site.rglob("*")):
        if path.suffix not in TEXT_FILES or "dsfr" in path.relative_to(site).parts:
            continue
        text = path.read_text("utf-8")
        rel = path.relative_to(site).as_posix()
        found += [f"{rel}: adresse {m}" for m in EMAIL.findall(text)]
        found += [f"{rel}: {s}" for s in private if s in text]
    return found


@pytest.fixture(scope="module")
def planted_db(tmp_path_factory, demo_db_path) -> Path:
    path = tmp_path_factory.mktemp("site-db") / "site.duckdb"
    shutil.copy(demo_db_path, path)
    plant_private_rows(path)
    return path


@pytest.fixture(scope="module")
def site(planted_db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "public"
    assert main(["publish-site", "--db", str(planted_db), "--out", str(out), "--demo",
                 "--base-url", "https://lit.example.gouv.fr"]) == 0
    return out


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html"))


def tiny_svg(_figure, *_size) -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="6"></svg>'


# --- building ------------------------------------------------------------------------------------------------

def test_site_has_every_page_and_says_demo_on_each(site, planted_db):
    with Store(planted_db, read_only=True) as store:
        labs = [lab for (lab,) in store.query("SELECT lab_id FROM labs ORDER BY lab_id")]
    expected = ["index.html", "carte.html", "indicateurs.html", "financements.html", "laboratoires/index.html",
                "donnees.html", "methode.html", "accessibilite.html", "mentions-legales.html",
                "donnees-personnelles.html", "plan-du-site.html"] + [f"laboratoires/{lab}.html" for lab in labs]
    assert sorted(p.relative_to(site).as_posix() for p in html_pages(site)) == sorted(expected)
    for page in html_pages(site):
        text = page.read_text("utf-8")
        assert "Données de démonstration" in text and "République<br>française" in text, page
        assert "Accessibilité : non conforme" in text and "Mentions légales" in text and "Données personnelles" in text
    home = (site / "index.html").read_text("utf-8")
    assert "En un an :" in home and "Ce que la DITP a publié" in home
    assert (site / "sitemap.xml").read_text("utf-8").count("<loc>https://lit.example.gouv.fr/") == len(expected)
    assert json.loads((site / "version.json").read_text("utf-8"))["demo"] is True


def test_every_chart_is_an_svg_with_alt_text_and_its_table(site):
    images = 0
    for page in html_pages(site):
        text = page.read_text("utf-8")
        for src, alt in re.findall(r'<img class="fr-responsive-img" src="([^"]+)" alt="([^"]*)"', text):
            images += 1
            assert src.endswith(".svg") and (page.parent / src).resolve().exists(), (page, src)
            assert len(alt) > 20, (page, src)
        assert text.count('<img class="fr-responsive-img"') == text.count('id="donnees-')
        narrow = re.findall(r'<source media="\(max-width: 36em\)" srcset="([^"]+)"', text)
        assert len(narrow) == text.count('<img class="fr-responsive-img"'), page
        for src in narrow:   # the phone's picture: no title nor caption inside (the page writes them), 420 px
            svg = (page.parent / src).resolve().read_text("utf-8")
            assert src.endswith("-etroit.svg") and 'width="420"' in svg[:400], (page, src)
            assert 'class="gtitle"' not in svg and "Source" not in svg, (page, src)
    assert images >= 17
    carte = (site / "graphiques" / "carte.svg").read_text("utf-8")
    assert "Guadeloupe" in carte and "Mayotte" in carte   # the overseas insets are kept


def test_refuses_a_demo_database_without_the_flag(demo_db_path, tmp_path, capsys):
    out = tmp_path / "public"
    assert main(["publish-site", "--db", str(demo_db_path), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Erreur : ") and "données de démonstration" in err and "--demo" in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_publication_is_atomic_and_keeps_the_previous_site(demo_db_path, tmp_path):
    out = tmp_path / "public"
    with Store(demo_db_path, read_only=True) as store:
        first = builder.publish(store, out, allow_demo=True, render=tiny_svg)
        assert first.previous is None and (out / "index.html").exists()
        (out / "marque.txt").write_text("premier site")
        second = builder.publish(store, out, allow_demo=True, render=tiny_svg)
        assert second.previous == tmp_path / "public.precedent"
        # nothing moved: every picture is the previous site's file, none drawn again
        assert first.rendered == 2 * first.charts and first.reused == 0
        assert second.rendered == 0 and second.reused == 2 * second.charts
        assert (second.previous / "marque.txt").read_text() == "premier site"
        assert not (out / "marque.txt").exists() and (out / "index.html").exists()

        def broken(_figure, *_size):
            raise RuntimeError("rendu impossible")
        (out / "graphiques" / "empreintes.json").unlink()   # nothing to take again: every picture is drawn
        with pytest.raises(RuntimeError):
            builder.publish(store, out, allow_demo=True, render=broken)
    assert (out / "index.html").exists() and (tmp_path / "public.precedent" / "marque.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "public.precedent"]   # no half-built folder


def test_a_refresh_draws_only_the_pictures_whose_figure_changed(demo_db_path, tmp_path):
    out = tmp_path / "public"
    with Store(demo_db_path, read_only=True) as store:
        builder.publish(store, out, allow_demo=True, render=tiny_svg)
        prints_file = out / "graphiques" / "empreintes.json"
        prints = json.loads(prints_file.read_text("utf-8"))
        assert len(prints) == len(list((out / "graphiques").glob("*.svg")))
        prints["graphiques/carte-etroit.svg"] = "0" * 64      # as if the map's data had moved
        prints_file.write_text(json.dumps(prints), "utf-8")
        again = builder.publish(store, out, allow_demo=True, render=tiny_svg)
    assert again.rendered == 1 and again.reused == 2 * again.charts - 1


def test_if_changed_does_nothing_while_the_data_has_not_moved(site, planted_db, capsys):
    before = (site / "version.json").stat().st_mtime_ns
    assert main(["publish-site", "--db", str(planted_db), "--out", str(site), "--demo", "--if-changed"]) == 0
    assert "Site à jour" in capsys.readouterr().out
    assert (site / "version.json").stat().st_mtime_ns == before


# --- open data -----------------------------------------------------------------------------------------------

def test_frictionless_validates_the_data_package(site):
    package = site / "donnees" / "datapackage.json"
    descriptor = json.loads(package.read_text("utf-8"))
    assert descriptor["licenses"][0]["name"] == "etalab-2.0" and descriptor["created"]
    assert descriptor["version"].endswith("." + json.loads((site / "version.json").read_text())["data_version"])
    assert {r["name"] for r in descriptor["resources"]} >= {"laboratoires", "activite-trimestrielle"}
    frictionless = Path(sys.executable).parent / "frictionless"
    result = subprocess.run([str(frictionless), "validate", "--json", package.name], cwd=package.parent,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert json.loads(result.stdout)["valid"] is True


# --- only what may be public ---------------------------------------------------------------------------------

def test_no_file_leaks_an_account_an_email_or_an_unpublished_row(site, planted_db):
    private = private_strings(planted_db)
    assert set(PLANTED.values()) <= private      # the planted rows are among what is looked for
    assert leaks(site, private) == []


def test_a_meteo_the_ditp_made_public_shows_on_its_lab_page_only(site, planted_db):
    with Store(planted_db, read_only=True) as store:
        other = store.scalar("SELECT max(lab_id) FROM labs WHERE identified")
    pages = [p.relative_to(site).as_posix() for p in site.rglob("*.html") if PUBLIC_WORDS in p.read_text("utf-8")]
    assert pages == [f"laboratoires/{other}.html"]
    assert "Météo et paroles du terrain" in (site / pages[0]).read_text("utf-8")


def test_the_leak_check_catches_a_planted_leak(site, planted_db, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("dsfr", "graphiques"))
    page = copy / "laboratoires" / "index.html"
    page.write_text(page.read_text("utf-8").replace("</main>", f"<p>{PLANTED['project']}</p></main>"), "utf-8")
    csv = copy / "donnees" / "laboratoires.csv"
    csv.write_text(csv.read_text("utf-8") + f"x,{PLANTED['email']}\n", "utf-8")
    found = leaks(copy, private_strings(planted_db))
    assert any(PLANTED["project"] in f for f in found) and any(PLANTED["email"] in f for f in found)


# --- links ---------------------------------------------------------------------------------------------------

class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []   # (tag, attribute, value)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if value and name in ("href", "src", "srcset", "action", "data", "poster", "formaction"):
                self.refs.append((tag, name, value))
            if name == "style" and value and "url(" in value:
                self.refs.append((tag, "style", value))


def parse(path: Path) -> _Refs:
    parser = _Refs()
    parser.feed(path.read_text("utf-8"))
    return parser


def is_external(value: str) -> bool:
    parts = urlsplit(value.strip())
    return bool(parts.scheme or parts.netloc) and parts.scheme != "data"


def test_nothing_is_loaded_from_another_host(site):
    bad = []
    for page in html_pages(site):
        for tag, attr, value in parse(page).refs:
            if tag == "a" and attr == "href":
                if is_external(value) and not value.startswith(("https://", "http://")):
                    bad.append(f"{page.name}: lien {value}")
            elif is_external(value) or attr == "style":
                bad.append(f"{page.name}: {tag} {attr}={value}")
    for sheet in list(site.rglob("*.css")) + list(site.rglob("*.svg")):
        text = sheet.read_text("utf-8")
        bad += [f"{sheet.name}: url({u})" for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", text) if is_external(u)]
        bad += [f"{sheet.name}: @import" for _ in re.findall(r"@import", text)]
        bad += [f"{sheet.name}: href {u}" for u in re.findall(r'href="([^"#][^"]*)"', text) if is_external(u)]
    assert bad == []


def test_every_internal_link_resolves(site):
    ids = {page: parse(page).ids for page in html_pages(site)}
    broken = []
    for page in html_pages(site):
        for tag, attr, value in parse(page).refs:
            if is_external(value) or attr == "srcset":
                continue
            parts = urlsplit(value)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.exists() or site.resolve() not in target.parents:
                broken.append(f"{page.relative_to(site)}: {value}")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in ids[target]:
                broken.append(f"{page.relative_to(site)}: ancre {value}")
    css = (site / "dsfr" / "dsfr.min.css").read_text("utf-8")
    for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
        if not ref.startswith(("data:", "#")) and not (site / "dsfr" / ref.split("?")[0]).exists():
            broken.append(f"dsfr.min.css: {ref}")
    assert broken == []


# --- in Chromium ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served_site(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.browser
def test_every_page_passes_axe_and_fits_a_phone(site, served_site, browser):
    from test_browser_accessibility import axe_violations
    problems = []
    desktop = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", is_mobile=True,
                                device_scale_factor=2)
    outside = []
    for context in (desktop, phone):
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(served_site)
                      else (outside.append(route.request.url), route.abort()))
    try:
        big, small = desktop.new_page(), phone.new_page()
        for path in html_pages(site):
            rel = path.relative_to(site).as_posix()
            big.goto(served_site + rel, wait_until="load")
            problems += [f"{rel}: {v}" for v in axe_violations(big)]
            small.goto(served_site + rel, wait_until="load")
            width = small.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if width[0] > width[1]:
                problems.append(f"{rel}: défilement horizontal à 390 px ({width[0]} > {width[1]})")
            problems += [f"{rel} (390 px): {v}" for v in axe_violations(small)]
        small.goto(served_site + "index.html")
        shown = small.evaluate("() => [...document.querySelectorAll('img.fr-responsive-img')].map("
                               "i => [i.currentSrc, i.getBoundingClientRect().width])")
        assert shown and all(src.endswith("-etroit.svg") and width >= 300 for src, width in shown), shown
        screenshot(small, "site-accueil-390px")
        big.goto(served_site + "index.html")
        screenshot(big, "site-accueil")
    finally:
        desktop.close()
        phone.close()
    assert problems == [] and outside == []


def test_the_administrators_button_publishes_and_is_audited(demo_file_copy, tmp_path, monkeypatch):
    from lit_analytics import audit
    from lit_analytics.permissions import Actor, PermissionDenied
    from lit_analytics.site import refresh
    monkeypatch.setattr(builder, "_render_svg", tiny_svg)
    monkeypatch.setenv("LIT_SITE_DIR", str(tmp_path / "public"))
    admin, analyst = Actor("admin@lit.example", "admin"), Actor("analyste@lit.example", "analyste")
    with Store(demo_file_copy) as store:
        with pytest.raises(builder.PublishRefused, match="démonstration"):
            refresh.publish_for(store, admin)           # a demo database needs LIT_SITE_DEMO=1
        with pytest.raises(PermissionDenied):
            refresh.publish_for(store, analyst)
        assert not (tmp_path / "public").exists()
        monkeypatch.setenv("LIT_SITE_DEMO", "1")
        report = refresh.publish_for(store, admin)
        assert (tmp_path / "public" / "index.html").exists() and report.demo
        rows = store.query("SELECT actor, outcome FROM audit_log WHERE action = ? ORDER BY event_id",
                           [audit.Action.SITE_PUBLISHED.value])
    assert rows == [("admin@lit.example", "échec"), ("analyste@lit.example", "refus"), ("admin@lit.example", "succès")]


def test_the_button_is_on_the_administrators_follow_up_page(demo_file_copy, tmp_path, monkeypatch):
    from conftest import ADMIN, ANALYSTE, make_app_test
    monkeypatch.setattr(builder, "_render_svg", tiny_svg)
    monkeypatch.setenv("LIT_SITE_DIR", str(tmp_path / "public"))
    monkeypatch.setenv("LIT_SITE_DEMO", "1")
    at = make_app_test(demo_file_copy, "pages/suivi_depots.py", ADMIN)
    at.run()
    at.button(key="site_public_publier").click().run()
    assert not at.exception
    assert any("Site public publié" in s.value for s in at.success), [e.value for e in at.error]
    assert (tmp_path / "public" / "index.html").exists()
    at = make_app_test(demo_file_copy, "pages/suivi_depots.py", ANALYSTE)
    at.run()
    assert not at.exception and "site_public_publier" not in [b.key for b in at.button]


def test_every_page_weighs_under_100_kb_as_sent(site):
    from lit_analytics.site.sizes import page_weights
    weights = page_weights(site)
    assert len(weights) == len(html_pages(site))
    heavy = [(w.page, w.gzip) for w in weights if w.gzip > 100 * 1024]
    assert heavy == []                                      # HTML + site.css + charts, gzip as nginx sends them
    assert max(w.html for w in weights) < 100 * 1024        # and every HTML file alone, uncompressed


# --- served by nginx, as deploy/ says -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def nginx_site(site, tmp_path_factory):
    """The built site served by Debian's nginx with `deploy/nginx-site.conf` (only its port and root changed)."""
    import os
    import time
    import urllib.request
    from conftest import _free_port
    work = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    conf = (REPO / "deploy" / "nginx-site.conf").read_text("utf-8")
    conf = conf.replace("root /var/www/lit-site;", f"root {site};").replace("listen 80;", f"listen 127.0.0.1:{port};")
    conf = conf.replace("listen [::]:80;", "")
    (work / "site.conf").write_text(conf, "utf-8")
    temp = " ".join(f"{kind}_temp_path {work / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (work / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")   # pytest's folders are private to the user running it
        + f"worker_processes 1; daemon off; pid {work / 'nginx.pid'}; error_log {work / 'error.log'};\n"
        f"events {{ worker_connections 64; }}\nhttp {{ include /etc/nginx/mime.types; "
        f"default_type application/octet-stream; access_log off; {temp} include {work / 'site.conf'}; }}\n", "utf-8")
    server = subprocess.Popen(["/usr/sbin/nginx", "-c", str(work / "nginx.conf"), "-p", str(work)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            urllib.request.urlopen(base, timeout=1).close()
            break
        except OSError:
            if server.poll() is not None:
                raise AssertionError(server.stderr.read().decode()[-2000:])
            time.sleep(0.1)
    yield base
    server.terminate()
    server.wait(timeout=10)


def _get(url: str, **headers):
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_nginx_serves_the_site_compressed_cached_and_with_the_security_headers(nginx_site, site):
    import gzip
    status, headers, body = _get(nginx_site + "index.html", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == (site / "index.html").read_bytes()          # the .gz written by publish-site
    assert headers["Cache-Control"] == "no-cache" and headers["X-Content-Type-Options"] == "nosniff"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "http" not in csp
    assert headers["X-Frame-Options"] == "DENY" and "nginx/" not in headers.get("Server", "")   # server_tokens off
    status, headers, _ = _get(nginx_site + "graphiques/carte-etroit.svg")
    assert status == 200 and headers["Content-Type"].startswith("image/svg+xml") and "max-age=3600" in headers["Cache-Control"]
    dsfr_css = next(p for p in (site / "dsfr").rglob("*.css"))
    status, headers, _ = _get(nginx_site + dsfr_css.relative_to(site).as_posix())
    assert status == 200 and "max-age=604800" in headers["Cache-Control"]
    status, headers, body = _get(nginx_site + "donnees/laboratoires.csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv") and headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = _get(nginx_site + "donnees/introuvable.csv")
    assert status == 404 and headers["X-Content-Type-Options"] == "nosniff"     # error pages carry the headers too


def test_nginx_never_serves_a_hidden_folder_such_as_a_publication_in_progress(nginx_site, site):
    hidden = site / ".public.construction-en-cours"
    hidden.mkdir()
    (hidden / "index.html").write_text("à moitié écrit", "utf-8")
    try:
        status, _, body = _get(nginx_site + ".public.construction-en-cours/index.html")
        assert status == 404 and "moitié".encode() not in body
    finally:
        shutil.rmtree(hidden)
