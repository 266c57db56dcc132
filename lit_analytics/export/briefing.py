"""Briefings: a scope (a preset or the dashboard's filters) and a choice of charts, turned into a deck (PPTX or
PDF), a workbook (XLSX) or single chart files. Charts come from the catalogue, exactly as the pages show them.

Presets: `national`, `region:CODE` (INSEE code), `lab:LAB_ID`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go

from lit_analytics import catalogue, domain, glossary, indicators, presentation, reference
from lit_analytics.catalogue import Chart
from lit_analytics.export import deck as deck_mod
from lit_analytics.export import deck_meteo, images, slide_charts
from lit_analytics.export.images import ExportError
from lit_analytics.export.tables import Table, to_csv, to_xlsx
from lit_analytics.filters import Filters
from lit_analytics.formats import fmt_date, fmt_eur, fmt_int, fmt_quarter
from lit_analytics.lab_names import lab_names
from lit_analytics.presentation import screen_tables
from lit_analytics.store import Store

DECK_TITLE = "Laboratoires d'innovation territoriale"

# Charts of each preset, in slide order.
PRESET_CHARTS = {
    "national": ["carte", "reference-ditp", "projets-etapes-trimestre", "sessions-trimestre",
                 "participants-trimestre", "part-essaimage", "financements-trimestre", "engage-verse",
                 "comparaison-laboratoires", "regles-pia"],
    "region": ["carte", "projets-etapes-trimestre", "projets-par-theme", "sessions-trimestre",
               "financements-trimestre", "financements-laboratoires", "comparaison-laboratoires"],
    "lab": ["projets-etapes-trimestre", "projets-par-theme", "partenaires", "sessions-trimestre",
            "participants-trimestre", "financements-cumules", "engage-verse"],
}

CONTENT_TYPES = {
    **images.FORMATS, "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


@dataclass(frozen=True)
class Scope:
    kind: str              # 'national' | 'region' | 'lab' | 'filtres'
    label: str             # French, e.g. « Région : Bretagne »
    filters: Filters
    slug: str              # for file names


def parse_preset(store: Store, text: str) -> Scope:
    """`national`, `region:CODE` or `lab:LAB_ID` → a Scope; a French ValueError otherwise."""
    text = (text or "").strip()
    if text == "national":
        return Scope("national", "France entière", Filters(), "national")
    kind, _, value = text.partition(":")
    if kind in ("region", "région") and value:
        row = store.query("SELECT region_code, name FROM regions WHERE region_code = ?", [value.zfill(2)])
        if not row:
            raise ValueError(f"Région inconnue : « {value} » (attendu un code INSEE, par exemple region:84).")
        return Scope("region", f"Région : {row[0][1]}", Filters(regions=(row[0][0],)), f"region-{row[0][0]}")
    if kind in ("lab", "labo") and value:
        row = list(lab_names(store, [value]).items())
        if not row:
            raise ValueError(f"Laboratoire inconnu : « {value} » (voir la page Laboratoires pour les identifiants).")
        return Scope("lab", f"Laboratoire : {row[0][1]}", Filters(labs=(row[0][0],)), f"lab-{row[0][0]}")
    raise ValueError(f"Préréglage inconnu : « {text} » (attendu national, region:CODE ou lab:IDENTIFIANT).")


def scope_from_filters(store: Store, filters: Filters) -> Scope:
    """The dashboard's current filters as a briefing scope."""
    return Scope("filtres", presentation.scope_text(store, filters), filters, "selection")


def presets(store: Store) -> dict[str, tuple[str, Filters]]:
    """Standard scopes that exercise every chart: the whole of France, the region with the most labs, and the
    identified lab with the most projects. name -> (French label, filters)."""
    out = {"national": ("France entière", Filters())}
    region = indicators.region_with_most_labs(store)
    if region:
        out["region"] = (f"Région : {region[1]}", Filters(regions=(region[0],)))
    lab = indicators.lab_with_most_projects(store)
    if lab:
        out["laboratoire"] = (f"Laboratoire : {lab[1]}", Filters(labs=(lab[0],)))
    return out


