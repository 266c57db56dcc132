"""The catalogue of every chart of the dashboard: the single source for pages and exports.

Each entry (`ChartSpec`) names a chart (`id`), its French title and the short French definition of its
indicator, the query that computes its data, the figure builder that draws it and how its data becomes a
French table. `build_chart(store, chart_id, filters)` returns a `Chart`: everything a page shows and
everything an export needs (figure with title, scope and source inside it; the table behind it).

    for spec in CATALOGUE.values():
        chart = build_chart(store, spec.id, Filters(regions=("53",)))
        chart.figure, chart.data, chart.title, chart.subtitle, chart.caption, chart.definition

The registry only points: queries live in `indicators` (codes and numbers), their French wording, tables,
scopes and notes in `presentation`, figures in `charts` and `map_chart`. `PAGE_CHARTS` is the one list of the
charts of each page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import pandas as pd
import plotly.graph_objects as go

from lit_analytics import charts, event_marks, indicators, map_chart, navigation
from lit_analytics.charts import ChartText
from lit_analytics.filters import Filters
from lit_analytics.indicators.events import chart_events
from lit_analytics.presentation import activity, funding, scopes
from lit_analytics.presentation import events as event_words
from lit_analytics.presentation import map as map_words
from lit_analytics.store import Store

# Pages of the dashboard that show charts, in navigation order: id -> French title (`navigation`, the page registry).
PAGES = navigation.chart_pages()


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the dashboard."""
    id: str
    page: str                                           # the page (PAGES key) where it is shown first
    title: str                                          # may contain {variant} (the variant's French label)
    definition: str                                     # the indicator, in one or two French sentences
    query: Callable[[Store, Filters], pd.DataFrame]     # an indicators function
    figure: Callable[..., go.Figure]                    # a charts function: (DataFrame, ChartText, **kw)
    table: Callable[[pd.DataFrame], pd.DataFrame]       # the data as a French table
    variants: dict[str, str] = field(default_factory=dict)   # e.g. the map's indicator; first is default
    national: bool = False                              # ignores the filters (reference figures)
    extras: Callable[[Store, Filters], dict] | None = None    # more data for the figure (map markers)
    figure_options: Callable[[str | None, Filters], dict] | None = None
    notes: Callable[[pd.DataFrame, str | None], tuple[str, ...]] | None = None   # sentences from the data
    timeline: bool = False                              # a quarter axis: events drawn as marks (`event_marks`)

    @property
    def default_variant(self) -> str | None:
        return next(iter(self.variants), None)

    def title_for(self, variant: str | None = None) -> str:
        variant = variant or self.default_variant
        return self.title.format(variant=self.variants.get(variant, "")) if variant else self.title


@dataclass
class Chart:
    """A chart built for one scope: what pages show and exports write."""
    id: str
    title: str
    subtitle: str              # the scope: period and filters
    caption: str               # « Source : … — données au 30/09/2021 »
    definition: str
    data: pd.DataFrame         # French column names, raw values (numbers, dates), ready for a table or a file
    figure: go.Figure          # carries title, subtitle and caption inside
    empty: bool                # nothing to show for this scope (the figure says so)
    notes: tuple[str, ...] = ()   # extra French sentences shown under the chart (also inside the figure)
    variant: str | None = None
    filters: Filters = field(default_factory=Filters)

    @property
    def empty_message(self) -> str:
        """What the figure says when there is nothing to show (French)."""
        for annotation in self.figure.layout.annotations:
            if annotation.name == "empty":
                return annotation.text
        return charts.EMPTY_MESSAGE


def _map_extras(store: Store, filters: Filters) -> dict:
    return {"labs": indicators.map_labs(store, filters)}


def _map_options(variant: str | None, filters: Filters) -> dict:
    variant = variant or "laboratoires"
    return {"value": indicators.MAP_COLUMNS[variant], "value_label": map_words.MAP_INDICATORS[variant],
            "money": variant.startswith("engage"), "selected": filters.regions}




# --- the catalogue --------------------------------------------------------------------------------

