"""Figure builders: a DataFrame (as returned by `lit_analytics.indicators`) in, a plotly figure out.

Every figure carries its own title, a subtitle saying its scope and the caption with the source and the data
date *inside* the figure (title, subtitle and a bottom annotation), so that an exported image keeps them.
Numbers use French separators (`layout.separators`), funding sources always the colours of
`formats.FUNDING_COLORS`, and no figure relies on colour alone (labels, dashes, patterns, hover text).
An empty DataFrame gives a figure that says so in French, never an empty axis.

The regional map is drawn by `lit_analytics.map_chart` (it needs the map geometry of `geo`). This module
does not import Streamlit.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lit_analytics import domain
from lit_analytics.formats import (BLEU_FRANCE, CATEGORICAL, FUNDING_COLORS, GREY, ROUGE_MARIANNE, SUCCESS, TEXT_COLOR,
                                   fmt_eur, fmt_int, fmt_number, fmt_quarter)

FONT = "Arial, Helvetica, sans-serif"
MUTED = "#3A3A3A"
SEPARATORS = ", "            # decimal comma, space between thousands
EMPTY_MESSAGE = "Aucune donnée pour ce périmètre : élargissez la période ou retirez des filtres."
STATUS_COLORS = dict(zip(domain.PROJECT_STATUSES, ["#56B4E9", "#0072B2", "#000091", "#CC79A7", "#009E73",
                                                   "#6A6A6A", "#D55E00"]))
FORMAT_COLORS = dict(zip(domain.SESSION_FORMATS, CATEGORICAL))
PAID_PATTERN = "/"
TOOLBAR_PX, LEGEND_TOP_PX = 32, 88     # from the figure's top: the title (below the tool bar), the legend
CAPTION_CHARS = 95                     # caption lines wrap beyond (half-page charts, the map beside its table)


# A light template built once (plotly's named templates cost ~40 ms per figure to apply).
_TEMPLATE = go.layout.Template(layout=dict(
    xaxis=dict(gridcolor="#E5E5E5", linecolor="#9A9A9A", zerolinecolor="#9A9A9A", automargin=True),
    yaxis=dict(gridcolor="#E5E5E5", linecolor="#9A9A9A", zerolinecolor="#9A9A9A", automargin=True),
    colorway=CATEGORICAL))


@dataclass(frozen=True)
class ChartText:
    """What a figure says about itself: title, scope, caption (source — date, and any notes)."""
    title: str
    subtitle: str = ""
    caption: str = ""


# --- frame ------------------------------------------------------------------------------------

def frame(fig: go.Figure, text: ChartText, *, height: int = 460, top: int = 110, bottom: int | None = None,
          left: int = 70, right: int = 30, legend: bool = True) -> go.Figure:
    """Title, subtitle, caption and French number formats on a figure. From the top, apart at any width: the tool
    bar's band, title, subtitle, legend (in pixels: plotly pushes the plot down when it wraps), plot, caption."""
    caption_lines = [part for line in text.caption.split("\n") if line for part in textwrap.wrap(line, CAPTION_CHARS)]
    bottom = bottom if bottom is not None else 70 + 16 * max(len(caption_lines), 1)
    fig.update_layout(
        template=_TEMPLATE, height=height, separators=SEPARATORS, paper_bgcolor="white", plot_bgcolor="white",
        font=dict(family=FONT, size=13, color=TEXT_COLOR),
        title=dict(text=f"<b>{html_text(text.title)}</b>", x=0.01, xanchor="left", y=1 - TOOLBAR_PX / height,
                   yanchor="top", yref="container", font=dict(size=17),
                   subtitle=dict(text=html_text(text.subtitle), font=dict(size=13, color=MUTED))),
        margin=dict(t=top, b=bottom, l=left, r=right),
        hoverlabel=dict(font=dict(family=FONT)),
        showlegend=legend,
        legend=dict(orientation="h", x=0, xanchor="left", yref="container", y=1 - LEGEND_TOP_PX / height,
                    yanchor="top", title=None, font=dict(size=12)),
    )
    if caption_lines:
        fig.add_annotation(
            text="<br>".join(html_text(line) for line in caption_lines), showarrow=False, align="left",
            xref="paper", yref="paper", x=0, xanchor="left", y=0, yshift=-(bottom - 6), yanchor="bottom",
            font=dict(size=11, color=MUTED), name="caption")
    return fig


