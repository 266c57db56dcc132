"""What each page of the public site says, read from the store: page models the templates write.

Only what may be public: the labs' registry and its public sources, the DITP's published figures, and aggregates of
the *current* (published) report versions, which is all `indicators` and the catalogue read. Never an account, an
e-mail address, who published a report, the audit journal, an upload (its file, its errors, a rejected or superseded
version), nor a project's or a session's own row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from lit_analytics import domain, indicators
from lit_analytics.filters import Filters
from lit_analytics.formats import fmt_date, fmt_eur, fmt_int, fmt_quarter
from lit_analytics.indicators import meteo as meteo_queries
from lit_analytics.presentation import meteo as meteo_words
from lit_analytics.presentation import scopes
from lit_analytics.presentation.common import UNKNOWN_REGION
from lit_analytics.reference import FACT_LABELS, NO_ADDRESS, lab_sources, published_figures
from lit_analytics.site.charts import Table, table_of
from lit_analytics.store import Store

SITE_TITLE = "Laboratoires d'innovation territoriale"
SITE_TAGLINE = "Les données publiques du programme suivi par la DITP"
DEMO_NOTICE = ("Site de démonstration : les projets, sessions de formation et financements montrés ici sont des "
               "données fictives, générées pour essayer l'outil. Ne les citez pas comme des faits.")


@dataclass(frozen=True)
class Figure:
    """A headline figure: label, value in French, its change in a year (« +37 (+8,9 %) ») or None."""
    label: str
    value: str
    change: str | None = None


@dataclass(frozen=True)
class Citation:
    label: str           # what is cited (a fact, a figure)
    statement: str
    title: str           # the page's publisher and title
    date: str            # « 23/11/2016 » or ""
    url: str | None      # a public https/http address, or None (« adresse publique non trouvée »)


@dataclass
class PublishedTopic:
    topic: str
    disagree: bool
    items: list[Citation]


@dataclass
class LabSummary:
    lab_id: str
    name: str
    region: str
    city: str
    cohort: str
    opened: str
    state: str
    themes: str


@dataclass
class LabPage:
    summary: LabSummary
    facts: Table
    assumptions: str
    sources: list[Citation]
    figures: list[Figure]
    chart_ids: list[str]
    tranches: Table
    filters: Filters = field(default_factory=Filters)
    words: Table | None = None    # the météo versions the DITP made public (none otherwise: the texts are private)


@dataclass
class SiteFacts:
    """What every page shares: demo or not, the data's date and version, the date of the build."""
    demo: bool
    data_date: str            # « 30/09/2026 »
    period: str               # « T1 2017 – T3 2026 »
    data_version: str
    built_on: date
    source: str               # « DITP, rapports trimestriels des laboratoires » or the demo source


def site_facts(store: Store, today: date) -> SiteFacts:
    version = store.scalar("SELECT value FROM meta WHERE key = 'data_version'")
    return SiteFacts(demo=indicators.has_demo_data(store) or is_demo_database(store),
                     data_date=fmt_date(indicators.data_date(store)) or "non connue",
                     period=scopes.period_text(store), data_version=str(version or "0"), built_on=today,
                     source=scopes.data_source(store))


def is_demo_database(store: Store) -> bool:
    """Demo data was ever loaded in this database (meta `demo`), or a current version is demo data."""
    marked = store.scalar("SELECT count(*) FROM meta WHERE key = 'demo' AND coalesce(value, '') <> ''")
    return bool(marked) or indicators.has_demo_data(store)


def headline_figures(store: Store, filters: Filters, today: date) -> tuple[list[Figure], list[Figure], str]:
    """The home page's figures (counts, then amounts committed and paid) with their change in a year, and the
    sentence naming the period compared."""
    h = indicators.headline(store, filters, today)
    compared = scopes.headline_changes(store, filters, today)

    def change(name: str) -> str | None:
        found = compared.changes.get(name) if compared else None
        return found.text if found else None

    counts = [Figure("Laboratoires financés", fmt_int(h.labs_funded), change("labs_funded")),
              Figure("Laboratoires actifs", fmt_int(h.labs_active), change("labs_active")),
              Figure("Projets", fmt_int(h.projects), change("projects")),
              Figure("Sessions de formation", fmt_int(h.sessions), change("sessions")),
              Figure("Participants", fmt_int(h.participants), change("participants"))]
    money = [Figure(f"Engagé {source}", fmt_eur(h.committed_by_source[source]), change(f"committed:{source}"))
             for source in domain.FUNDING_SOURCES]
    money += [Figure("Total engagé", fmt_eur(h.committed_total), change("committed_total")),
              Figure("Total versé", fmt_eur(sum(h.paid_by_source.values())), change("paid_total"))]
    sentence = compared.sentence if compared else "Pas de comparaison : la période un an plus tôt précède les données."
    return counts, money, sentence