_SPECS = [
    # Vue d'ensemble
    ChartSpec("projets-par-etape", "accueil", "Projets par étape",
              "Projets en cours à un moment de la période, selon l'étape indiquée dans le dernier rapport "
              "trimestriel qui les mentionne (de l'émergence à l'essaimage, puis terminés ou abandonnés).",
              indicators.projects_by_status, charts.projects_by_status, activity.status_table),
    ChartSpec("evolution-activite", "accueil", "Évolution de l'activité",
              "Nombre cumulé, depuis le début de la période, de projets lancés (date de début) et de sessions "
              "de formation tenues, trimestre après trimestre.",
              indicators.activity_over_time, charts.activity_over_time, activity.activity_table, timeline=True),
    ChartSpec("reference-ditp", "accueil", "Chiffres publiés par la DITP et données",
              "Les chiffres annoncés par la DITP le 01/12/2020 (9 laboratoires actifs, près de 200 projets et "
              "actions, près de 500 sessions de formation) comparés aux données, à l'échelle nationale et "
              "sans filtre : laboratoires ouverts au 01/12/2020, projets lancés et sessions tenues jusqu'au "
              "31/12/2020.",
              activity.reference_figures, charts.reference_comparison,
              activity.reference_table, national=True),
    # Carte
    ChartSpec("carte", "carte", "{variant} par région",
              "Valeur de l'indicateur choisi pour chaque région sur la période : laboratoires ouverts, projets "
              "en cours, sessions tenues, participants ou montants engagés. Les régions sans aucun laboratoire "
              "sont grises et hachurées ; une région colorée au plus clair a des laboratoires mais une valeur "
              "nulle. Les points sont les laboratoires.",
              map_words.region_indicators, map_chart.region_map, map_words.map_table,
              variants=dict(map_words.MAP_INDICATORS), extras=_map_extras, figure_options=_map_options,
              notes=map_words.map_notes),
    # Indicateurs d'impact
    ChartSpec("projets-etapes-trimestre", "indicateurs", "Projets par étape, trimestre par trimestre",
              "Portefeuille de projets déclaré par les laboratoires à la fin de chaque trimestre, réparti par "
              "étape du cycle de vie (émergence, conception, expérimentation, déploiement, essaimage, terminé, "
              "abandonné).",
              indicators.projects_by_stage_over_time, charts.projects_by_stage_over_time, activity.stage_table,
              timeline=True),
    ChartSpec("projets-par-theme", "indicateurs", "Projets par thème",
              "Projets en cours à un moment de la période, par thème d'action publique, et leur part dans "
              "l'ensemble de ces projets.",
              indicators.projects_by_theme,
              lambda df, text: charts.horizontal_bars(df, text, label="theme", value="projects", share="share_pct",
                                                      value_name="projets"),
              activity.theme_table),
    ChartSpec("partenaires", "indicateurs", "Co-construction : types de partenaires",
              "Part des projets en cours sur la période qui associent chaque type de partenaire (collectivités, "
              "opérateurs publics, recherche, entreprises, associations, usagers). Un projet peut en associer "
              "plusieurs : les parts ne s'additionnent pas.",
              indicators.partner_types,
              lambda df, text: charts.horizontal_bars(df, text, label="partner", value="projects", share="share_pct",
                                                      color="#009E73", value_name="projets"),
              activity.partner_table),
    ChartSpec("sessions-trimestre", "indicateurs", "Sessions de formation par trimestre",
              "Sessions de formation, ateliers, webinaires et sensibilisations tenus chaque trimestre de la "
              "période, par format.",
              indicators.sessions_by_quarter, charts.sessions_by_quarter, activity.sessions_table, timeline=True),
    ChartSpec("participants-trimestre", "indicateurs", "Participants aux sessions par trimestre",
              "Personnes présentes aux sessions tenues chaque trimestre : agents publics et autres participants "
              "(usagers, partenaires ; compté zéro quand le laboratoire ne le renseigne pas).",
              indicators.participants_by_quarter, charts.participants_by_quarter, activity.participants_table,
              timeline=True),
    ChartSpec("part-essaimage", "indicateurs", "Part des projets ayant atteint l'essaimage",
              "Parmi les projets lancés chaque année de la période, part de ceux qui ont atteint l'étape "
              "« essaimage » (diffusion à d'autres territoires ou services) dans au moins un rapport. Les projets "
              "récents ont eu moins de temps pour y parvenir.",
              indicators.essaimage_share, charts.essaimage_share, activity.essaimage_table),
    ChartSpec("comparaison-laboratoires", "indicateurs", "Comparaison des laboratoires",
              "Pour chaque laboratoire : projets en cours sur la période, projets ayant atteint l'essaimage, "
              "sessions tenues, participants et montants engagés, classés par nombre de projets.",
              indicators.lab_comparison, charts.lab_ranking, activity.lab_table),
    # Financements
    ChartSpec("financements-trimestre", "financements", "Montants engagés par trimestre et par source",
              "Montants des tranches de financement engagées chaque trimestre (date d'engagement), par source : "
              "PIA, FTAP, France Relance, autres cofinancements.",
              indicators.funding_by_quarter, charts.funding_by_quarter, funding.funding_quarter_table, timeline=True),
    ChartSpec("engage-verse", "financements", "Engagé et versé par source",
              "Montants engagés pendant la période, par source, et la part de ces montants déjà versée à la fin "
              "de la période.",
              indicators.committed_vs_paid, charts.committed_vs_paid, funding.committed_paid_table),
    ChartSpec("financements-cumules", "financements", "Financements cumulés",
              "Montants engagés (trait plein) et versés (pointillés) cumulés depuis le début de la période, "
              "par source.",
              indicators.funding_by_quarter, charts.funding_cumulative, funding.cumulative_table, timeline=True),
    ChartSpec("financements-laboratoires", "financements", "Montants engagés par laboratoire",
              "Montants engagés pendant la période pour chaque laboratoire, par source.",
              indicators.funding_by_lab, charts.funding_by_lab, funding.by_lab_table),
    ChartSpec("financements-regions", "financements", "Montants engagés par région",
              "Montants engagés pendant la période pour les laboratoires de chaque région, par source ; les "
              "lauréats sans région connue sont regroupés sous « Région non connue ».",
              funding.funding_by_region, charts.funding_by_region, funding.by_region_table),
    ChartSpec("regles-pia", "financements", "Règles du PIA par lauréat",
              "Contrôle des règles de l'appel à projets 2016 pour chaque laboratoire ayant reçu du PIA : au plus "
              "250 000 € par lauréat, au plus 50 % du budget du projet, budget d'au plus 500 000 €, PIA versé "
              "dans les 18 premiers mois après l'ouverture. Toute la durée du PIA est contrôlée, quelle que soit "
              "la période choisie.",
              funding.pia_checks, charts.pia_checks, funding.pia_table, notes=funding.pia_notes),
]