def empty_figure(text: ChartText, message: str = EMPTY_MESSAGE, height: int = 300) -> go.Figure:
    """A figure with no axes that says there is nothing to show (and still carries its title and caption)."""
    fig = go.Figure()
    fig.add_annotation(text=html_text(message), showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                       font=dict(size=15, color=MUTED), name="empty")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return frame(fig, text, height=height, legend=False)


def html_text(text: str) -> str:
    """Text made inert in plotly's HTML-like labels (titles, annotations, hover text); `map_chart` uses it too."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


QUARTERS_LABELLED = 12   # up to 3 years, every quarter is written; beyond, years (quarters as minor ticks)
YEARS_LABELLED = 7       # beyond, every other year


def quarter_ticks(quarters: list[str]) -> tuple[list[str], list[str]]:
    """Where the labels of a quarter axis go and what they say: every quarter (« T3 2021 ») on a short period;
    on a long one, the year (« 2021 ») at its first quarter, plus the first quarter of the period when its
    year has at least two quarters shown before the next T1; every other year beyond `YEARS_LABELLED`."""
    labels = [fmt_quarter(q) for q in quarters]
    if len(quarters) <= QUARTERS_LABELLED:
        return labels, labels
    vals, texts = [], []
    for i, (q, label) in enumerate(zip(quarters, labels)):
        year, quarter = q.split("-T")
        if quarter == "1" or (i == 0 and int(quarter) <= 3):
            vals.append(label)
            texts.append(year)
    if len(vals) > YEARS_LABELLED:      # beyond 7 years, every other year (half-width charts stay readable)
        vals, texts = vals[::2], texts[::2]
    return vals, texts


def _quarter_axis(fig: go.Figure, quarters: list[str], **where) -> None:
    """A category axis of quarters, in order, that stays readable on long periods (see `quarter_ticks`);
    hover texts keep the full quarter."""
    labels = [fmt_quarter(q) for q in quarters]
    vals, texts = quarter_ticks(quarters)
    thinned = len(vals) < len(labels)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels, tickmode="array",
                     tickvals=vals, ticktext=texts, tickangle=0 if thinned or len(labels) <= 6 else -45,
                     ticks="outside", ticklen=8 if thinned else 5, tickcolor="#6A6A6A", **where)
    if thinned:
        fig.update_xaxes(minor=dict(ticks="outside", ticklen=4, tickcolor="#9A9A9A", tickmode="array",
                                    tickvals=labels, showgrid=False), **where)


# --- generic builders ---------------------------------------------------------------------------

def stacked_by_quarter(df: pd.DataFrame, text: ChartText, *, category: str, value: str, order: list[str],
                       colors: dict[str, str], unit: str = "", y_title: str = "",
                       category_labels: dict[str, str] | None = None) -> go.Figure:
    """Stacked bars per quarter (`quarter` column, stored form) of `value` split by `category`."""
    if df.empty or df[value].sum() == 0:
        return empty_figure(text)
    quarters = sorted(df["quarter"].unique())
    fig = go.Figure()
    labels = category_labels or {}
    fmt = ",.0f"
    for cat in [c for c in order if c in set(df[category])] + sorted(set(df[category]) - set(order)):
        part = df[df[category] == cat]
        name = labels.get(cat, cat)
        fig.add_bar(x=[fmt_quarter(q) for q in part["quarter"]], y=part[value], name=name,
                    marker_color=colors.get(cat, GREY),
                    hovertemplate=f"%{{x}} — {html_text(name)} : %{{y:{fmt}}}{unit}<extra></extra>")
    fig.update_layout(barmode="stack", bargap=0.15)
    _quarter_axis(fig, quarters)
    fig.update_yaxes(title=y_title or None, tickformat=",.0f", ticksuffix=unit)
    return frame(fig, text, height=480)


def horizontal_bars(df: pd.DataFrame, text: ChartText, *, label: str, value: str, share: str | None = None,
                    color: str = BLEU_FRANCE, value_name: str = "") -> go.Figure:
    """Ranked horizontal bars with their value (and share) written at the end of each bar."""
    if df.empty or df[value].sum() == 0:
        return empty_figure(text)
    df = df.sort_values(value, ascending=True)
    labels = [fmt_int(v) + (f" ({fmt_number(s, 1)} %)" if share else "") for v, s in
              zip(df[value], df[share] if share else df[value])]
    fig = go.Figure(go.Bar(
        x=df[value], y=df[label], orientation="h", marker_color=color, text=labels, textposition="outside",
        cliponaxis=False, name=value_name or value,
        hovertemplate=f"%{{y}} : %{{x:,.0f}} {html_text(value_name)}<extra></extra>"))
    fig.update_xaxes(tickformat=",.0f", range=[0, float(df[value].max()) * 1.25])
    fig.update_yaxes(automargin=True)
    return frame(fig, text, height=max(300, 150 + 34 * len(df)), left=10, legend=False)


# --- overview ---------------------------------------------------------------------------------

def projects_by_status(df: pd.DataFrame, text: ChartText) -> go.Figure:
    """Projects by latest stage, in life-cycle order, counts written on the bars."""
    if df.empty or df["projects"].sum() == 0:
        return empty_figure(text)
    fig = go.Figure(go.Bar(
        x=df["status"], y=df["projects"], marker_color=[STATUS_COLORS.get(s, GREY) for s in df["status"]],
        text=[fmt_int(v) for v in df["projects"]], textposition="outside", cliponaxis=False, name="Projets",
        hovertemplate="%{x} : %{y:,.0f} projets<extra></extra>"))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(domain.PROJECT_STATUSES))
    fig.update_yaxes(tickformat=",.0f", title="Projets", range=[0, float(df["projects"].max()) * 1.18])
    return frame(fig, text, height=420, legend=False)


def activity_over_time(df: pd.DataFrame, text: ChartText) -> go.Figure:
    """Running totals of projects started and sessions held, quarter by quarter (two dash styles)."""
    if df.empty or (df["projects_cumulative"].max() == 0 and df["sessions_cumulative"].max() == 0):
        return empty_figure(text)
    x = [fmt_quarter(q) for q in df["quarter"]]
    fig = go.Figure()
    fig.add_scatter(x=x, y=df["projects_cumulative"], name="Projets lancés (cumul)", mode="lines+markers",
                    line=dict(color=BLEU_FRANCE, width=3), marker=dict(symbol="circle", size=6),
                    hovertemplate="%{x} : %{y:,.0f} projets lancés depuis le début de la période<extra></extra>")
    fig.add_scatter(x=x, y=df["sessions_cumulative"], name="Sessions de formation (cumul)", mode="lines+markers",
                    line=dict(color="#D55E00", width=3, dash="dash"), marker=dict(symbol="square", size=6),
                    hovertemplate="%{x} : %{y:,.0f} sessions depuis le début de la période<extra></extra>")
    _quarter_axis(fig, list(df["quarter"]))
    fig.update_yaxes(tickformat=",.0f", rangemode="tozero")
    return frame(fig, text, height=440)


def reference_comparison(df: pd.DataFrame, text: ChartText) -> go.Figure:
    """One small panel per published figure: the DITP's figure beside what the data says."""
    if df.empty:
        return empty_figure(text)
    fig = make_subplots(rows=1, cols=len(df), subplot_titles=[html_text(i) for i in df["indicator"]],
                        horizontal_spacing=0.08)
    for i, row in enumerate(df.itertuples(), start=1):
        fig.add_bar(row=1, col=i, x=["Chiffre DITP", "Données"], y=[row.reference, row.data],
                    marker_color=[GREY, BLEU_FRANCE], marker_pattern_shape=["/", ""],
                    text=[f"{row.reference_wording}", fmt_int(row.data)], textposition="outside",
                    cliponaxis=False, showlegend=False,
                    hovertemplate="%{x} : %{y:,.0f}<extra></extra>")
        fig.update_yaxes(row=1, col=i, tickformat=",.0f", range=[0, max(row.reference, row.data) * 1.3])
    fig.update_annotations(font=dict(size=13))
    return frame(fig, text, height=400, legend=False)


