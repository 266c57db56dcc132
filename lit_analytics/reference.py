"""Loading the reference data shipped in `data/reference/` (regions, labs, and the public pages their facts come
from) into the store, and reading those sources back for the pages and the briefing deck.

Sources are kept per fact (`sources.csv`: lab, fact, the page's words, title, date, address) so that a lab's
profile links each fact to the page it comes from, and programme-wide figures (`published_figures.csv`) keep every
published version side by side, with its date, where sources disagree.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pandas as pd

from lit_analytics.config import REFERENCE_DIR
from lit_analytics.formats import fmt_date
from lit_analytics.store import Store

REGION_COLUMNS = {"region_code": "VARCHAR", "name": "VARCHAR", "is_overseas": "BOOLEAN", "source": "VARCHAR"}
LAB_COLUMNS = {
    "lab_id": "VARCHAR", "name": "VARCHAR", "region_code": "VARCHAR", "city": "VARCHAR",
    "latitude": "DOUBLE", "longitude": "DOUBLE", "lead_administration": "VARCHAR", "cohort": "VARCHAR",
    "opened_on": "DATE", "closed_on": "DATE", "themes": "VARCHAR", "budget_eur": "DECIMAL(14,2)",
    "identified": "BOOLEAN", "source": "VARCHAR", "assumptions": "VARCHAR", "short_name": "VARCHAR",
}
# `cohorts.csv` and `funding_sources.csv` (migration 008): the registry's lists, same columns in both.
CATALOG_COLUMNS = {
    "code": "VARCHAR", "label": "VARCHAR", "starts_on": "DATE", "ends_on": "DATE", "description": "VARCHAR",
    "source_title": "VARCHAR", "published_on": "DATE", "url": "VARCHAR",
}
CATALOGS = ("cohorts", "funding_sources")
SOURCE_COLUMNS = ["lab_id", "fact", "value", "statement", "source_title", "published_on", "url"]
FIGURE_COLUMNS = ["topic", "figure", "statement", "source_title", "published_on", "url", "disagree"]
SOURCE_REQUIRED = ("lab_id", "fact", "statement", "source_title")
FIGURE_REQUIRED = ("topic", "figure", "statement", "source_title")

# What each kind of fact is called on a lab's profile.
FACT_LABELS = {
    "laureate": "Lauréat de l'appel de 2016", "name": "Nom", "opened_on": "Ouverture", "city": "Ville",
    "lead_administration": "Porteur", "themes": "Thèmes", "budget_eur": "Budget", "pia_eur": "Financement PIA",
    "ftap_award": "Lauréat du FTAP", "activity": "Activité",
}
NO_ADDRESS = "adresse publique non trouvée"


def _read_csv_sql(path: Path, columns: dict[str, str]) -> str:
    cols = ", ".join(f"'{name}': '{typ}'" for name, typ in columns.items())
    literal = str(path).replace("'", "''")
    return f"read_csv('{literal}', header = true, delim = ',', quote = '\"', columns = {{{cols}}})"


def load_reference(store: Store, directory: Path = REFERENCE_DIR) -> dict[str, int]:
    """Replace regions, labs and their sources with the CSV files' contents, in one transaction."""
    lab_ids = {row["lab_id"] for row in read_rows(directory / "labs.csv", ["lab_id"], ("lab_id",))}
    sources = read_sources(directory / "sources.csv", lab_ids)
    figures = read_published_figures(directory / "published_figures.csv")
    with store.transaction(writes=("lab_sources", "published_figures", "labs", "regions", "meta") + CATALOGS) as cur:
        cur.execute("DELETE FROM lab_sources")
        cur.execute("DELETE FROM published_figures")
        cur.execute("DELETE FROM labs")
        cur.execute("DELETE FROM regions")
        cur.execute("INSERT INTO regions SELECT region_code, name, is_overseas FROM "
                    + _read_csv_sql(directory / "regions.csv", REGION_COLUMNS))
        for catalog in CATALOGS:
            cur.execute(f"DELETE FROM {catalog}")
            if (directory / f"{catalog}.csv").exists():
                cur.execute(f"INSERT INTO {catalog} SELECT * FROM "
                            + _read_csv_sql(directory / f"{catalog}.csv", CATALOG_COLUMNS))
        names = ", ".join(LAB_COLUMNS)
        cur.execute(f"INSERT INTO labs ({names}) SELECT {names} FROM "
                    + _read_csv_sql(directory / "labs.csv", LAB_COLUMNS))
        unknown = cur.execute("SELECT lab_id, cohort FROM labs WHERE cohort NOT IN (SELECT code FROM cohorts) "
                              "ORDER BY lab_id").fetchall()
        if unknown:
            raise ValueError(f"labs.csv : cohorte inconnue « {unknown[0][1]} » (laboratoire « {unknown[0][0]} ») : "
                             "ajoutez-la à cohorts.csv.")
        for table, frame in (("lab_sources", sources), ("published_figures", figures)):
            if frame.empty:
                continue
            cur.register("reference_rows", frame)
            cols = ", ".join(frame.columns)
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM reference_rows")
            cur.unregister("reference_rows")
        store.set_meta(cur, "reference_loaded", "true")
    return {"regions": store.scalar("SELECT count(*) FROM regions"),
            "cohorts": store.scalar("SELECT count(*) FROM cohorts"),
            "funding_sources": store.scalar("SELECT count(*) FROM funding_sources"),
            "labs": store.scalar("SELECT count(*) FROM labs"),
            "lab_sources": store.scalar("SELECT count(*) FROM lab_sources"),
            "published_figures": store.scalar("SELECT count(*) FROM published_figures")}