def default_charts(scope: Scope) -> list[str]:
    return list(PRESET_CHARTS.get(scope.kind, PRESET_CHARTS["national"]))


# --- single charts ---------------------------------------------------------------------------------

def chart_image(chart: Chart, fmt: str, *, width: int = images.DEFAULT_WIDTH, height: int | None = None,
                scale: float = images.DEFAULT_SCALE) -> bytes:
    """One chart as PNG (2× scale by default), SVG or PDF, with its title, scope and source inside."""
    height = height or int(chart.figure.layout.height or images.DEFAULT_HEIGHT)
    return images.render(chart.figure, fmt, width=width, height=height, scale=scale)


def chart_table(chart: Chart, fmt: str, *, source: str, data_date: date | None) -> bytes:
    """The data behind one chart as CSV (French Excel) or XLSX."""
    if fmt == "csv":
        return to_csv(chart.data)
    if fmt == "xlsx":
        return to_xlsx([_table(chart)], source=source, data_date=data_date, scope=chart.subtitle,
                       demo="démonstration" in source, title=chart.title)
    raise ExportError(f"Format de tableau inconnu : {fmt} (attendu : csv ou xlsx).")


def file_name(title: str, ext: str, today: date | None = None) -> str:
    """`Projets par étape` → `lit-projets-par-etape-2026-11-22.png`."""
    import unicodedata
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60] or "export"
    return f"lit-{slug}-{(today or date.today()).isoformat()}.{ext}"


def _table(chart: Chart) -> Table:
    euro = [c for c in chart.data.columns if str(c).endswith("(€)")]
    return Table(chart.title, chart.data, euro, chart.definition)


# --- decks -------------------------------------------------------------------------------------------

def _slide_figure(fig: go.Figure) -> go.Figure:
    """The figure laid out for its box on the slide, without its own title and caption (the slide sets them
    as text): every text at least 14 pt on the slide."""
    return slide_charts.for_slide(fig, deck_mod.CHART_BOX_IN[2], deck_mod.CHART_BOX_IN[3])


def slide_png(fig: go.Figure) -> bytes:
    """The picture of a chart slide: laid out at the slide's size, rendered at `slide_charts.SCALE`×."""
    width, height = slide_charts.size_px(deck_mod.CHART_BOX_IN[2], deck_mod.CHART_BOX_IN[3])
    return images.render(_slide_figure(fig), "png", width=width, height=height, scale=slide_charts.SCALE)


def build_charts(store: Store, scope: Scope, chart_ids: list[str]) -> list[Chart]:
    unknown = [c for c in chart_ids if c not in catalogue.CATALOGUE]
    if unknown:
        raise ValueError(f"Graphique inconnu : {', '.join(unknown)}.")
    return [catalogue.build_chart(store, chart_id, scope.filters) for chart_id in chart_ids]