# --- impact -----------------------------------------------------------------------------------

def projects_by_stage_over_time(df: pd.DataFrame, text: ChartText) -> go.Figure:
    return stacked_by_quarter(df, text, category="status", value="projects", order=domain.PROJECT_STATUSES,
                              colors=STATUS_COLORS, y_title="Projets")


def sessions_by_quarter(df: pd.DataFrame, text: ChartText) -> go.Figure:
    return stacked_by_quarter(df, text, category="format", value="sessions", order=domain.SESSION_FORMATS,
                              colors=FORMAT_COLORS, y_title="Sessions")


def participants_by_quarter(df: pd.DataFrame, text: ChartText) -> go.Figure:
    """Participants per quarter: agents (solid) and others (hatched)."""
    if df.empty or (df["agents"].sum() + df["others"].sum()) == 0:
        return empty_figure(text)
    x = [fmt_quarter(q) for q in df["quarter"]]
    fig = go.Figure()
    fig.add_bar(x=x, y=df["agents"], name="Agents publics", marker_color=BLEU_FRANCE,
                hovertemplate="%{x} — agents : %{y:,.0f}<extra></extra>")
    fig.add_bar(x=x, y=df["others"], name="Autres participants", marker_color="#D55E00",
                marker_pattern_shape="/", hovertemplate="%{x} — autres : %{y:,.0f}<extra></extra>")
    fig.update_layout(barmode="stack", bargap=0.15)
    _quarter_axis(fig, list(df["quarter"]))
    fig.update_yaxes(tickformat=",.0f", title="Participants")
    return frame(fig, text, height=460)


