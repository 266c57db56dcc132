"""Charts and tables as a phone and a desktop show them (issue 22, point 5), in a real headless Chromium against
`streamlit run`: on the map page at 390 px (a phone) and 1 400 px wide, and on « Indicateurs d'impact » at 390 px,
every chart's title, subtitle, legend and plotly's tool bar (shown on hover) stay apart, in that order above the
plot; the map page's « Par région » table shows every column without scrolling sideways. Boxes are measured in
the page (getBoundingClientRect)."""

import pytest

from conftest import open_app, screenshot

pytestmark = pytest.mark.browser

PARTS = """() => {
  const box = e => { if (!e) return null; const b = e.getBoundingClientRect();
                     return b.width && b.height ? [b.left, b.top, b.right, b.bottom] : null; };
  return [...document.querySelectorAll('.js-plotly-plot')].map(p => ({
    title: box(p.querySelector('.gtitle')), subtitle: box(p.querySelector('.gtitle-subtitle')),
    legend: box(p.querySelector('g.legend')), toolbar: box(p.querySelector('.modebar')),
    plot: box(p.querySelector('.nsewdrag') || p.querySelector('.maplibregl-canvas'))}));
}"""

def apart(a, b) -> bool:
    """Two boxes (left, top, right, bottom) that do not share more than half a pixel."""
    return min(a[2], b[2]) - max(a[0], b[0]) <= 0.5 or min(a[3], b[3]) - max(a[1], b[1]) <= 0.5


def chart_parts(page) -> list[dict]:
    """The boxes of every chart's parts, with each chart hovered in turn (plotly shows its tool bar on hover)."""
    charts = page.locator(".js-plotly-plot")
    out = []
    for i in range(charts.count()):
        charts.nth(i).scroll_into_view_if_needed()
        charts.nth(i).hover(position={"x": 40, "y": 10})
        page.wait_for_function("i => { const m = document.querySelectorAll('.js-plotly-plot')[i]"
                               ".querySelector('.modebar'); return m && m.getBoundingClientRect().height > 0 && "
                               "getComputedStyle(m.parentElement).opacity !== '0'; }", arg=i, timeout=10_000)
        out.append(page.evaluate(PARTS)[i])
    return out


def assert_parts_apart(parts: list[dict], expected: int) -> None:
    assert len(parts) >= expected, parts
    for chart in parts:
        title, subtitle, legend, toolbar, plot = (chart[k] for k in ("title", "subtitle", "legend", "toolbar", "plot"))
        assert title and subtitle and toolbar and plot, chart
        assert apart(title, toolbar) and apart(subtitle, toolbar), chart            # the tool bar over the title
        assert title[3] <= subtitle[1] + 0.5, chart
        if legend:
            assert apart(legend, subtitle) and apart(legend, title), chart          # the legend over the subtitle
            assert apart(legend, toolbar), chart
            assert subtitle[3] <= legend[1] + 0.5 and legend[3] <= plot[1] + 0.5, chart    # in this order
        else:
            assert subtitle[3] <= plot[1] + 0.5, chart


def test_charts_with_long_legends_keep_them_apart_on_a_phone(streamlit_server, browser):
    """« Indicateurs d'impact » at 390 px: seven charts, legends of up to seven entries wrapping on many rows."""
    context = browser.new_context(viewport={"width": 390, "height": 1600}, locale="fr-FR")
    page = context.new_page()
    try:
        open_app(page, streamlit_server, "indicateurs")
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .nsewdrag').length >= 7",
                               timeout=60_000)
        parts = chart_parts(page)
        assert sum(1 for chart in parts if chart["legend"]) >= 3
        assert_parts_apart(parts, 7)
        screenshot(page, "indicateurs-390px")
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1400])
def test_map_page_titles_legends_and_tool_bar_stay_apart_and_the_table_shows_every_column(
        streamlit_server, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 1600}, locale="fr-FR")
    page = context.new_page()
    try:
        open_app(page, streamlit_server, "carte")
        page.wait_for_function("() => document.querySelector('.js-plotly-plot .maplibregl-canvas')", timeout=60_000)
        assert_parts_apart(chart_parts(page), 1)
        column = page.locator("[data-testid='stColumn']", has=page.get_by_role("heading", name="Par région"))
        table = column.locator("[data-testid='stDataFrame']").first
        assert [h.strip() for h in table.locator("th").all_text_contents()] == ["Région", "Laboratoires"]
        scroll, shown = table.locator(".dvn-scroller").first.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert scroll <= shown + 1, (scroll, shown)                # no column cut: nothing to scroll sideways
        screenshot(page, f"carte-{width}px")
    finally:
        context.close()