def build_deck(store: Store, scope: Scope, chart_ids: list[str] | None = None, *, today: date | None = None) -> deck_mod.Deck:
    """The deck's content: cover, headline figures, one slide per chart, sources and method."""
    chart_ids = chart_ids if chart_ids is not None else default_charts(scope)
    charts = build_charts(store, scope, chart_ids)
    today = today or date.today()
    data_date = indicators.data_date(store, scope.filters)
    demo = indicators.has_demo_data(store)
    h = indicators.headline(store, scope.filters, today)
    headline = [
        ("Laboratoires financés", fmt_int(h.labs_funded)), ("Laboratoires actifs", fmt_int(h.labs_active)),
        ("Projets", fmt_int(h.projects)), ("Sessions de formation", fmt_int(h.sessions)),
        ("Participants", fmt_int(h.participants)), ("Montants engagés", fmt_eur(h.committed_total)),
    ] + [(f"dont {source}", fmt_eur(value)) for source, value in h.committed_by_source.items() if value]
    if scope.kind == "lab" and len(scope.filters.labs) == 1:      # « 1 laboratoire financé » says nothing
        headline[:2] = [_lab_state(store, scope.filters.labs[0], today)]
    compared = presentation.headline_changes(store, scope.filters, today)     # same period a year earlier
    figure_of = {"Laboratoires financés": "labs_funded", "Laboratoires actifs": "labs_active", "Projets": "projects",
                 "Sessions de formation": "sessions", "Participants": "participants",
                 "Montants engagés": "committed_total",
                 **{f"dont {source}": f"committed:{source}" for source in h.committed_by_source}}
    changes = ({label: compared.changes[figure_of[label]].text for label, _ in headline if label in figure_of}
               if compared else {})
    skipped = [chart.title for chart in charts if chart.empty]
    charts = [chart for chart in charts if not chart.empty]
    slides = []
    for chart in charts:
        png = slide_png(chart.figure)
        caption = "\n".join([chart.caption, *chart.notes]) if chart.notes else chart.caption
        slides.append(deck_mod.ChartSlide(chart.title, chart.subtitle, caption.replace("\n", " · "), png))
    return deck_mod.Deck(
        title=DECK_TITLE, scope=_scope_line(store, scope),
        date_line=f"Données au {fmt_date(data_date) or '—'} — document édité le {fmt_date(today)}",
        headline=headline, charts=slides, demo=demo,
        headline_note=presentation.caption(store, scope.filters),
        headline_changes=changes, comparison=compared.sentence if compared else "",
        sources=_sources(store, demo), links=_source_links(store, scope),
        **_changes(store, scope), meteo=deck_meteo.meteo_slides(store, scope.kind, scope.filters),
        method=_method() + ([f"Sans donnée pour ce périmètre, non repris : {', '.join(skipped)}."] if skipped else []),
        glossary=_glossary([chart.id for chart in charts]))


def _glossary(chart_ids: list[str]) -> list[tuple[str, str, str]]:
    """The « Définitions » slides: the deck's charts, the météo levels, the alerts and the events' marks (the page
    « Définitions » has the exchange formats' columns too)."""
    return [(e.section, e.term, e.definition) for e in glossary.entries()
            if (e.section == glossary.CHARTS and e.key in chart_ids) or e.section in (glossary.WEATHER, glossary.ALERTS)]


def _lab_state(store: Store, lab_id: str, today: date) -> tuple[str, str]:
    """A lab's own deck opens with its state, « Ouvert » / « depuis le 01/03/2017 · cohorte « Lauréats 2016 » »,
    where the
    national figures count labs funded and active."""
    lab = indicators.lab_profile(store, lab_id) or {}
    opened, closed = (_day(lab.get(key)) for key in ("opened_on", "closed_on"))
    cohort = f"cohorte « {lab['cohort']} »" if lab.get("cohort") else ""   # the registry's label
    if closed is not None and closed <= today:
        since = f"le {fmt_date(closed)}" + (f" (ouvert le {fmt_date(opened)})" if opened is not None else "")
        return " · ".join(part for part in (since, cohort) if part), "Fermé"
    since = f"depuis le {fmt_date(opened)}" if opened is not None else "date d'ouverture non connue"
    return " · ".join(part for part in (since, cohort) if part), "Ouvert"


def _day(value) -> date | None:
    """A date read from the store (a pandas Timestamp, a datetime or a date) as a date."""
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _changes(store: Store, scope: Scope) -> dict:
    """For the lab preset, « Ce qui a changé en T3 2026 »: the lab's latest reported quarter against the previous
    one (`indicators.quarter_changes`), as (label, « 2 (T2 2026 : 1) ») lines beside the headline figures."""
    if scope.kind != "lab" or len(scope.filters.labs) != 1:
        return {}
    changes = indicators.quarter_changes(store, scope.filters.labs[0])
    if changes.empty:
        return {}
    before = fmt_quarter(changes["previous_quarter"].iloc[0])
    return {"changes_title": f"Ce qui a changé en {fmt_quarter(changes['quarter'].iloc[0])}",
            "changes": [(screen_tables.QUARTER_CHANGE_LABELS[m], f"{fmt_int(now)} ({before} : {fmt_int(prev)})")
                        for m, now, prev in zip(changes["measure"], changes["current"], changes["previous"])]}