def essaimage_share(df: pd.DataFrame, text: ChartText) -> go.Figure:
    """Share of projects that reached `essaimage`, by year of start, with the counts on each bar."""
    if df.empty or df["projects"].sum() == 0:
        return empty_figure(text)
    labels = [f"{fmt_number(s, 1)} % ({fmt_int(r)}/{fmt_int(p)})"
              for s, r, p in zip(df["share_pct"], df["reached"], df["projects"])]
    fig = go.Figure(go.Bar(
        x=[str(y) for y in df["year"]], y=df["share_pct"], marker_color=SUCCESS, text=labels,
        textposition="outside", cliponaxis=False, name="Part",
        customdata=list(zip(df["reached"], df["projects"])),
        hovertemplate=("Projets lancés en %{x} : %{y:,.1f} % ont atteint l'essaimage "
                       "(%{customdata[0]:,.0f} sur %{customdata[1]:,.0f})<extra></extra>")))
    fig.update_xaxes(type="category", title="Année de lancement")
    fig.update_yaxes(ticksuffix=" %", range=[0, max(float(df["share_pct"].max()) * 1.25, 5)])
    return frame(fig, text, height=420, legend=False)


def lab_ranking(df: pd.DataFrame, text: ChartText, top: int = 20) -> go.Figure:
    """Labs ranked by projects (the first `top`), sessions written beside."""
    if df.empty or (df["projects"].sum() + df["sessions"].sum()) == 0:
        return empty_figure(text)
    shown = df.sort_values(["projects", "sessions"], ascending=False).head(top).iloc[::-1]
    fig = go.Figure(go.Bar(
        x=shown["projects"], y=shown["name"], orientation="h", marker_color=BLEU_FRANCE, name="Projets",
        text=[f"{fmt_int(p)} projets · {fmt_int(s)} sessions" for p, s in zip(shown["projects"], shown["sessions"])],
        textposition="outside", cliponaxis=False,
        customdata=list(zip(shown["sessions"], shown["participants"])),
        hovertemplate=("%{y} : %{x:,.0f} projets, %{customdata[0]:,.0f} sessions, "
                       "%{customdata[1]:,.0f} participants<extra></extra>")))
    fig.update_xaxes(tickformat=",.0f", range=[0, float(shown["projects"].max()) * 1.5 + 1], title="Projets")
    fig.update_yaxes(automargin=True)
    if len(df) > top:
        text = ChartText(text.title, f"{text.subtitle} · {top} premiers sur {fmt_int(len(df))}", text.caption)
    return frame(fig, text, height=max(320, 150 + 30 * len(shown)), left=10, legend=False)