def _citation(label: str, statement, title, published_on, url) -> Citation:
    when = fmt_date(published_on) if published_on is not None and not pd.isna(published_on) else ""
    address = url if isinstance(url, str) and url.startswith(("https://", "http://")) else None
    return Citation(label, "" if pd.isna(statement) else str(statement), str(title), when, address)


def published(store: Store) -> list[PublishedTopic]:
    """What public pages said of the programme, by topic, disagreements side by side."""
    figures = published_figures(store)
    topics = []
    for topic, group in figures.groupby("topic", sort=False):
        topics.append(PublishedTopic(str(topic), bool(group["disagree"].any()),
                                     [_citation(r.figure, r.statement, r.source_title, r.published_on, r.url)
                                      for r in group.itertuples(index=False)]))
    return topics


def lab_summaries(store: Store) -> list[LabSummary]:
    df = indicators.lab_directory(store, Filters())
    return [LabSummary(lab_id=r.lab_id, name=r.name, region=r.region if isinstance(r.region, str) else UNKNOWN_REGION,
                       city=r.city if isinstance(r.city, str) else "", cohort=domain.COHORTS.get(r.cohort, r.cohort),
                       opened=fmt_date(r.opened_on) if not pd.isna(r.opened_on) else "non connue",
                       state="fermé" if not pd.isna(r.closed_on) else "ouvert",
                       themes=r.themes if isinstance(r.themes, str) else "")
            for r in df.itertuples(index=False)]


def _facts_table(lab: dict) -> Table:
    facts = [
        ("Nom", lab["name"]),
        ("Région", lab["region_name"] or "non connue (aucune source publique)"),
        ("Ville", lab["city"] or "non connue"),
        ("Administration porteuse", lab["lead_administration"] or "non connue"),
        ("Cohorte", domain.COHORTS.get(lab["cohort"], lab["cohort"])),
        ("Ouverture", fmt_date(lab["opened_on"]) or "non connue"),
        ("Fermeture", fmt_date(lab["closed_on"]) if lab["closed_on"] else "ouvert"),
        ("Thèmes", lab["themes"] or "non renseignés"),
        ("Budget du projet", fmt_eur(lab["budget"]) if lab["budget"] is not None and not pd.isna(lab["budget"])
         else "non connu"),
        ("Identifié par une source publique", "oui" if lab["identified"] else "non"),
        ("Source", lab["source"]),
    ]
    return Table("Ce que l'on sait du laboratoire", ["Information", "Valeur"],
                 [[a, "" if b is None or (not isinstance(b, str) and pd.isna(b)) else str(b)] for a, b in facts])


def lab_page(store: Store, summary: LabSummary, chart_ids: list[str], today: date) -> LabPage:
    lab = indicators.lab_profile(store, summary.lab_id) or {}
    sources = [_citation(FACT_LABELS.get(r.fact, r.fact), r.statement, r.source_title, r.published_on, r.url)
               for r in lab_sources(store, summary.lab_id).itertuples(index=False)]
    filters = Filters(labs=(summary.lab_id,))
    h = indicators.headline(store, filters, today)
    figures = [Figure("Projets", fmt_int(h.projects)), Figure("Sessions de formation", fmt_int(h.sessions)),
               Figure("Participants", fmt_int(h.participants)), Figure("Montant engagé", fmt_eur(h.committed_total))]
    tranches = indicators.lab_tranches(store, summary.lab_id)
    tranche_table = table_of(pd.DataFrame({
        "Source": tranches["source"], "Montant (€)": tranches["amount"], "Engagée le": tranches["committed_on"],
        "Versée le": tranches["paid_on"]}), "Tranches de financement engagées")
    return LabPage(summary=summary, facts=_facts_table(lab), assumptions=str(lab.get("assumptions") or ""),
                   sources=sources, figures=figures, chart_ids=chart_ids, tranches=tranche_table, filters=filters,
                   words=_public_meteo(store, summary.lab_id))


def _public_meteo(store: Store, lab_id: str) -> Table | None:
    """The lab's météo and texts of the quarters whose current version the DITP marked public; None if none."""
    df = meteo_queries.public_meteo(store)
    df = df[df["lab_id"] == lab_id].sort_values("quarter", ascending=False)
    if df.empty:
        return None
    return table_of(pd.DataFrame({"Trimestre": [fmt_quarter(q) for q in df["quarter"]],
                                  "Météo": [meteo_words.level_text(c, symbol=False) for c in df["level"]],
                                  **{label: df[col] for col, label in meteo_words.TEXTS.items()}}),
                    "Météo et paroles du terrain rendues publiques par la DITP")


NO_ADDRESS_TEXT = NO_ADDRESS
