"""Deterministic demonstration data, consistent with the public record.

What is public (seed 004, DITP, 01/12/2020): 12 laureates funded since end 2016, 9 still active on
1 December 2020, "nearly 200 projects and actions" and "nearly 500 training sessions". The funding rules
of the 2016 call (PIA: at most 250 000 € per laureate, 50 % of a budget of at most 500 000 €, over the first
18 months), FTAP money from 2019 here, and France Relance money (about 200 000 € per lab) from end 2020.
Where a public page gives a lab's amount or award (`data/reference/sources.csv`: Archipel 162 000 € of PIA,
LaBase 250 000 €, Lab'O's FTAP award of 2018), the demo follows it; the rest stays invented.

Everything this module produces is invented and flagged: every row belongs to a report version with
`is_demo = true`, registered as an import of origin `demo` by the user « démo ».

`scale=K` multiplies the volume for benchmarks: K−1 fictitious copies of every lab (same cohort, region and
dates, named « Laboratoire fictif n° … (démo) ») with their own activity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from lit_analytics import demo_meteo, domain
from lit_analytics.formats import (last_complete_quarter, quarter_end, quarter_of, quarter_range,
                                   quarter_start)
from lit_analytics.reference import known_amounts
from lit_analytics.store import Store

END_2020 = "2020-T4"

PROJECT_TITLES = {
    "Inclusion et solidarités": ["Accès aux droits des personnes sans domicile", "Lutte contre le non-recours",
                                 "Accueil social de proximité", "Parcours des aidants"],
    "Emploi et économie sociale et solidaire": ["Accompagnement des structures de l'ESS", "Insertion des jeunes",
                                                "Recrutement dans les métiers en tension", "Tiers-lieux solidaires"],
    "Transition écologique et énergie": ["Rénovation énergétique des bâtiments publics", "Covoiturage des agents",
                                         "Sobriété numérique", "Démarches environnementales simplifiées"],
    "Numérique et données": ["Ouverture des données régionales", "Tableau de bord partagé",
                             "Inclusion numérique des usagers", "Dématérialisation d'une procédure"],
    "Relation aux usagers": ["Refonte d'un accueil en préfecture", "Courriers administratifs en langage clair",
                             "Prise de rendez-vous simplifiée", "Parcours usager d'une démarche"],
    "Ressources humaines et management": ["Intégration des nouveaux agents", "Télétravail et management",
                                          "Mobilité inter-administrations", "Communauté d'innovateurs"],
    "Coopération État-collectivités": ["Guichet partagé avec les collectivités", "Contrat territorial commun",
                                       "Diagnostic territorial partagé", "Ingénierie de projet mutualisée"],
    "Santé": ["Prévention en milieu rural", "Accès aux soins de proximité"],
    "Jeunesse et éducation": ["Engagement des jeunes", "Décrochage scolaire"],
    "Contrôle et inspection": ["Méthodes d'inspection renouvelées", "Contrôle plus lisible pour les entreprises"],
    "Autre": ["Projet transversal", "Expérimentation locale"],
}
SESSION_TITLES = {
    "formation": ["Initiation au design de services", "Conduire une expérimentation", "Animer un atelier",
                  "Méthodes agiles pour les projets publics", "Exploiter les données ouvertes"],
    "atelier": ["Atelier de co-construction", "Atelier usagers", "Atelier d'idéation", "Atelier prototypage"],
    "webinaire": ["Webinaire retour d'expérience", "Webinaire innovation publique"],
    "sensibilisation": ["Sensibilisation à l'innovation publique", "Découverte du laboratoire"],
    "autre": ["Séminaire des innovateurs", "Visite apprenante"],
}
SESSION_FORMAT_WEIGHTS = [0.45, 0.3, 0.1, 0.1, 0.05]


@dataclass
class DemoData:
    labs: pd.DataFrame               # every lab (reference and fictitious), with demo budgets filled
    project_snapshots: pd.DataFrame  # lab_id, quarter, project_id, title, theme, status, ...
    sessions: pd.DataFrame
    tranches: pd.DataFrame
    until: str


def _lab_quarters(opened: date, closed: date | None, until: str) -> list[str]:
    last = until if closed is None else min(until, quarter_of(closed))
    first = max(domain.FIRST_QUARTER, quarter_of(opened))
    return quarter_range(first, last) if first <= last else []


def _random_day(rng: np.random.Generator, start: date, end: date) -> date:
    span = (end - start).days
    return start + timedelta(days=int(rng.integers(0, span + 1))) if span > 0 else start


def _open_window(q: str, opened: date, closed: date | None) -> tuple[date, date]:
    start = max(quarter_start(q), opened)
    end = quarter_end(q) if closed is None else min(quarter_end(q), closed)
    return start, end


def _expand_labs(labs: pd.DataFrame, scale: int, rng: np.random.Generator) -> pd.DataFrame:
    if scale <= 1:
        return labs.copy()
    copies = [labs]
    n = len(labs)
    for k in range(1, scale):
        clone = labs.copy()
        clone["lab_id"] = [f"{lab}-fictif-{k}" for lab in labs["lab_id"]]
        clone["name"] = [f"Laboratoire fictif n° {n * k + i + 1} (démo)" for i in range(n)]
        clone["latitude"] = clone["latitude"] + rng.normal(0, 0.15, n)
        clone["longitude"] = clone["longitude"] + rng.normal(0, 0.15, n)
        clone["identified"] = False
        clone["source"] = "démo"
        clone["assumptions"] = "laboratoire fictif créé pour les mesures de volume (--scale)"
        copies.append(clone)
    return pd.concat(copies, ignore_index=True)


def _fill_budgets(labs: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    labs = labs.copy()
    missing = labs["budget_eur"].isna() & (labs["cohort"] == "laureat-2016")
    labs.loc[missing, "budget_eur"] = rng.integers(30, 51, missing.sum()) * 10_000
    labs.loc[missing, "assumptions"] = [
        (a + " ; " if isinstance(a, str) and a else "") + "budget (démo)" for a in labs.loc[missing, "assumptions"]]
    return labs


def _allocate(rng: np.random.Generator, total: int, weights: np.ndarray) -> np.ndarray:
    """Split an exact total over cells in proportion to weights."""
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=int)
    return rng.multinomial(total, weights / weights.sum())


def _project_path(rng: np.random.Generator) -> list[tuple[str, int]]:
    """A project's stages and how many quarters it spends in each, ending in a terminal status."""
    path = [("émergence", int(rng.integers(1, 3))), ("conception", int(rng.integers(1, 3)))]
    stages = ["expérimentation", "déploiement", "essaimage"]
    reach = rng.choice([1, 2, 3], p=[0.3, 0.4, 0.3])  # how far it goes
    for stage in stages[:reach]:
        path.append((stage, int(rng.integers(1, 5))))
    path.append(("abandonné" if reach == 1 and rng.random() < 0.5 else "terminé", 2))
    return path


