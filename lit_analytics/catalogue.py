"""The catalogue of every chart of the dashboard: the single source for pages and exports.

Each entry (`ChartSpec`) names a chart (`id`), its French title and the short French definition of its
indicator, the indicator query that computes its data, the figure builder that draws it and how its data
becomes a French table. `build_chart(store, chart_id, filters)` returns a `Chart`: everything a page shows
and everything an export needs (figure with title, scope and source inside it; the table behind it).

    for spec in CATALOGUE.values():
        chart = build_chart(store, spec.id, Filters(regions=("53",)))
        chart.figure, chart.data, chart.title, chart.subtitle, chart.caption, chart.definition

It also writes what indicators return as codes in French: the scope of a figure (`scope_text`), the PIA
verdicts, the map's indicator names. `PAGE_CHARTS` is the one list of the charts of each page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import pandas as pd
import plotly.graph_objects as go

from lit_analytics import charts, domain, indicators, navigation
from lit_analytics.charts import ChartText
from lit_analytics.filters import Filters
from lit_analytics.formats import fmt_change, fmt_eur, fmt_int, fmt_quarter, source_caption
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


# --- French tables ------------------------------------------------------------------------------

def _quarters(series: pd.Series) -> list[str]:
    return [fmt_quarter(q) for q in series]


def _wide(df: pd.DataFrame, index: str, column: str, value: str, order: list[str], suffix: str = "",
          total: str | None = None) -> pd.DataFrame:
    if df.empty:
        return pd.DataFrame(columns=[index] + [c + suffix for c in order] + ([total] if total else []))
    wide = df.pivot_table(index=index, columns=column, values=value, aggfunc="sum", fill_value=0, sort=True)
    cols = [c for c in order if c in wide.columns] + sorted(set(wide.columns) - set(order))
    wide = wide[cols]
    if total:
        wide[total] = wide.sum(axis=1)
    wide.columns = [c + suffix if c in cols else c for c in wide.columns]
    return wide.reset_index()


def _status_table(df):
    return df.rename(columns={"status": "Étape", "projects": "Projets"})


def _activity_table(df):
    return pd.DataFrame({
        "Trimestre": _quarters(df["quarter"]), "Projets lancés": df["projects_started"],
        "Sessions": df["sessions"], "Participants": df["participants"],
        "Projets lancés (cumul)": df["projects_cumulative"], "Sessions (cumul)": df["sessions_cumulative"]})


REFERENCE_FIGURES = {   # indicators.reference_comparison's codes: French name, the DITP's own wording
    "labs_active": ("Laboratoires actifs au 01/12/2020", "9 laboratoires encore actifs"),
    "projects_2020": ("Projets et actions lancés fin 2020", "près de 200"),
    "sessions_2020": ("Sessions de formation fin 2020", "près de 500"),
}


def reference_figures(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """`indicators.reference_comparison` (national, the filters do not apply) with its French names and the
    DITP's wording of each published figure."""
    df = indicators.reference_comparison(store)
    return df.assign(indicator=[REFERENCE_FIGURES[c][0] for c in df["indicator"]],
                     reference_wording=[REFERENCE_FIGURES[c][1] for c in df["indicator"]])


def _reference_table(df):
    return pd.DataFrame({
        "Indicateur": df["indicator"],
        "Chiffre publié par la DITP (01/12/2020)": df["reference"],
        "Formulation de la DITP": df["reference_wording"],
        "Selon les données": df["data"],
        "Écart (%)": (100 * (df["data"] - df["reference"]) / df["reference"]).round(1)})


def _stage_table(df):
    out = _wide(df, "quarter", "status", "projects", domain.PROJECT_STATUSES, total="Total")
    out.insert(0, "Trimestre", _quarters(out.pop("quarter")) if "quarter" in out else [])
    return out


def _theme_table(df):
    return df.rename(columns={"theme": "Thème", "projects": "Projets", "share_pct": "Part des projets (%)"})


def _partner_table(df):
    return df.rename(columns={"partner": "Type de partenaire", "projects": "Projets",
                              "share_pct": "Part des projets (%)"})


