"""End to end in a real headless Chromium: every kind of export downloaded from the pages and checked."""

import io
import struct

import openpyxl
import pytest
from pptx import Presentation
from pypdf import PdfReader

from conftest import open_app, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def download(page, button_name: str, timeout: float = 120_000) -> bytes:
    with page.expect_download(timeout=timeout) as info:
        page.get_by_role("button", name=button_name).first.click()
    path = info.value.path()
    return open(path, "rb").read(), info.value.suggested_filename


def test_chart_exports_from_the_funding_page(streamlit_server, page):
    open_app(page, streamlit_server, "", role="analyste")
    page.get_by_role("link", name="Financements").first.click()
    page.get_by_text("Montants engagés par trimestre et par source").first.wait_for(timeout=30_000)
    wait_for_app(page)
    page.get_by_text("Données et export : « Montants engagés par trimestre et par source »").first.click()

    png, name = download(page, "Image PNG")
    assert name.endswith(".png") and png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width >= 2400 and height >= 900          # 2× scale of a 1200 px wide figure
    from PIL import Image
    assert len(Image.open(io.BytesIO(png)).convert("RGB").getcolors(maxcolors=1_000_000)) > 10

    svg, _ = download(page, "Image SVG")
    assert "Montants engagés par trimestre et par source" in svg.decode()
    pdf, _ = download(page, "PDF")
    assert "Source :" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    csv, _ = download(page, "Données CSV")
    assert csv.startswith(b"\xef\xbb\xbf") and b";" in csv.split(b"\r\n")[0]
    xlsx, _ = download(page, "Données Excel")
    assert openpyxl.load_workbook(io.BytesIO(xlsx)).sheetnames[-1] == "Sources"
    screenshot(page, "export-graphique")


def test_briefing_deck_pdf_and_workbook_from_the_note_page(streamlit_server, page):
    open_app(page, streamlit_server, "", role="admin")
    page.get_by_role("link", name="Note de synthèse").first.click()
    page.get_by_text("Périmètre", exact=True).first.wait_for(timeout=30_000)
    page.get_by_text("Un laboratoire", exact=True).click()
    wait_for_app(page)
    page.get_by_text("Laboratoire : Archipel").wait_for(timeout=30_000)
    screenshot(page, "note-de-synthese")

    pptx, name = download(page, "Diaporama PowerPoint (PPTX)")
    assert name.endswith(".pptx")
    prs = Presentation(io.BytesIO(pptx))
    slides = list(prs.slides)
    assert len(slides) == 13          # cover, figures, 7 charts, « Faits marquants », sources, 2 « Définitions »
    first = " ".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    assert "Laboratoire : Archipel" in first
    assert sum(1 for s in slides[2].shapes if s.shape_type == 13) == 1

    pdf, _ = download(page, "Diaporama PDF")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 13
    xlsx, _ = download(page, "Classeur Excel (XLSX)")
    assert "Tranches de financement" in openpyxl.load_workbook(io.BytesIO(xlsx)).sheetnames