def generate(labs: pd.DataFrame, *, seed: int = 42, scale: int = 1, until: str | None = None,
             known: dict[str, dict] | None = None) -> DemoData:
    """Invent activity for the given labs (reference rows) from 2017 to `until` (default: last complete quarter).

    `known` ({lab_id: {'pia_eur': …, 'ftap_award_year': …}}, from `reference.known_amounts`) are public amounts
    and awards the demo follows."""
    until = until or last_complete_quarter()
    rng = np.random.default_rng(seed)
    known = known or {}
    labs = _fill_budgets(_expand_labs(labs.reset_index(drop=True), scale, rng), rng)
    pia_known = labs["lab_id"].map(lambda lab: known.get(lab, {}).get("pia_eur")).astype(float)
    too_small = pia_known.notna() & (labs["budget_eur"].astype(float) < 2 * pia_known)  # PIA: 50 % at most
    labs.loc[too_small, "budget_eur"] = 2 * pia_known[too_small]
    labs["opened_on"] = pd.to_datetime(labs["opened_on"]).dt.date
    labs["closed_on"] = [None if pd.isna(d) else pd.Timestamp(d).date() for d in labs["closed_on"]]
    # The random draws happen in this order (same seed, same data): plan, themes, projects, sessions, funding.
    cells, new_projects, new_sessions = _activity_plan(labs, rng, until, scale)
    theme_pref = {i: rng.dirichlet(np.full(len(domain.THEMES), 0.6)) for i in labs.index}
    snapshots = _project_snapshots(labs, cells, new_projects, theme_pref, rng, until)
    sessions = _training_sessions(labs, cells, new_sessions, rng)
    tranches = _funding(labs, rng, until, known)
    return DemoData(labs=labs, project_snapshots=snapshots, sessions=sessions, tranches=tranches, until=until)