# --- reading and checking the source files ------------------------------------------------------

def read_rows(path: Path, columns: list[str], required: tuple[str, ...]) -> list[dict[str, str]]:
    """The file's rows as text, with a French error naming the file, line (header = 1) and column."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name}, ligne 1 : colonne(s) manquante(s) : {', '.join(missing)}.")
        rows = []
        for line, row in enumerate(reader, start=2):
            if None in row:
                raise ValueError(f"{path.name}, ligne {line} : trop de valeurs (une virgule hors guillemets ?).")
            row = {c: (row[c] or "").strip() for c in columns}
            for column in required:
                if not row[column]:
                    raise ValueError(f"{path.name}, ligne {line}, colonne « {column} » : valeur obligatoire absente.")
            row["_line"] = line
            rows.append(row)
    return rows


def _checked_date_and_url(path: Path, row: dict) -> tuple[date | None, str | None]:
    line = row["_line"]
    published = None
    if row["published_on"]:
        try:
            published = date.fromisoformat(row["published_on"])
        except ValueError:
            raise ValueError(f"{path.name}, ligne {line}, colonne « published_on » : « {row['published_on']} » "
                             "n'est pas une date AAAA-MM-JJ.") from None
    url = row["url"] or None
    if url and not re.match(r"^https?://[^\s]+$", url):
        raise ValueError(f"{path.name}, ligne {line}, colonne « url » : « {url} » n'est pas une adresse http(s).")
    return published, url


def read_sources(path: Path, lab_ids: set[str] | None = None) -> pd.DataFrame:
    """`sources.csv` checked: every lab known, dates ISO, addresses http(s). One row per lab, fact and page."""
    rows = read_rows(path, SOURCE_COLUMNS, SOURCE_REQUIRED)
    out = []
    for seq, row in enumerate(rows, start=1):
        if lab_ids is not None and row["lab_id"] not in lab_ids:
            raise ValueError(f"{path.name}, ligne {row['_line']}, colonne « lab_id » : laboratoire inconnu "
                             f"« {row['lab_id']} » (absent de labs.csv).")
        published, url = _checked_date_and_url(path, row)
        out.append((row["lab_id"], row["fact"], seq, row["value"] or None, row["statement"], row["source_title"],
                    published, url))
    return pd.DataFrame(out, columns=["lab_id", "fact", "seq", "value", "statement", "source_title",
                                      "published_on", "url"])


def read_published_figures(path: Path) -> pd.DataFrame:
    """`published_figures.csv` checked: what public pages say about the programme, in file order."""
    rows = read_rows(path, FIGURE_COLUMNS, FIGURE_REQUIRED)
    out = []
    for seq, row in enumerate(rows, start=1):
        published, url = _checked_date_and_url(path, row)
        if row["disagree"] not in ("true", "false"):
            raise ValueError(f"{path.name}, ligne {row['_line']}, colonne « disagree » : « {row['disagree']} » "
                             "au lieu de true ou false.")
        out.append((seq, row["topic"], row["figure"], row["statement"], row["source_title"], published, url,
                    row["disagree"] == "true"))
    return pd.DataFrame(out, columns=["seq", "topic", "figure", "statement", "source_title", "published_on", "url",
                                      "disagree"])


# --- reading the sources back from the store ----------------------------------------------------

def lab_sources(store: Store, lab_id: str) -> pd.DataFrame:
    """The public pages behind one lab's facts, in the order of `sources.csv`."""
    return store.query_df("""SELECT fact, value, statement, source_title, published_on, url FROM lab_sources
                             WHERE lab_id = ? ORDER BY seq""", [lab_id])


