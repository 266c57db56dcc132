"""Briefings from the database: presets, decks (PPTX/PDF), workbooks (XLSX) and the `export` command."""

import io
import subprocess
import sys

import duckdb
import openpyxl
import pytest
from pptx import Presentation
from pypdf import PdfReader

from conftest import REPO
from lit_analytics import catalogue
from lit_analytics.export import briefing
from lit_analytics.export import deck as deck_mod


def slide_texts(data: bytes) -> list[str]:
    prs = Presentation(io.BytesIO(data))
    return [" ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in prs.slides]


def test_presets_parse_and_refuse_unknown_scopes(demo_store):
    assert briefing.parse_preset(demo_store, "national").filters.regions == ()
    region = briefing.parse_preset(demo_store, "region:53")
    assert region.label == "Région : Bretagne" and region.filters.regions == ("53",)
    lab = briefing.parse_preset(demo_store, "lab:siilab")
    assert lab.label == "Laboratoire : Siilab" and lab.filters.labs == ("siilab",)
    for bad, message in (("region:99", "Région inconnue"), ("lab:nulle-part", "Laboratoire inconnu"),
                         ("monde", "Préréglage inconnu")):
        with pytest.raises(ValueError, match=message):
            briefing.parse_preset(demo_store, bad)


def test_lab_deck_has_cover_headline_one_slide_per_chart_faits_marquants_and_sources(demo_store):
    scope = briefing.parse_preset(demo_store, "lab:siilab")
    chart_ids = briefing.default_charts(scope)
    data = briefing.deck_pptx(demo_store, scope)
    texts = slide_texts(data)
    glossary = [t for t in texts if t.strip().startswith("Définitions")]      # the closing « Définitions » slides
    texts = texts[:len(texts) - len(glossary)]
    assert len(texts) == 4 + len(chart_ids) and glossary
    assert "Laboratoire : Siilab" in texts[0] and "Données de démonstration" in texts[0]
    assert "Chiffres clés" in texts[1]
    # The field's words: the lab's latest météo and its three texts, said to be not public.
    meteo = demo_store.query("SELECT highlights, support_needs FROM meteo_reports WHERE lab_id = 'siilab' "
                             "AND is_current ORDER BY quarter DESC LIMIT 1")[0]
    assert "Faits marquants — Siilab" in texts[-2] and "T3 2026 · Météo : " in texts[-2]
    assert meteo[0] in texts[-2] and meteo[1] in texts[-2] and "non publics" in texts[-2]
    for text, chart_id in zip(texts[2:-2], chart_ids):
        assert catalogue.CATALOGUE[chart_id].title_for() in text
        assert "Source : données de démonstration" in text and "données au 30/09/2026" in text
    assert "Sources et méthode" in texts[-1] and "démonstration" in texts[-1]
    prs = Presentation(io.BytesIO(data))
    pictures = [sum(1 for s in slide.shapes if s.shape_type == 13) for slide in prs.slides]
    assert pictures == [0, 0] + [1] * len(chart_ids) + [0] * (2 + len(glossary))


def test_regional_deck_has_a_faits_marquants_slide_per_lab_and_the_national_one_the_table(demo_store):
    from lit_analytics.export import deck_glossary
    region = briefing.build_deck(demo_store, briefing.parse_preset(demo_store, "region:93"), [])
    labs = demo_store.query("SELECT coalesce(l.short_name, l.name) FROM meteo_reports m JOIN labs l USING (lab_id) "
                            "WHERE l.region_code = '93' AND m.is_current AND m.quarter = '2026-T3' ORDER BY 1")
    assert len(labs) >= 2 and sorted(m.title for m in region.meteo) == [f"Faits marquants — {n}" for (n,) in labs]
    national = briefing.build_deck(demo_store, briefing.parse_preset(demo_store, "national"), [])
    [table] = national.meteo
    assert table.title == "Météo des labs" and not table.texts
    assert len(table.rows) == demo_store.scalar("SELECT count(*) FROM meteo_reports WHERE is_current "
                                                "AND quarter = '2026-T3'")
    levels = [r[2].split(" — ")[0] for r in table.rows]
    assert levels == sorted(levels, key=["Orage", "Nuage", "Couvert", "Soleil"].index)   # worst first
    texts = slide_texts(deck_mod.to_pptx(national))
    closing = len(deck_glossary.paginate(national.glossary))               # the « Définitions » slides
    assert "Météo des labs" in texts[-2 - closing]


def test_headline_slide_matches_the_database(demo_db_path, demo_store):
    scope = briefing.parse_preset(demo_store, "lab:siilab")
    deck = briefing.build_deck(demo_store, scope, ["sessions-trimestre"])
    con = duckdb.connect(str(demo_db_path), read_only=True)
    sessions = con.execute("""SELECT count(*) FROM training_sessions s JOIN report_versions v USING (version_id)
                              WHERE v.is_current AND s.lab_id = 'siilab'""").fetchone()[0]
    con.close()
    assert dict(deck.headline)["Sessions de formation"] == f"{sessions:,}".replace(",", "\u202f")


def test_pdf_deck_has_the_same_slides(demo_store):
    scope = briefing.parse_preset(demo_store, "lab:siilab")
    from lit_analytics.export import deck_glossary
    charts = ["sessions-trimestre", "engage-verse"]
    glossary = deck_glossary.paginate(briefing.build_deck(demo_store, scope, charts).glossary)
    reader = PdfReader(io.BytesIO(briefing.deck_pdf(demo_store, scope, charts)))
    assert len(reader.pages) == 6 + len(glossary)     # cover, figures, 2 charts, météo, sources, « Définitions »
    assert "Faits marquants — Siilab" in reader.pages[4].extract_text()
    assert "Sessions de formation par trimestre" in reader.pages[2].extract_text()
    assert reader.pages[5].extract_text().startswith("Sources et méthode")
    assert reader.pages[6].extract_text().replace("\ufb01", "fi").startswith("Définitions")   # ﬁ: a ligature


def test_workbook_values_equal_the_database(demo_db_path, demo_store):
    scope = briefing.parse_preset(demo_store, "region:53")
    wb = openpyxl.load_workbook(io.BytesIO(briefing.workbook(demo_store, scope, ["engage-verse"])))
    assert wb.sheetnames[-3:] == ["Laboratoires", "Tranches de financement", "Sources"]
    ws = wb["Tranches de financement"]
    header = [c.value for c in ws[1]]
    amounts = [row[header.index("Montant (€)")] for row in ws.iter_rows(min_row=2, values_only=True)]
    con = duckdb.connect(str(demo_db_path), read_only=True)
    expected = con.execute("""SELECT count(*), sum(amount_eur)::DOUBLE FROM funding_tranches f
                              JOIN report_versions v ON v.version_id = f.version_id JOIN labs l ON l.lab_id = f.lab_id
                              WHERE v.is_current AND l.region_code = '53'""").fetchone()
    con.close()
    assert (len(amounts), sum(amounts)) == (expected[0], pytest.approx(expected[1]))
    assert ws.freeze_panes == "A2"


def test_export_command_writes_the_file_and_fails_in_one_french_line(demo_copy, tmp_path):
    out = tmp_path / "note.xlsx"
    ok = subprocess.run([sys.executable, "-m", "lit_analytics", "export", "--db", str(demo_copy), "--preset",
                         "lab:siilab", "--format", "xlsx", "--out", str(out)], cwd=REPO, capture_output=True,
                        text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert openpyxl.load_workbook(out).sheetnames[-1] == "Sources"
    bad = subprocess.run([sys.executable, "-m", "lit_analytics", "export", "--db", str(demo_copy), "--preset",
                          "region:99", "--format", "pptx", "--out", str(tmp_path / "x.pptx")], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert bad.stderr.startswith("Erreur : Région inconnue") and bad.stderr.count("\n") == 1
    assert not (tmp_path / "x.pptx").exists()


def test_export_command_is_audited(demo_copy, tmp_path):
    out = tmp_path / "note.xlsx"
    subprocess.run([sys.executable, "-m", "lit_analytics", "export", "--db", str(demo_copy), "--preset", "national",
                    "--format", "xlsx", "--charts", "engage-verse", "--out", str(out)], cwd=REPO, check=True,
                   capture_output=True, timeout=300)
    con = duckdb.connect(str(demo_copy), read_only=True)
    events = con.execute("SELECT actor, outcome, target FROM audit_log WHERE action = 'export'").fetchall()
    con.close()
    assert events == [("ligne de commande", "succès", "France entière (xlsx)")]


def test_download_wrapper_audits_success_and_failure(demo_copy):
    from lit_analytics import accounts, sessions
    from lit_analytics.permissions import Actor
    from lit_analytics.store import Store
    from lit_analytics.ui.export import _audited
    with Store(demo_copy) as store:
        # A signed-in account: a deferred download re-checks its session first (issue 10).
        user = accounts.add_account(store, Actor("admin@ditp.test", "admin"), "a@b.fr", "analyste")
        session_id = sessions.open_session(store, user, "password").session_id
        assert _audited(store, "a@b.fr", "Graphique", "png", lambda: b"12345", session_id)() == b"12345"

        def broken():
            raise RuntimeError("Chromium absent")
        with pytest.raises(RuntimeError):
            _audited(store, "a@b.fr", "Graphique", "svg", broken, session_id)()
        rows = store.query("SELECT actor, outcome, target FROM audit_log WHERE action = 'export' ORDER BY event_id")
    assert rows == [("a@b.fr", "succès", "Graphique (png)"), ("a@b.fr", "échec", "Graphique (svg)")]


def test_note_page_offers_the_three_formats_for_the_chosen_scope(demo_copy):
    from conftest import make_app_test
    from lit_analytics.permissions import Actor
    at = make_app_test(demo_copy, page="pages/note.py", actor=Actor("demo-analyste@lit.example", "analyste")).run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Diaporama PowerPoint (PPTX)", "Diaporama PDF", "Classeur Excel (XLSX)"]
    at.radio(key="note_perimetre").set_value("region").run()
    at.selectbox(key="note_region").set_value("53").run()
    assert any("Région : Bretagne" in m.value for m in at.markdown)
    assert not at.exception


def test_a_region_without_labs_gives_a_deck_without_empty_slides(demo_store):
    scope = briefing.parse_preset(demo_store, "region:01")
    deck = briefing.build_deck(demo_store, scope, ["sessions-trimestre", "engage-verse"])
    assert deck.charts == []
    assert deck.scope.startswith("Région : Guadeloupe — T1 2017 – T3 2026") and deck.scope.count("Guadeloupe") == 1
    assert any("non repris" in line and "Sessions de formation par trimestre" in line for line in deck.method)


def test_sheet_names_stay_readable_without_excel_forbidden_characters():
    from lit_analytics.export.tables import _sheet_title
    assert _sheet_title("Co-construction : types de partenaires", set()) == "Co-construction - types de part"
    assert _sheet_title("Engagé/versé", {"engagé - versé"}) == "Engagé - versé (2)"


def test_the_map_exports_offline_with_its_overseas_insets(demo_store):
    from PIL import Image
    chart = catalogue.build_chart(demo_store, "carte")
    png = briefing.chart_image(chart, "png")
    img = Image.open(io.BytesIO(png)).convert("RGB")
    assert img.size[0] == 2400
    colours = dict((rgb, n) for n, rgb in img.getcolors(maxcolors=5_000_000))
    # regions with labs are drawn in the blue scale, overseas insets (no lab) in the hatched grey
    assert sum(n for rgb, n in colours.items() if rgb[2] > 150 and rgb[0] < 200) > 10_000
    assert colours.get((0xE5, 0xE5, 0xE5), 0) > 1_000
    svg = briefing.chart_image(chart, "svg").decode()
    assert "Laboratoires par région" in svg and "Guadeloupe" in svg


def test_the_exported_map_is_drawn_without_maplibre_and_names_its_insets(demo_store):
    """Exports redraw the tile map on plain axes (no MapLibre start-up in kaleido): same regions, colours and
    markers, and the insets' names written beside their frames."""
    from lit_analytics.export import flat_map
    chart = catalogue.build_chart(demo_store, "carte")
    flat = flat_map.flatten(chart.figure)
    assert {t.type for t in flat.data} == {"scatter"}
    assert "map" not in flat.layout.to_plotly_json()
    names = [t for t in flat.data if t.mode == "text"]
    assert [s.strip() for s in names[0].text] == ["Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"]
    legend = {t.name for t in flat.data if t.showlegend is not False}
    assert {"Aucun laboratoire (gris hachuré)", "Laboratoire ouvert (rond plein)"} <= legend
    assert any(t.marker.showscale for t in flat.data if t.marker is not None)          # the colour bar
    svg = briefing.chart_image(chart, "svg").decode()
    assert "maplibre" not in svg.lower() and svg.count(">Mayotte") == 1
    # a figure that is not a map goes through unchanged
    bar = catalogue.build_chart(demo_store, "engage-verse").figure
    assert flat_map.flatten(bar) is bar


def test_lab_deck_says_what_changed_this_quarter(demo_store):
    from lit_analytics import indicators
    scope = briefing.parse_preset(demo_store, "lab:siilab")
    deck = briefing.build_deck(demo_store, scope, ["sessions-trimestre"])
    changes = indicators.quarter_changes(demo_store, "siilab")
    assert deck.changes_title == "Ce qui a changé en T3 2026"
    assert [label for label, _ in deck.changes] == ["Nouveaux projets", "Projets qui ont changé d'étape",
                                                    "Projets terminés", "Projets abandonnés",
                                                    "Sessions de formation tenues"]
    assert [value for _, value in deck.changes] == [f"{now} (T2 2026 : {prev})" for now, prev in
                                                    zip(changes["current"], changes["previous"])]
    texts = slide_texts(deck_mod.to_pptx(deck))
    assert "Ce qui a changé en T3 2026" in texts[1] and "Sessions de formation tenues" in texts[1]
    assert "Ce qui a changé" in deck_mod.to_html(deck)
    national = briefing.build_deck(demo_store, briefing.parse_preset(demo_store, "national"), ["sessions-trimestre"])
    assert national.changes == [] and national.changes_title == ""


def test_the_deck_ends_with_the_glossary_of_its_charts_on_slides_that_hold_it(demo_store):
    """Issue 22, point 6: the « Définitions » of the deck's charts, the météo levels and the alerts, cut into slides
    that each hold what fits (so no text runs over the footer), in the PPTX and the PDF alike."""
    from lit_analytics.export import deck_glossary
    scope = briefing.parse_preset(demo_store, "national")
    deck = briefing.build_deck(demo_store, scope, ["sessions-trimestre", "engage-verse", "regles-pia"])
    terms = [term for _, term, _ in deck.glossary]
    assert terms[:3] == ["Sessions de formation par trimestre", "Engagé et versé par source", "Règles du PIA par lauréat"]
    assert {"Soleil", "Couvert", "Nuage", "Orage", "Indicateur en baisse"} <= set(terms)
    pages = deck_glossary.paginate(deck.glossary)
    assert [entry[1] for page in pages for entry in page if entry[1] is not None] == terms
    for page in pages:
        lines = sum(deck_glossary._lines(t, d) if t is not None else deck_glossary.HEADING_LINES for _, t, d in page)
        assert lines <= deck_glossary.LINES_PER_SLIDE + deck_glossary.HEADING_LINES
    texts = slide_texts(deck_mod.to_pptx(deck))
    glossary = [t for t in texts if t.strip().startswith("Définitions")]
    assert len(glossary) == len(pages)
    assert "Orage — Objectifs compromis" in " ".join(glossary)