def _activity_plan(labs: pd.DataFrame, rng: np.random.Generator, until: str,
                   scale: int) -> tuple[list[tuple[int, str]], np.ndarray, np.ndarray]:
    """The cells (lab index, quarter) where a lab is open, and how many projects and sessions start in each:
    exact totals by end 2020 ("près de 200" / "près de 500" per copy of the programme), then a similar pace."""
    cells = [(i, q) for i, row in labs.iterrows() for q in _lab_quarters(row.opened_on, row.closed_on, until)]
    cell_lab = np.array([i for i, _ in cells])
    cell_q = np.array([q for _, q in cells])
    activity = rng.gamma(4.0, 0.25, len(labs))  # each lab's activity level, mean 1
    ramp = np.array([min(1.0, 0.35 + 0.1 * quarter_range(domain.FIRST_QUARTER, q).__len__()) for q in cell_q])
    weights = activity[cell_lab] * ramp
    early = cell_q <= END_2020

    n_projects_2020 = int(rng.integers(186, 199)) * scale
    n_sessions_2020 = int(rng.integers(472, 499)) * scale
    new_projects = np.zeros(len(cells), dtype=int)
    new_sessions = np.zeros(len(cells), dtype=int)
    new_projects[early] = _allocate(rng, n_projects_2020, weights[early])
    new_sessions[early] = _allocate(rng, n_sessions_2020, weights[early])
    late = ~early
    if late.any():
        proj_rate = n_projects_2020 / max(weights[early].sum(), 1e-9)
        sess_rate = n_sessions_2020 / max(weights[early].sum(), 1e-9)
        new_projects[late] = rng.poisson(proj_rate * weights[late] * 0.8)
        new_sessions[late] = rng.poisson(sess_rate * weights[late] * 0.9)
    return cells, new_projects, new_sessions


def _project_snapshots(labs: pd.DataFrame, cells: list[tuple[int, str]], new_projects: np.ndarray,
                       theme_pref: dict, rng: np.random.Generator, until: str) -> pd.DataFrame:
    """Quarterly portfolio snapshots: each project appears in every quarter of its path through the stages."""
    lab_quarters = {i: _lab_quarters(r.opened_on, r.closed_on, until) for i, r in labs.iterrows()}
    snap_rows = []
    seq: dict[int, int] = {}
    for c, (i, q0) in enumerate(cells):
        lab = labs.loc[i]
        for _ in range(new_projects[c]):
            seq[i] = seq.get(i, 0) + 1
            project_id = f"P-{q0[:4]}-{seq[i]:03d}"
            theme = domain.THEMES[int(rng.choice(len(domain.THEMES), p=theme_pref[i]))]
            title = str(rng.choice(PROJECT_TITLES[theme]))
            win_start, win_end = _open_window(q0, lab.opened_on, lab.closed_on)
            started = _random_day(rng, win_start, win_end)
            partners = ", ".join(sorted(rng.choice(domain.PARTNER_TYPES, int(rng.integers(1, 4)), replace=False),
                                        key=domain.PARTNER_TYPES.index))
            users = int(rng.lognormal(3.5, 1.2)) if rng.random() < 0.8 else None
            agents = int(rng.integers(2, 60))
            budget = float(rng.integers(0, 30) * 5_000) if rng.random() < 0.7 else None
            statuses = [s for s, n in _project_path(rng) for _ in range(n)]
            quarters = [q for q in lab_quarters[i] if q >= q0][:len(statuses)]
            ended_on = None
            for k, q in enumerate(quarters):
                status = statuses[k]
                if status in ("terminé", "abandonné") and ended_on is None:
                    ended_on = max(_random_day(rng, quarter_start(q), quarter_end(q)), started)
                snap_rows.append((lab.lab_id, q, project_id, title, theme, status, started, ended_on,
                                  partners, users, agents, budget))
    return pd.DataFrame(snap_rows, columns=[
        "lab_id", "quarter", "project_id", "title", "theme", "status", "started_on", "ended_on",
        "partner_types", "users_involved", "agents_involved", "budget_eur"])