def _scope_line(store: Store, scope: Scope) -> str:
    """« Région : Bretagne — T1 2017 – T3 2026 » for a preset; the dashboard's scope text for its filters."""
    if scope.kind == "filtres":
        return presentation.scope_text(store, scope.filters)
    return f"{scope.label} — {presentation.period_text(store, scope.filters)}"


def _sources(store: Store, demo: bool) -> list[str]:
    activity = ("Activité (projets, sessions, financements) : données de démonstration générées par l'outil, "
                "fictives, cohérentes avec les chiffres publics ci-dessous." if demo else
                "Activité : rapports trimestriels déposés par les laboratoires ; financements : registre tenu par "
                "la DITP.")
    return [
        activity,
        "Référentiels : régions (INSEE, Code officiel géographique) ; laboratoires : pages publiques citées fait "
        "par fait sur chaque fiche (page Laboratoires) — les valeurs supposées y sont signalées.",
        "Chiffres de référence : " + domain.REFERENCE_SOURCE + ".",
        "Fonds de carte : Natural Earth, domaine public.",
    ]


def _source_links(store: Store, scope: Scope) -> list[tuple[str, str]]:
    """The public pages behind the scope's labs (a region's, a lab's), then the programme's published figures."""
    lab_ids = []
    if scope.filters.labs or scope.filters.regions:
        lab_ids = list(screen_tables.lab_directory_table(store, scope.filters)["Identifiant"])
    return reference.source_links(store, lab_ids)


def _method() -> list[str]:
    return ["Méthode : seules les versions en vigueur des rapports sont comptées ; un projet est compté une fois, "
            "dans son dernier état déclaré ; les montants sont ceux des tranches engagées sur la période."]


def deck_pptx(store: Store, scope: Scope, chart_ids: list[str] | None = None, today: date | None = None) -> bytes:
    return deck_mod.to_pptx(build_deck(store, scope, chart_ids, today=today))


def deck_pdf(store: Store, scope: Scope, chart_ids: list[str] | None = None, today: date | None = None) -> bytes:
    return deck_mod.to_pdf(build_deck(store, scope, chart_ids, today=today))


# --- workbooks -----------------------------------------------------------------------------------------

def workbook(store: Store, scope: Scope, chart_ids: list[str] | None = None) -> bytes:
    """Every chart's data and the main tables of the scope, one sheet each, plus a « Sources » sheet."""
    chart_ids = chart_ids if chart_ids is not None else default_charts(scope)
    tables = [_table(chart) for chart in build_charts(store, scope, chart_ids)]
    directory = screen_tables.lab_directory_table(store, scope.filters)
    tables.append(Table("Laboratoires", directory, [], "Annuaire des laboratoires du périmètre, avec leurs sources."))
    ledger = screen_tables.funding_ledger_table(store, scope.filters)
    tables.append(Table("Tranches de financement", ledger, [c for c in ledger.columns if c.endswith("(€)")],
                        "Tranches du registre des financements engagées sur la période."))
    return to_xlsx(tables, source=presentation.data_source(store), data_date=indicators.data_date(store, scope.filters),
                   scope=_scope_line(store, scope),
                   demo=indicators.has_demo_data(store), title=DECK_TITLE)


def export(store: Store, scope: Scope, fmt: str, chart_ids: list[str] | None = None) -> bytes:
    if fmt == "pptx":
        return deck_pptx(store, scope, chart_ids)
    if fmt == "pdf":
        return deck_pdf(store, scope, chart_ids)
    if fmt == "xlsx":
        return workbook(store, scope, chart_ids)
    raise ValueError(f"Format inconnu : « {fmt} » (attendu pptx, pdf ou xlsx).")


__all__ = ["Scope", "parse_preset", "scope_from_filters", "presets", "default_charts", "chart_image", "chart_table",
           "build_deck", "deck_pptx", "deck_pdf", "workbook", "export", "file_name", "CONTENT_TYPES"]