def _sessions_table(df):
    out = _wide(df, "quarter", "format", "sessions", domain.SESSION_FORMATS, total="Total")
    out.insert(0, "Trimestre", _quarters(out.pop("quarter")) if "quarter" in out else [])
    hours = df.groupby("quarter")["hours"].sum() if not df.empty else pd.Series(dtype=float)
    out["Heures de formation"] = list(hours.values) if not df.empty else []
    return out


def _participants_table(df):
    return pd.DataFrame({"Trimestre": _quarters(df["quarter"]), "Agents publics": df["agents"],
                         "Autres participants": df["others"], "Total": df["agents"] + df["others"]})


def _essaimage_table(df):
    return df.rename(columns={"year": "Année de lancement", "projects": "Projets lancés",
                              "reached": "Ont atteint l'essaimage", "share_pct": "Part (%)"})


def _lab_table(df):
    return pd.DataFrame({
        "Laboratoire": df["name"], "Région": df["region"].fillna("Région non connue"),
        "Cohorte": [domain.COHORTS.get(c, c) for c in df["cohort"]], "Projets": df["projects"],
        "Projets ayant atteint l'essaimage": df["reached"], "Sessions": df["sessions"],
        "Participants": df["participants"], "Montant engagé (€)": df["committed"]})


def _funding_quarter_table(df):
    df = df[df["committed"] > 0] if not df.empty else df
    out = _wide(df, "quarter", "source", "committed", domain.FUNDING_SOURCES, suffix=" (€)", total="Total (€)")
    out.insert(0, "Trimestre", _quarters(out.pop("quarter")) if "quarter" in out else [])
    return out


def _cumulative_table(df):
    return pd.DataFrame({"Trimestre": _quarters(df["quarter"]), "Source": df["source"],
                         "Engagé sur le trimestre (€)": df["committed"], "Versé sur le trimestre (€)": df["paid"],
                         "Engagé cumulé (€)": df["committed_cumulative"], "Versé cumulé (€)": df["paid_cumulative"]})


def _committed_paid_table(df):
    return df.rename(columns={"source": "Source", "committed": "Engagé (€)", "paid": "Versé (€)",
                              "paid_pct": "Part versée (%)"})


def _by_lab_table(df):
    out = _wide(df, "name", "source", "committed", domain.FUNDING_SOURCES, suffix=" (€)", total="Total (€)")
    out = out.rename(columns={"name": "Laboratoire"})
    return out.sort_values("Total (€)", ascending=False).reset_index(drop=True) if not out.empty else out


def _by_region_table(df):
    out = _wide(df, "region", "source", "committed", domain.FUNDING_SOURCES, suffix=" (€)", total="Total (€)")
    out = out.rename(columns={"region": "Région"})
    return out.sort_values("Total (€)", ascending=False).reset_index(drop=True) if not out.empty else out


PIA_RULES = {
    "ceiling": f"PIA ≤ {domain.PIA_MAX_PER_LAUREATE_EUR:,} €".replace(",", "\u202f"),
    "share": f"PIA ≤ {int(domain.PIA_MAX_SHARE_OF_BUDGET * 100)} % du budget",
    "budget": f"budget ≤ {domain.LAB_BUDGET_MAX_EUR:,} €".replace(",", "\u202f"),
    "window": f"PIA versé dans les {domain.PIA_WINDOW_MONTHS} premiers mois",
}
_PIA_BREACHES = (
    ("ceiling_ok", f"PIA de plus de {fmt_eur(domain.PIA_MAX_PER_LAUREATE_EUR)}"),
    ("share_ok", f"PIA au-delà de {int(domain.PIA_MAX_SHARE_OF_BUDGET * 100)} % du budget"),
    ("budget_ok", f"budget supérieur à {fmt_eur(domain.LAB_BUDGET_MAX_EUR)}"),
    ("window_ok", f"PIA versé après {domain.PIA_WINDOW_MONTHS} mois"),
)


def _failed(value) -> bool:
    return value is not None and not pd.isna(value) and not bool(value)


def pia_verdict(row) -> str:
    """The French verdict of one row of `indicators.pia_rule_checks`: the breaches, or what is left to check."""
    if row["status"] == indicators.PIA_BREACH:
        return "Non conforme : " + " ; ".join(label for col, label in _PIA_BREACHES if _failed(row[col]))
    if row["status"] == indicators.PIA_TO_CHECK:
        unknown = []
        if pd.isna(row["budget"]):
            unknown.append("budget inconnu")
        if row["pia_committed"] == 0:
            unknown.append("aucun PIA enregistré")
        elif row["unpaid_tranches"]:
            unknown.append("PIA pas encore entièrement versé")
        return "À vérifier : " + " ; ".join(unknown)
    return "Conforme"