def _training_sessions(labs: pd.DataFrame, cells: list[tuple[int, str]], new_sessions: np.ndarray,
                       rng: np.random.Generator) -> pd.DataFrame:
    sess_rows = []
    for c, (i, q) in enumerate(cells):
        lab = labs.loc[i]
        start, end = _open_window(q, lab.opened_on, lab.closed_on)
        for k in range(new_sessions[c]):
            fmt = domain.SESSION_FORMATS[int(rng.choice(5, p=SESSION_FORMAT_WEIGHTS))]
            sess_rows.append((
                lab.lab_id, q, f"S-{q}-{k + 1:03d}", _random_day(rng, start, end),
                str(rng.choice(SESSION_TITLES[fmt])), fmt,
                float(rng.choice([1.0, 2.0, 3.0, 3.5, 6.0, 7.0, 14.0])),
                int(rng.integers(4, 41)), int(rng.integers(0, 31)) if rng.random() < 0.6 else None))
    return pd.DataFrame(sess_rows, columns=[
        "lab_id", "quarter", "session_id", "held_on", "title", "format", "duration_hours",
        "participants_agents", "participants_others"])


def _funding(labs: pd.DataFrame, rng: np.random.Generator, until: str, known: dict[str, dict]) -> pd.DataFrame:
    rows = []
    horizon = quarter_end(until)

    def add(lab_id, source, amount, committed, paid, purpose):
        if committed > horizon:
            return
        rows.append((lab_id, source, round(float(amount), 2), committed,
                     paid if paid is not None and paid <= horizon else None, purpose))

    for _, lab in labs.iterrows():
        closed = lab.closed_on or date(2100, 1, 1)
        if lab.cohort == "laureat-2016":
            # PIA: 50 % of the budget, at most 250 000 €, paid in 2017-2018 within 18 months.
            total = known.get(lab.lab_id, {}).get("pia_eur") or min(
                domain.PIA_MAX_PER_LAUREATE_EUR, float(lab.budget_eur) * domain.PIA_MAX_SHARE_OF_BUDGET)
            first = round(total * 0.6, -3)
            committed = lab.opened_on + timedelta(days=int(rng.integers(5, 40)))
            add(lab.lab_id, "PIA", first, committed, committed + timedelta(days=int(rng.integers(20, 90))),
                "PIA — première tranche")
            add(lab.lab_id, "PIA", total - first, committed,
                lab.opened_on + timedelta(days=int(rng.integers(300, 540))), "PIA — solde")
        # A public FTAP award (Lab'O's Incub'O, 2018): dated as published, amount invented.
        award_year = known.get(lab.lab_id, {}).get("ftap_award_year")
        if award_year:
            day = max(lab.opened_on, date(award_year, int(rng.integers(1, 13)), int(rng.integers(1, 29))))
            add(lab.lab_id, "FTAP", int(rng.integers(5, 21)) * 10_000, day,
                day + timedelta(days=int(rng.integers(30, 240))),
                f"FTAP — lauréat {award_year} (source publique ; montant de démonstration)")
        # FTAP from 2019 on, for some labs open then.
        for year in range(2019, int(until[:4]) + 1):
            day = date(year, int(rng.integers(1, 13)), int(rng.integers(1, 29)))
            if lab.opened_on <= day <= closed and rng.random() < 0.25:
                amount = int(rng.integers(5, 21)) * 10_000
                add(lab.lab_id, "FTAP", amount, day, day + timedelta(days=int(rng.integers(30, 240))),
                    "FTAP — projet de transformation")
        # France Relance: about 200 000 € per lab active from end 2020, or at creation.
        if closed >= date(2020, 12, 1):
            start = max(lab.opened_on, date(2020, 12, 1))
            committed = start + timedelta(days=int(rng.integers(0, 90)))
            amount = int(rng.integers(18, 23)) * 10_000
            add(lab.lab_id, "relance", amount / 2, committed, committed + timedelta(days=int(rng.integers(30, 120))),
                "France Relance — première tranche")
            add(lab.lab_id, "relance", amount / 2, committed, committed + timedelta(days=int(rng.integers(240, 420))),
                "France Relance — solde")
        # Local co-funding, now and then.
        if rng.random() < 0.5:
            day = max(lab.opened_on, date(2018, 1, 1)) + timedelta(days=int(rng.integers(0, 900)))
            if day <= closed:
                add(lab.lab_id, "autre", int(rng.integers(1, 11)) * 5_000, day, day + timedelta(days=60),
                    "Cofinancement local")
    tranches = pd.DataFrame(rows, columns=["lab_id", "source", "amount_eur", "committed_on", "paid_on", "purpose"])
    tranches = tranches.sort_values(["committed_on", "lab_id", "source"], kind="stable").reset_index(drop=True)
    tranches.insert(0, "tranche_id", [f"TR-{n + 1:05d}" for n in range(len(tranches))])
    return tranches


