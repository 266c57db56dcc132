"""Export renderers on their own: images through kaleido and the system Chromium, CSV/XLSX for French Excel,
decks as PPTX and PDF."""

import io
import struct
from datetime import date

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from pptx import Presentation
from pypdf import PdfReader

from lit_analytics.export import deck, images
from lit_analytics.export.tables import Table, to_csv, to_xlsx


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def figure():
    fig = go.Figure(go.Bar(x=["PIA", "FTAP"], y=[250_000, 1_200_000], marker_color=["#000091", "#D55E00"]))
    fig.update_layout(title="Montants engagés par source", separators=", ", plot_bgcolor="white")
    return fig


def test_png_has_the_asked_size_and_is_not_blank(figure):
    from PIL import Image
    data = images.render(figure, "png", width=800, height=450, scale=2)
    assert png_size(data) == (1600, 900)
    img = Image.open(io.BytesIO(data)).convert("RGB")
    colours = img.getcolors(maxcolors=1_000_000)
    assert len(colours) > 10  # not a blank canvas
    assert any(c[1] == (0, 0, 145) for c in colours)  # bleu France bar


def test_svg_and_pdf_carry_the_french_title(figure):
    svg = images.render(figure, "svg").decode()
    assert "Montants engagés par source" in svg
    pdf = images.render(figure, "pdf")
    assert pdf.startswith(b"%PDF")
    assert "Montants engagés" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_unknown_image_format_is_a_french_error(figure):
    with pytest.raises(images.ExportError, match="Format d'image inconnu"):
        images.render(figure, "gif")


def test_csv_for_french_excel():
    df = pd.DataFrame({"Laboratoire": ["=1+1", "Siilab", "-moins", "@cmd"], "Montant (€)": [1234.5, 200000.0, 1.0, 0.0],
                       "Date": [date(2021, 12, 31), None, date(2020, 1, 2), date(2020, 1, 3)]})
    data = to_csv(df)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Laboratoire;Montant (€);Date"
    assert lines[1] == "'=1+1;1234,5;31/12/2021"
    assert lines[2] == "Siilab;200000;"
    assert lines[3].startswith("'-moins;") and lines[4].startswith("'@cmd;")


def test_xlsx_sheets_formats_and_neutralised_formulas():
    df = pd.DataFrame({"Laboratoire": ["=HYPERLINK(\"http://x\")", "Siilab"], "Montant (€)": [1234.5, 200000.0],
                       "Versé le": [date(2021, 12, 31), None], "Sessions": [3, 4]})
    data = to_xlsx([Table("Financements", df, ["Montant (€)"], "Tranches")], source="DITP",
                   data_date=date(2021, 9, 30), scope="national", demo=True)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Financements", "Sources"]
    ws = wb["Financements"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    assert ws["A2"].data_type == "s" and ws["A2"].value.startswith("=HYPERLINK")
    assert ws["B2"].value == 1234.5 and "€" in ws["B2"].number_format
    assert ws["C2"].number_format == "DD/MM/YYYY" and ws["C2"].value.date() == date(2021, 12, 31)
    sources = {r[0]: r[1] for r in wb["Sources"].iter_rows(values_only=True)}
    assert sources["Données au"] == "30/09/2021" and "démonstration" in sources["Avertissement"]


def _deck(png, demo=True, n_charts=2):
    charts = [deck.ChartSlide(f"Graphique {i + 1}", "National — T1 2017 à T3 2026",
                              "Source : test — données au 30/09/2026", png) for i in range(n_charts)]
    return deck.Deck(title="Laboratoires d'innovation territoriale", scope="National", date_line="Données au 30/09/2026",
                     headline=[("Laboratoires financés", "16"), ("Projets", "453")], charts=charts,
                     sources=["Référentiels : INSEE ; DITP 01/12/2020."], demo=demo)


def test_pptx_reopens_with_16_9_slides_titles_and_pictures(figure):
    png = images.render(figure, "png")
    data = deck.to_pptx(_deck(png))
    prs = Presentation(io.BytesIO(data))
    assert (round(prs.slide_width / 914400, 2), round(prs.slide_height / 914400, 2)) == (13.33, 7.5)
    slides = list(prs.slides)
    assert len(slides) == 5
    texts = [" ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in slides]
    assert "Laboratoires d'innovation territoriale" in texts[0] and "démonstration" in texts[0]
    assert "Chiffres clés" in texts[1] and "453" in texts[1]
    assert "Graphique 1" in texts[2] and "Source : test" in texts[2]
    pictures = [sum(1 for s in slide.shapes if s.shape_type == 13) for slide in slides]
    assert pictures == [0, 0, 1, 1, 0]
    assert "Sources et méthode" in texts[4]


def test_pdf_deck_has_one_16_9_page_per_slide(figure):
    png = images.render(figure, "png")
    reader = PdfReader(io.BytesIO(deck.to_pdf(_deck(png, n_charts=3))))
    assert len(reader.pages) == 6
    box = reader.pages[0].mediabox
    assert abs(float(box.width) / float(box.height) - 16 / 9) < 0.01
    assert "Graphique 2" in reader.pages[3].extract_text()
    assert "Sources et méthode" in reader.pages[5].extract_text()


def test_xlsx_headers_are_neutralised_like_cells():
    df = pd.DataFrame({'=HYPERLINK("http://x";"clic")': ["a"], "+1": [1], "Siilab": ["b"]})
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx([Table("T", df)], source="DITP", data_date=None)))
    ws = wb["T"]
    assert [c.data_type for c in ws[1]] == ["s", "s", "s"]
    assert ws["A1"].value == '=HYPERLINK("http://x";"clic")' and ws["B1"].value == "+1"
