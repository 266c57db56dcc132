"""Demonstration météo: for the last quarters each lab was open, an invented météo and three short texts, each
text starting with « Démonstration — » and every version flagged `is_demo` (published by « démo »), so no reader
takes them for a lab's words. Drawn from their own random stream: the rest of the demo data is unchanged."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from lit_analytics import domain

QUARTERS = 6          # how many of each lab's last open quarters get a météo
LABEL = "Démonstration — "
# Next level from the current one (soleil, couvert, nuage, orage): a lab's weather changes slowly.
_MOVES = np.array([[0.6, 0.3, 0.1, 0.0], [0.25, 0.5, 0.2, 0.05], [0.1, 0.4, 0.4, 0.1], [0.0, 0.3, 0.5, 0.2]])
HIGHLIGHTS = {
    "soleil": ["expérimentation « {p} » étendue à deux nouveaux sites après une évaluation favorable.",
               "comité de pilotage avec le préfet : le projet « {p} » entre en déploiement."],
    "couvert": ["premiers ateliers usagers du projet « {p} » tenus comme prévu.",
                "prototype du projet « {p} » présenté aux services, retours en cours d'analyse."],
    "nuage": ["le projet « {p} » avance, mais le calendrier de l'expérimentation a glissé d'un trimestre.",
              "deux sessions de formation reportées ; le projet « {p} » attend la décision des partenaires."],
    "orage": ["le projet « {p} » est suspendu faute de partenaire pour l'expérimentation.",
              "départ de la cheffe de projet : les actions du trimestre sont à l'arrêt."],
}
DIFFICULTIES = {
    "soleil": ["aucune difficulté notable ce trimestre."],
    "couvert": ["disponibilité limitée des agents pour les ateliers.", "délais de passation d'un marché."],
    "nuage": ["poste de designer vacant depuis deux mois.", "accès aux données des partenaires non résolu."],
    "orage": ["budget de l'année non confirmé.", "équipe réduite à une personne."],
}
NEEDS = {
    "soleil": ["aucun besoin particulier ; partage d'expérience possible avec d'autres laboratoires."],
    "couvert": ["mise en relation avec un laboratoire ayant mené un projet comparable."],
    "nuage": ["appui juridique sur le partage de données.", "relais auprès de l'administration centrale."],
    "orage": ["arbitrage sur le financement et appui au recrutement."],
}


def meteo_rows(open_cells: list[tuple[str, str]], titles: dict[str, list[str]], seed: int) -> pd.DataFrame:
    """lab_id, quarter, level and the three texts for the last `QUARTERS` open quarters of each lab.
    `titles`: project titles of each lab (its texts name one of them)."""
    rng = np.random.default_rng([seed, 22])
    by_lab: dict[str, list[str]] = {}
    for lab, quarter in open_cells:
        by_lab.setdefault(lab, []).append(quarter)
    rows = []
    for lab in sorted(by_lab):
        level = int(rng.choice(4, p=[0.3, 0.45, 0.2, 0.05]))
        for quarter in sorted(by_lab[lab])[-QUARTERS:]:
            level = int(rng.choice(4, p=_MOVES[level]))
            code = domain.METEO_LEVELS[level]
            project = rng.choice(titles.get(lab) or ["Expérimentation locale"])
            pick = lambda texts: LABEL + str(rng.choice(texts))  # noqa: E731
            rows.append((lab, quarter, code, pick(HIGHLIGHTS[code]).replace("{p}", str(project)),
                         pick(DIFFICULTIES[code]), pick(NEEDS[code])))
    return pd.DataFrame(rows, columns=["lab_id", "quarter", "level", "highlights", "difficulties", "support_needs"])


def store_meteo(cur, open_cells: list[tuple[str, str]], snapshots: pd.DataFrame, now: datetime, seed: int) -> int:
    """Insert the demonstration météo (current, demo-flagged, not public) in the caller's transaction, which
    declares `meteo_reports`. Returns the number of rows."""
    titles = snapshots.groupby("lab_id")["title"].agg(lambda t: sorted(set(t))).to_dict() if len(snapshots) else {}
    frame = meteo_rows(open_cells, titles, seed)
    frame.insert(0, "version_id", range(1, len(frame) + 1))
    frame["published_at"] = now
    cur.register("demo_meteo", frame)
    try:
        cur.execute("""INSERT INTO meteo_reports (version_id, lab_id, quarter, level, highlights, difficulties,
                                                  support_needs, file_name, sha256, is_demo, published_at,
                                                  published_by, is_current, is_public)
                       SELECT version_id, lab_id, quarter, level, highlights, difficulties, support_needs, NULL, NULL,
                              true, published_at, ?, true, false FROM demo_meteo""", [domain.DEMO_USER])
    finally:
        cur.unregister("demo_meteo")
    return len(frame)