def load_demo(store: Store, *, seed: int = 42, scale: int = 1, until: str | None = None) -> dict[str, int]:
    """Generate demo activity and store it, in one transaction, as versions flagged `is_demo`."""
    labs = store.query_df("SELECT * FROM labs WHERE lab_id NOT LIKE '%-fictif-%' ORDER BY lab_id")
    if labs.empty:
        raise ValueError("Aucun laboratoire de référence : lancez d'abord « init ».")
    data = generate(labs, seed=seed, scale=scale, until=until, known=known_amounts(store))
    now = datetime.now().replace(microsecond=0)

    # One report version per (lab, quarter) and kind: every open quarter has its two reports.
    open_cells = [(r.lab_id, q) for r in data.labs.itertuples()
                  for q in _lab_quarters(r.opened_on, r.closed_on, data.until)]
    versions = [("projets", lab, q) for lab, q in open_cells] + [("sessions", lab, q) for lab, q in open_cells]
    versions.append(("financements", None, None))

    with store.transaction(writes=("labs", "imports", "report_versions", "project_snapshots", "training_sessions",
                                   "funding_tranches", "meteo_reports", "meta")) as cur:
        if cur.execute("SELECT count(*) FROM report_versions").fetchone()[0]:
            raise ValueError("La base contient déjà des données d'activité : utilisez « init --force ».")
        _store_labs(cur, data)
        _store_versions(cur, data, versions, now, seed, scale)
        snaps, sess, tr = _store_rows(cur, data, versions)
        meteo = demo_meteo.store_meteo(cur, open_cells, snaps, now, seed)
        store.set_meta(cur, "demo", f"seed={seed};scale={scale};until={data.until}")
    return {"labs": len(data.labs), "project_snapshots": len(snaps), "projects": snaps.project_id.size and
            int(snaps[["lab_id", "project_id"]].drop_duplicates().shape[0]),
            "training_sessions": len(sess), "funding_tranches": len(tr), "versions": len(versions),
            "meteo_reports": meteo}