def pia_checks(store: Store, filters: Filters = Filters()) -> pd.DataFrame:
    """`indicators.pia_rule_checks` with `status` written as a French verdict (the chart, its table and notes)."""
    df = indicators.pia_rule_checks(store, filters)
    return df.assign(status=[pia_verdict(row) for _, row in df.iterrows()]) if not df.empty else df


def _check(value) -> str:
    if value is None or pd.isna(value):
        return "non vérifiable"
    return "respectée" if bool(value) else "DÉPASSÉE"


def _pia_table(df):
    cols = ["Laboratoire", "Ouverture", "Budget (€)", "PIA engagé (€)", "PIA versé (€)", "Part du budget (%)",
            "Dernier versement PIA", "Fin des 18 mois", PIA_RULES["ceiling"],
            PIA_RULES["share"], PIA_RULES["budget"], PIA_RULES["window"], "Statut"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame(dict(zip(cols, [
        df["name"], df["opened_on"], df["budget"], df["pia_committed"], df["pia_paid"], df["share_pct"],
        df["last_paid_on"], df["window_end"], [_check(v) for v in df["ceiling_ok"]],
        [_check(v) for v in df["share_ok"]], [_check(v) for v in df["budget_ok"]],
        [_check(v) for v in df["window_ok"]], df["status"]])))


def _map_table(df):
    return pd.DataFrame({
        "Code région": df["region_code"].fillna(""), "Région": df["region"],
        "Laboratoires (ouverts sur la période)": df["labs"], "Projets": df["projects"], "Sessions": df["sessions"],
        "Participants": df["participants"], "PIA (€)": df["committed_pia"], "FTAP (€)": df["committed_ftap"],
        "relance (€)": df["committed_relance"], "autre (€)": df["committed_autre"],
        "Total engagé (€)": df["committed"]})


MAP_INDICATORS = {   # the map's variants: code -> French name (`indicators.MAP_COLUMNS` gives the column)
    "laboratoires": "Laboratoires",
    "projets": "Projets",
    "sessions": "Sessions de formation",
    "participants": "Participants",
    "engage": "Montants engagés (toutes sources)",
    "engage-PIA": "Montants engagés — PIA",
    "engage-FTAP": "Montants engagés — FTAP",
    "engage-relance": "Montants engagés — relance",
    "engage-autre": "Montants engagés — autre",
}


def _map_extras(store: Store, filters: Filters) -> dict:
    return {"labs": indicators.map_labs(store, filters)}


def _map_options(variant: str | None, filters: Filters) -> dict:
    variant = variant or "laboratoires"
    return {"value": indicators.MAP_COLUMNS[variant], "value_label": MAP_INDICATORS[variant],
            "money": variant.startswith("engage"), "selected": filters.regions}


def _map_notes(data: pd.DataFrame, variant: str | None) -> tuple[str, ...]:
    variant = variant or "laboratoires"
    column = indicators.MAP_COLUMNS[variant]
    money = variant.startswith("engage")
    fmt = fmt_eur if money else fmt_int
    unknown = data[data["region_code"].isna()]
    total = data[column].sum()
    label = MAP_INDICATORS[variant].lower()
    notes = [f"Total national ({label}) : {fmt(total)}."]
    if not unknown.empty and int(unknown["labs_ever"].iloc[0]) > 0:
        row = unknown.iloc[0]
        notes.append(
            f"{fmt_int(row['labs_ever'])} laboratoire(s) sans région connue (lauréats 2016 non identifiés) : "
            f"{fmt(row[column])} comptés dans le total national mais absents de la carte.")
    return tuple(notes)


def _pia_notes(data: pd.DataFrame, variant: str | None) -> tuple[str, ...]:
    if data.empty:
        return ()
    breaches = data[data["status"].str.startswith("Non conforme")]
    unknown = data[data["status"].str.startswith("À vérifier")]
    notes = []
    if breaches.empty:
        notes.append(f"Aucun dépassement constaté sur {fmt_int(len(data))} laboratoire(s) contrôlé(s).")
    else:
        names = ", ".join(breaches["name"].head(5)) + (" …" if len(breaches) > 5 else "")
        notes.append(f"{fmt_int(len(breaches))} laboratoire(s) non conforme(s) sur {fmt_int(len(data))} : {names}.")
    if not unknown.empty:
        notes.append(f"{fmt_int(len(unknown))} laboratoire(s) à vérifier (budget inconnu ou PIA non versé).")
    return tuple(notes)


# --- the catalogue --------------------------------------------------------------------------------

_SPECS = [
    # Vue d'ensemble
    ChartSpec("projets-par-etape", "accueil", "Projets par étape",
              "Projets en cours à un moment de la période, selon l'étape indiquée dans le dernier rapport "
              "trimestriel qui les mentionne (de l'émergence à l'essaimage, puis terminés ou abandonnés).",
              indicators.projects_by_status, charts.projects_by_status, _status_table),
    ChartSpec("evolution-activite", "accueil", "Évolution de l'activité",
              "Nombre cumulé, depuis le début de la période, de projets lancés (date de début) et de sessions "
              "de formation tenues, trimestre après trimestre.",
              indicators.activity_over_time, charts.activity_over_time, _activity_table),
    ChartSpec("reference-ditp", "accueil", "Chiffres publiés par la DITP et données",
              "Les chiffres annoncés par la DITP le 01/12/2020 (9 laboratoires actifs, près de 200 projets et "
              "actions, près de 500 sessions de formation) comparés aux données, à l'échelle nationale et "
              "sans filtre : laboratoires ouverts au 01/12/2020, projets lancés et sessions tenues jusqu'au "
              "31/12/2020.",
              reference_figures, charts.reference_comparison,
              _reference_table, national=True),
    # Carte
    ChartSpec("carte", "carte", "{variant} par région",
              "Valeur de l'indicateur choisi pour chaque région sur la période : laboratoires ouverts, projets "
              "en cours, sessions tenues, participants ou montants engagés. Les régions sans aucun laboratoire "
              "sont grises et hachurées ; une région colorée au plus clair a des laboratoires mais une valeur "
              "nulle. Les points sont les laboratoires.",
              indicators.region_indicators, charts.region_map, _map_table,
              variants=dict(MAP_INDICATORS), extras=_map_extras, figure_options=_map_options,
              notes=_map_notes),
    # Indicateurs d'impact
    ChartSpec("projets-etapes-trimestre", "indicateurs", "Projets par étape, trimestre par trimestre",
              "Portefeuille de projets déclaré par les laboratoires à la fin de chaque trimestre, réparti par "
              "étape du cycle de vie (émergence, conception, expérimentation, déploiement, essaimage, terminé, "
              "abandonné).",
              indicators.projects_by_stage_over_time, charts.projects_by_stage_over_time, _stage_table),
    ChartSpec("projets-par-theme", "indicateurs", "Projets par thème",
              "Projets en cours à un moment de la période, par thème d'action publique, et leur part dans "
              "l'ensemble de ces projets.",
              indicators.projects_by_theme,
              lambda df, text: charts.horizontal_bars(df, text, label="theme", value="projects", share="share_pct",
                                                      value_name="projets"),
              _theme_table),
    ChartSpec("partenaires", "indicateurs", "Co-construction : types de partenaires",
              "Part des projets en cours sur la période qui associent chaque type de partenaire (collectivités, "
              "opérateurs publics, recherche, entreprises, associations, usagers). Un projet peut en associer "
              "plusieurs : les parts ne s'additionnent pas.",
              indicators.partner_types,
              lambda df, text: charts.horizontal_bars(df, text, label="partner", value="projects", share="share_pct",
                                                      color="#009E73", value_name="projets"),
              _partner_table),
    ChartSpec("sessions-trimestre", "indicateurs", "Sessions de formation par trimestre",
              "Sessions de formation, ateliers, webinaires et sensibilisations tenus chaque trimestre de la "
              "période, par format.",
              indicators.sessions_by_quarter, charts.sessions_by_quarter, _sessions_table),
    ChartSpec("participants-trimestre", "indicateurs", "Participants aux sessions par trimestre",
              "Personnes présentes aux sessions tenues chaque trimestre : agents publics et autres participants "
              "(usagers, partenaires ; compté zéro quand le laboratoire ne le renseigne pas).",
              indicators.participants_by_quarter, charts.participants_by_quarter, _participants_table),
    ChartSpec("part-essaimage", "indicateurs", "Part des projets ayant atteint l'essaimage",
              "Parmi les projets lancés chaque année de la période, part de ceux qui ont atteint l'étape "
              "« essaimage » (diffusion à d'autres territoires ou services) dans au moins un rapport. Les projets "
              "récents ont eu moins de temps pour y parvenir.",
              indicators.essaimage_share, charts.essaimage_share, _essaimage_table),
    ChartSpec("comparaison-laboratoires", "indicateurs", "Comparaison des laboratoires",
              "Pour chaque laboratoire : projets en cours sur la période, projets ayant atteint l'essaimage, "
              "sessions tenues, participants et montants engagés, classés par nombre de projets.",
              indicators.lab_comparison, charts.lab_ranking, _lab_table),
    # Financements
    ChartSpec("financements-trimestre", "financements", "Montants engagés par trimestre et par source",
              "Montants des tranches de financement engagées chaque trimestre (date d'engagement), par source : "
              "PIA, FTAP, France Relance, autres cofinancements.",
              indicators.funding_by_quarter, charts.funding_by_quarter, _funding_quarter_table),
    ChartSpec("engage-verse", "financements", "Engagé et versé par source",
              "Montants engagés pendant la période, par source, et la part de ces montants déjà versée à la fin "
              "de la période.",
              indicators.committed_vs_paid, charts.committed_vs_paid, _committed_paid_table),
    ChartSpec("financements-cumules", "financements", "Financements cumulés",
              "Montants engagés (trait plein) et versés (pointillés) cumulés depuis le début de la période, "
              "par source.",
              indicators.funding_by_quarter, charts.funding_cumulative, _cumulative_table),
    ChartSpec("financements-laboratoires", "financements", "Montants engagés par laboratoire",
              "Montants engagés pendant la période pour chaque laboratoire, par source.",
              indicators.funding_by_lab, charts.funding_by_lab, _by_lab_table),
    ChartSpec("financements-regions", "financements", "Montants engagés par région",
              "Montants engagés pendant la période pour les laboratoires de chaque région, par source ; les "
              "lauréats sans région connue sont regroupés sous « Région non connue ».",
              indicators.funding_by_region, charts.funding_by_region, _by_region_table),
    ChartSpec("regles-pia", "financements", "Règles du PIA par lauréat",
              "Contrôle des règles de l'appel à projets 2016 pour chaque laboratoire ayant reçu du PIA : au plus "
              "250 000 € par lauréat, au plus 50 % du budget du projet, budget d'au plus 500 000 €, PIA versé "
              "dans les 18 premiers mois après l'ouverture. Toute la durée du PIA est contrôlée, quelle que soit "
              "la période choisie.",
              pia_checks, charts.pia_checks, _pia_table, notes=_pia_notes),
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

def period_text(store: Store, filters: Filters = Filters()) -> str:
    """The period of the filters in French (« T1 2017 – T3 2026 »), the data's own bounds when open."""
    available = indicators.quarters_available(store)
    first = filters.quarter_from or (available[0] if available else None)
    last = filters.quarter_to or (available[-1] if available else None)
    return f"{fmt_quarter(first)} – {fmt_quarter(last)}" if first and last else "Toute la période"


@dataclass(frozen=True)
class Change:
    """A headline figure's change against the same period a year earlier, in French."""
    text: str          # « +37 (+8,9 %) », « −1 (−7,7 %) », « stable »
    direction: str     # "up", "down" or "off" (for an arrow)


@dataclass(frozen=True)
class HeadlineChanges:
    period: str                    # the period a year earlier, « T1 2017 – T3 2025 »
    changes: dict[str, Change]     # figure → change; figures: the `indicators.Headline` fields and
    #                                "committed_total", "paid_total", "committed:SOURCE", "paid:SOURCE"

    @property
    def sentence(self) -> str:
        return f"Évolutions par rapport à la même période un an plus tôt ({self.period})."


def headline_changes(store: Store, filters: Filters = Filters()) -> HeadlineChanges | None:
    """How each headline figure moved against the same period a year earlier (`indicators.year_earlier`);
    None when the data has no such period."""
    earlier = indicators.year_earlier(store, filters)
    if earlier is None:
        return None
    now, before = indicators.headline(store, filters), indicators.headline(store, earlier)

    def change(a: float, b: float, money: bool = False) -> Change:
        return Change(fmt_change(a, b, money=money), "up" if a > b else "down" if a < b else "off")

    changes = {name: change(getattr(now, name), getattr(before, name))
               for name in ("labs_funded", "labs_active", "projects", "sessions", "participants")}
    changes["committed_total"] = change(now.committed_total, before.committed_total, True)
    changes["paid_total"] = change(sum(now.paid_by_source.values()), sum(before.paid_by_source.values()), True)
    for source in domain.FUNDING_SOURCES:
        changes[f"committed:{source}"] = change(now.committed_by_source[source], before.committed_by_source[source],
                                                True)
        changes[f"paid:{source}"] = change(now.paid_by_source[source], before.paid_by_source[source], True)
    return HeadlineChanges(period_text(store, earlier), changes)


def scope_text(store: Store, filters: Filters = Filters()) -> str:
    """The scope of a figure in French: period, then each filter that is set (« T1 2017 – T3 2026 · Bretagne »)."""
    parts = [period_text(store, filters)]
    if filters.regions:
        names = indicators.region_names(store)
        shown = [names.get(code, code) for code in filters.regions]
        parts.append(", ".join(shown) if len(shown) <= 3 else f"{len(shown)} régions")
    elif not filters.labs:
        parts.append("France entière")
    if filters.labs:
        if len(filters.labs) <= 2:
            names = indicators.lab_names(store, filters.labs)
            parts.append(", ".join(names.get(lab, lab) for lab in filters.labs))
        else:
            parts.append(f"{len(filters.labs)} laboratoires")
    if filters.cohort:
        parts.append(domain.COHORTS.get(filters.cohort, filters.cohort))
    if filters.lab_status == "ouverts":
        parts.append("laboratoires ouverts")
    elif filters.lab_status == "fermés":
        parts.append("laboratoires fermés")
    return " · ".join(parts)


def subtitle(store: Store, filters: Filters, spec: ChartSpec | None = None) -> str:
    if spec is not None and spec.national:
        return "France entière, sans filtre · chiffres DITP au 01/12/2020"
    return scope_text(store, filters)


def caption(store: Store, filters: Filters, spec: ChartSpec | None = None) -> str:
    data_date = indicators.data_date(store, Filters() if spec is not None and spec.national else filters)
    text = source_caption(indicators.data_source(store), data_date)
    if spec is not None and spec.national:
        text += f" ; {domain.REFERENCE_SOURCE}"
    return text


def build_chart(store: Store, chart_id: str, filters: Filters = Filters(), variant: str | None = None) -> Chart:
    """The chart `chart_id` for the scope `filters` (and the map's `variant`), ready to show or export."""
    spec = CATALOGUE[chart_id]
    if variant is not None and variant not in spec.variants:
        raise KeyError(f"variante inconnue pour {chart_id} : {variant}")
    variant = variant or spec.default_variant
    scope = Filters() if spec.national else filters
    raw = spec.query(store, scope)
    notes = spec.notes(raw, variant) if spec.notes is not None else ()
    text = ChartText(spec.title_for(variant), subtitle(store, scope, spec),
                     "\n".join([caption(store, scope, spec), *notes]))
    kwargs = {}
    if spec.extras is not None:
        kwargs.update(spec.extras(store, scope))
    if spec.figure_options is not None:
        kwargs.update(spec.figure_options(variant, scope))
    figure = spec.figure(raw, text, **kwargs)
    empty = any(getattr(a, "name", None) == "empty" for a in figure.layout.annotations)
    if chart_id == "carte":
        empty = False   # the map always shows the regions (and says where there is nothing)
    return Chart(id=spec.id, title=text.title, subtitle=text.subtitle, caption=text.caption.split("\n")[0],
                 definition=spec.definition, data=spec.table(raw).reset_index(drop=True), figure=figure,
                 empty=empty, notes=notes, variant=variant, filters=scope)
