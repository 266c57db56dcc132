"""The open data of the public site: a Frictionless data package (`datapackage.json`, CSV files in UTF-8 with their
Table Schemas) of the lab registry, its public sources, the DITP's published figures and the published aggregates
(quarter by quarter, per lab), under the Licence Ouverte 2.0 (Etalab), dated, with the data version it was built from.

Aggregates are counts and sums over current (published) report versions only; no project, session or tranche of its
own, no account, no upload.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from lit_analytics.store import Store

LICENCE = {"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence version 2.0",
           "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}
PACKAGE_NAME = "laboratoires-innovation-territoriale"


@dataclass(frozen=True)
class Resource:
    name: str            # lower case, digits, hyphens: the file is <name>.csv
    title: str
    description: str
    sql: str
    fields: dict[str, str]   # column -> French description
    primary_key: tuple[str, ...] = ()


_QUARTER = "CAST(year({d}) AS VARCHAR) || '-T' || CAST(quarter({d}) AS VARCHAR)"

RESOURCES = (
    Resource("laboratoires", "Registre des laboratoires",
             "Chaque laboratoire financé : région, ville, administration porteuse, cohorte, dates, thèmes, budget, "
             "et d'où viennent ces informations.",
             """SELECT l.lab_id, l.name, l.region_code, r.name AS region, l.city, l.latitude, l.longitude,
                       l.lead_administration, l.cohort, l.opened_on, l.closed_on, l.themes,
                       l.budget_eur::DOUBLE AS budget_eur, l.identified, l.source, l.assumptions
                FROM labs l LEFT JOIN regions r USING (region_code) ORDER BY l.lab_id""",
             {"lab_id": "identifiant stable du laboratoire", "name": "nom public", "region_code": "code INSEE de la région",
              "region": "nom de la région", "city": "ville", "latitude": "latitude (WGS 84)",
              "longitude": "longitude (WGS 84)", "lead_administration": "administration de l'État qui porte le laboratoire",
              "cohort": "code de la cohorte (laureat-2016, relance-2021-2022 ou une cohorte ajoutée au référentiel)",
              "opened_on": "date d'ouverture",
              "closed_on": "date de fermeture (vide si ouvert)", "themes": "thèmes, séparés par des points-virgules",
              "budget_eur": "budget du projet du laboratoire, en euros", "identified": "nommé par une source publique",
              "source": "d'où viennent ces informations", "assumptions": "valeurs supposées ou de démonstration"},
             ("lab_id",)),
    Resource("sources-laboratoires", "Sources publiques des informations sur les laboratoires",
             "La page publique derrière chaque information d'un laboratoire.",
             """SELECT lab_id, seq, fact, value, statement, source_title, published_on, url
                FROM lab_sources ORDER BY lab_id, seq""",
             {"lab_id": "identifiant du laboratoire", "seq": "ordre", "fact": "information appuyée par la page",
              "value": "valeur donnée par la page", "statement": "ce que dit la page",
              "source_title": "éditeur et titre de la page", "published_on": "date de la page",
              "url": "adresse publique (vide si aucune trouvée)"}, ("lab_id", "seq")),
    Resource("chiffres-publies", "Chiffres publiés sur le programme",
             "Ce que les pages publiques ont dit du programme, avec leur date et leur adresse ; quand elles "
             "divergent, toutes sont gardées.",
             """SELECT seq, topic, figure, statement, source_title, published_on, url, disagree
                FROM published_figures ORDER BY seq""",
             {"seq": "ordre", "topic": "sujet", "figure": "chiffre publié", "statement": "ce que dit la page",
              "source_title": "éditeur et titre de la page", "published_on": "date de la page",
              "url": "adresse publique", "disagree": "les pages publiques de ce sujet divergent"}, ("seq",)),
    Resource("activite-trimestrielle", "Activité des laboratoires, trimestre par trimestre",
             "Pour chaque laboratoire et chaque trimestre publié : projets déclarés en portefeuille à la fin du "
             "trimestre, sessions de formation tenues et leurs participants (versions publiées des rapports).",
             """WITH p AS (SELECT lab_id, quarter, count(*) AS projects FROM current_project_snapshots
                           GROUP BY ALL),
                     s AS (SELECT lab_id, quarter, count(*) AS sessions,
                                  sum(coalesce(participants_agents, 0)) AS participants_agents,
                                  sum(coalesce(participants_others, 0)) AS participants_others
                           FROM current_training_sessions GROUP BY ALL)
                SELECT lab_id, quarter, coalesce(p.projects, 0)::BIGINT AS projects,
                       coalesce(s.sessions, 0)::BIGINT AS sessions,
                       coalesce(s.participants_agents, 0)::BIGINT AS participants_agents,
                       coalesce(s.participants_others, 0)::BIGINT AS participants_others
                FROM p FULL JOIN s USING (lab_id, quarter) ORDER BY lab_id, quarter""",
             {"lab_id": "identifiant du laboratoire", "quarter": "trimestre (AAAA-Tn)",
              "projects": "projets en portefeuille à la fin du trimestre", "sessions": "sessions tenues",
              "participants_agents": "agents publics présents", "participants_others": "autres participants"},
             ("lab_id", "quarter")),
    Resource("financements-trimestriels", "Financements engagés et versés, par trimestre",
             "Pour chaque laboratoire, trimestre d'engagement et source de financement : montants engagés et "
             "part déjà versée (version publiée du registre des financements).",
             f"""SELECT lab_id, {_QUARTER.format(d='committed_on')} AS quarter, source,
                        count(*)::BIGINT AS tranches, sum(amount_eur)::DOUBLE AS committed_eur,
                        coalesce(sum(amount_eur) FILTER (WHERE paid_on IS NOT NULL), 0)::DOUBLE AS paid_eur
                 FROM current_funding_tranches GROUP BY ALL ORDER BY lab_id, quarter, source""",
             {"lab_id": "identifiant du laboratoire", "quarter": "trimestre d'engagement (AAAA-Tn)",
              "source": "PIA, FTAP, relance, autre ou une source ajoutée au référentiel", "tranches": "tranches engagées",
              "committed_eur": "montant engagé, en euros", "paid_eur": "montant de ces tranches déjà versé, en euros"},
             ("lab_id", "quarter", "source")),
)


def _field_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if series.dropna().map(lambda v: hasattr(v, "isoformat")).all() and not series.dropna().empty:
        return "date"
    return "string"


def _csv_value(value, kind: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "date":
        return pd.Timestamp(value).date().isoformat()
    if kind == "number":
        return repr(float(value))
    return str(value)


def write_package(store: Store, folder: Path, built_at: datetime, data_version: str, demo: bool,
                  homepage: str | None = None) -> dict:
    """Write the CSV files and `datapackage.json` into `folder`; return the descriptor."""
    import csv
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    for res in RESOURCES:
        df = store.query_df(res.sql)
        kinds = {col: _field_type(df[col]) for col in df.columns}
        with open(folder / f"{res.name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(df.columns)
            for row in df.itertuples(index=False):
                writer.writerow([_csv_value(v, kinds[c]) for c, v in zip(df.columns, row)])
        schema = {"fields": [{"name": col, "type": kinds[col], "description": res.fields.get(col, "")}
                             for col in df.columns]}
        if res.primary_key:
            schema["primaryKey"] = list(res.primary_key)
        resources.append({"name": res.name, "path": f"{res.name}.csv", "title": res.title,
                          "description": res.description, "format": "csv", "mediatype": "text/csv",
                          "encoding": "utf-8", "dialect": {"delimiter": ",", "header": True}, "schema": schema})
    description = ("Registre des laboratoires d'innovation territoriale financés par l'État, sources publiques, "
                   "chiffres publiés et agrégats des rapports trimestriels publiés (DITP).")
    if demo:
        description = ("DONNÉES DE DÉMONSTRATION (activité et financements fictifs). " + description)
    descriptor = {
        "profile": "data-package", "name": PACKAGE_NAME,
        "title": "Laboratoires d'innovation territoriale" + (" (démonstration)" if demo else ""),
        "description": description, "version": f"1.0.{data_version}", "created": built_at.isoformat(timespec="seconds"),
        "licenses": [LICENCE], "keywords": ["innovation publique", "laboratoires", "DITP", "territoires"],
        "contributors": [{"title": "DITP (Direction interministérielle de la transformation publique)",
                          "role": "publisher"}],
        "resources": resources,
    }
    if homepage:
        descriptor["homepage"] = homepage
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return descriptor