def _store_labs(cur, data: DemoData) -> None:
    """Demo budgets on reference labs that have none, and the fictitious labs of `scale` > 1."""
    cur.register("demo_lab_updates", data.labs[["lab_id", "budget_eur", "assumptions"]])
    cur.execute("UPDATE labs SET budget_eur = u.budget_eur, assumptions = u.assumptions "
                "FROM demo_lab_updates u WHERE labs.lab_id = u.lab_id AND labs.budget_eur IS NULL "
                "AND u.budget_eur IS NOT NULL")
    cur.unregister("demo_lab_updates")
    extra = data.labs[data.labs["lab_id"].str.contains("-fictif-")]
    if not extra.empty:
        cols = ["lab_id", "name", "region_code", "city", "latitude", "longitude", "lead_administration",
                "cohort", "opened_on", "closed_on", "themes", "budget_eur", "identified", "source", "assumptions"]
        cur.register("demo_extra_labs", extra[cols])
        cur.execute(f"INSERT INTO labs ({', '.join(cols)}) SELECT {', '.join(cols)} FROM demo_extra_labs")
        cur.unregister("demo_extra_labs")


def _store_versions(cur, data: DemoData, versions: list[tuple], now: datetime, seed: int, scale: int) -> None:
    """One import of origin `demo` and one current, demo-flagged report version per entry of `versions`."""
    counts = {"projets": data.project_snapshots.groupby(["lab_id", "quarter"]).size().to_dict(),
              "sessions": data.sessions.groupby(["lab_id", "quarter"]).size().to_dict()}
    meta = pd.DataFrame(
        [(n + 1, kind, lab, q,
          len(data.tranches) if kind == "financements" else counts[kind].get((lab, q), 0))
         for n, (kind, lab, q) in enumerate(versions)],
        columns=["version_id", "kind", "lab_id", "quarter", "row_count"])
    meta["received_at"] = now
    cur.register("demo_versions", meta)
    cur.execute("""INSERT INTO imports (import_id, kind, lab_id, quarter, origin, file_name, sha256, user_email,
                                        received_at, row_count, outcome, detail)
                   SELECT version_id, kind, lab_id, quarter, 'demo', NULL, NULL, ?, received_at, row_count,
                          'publié', 'Données de démonstration générées (graine ' || ? || ', échelle ' || ? || ')'
                   FROM demo_versions""", [domain.DEMO_USER, seed, scale])
    cur.execute("""INSERT INTO report_versions (version_id, kind, lab_id, quarter, import_id, is_demo,
                                                published_at, published_by, is_current)
                   SELECT version_id, kind, lab_id, quarter, version_id, true, received_at, ?, true
                   FROM demo_versions""", [domain.DEMO_USER])
    cur.unregister("demo_versions")


def _store_rows(cur, data: DemoData, versions: list[tuple]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The project snapshots, sessions and tranches, each row under its report version."""
    key = {(kind, lab, q): n + 1 for n, (kind, lab, q) in enumerate(versions)}
    snaps = data.project_snapshots.copy()
    snaps.insert(0, "version_id", [key[("projets", lab, q)] for lab, q in zip(snaps.lab_id, snaps.quarter)])
    sess = data.sessions.copy()
    sess.insert(0, "version_id", [key[("sessions", lab, q)] for lab, q in zip(sess.lab_id, sess.quarter)])
    tr = data.tranches.copy()
    tr.insert(0, "version_id", key[("financements", None, None)])
    for name, frame, table in (("demo_snapshots", snaps, "project_snapshots"),
                               ("demo_sessions", sess, "training_sessions"),
                               ("demo_tranches", tr, "funding_tranches")):
        cur.register(name, frame)
        cur.execute(f"INSERT INTO {table} ({', '.join(frame.columns)}) SELECT {', '.join(frame.columns)} FROM {name}")
        cur.unregister(name)
    return snaps, sess, tr