# --- funding ----------------------------------------------------------------------------------

def funding_by_quarter(df: pd.DataFrame, text: ChartText) -> go.Figure:
    """Money committed per quarter, stacked by source."""
    committed = df[df["committed"] > 0] if not df.empty else df
    return stacked_by_quarter(committed, text, category="source", value="committed", order=domain.FUNDING_SOURCES,
                              colors=FUNDING_COLORS, unit=" €", y_title="Montant engagé")


def funding_cumulative(df: pd.DataFrame, text: ChartText) -> go.Figure:
    """Running totals per source: committed (solid line) and paid (dashed), as steps."""
    if df.empty or df["committed"].sum() + df["paid"].sum() == 0:
        return empty_figure(text)
    quarters = sorted(df["quarter"].unique())
    fig = go.Figure()
    for source in domain.funding_order(df["source"]):
        part = (df[df["source"] == source].set_index("quarter")[["committed_cumulative", "paid_cumulative"]]
                .reindex(quarters).ffill().fillna(0))
        x = [fmt_quarter(q) for q in part.index]
        color = FUNDING_COLORS.get(source, GREY)
        fig.add_scatter(x=x, y=part["committed_cumulative"], name=f"{source} — engagé", mode="lines",
                        line=dict(color=color, width=3, shape="hv"), legendgroup=source,
                        hovertemplate=f"%{{x}} — {source} engagé (cumul) : %{{y:,.0f}} €<extra></extra>")
        fig.add_scatter(x=x, y=part["paid_cumulative"], name=f"{source} — versé", mode="lines",
                        line=dict(color=color, width=2, dash="dot", shape="hv"), legendgroup=source,
                        hovertemplate=f"%{{x}} — {source} versé (cumul) : %{{y:,.0f}} €<extra></extra>")
    _quarter_axis(fig, quarters)
    fig.update_yaxes(tickformat=",.0f", ticksuffix=" €", rangemode="tozero")
    return frame(fig, text, height=480, top=130)


def committed_vs_paid(df: pd.DataFrame, text: ChartText) -> go.Figure:
    """Per source: committed (solid bar) beside paid (hatched bar), amounts written on the bars."""
    if df.empty or df["committed"].sum() == 0:
        return empty_figure(text)
    fig = go.Figure()
    colors = [FUNDING_COLORS.get(s, GREY) for s in df["source"]]
    fig.add_bar(x=df["source"], y=df["committed"], name="Engagé", marker_color=colors,
                text=[fmt_eur(v) for v in df["committed"]], textposition="outside", cliponaxis=False,
                hovertemplate="%{x} engagé : %{y:,.0f} €<extra></extra>")
    fig.add_bar(x=df["source"], y=df["paid"], name="Versé (motif hachuré)", marker_color=colors,
                marker_pattern_shape=PAID_PATTERN, marker_pattern_fgcolor="white", opacity=0.75,
                text=[fmt_eur(v) for v in df["paid"]], textposition="outside", cliponaxis=False,
                hovertemplate="%{x} versé : %{y:,.0f} €<extra></extra>")
    fig.update_layout(barmode="group")
    fig.update_xaxes(type="category")
    fig.update_yaxes(tickformat=",.0f", ticksuffix=" €", range=[0, float(df["committed"].max()) * 1.2])
    return frame(fig, text, height=440)