CATALOGUE: dict[str, ChartSpec] = {spec.id: spec for spec in _SPECS}

# Charts of each page, in display order: read from the page registry (`navigation.PageEntry.charts`).
PAGE_CHARTS: dict[str, list[str]] = navigation.page_charts()


def charts_for_page(page: str) -> list[ChartSpec]:
    return [CATALOGUE[chart_id] for chart_id in PAGE_CHARTS[page]]


def chart_titles() -> dict[str, str]:
    """Every chart's id and French title (default variant), in catalogue order."""
    return {chart_id: spec.title_for() for chart_id, spec in CATALOGUE.items()}


# --- building -------------------------------------------------------------------------------------

def build_chart(store: Store, chart_id: str, filters: Filters = Filters(), variant: str | None = None) -> Chart:
    """The chart `chart_id` for the scope `filters` (and the map's `variant`), ready to show or export."""
    spec = CATALOGUE[chart_id]
    if variant is not None and variant not in spec.variants:
        raise KeyError(f"variante inconnue pour {chart_id} : {variant}")
    variant = variant or spec.default_variant
    scope = Filters() if spec.national else filters
    raw = spec.query(store, scope)
    notes = spec.notes(raw, variant) if spec.notes is not None else ()
    text = ChartText(spec.title_for(variant), scopes.subtitle(store, scope, spec.national),
                     "\n".join([scopes.caption(store, scope, spec.national), *notes]))
    kwargs = {}
    if spec.extras is not None:
        kwargs.update(spec.extras(store, scope))
    if spec.figure_options is not None:
        kwargs.update(spec.figure_options(variant, scope))
    figure = spec.figure(raw, text, **kwargs)
    empty = any(getattr(a, "name", None) == "empty" for a in figure.layout.annotations)
    if chart_id == "carte":
        empty = False   # the map always shows the regions (and says where there is nothing)
    data = spec.table(raw).reset_index(drop=True)
    if spec.timeline and not empty:
        data = _with_events(store, scope, figure, data)
    return Chart(id=spec.id, title=text.title, subtitle=text.subtitle, caption=text.caption.split("\n")[0],
                 definition=spec.definition, data=data, figure=figure,
                 empty=empty, notes=notes, variant=variant, filters=scope)


def _with_events(store: Store, scope: Filters, figure: go.Figure, data: pd.DataFrame) -> pd.DataFrame:
    """The scope's events drawn on a time chart, and listed in its table (« Repères »)."""
    marks = event_words.marks(chart_events(store, scope))
    drawn = event_marks.add_marks(figure, marks)
    return event_words.with_marks_column(data, marks[marks["quarter"].isin(drawn)])