def published_figures(store: Store) -> pd.DataFrame:
    """What public pages published about the programme as a whole, disagreements included."""
    return store.query_df("SELECT topic, figure, statement, source_title, published_on, url, disagree "
                          "FROM published_figures ORDER BY seq")


def known_amounts(store: Store) -> dict[str, dict[str, float | int]]:
    """Amounts and dates public pages give for a lab, for the demo generator: {lab_id: {'pia_eur': 162000.0,
    'ftap_award_year': 2018}}. Only facts with a public address count."""
    known: dict[str, dict[str, float | int]] = {}
    for lab_id, fact, value in store.query(
            "SELECT lab_id, fact, value FROM lab_sources WHERE fact IN ('pia_eur', 'ftap_award') "
            "AND value IS NOT NULL AND url IS NOT NULL ORDER BY seq"):
        key = "pia_eur" if fact == "pia_eur" else "ftap_award_year"
        known.setdefault(lab_id, {})[key] = float(value) if fact == "pia_eur" else int(value)
    return known


def source_links(store: Store, lab_ids: list[str] | None = None) -> list[tuple[str, str]]:
    """(title, address) of every distinct public page behind the given labs (all labs when None), then behind
    the programme's published figures, in file order. Pages without an address are left out."""
    if lab_ids is None:
        labs = store.query("SELECT source_title, url FROM lab_sources WHERE url IS NOT NULL ORDER BY seq")
    elif lab_ids:
        marks = ", ".join("?" for _ in lab_ids)
        labs = store.query(f"SELECT source_title, url FROM lab_sources WHERE url IS NOT NULL "
                           f"AND lab_id IN ({marks}) ORDER BY seq", list(lab_ids))
    else:
        labs = []
    programme = store.query("SELECT source_title, url FROM published_figures WHERE url IS NOT NULL ORDER BY seq")
    seen, links = set(), []
    for title, url in list(labs) + list(programme):
        if url not in seen:
            seen.add(url)
            links.append((title, url))
    return links


# --- French text for the pages ------------------------------------------------------------------

def _md(text: str) -> str:
    """Text safe inside Streamlit markdown (no accidental links, emphasis or formulas)."""
    return re.sub(r"([\\`*_\[\]<>$#|~])", r"\\\1", str(text))


def _citation(title: str, published_on, url: str | None) -> str:
    when = fmt_date(published_on) if published_on is not None and not pd.isna(published_on) else ""
    label = _md(title) + (f", {when}" if when else "")
    if url and not pd.isna(url):
        return f"[{label}]({url.replace(')', '%29').replace(' ', '%20')})"
    return f"{label} ({NO_ADDRESS})"


def lab_sources_markdown(sources: pd.DataFrame) -> str:
    """One line per fact and page: « **Ouverture** : what the page says — [title, date](address) »."""
    if sources.empty:
        return "Aucune source enregistrée pour ce laboratoire dans cette base (reconstruisez-la avec « init »)."
    lines = []
    for row in sources.itertuples(index=False):
        label = FACT_LABELS.get(row.fact, row.fact)
        lines.append(f"- **{_md(label)}** : {_md(row.statement)} — {_citation(row.source_title, row.published_on, row.url)}")
    return "\n".join(lines)


def lab_sources_text(store: Store, lab_id: str) -> str:
    """`lab_sources_markdown` of a lab's sources (what its profile shows)."""
    return lab_sources_markdown(lab_sources(store, lab_id))


def published_figures_text(store: Store) -> str:
    """`published_figures_markdown` of the store's published figures (what the home page shows)."""
    return published_figures_markdown(published_figures(store))


def published_figures_markdown(figures: pd.DataFrame) -> str:
    """The programme's published figures grouped by topic, each with its date and page, disagreements side by side."""
    if figures.empty:
        return "Aucun chiffre publié enregistré dans cette base (reconstruisez-la avec « init »)."
    parts = ["Ce que les pages publiques ont dit du programme, avec leur date et leur adresse ; quand elles "
             "divergent, toutes sont citées."]
    for topic, group in figures.groupby("topic", sort=False):
        differ = bool(group["disagree"].any())
        head = f"**{_md(topic)}**" + (" — les sources ne concordent pas :" if differ else " :")
        items = [f"- {_md(r.figure)} — {_md(r.statement)} — {_citation(r.source_title, r.published_on, r.url)}"
                 for r in group.itertuples(index=False)]
        parts.append("\n".join([head, *items]))
    return "\n\n".join(parts)