def funding_stacked(df: pd.DataFrame, text: ChartText, *, label: str, total: str, top: int = 20,
                    what: str = "laboratoires") -> go.Figure:
    """Horizontal bars per lab or region (the `top` largest), stacked by source."""
    if df.empty or df["committed"].sum() == 0:
        return empty_figure(text)
    totals = df.groupby(label, sort=False)[total].first().sort_values(ascending=False)
    keep = list(totals.index[:top])
    shown = df[df[label].isin(keep)]
    order = keep[::-1]
    fig = go.Figure()
    for source in domain.funding_order(shown["source"]):
        part = shown[shown["source"] == source].set_index(label).reindex(order)
        fig.add_bar(x=part["committed"], y=order, orientation="h", name=source,
                    marker_color=FUNDING_COLORS.get(source, GREY),
                    hovertemplate=f"%{{y}} — {source} : %{{x:,.0f}} €<extra></extra>")
    fig.add_scatter(x=[totals[k] for k in order], y=order, mode="text", showlegend=False,
                    text=[fmt_eur(totals[k]) for k in order], textposition="middle right", hoverinfo="skip",
                    cliponaxis=False)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=",.0f", ticksuffix=" €", range=[0, float(totals.max()) * 1.3])
    fig.update_yaxes(automargin=True)
    if len(totals) > top:
        text = ChartText(text.title, f"{text.subtitle} · {top} premiers {what} sur {fmt_int(len(totals))}",
                         text.caption)
    return frame(fig, text, height=max(340, 160 + 30 * len(keep)), left=10)


def funding_by_lab(df: pd.DataFrame, text: ChartText) -> go.Figure:
    return funding_stacked(df, text, label="name", total="lab_total", what="laboratoires")


def funding_by_region(df: pd.DataFrame, text: ChartText) -> go.Figure:
    return funding_stacked(df, text, label="region", total="region_total", what="régions")


def pia_checks(df: pd.DataFrame, text: ChartText) -> go.Figure:
    """PIA per laureate against the 250 000 € ceiling (dashed, labelled above the plot); breaches hatched; values
    in a column right of the plot (a second y axis' labels), so that the ceiling line never crosses them."""
    if df.empty:
        return empty_figure(text, "Aucun lauréat du PIA dans ce périmètre.")
    df = df.sort_values("pia_committed")
    if len(df) > 40:
        df = pd.concat([df[~df["status"].eq("Conforme")], df[df["status"].eq("Conforme")]]).tail(40)
        df = df.sort_values("pia_committed")
        text = ChartText(text.title, f"{text.subtitle} · 40 laboratoires affichés, liste complète dans le tableau",
                         text.caption)
    breach = df["status"].str.startswith("Non conforme")
    values = [("⚠ " if b else "✓ ") + fmt_eur(v) for b, v in zip(breach, df["pia_committed"])]
    names = list(df["name"])
    fig = go.Figure(go.Bar(
        x=df["pia_committed"], y=names, orientation="h", name="PIA engagé",
        marker_color=[ROUGE_MARIANNE if b else BLEU_FRANCE for b in breach],
        marker_pattern_shape=["x" if b else "" for b in breach],
        text=values, textposition="none", customdata=df["status"],
        hovertemplate="%{y} : %{x:,.0f} € — %{customdata}<extra></extra>"))
    fig.add_scatter(x=[0] * len(names), y=names, yaxis="y2", mode="markers", marker=dict(opacity=0),  # values
                    hoverinfo="skip", showlegend=False, name="valeurs")
    fig.update_layout(yaxis2=dict(overlaying="y", side="right", matches="y", type="category", tickmode="array",
                                  tickvals=names, ticktext=values, showgrid=False, ticks="", automargin=True))
    fig.add_vline(x=domain.PIA_MAX_PER_LAUREATE_EUR, line=dict(color=ROUGE_MARIANNE, dash="dash", width=2))
    fig.add_annotation(x=domain.PIA_MAX_PER_LAUREATE_EUR, y=1, yref="paper", yanchor="bottom", showarrow=False,
                       text=f"plafond {fmt_eur(domain.PIA_MAX_PER_LAUREATE_EUR)}", font=dict(color=ROUGE_MARIANNE))
    high = max(float(df["pia_committed"].max()), domain.PIA_MAX_PER_LAUREATE_EUR)
    fig.update_xaxes(tickformat=",.0f", ticksuffix=" €", range=[0, high * 1.08])
    return frame(fig, text, height=max(340, 170 + 30 * len(df)), left=10, legend=False)
