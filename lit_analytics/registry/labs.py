"""The labs of the registry, changed in the running service: add, correct, close, reopen (administrators only).

Every change is checked (`permissions.require_admin`, refusals audited), validated with French messages
(`values`), written in one transaction with one `lab_changes` row per field (before, after, who, when, the public
page it comes from), audited with before/after (`audit.record`), and — when a page is cited — added to the lab's
sources (`lab_sources`), so the profile links it. The transaction declares `labs`: the figures' data version moves
and every page, export and reminder shows the change at the next click.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from lit_analytics import audit, geo
from lit_analytics.audit import Action, Outcome
from lit_analytics.formats import fmt_date
from lit_analytics.permissions import Actor, PermissionDenied, require_admin
from lit_analytics.registry import values as V
from lit_analytics.registry.values import CREATED, FIELD_LABELS, LAB_FIELDS, Citation, RegistryError
from lit_analytics.store import Store

# What a registry write may touch: the lab, its history, its sources, the journal.
LAB_TABLES = ("labs", "lab_changes", "lab_sources", audit.TABLE)
CLOSED = "closed_on"


def require_registry_admin(store: Store, actor: Actor, action: Action, target: str | None) -> None:
    """Administrators only; a refusal is audited."""
    try:
        require_admin(actor, "tenir le référentiel des laboratoires")
    except PermissionDenied as exc:
        audit.log(store, actor.email, action, Outcome.REFUSED, target, str(exc))
        raise


def lab_row(store: Store, lab_id: str) -> dict | None:
    """The lab's fields as Python values (dates, Decimal, float, bool), or None for an unknown id."""
    names = ["lab_id", *LAB_FIELDS]
    rows = store.query(f"SELECT {', '.join(names)} FROM labs WHERE lab_id = ?", [lab_id])
    return dict(zip(names, rows[0])) if rows else None


def codes(store: Store, table: str) -> set[str]:
    return {c for (c,) in store.query(f"SELECT code FROM {table}")}


# --- validation -----------------------------------------------------------------------------------

def clean(store: Store, given: dict, current: dict | None = None, cohorts: set[str] | None = None) -> dict:
    """The given fields checked and typed (only those given); `current` is the lab as it is (for cross-field
    rules on an edit); `cohorts` the known cohort codes (default: the store's). Raises RegistryError (French)."""
    unknown = sorted(set(given) - set(LAB_FIELDS))
    if unknown:
        raise RegistryError(f"Champ inconnu : « {unknown[0]} » (attendu : {', '.join(LAB_FIELDS)}).")
    out: dict = {}
    for field, value in given.items():
        label = FIELD_LABELS[field]
        if field in V.DATE_FIELDS:
            out[field] = V.to_date(value, label)
        elif field == "latitude":
            out[field] = V.to_number(value, label, -90, 90)
        elif field == "longitude":
            out[field] = V.to_number(value, label, -180, 180)
        elif field == "budget_eur":
            out[field] = V.to_budget(value)
        elif field == "identified":
            out[field] = V.to_bool(value, label)
        elif field == "short_name":
            out[field] = V.text(value, label, limit=40)
        elif field == "name":
            out[field] = V.text(value, label, required=True, limit=200)
        else:
            out[field] = V.text(value, label, required=field in ("cohort", "source"))
    if out.get("region_code") is not None:
        out["region_code"] = out["region_code"].zfill(2)
        if not store.scalar("SELECT count(*) FROM regions WHERE region_code = ?", [out["region_code"]]):
            raise RegistryError(f"Région : code INSEE « {out['region_code']} » inconnu (par exemple 53 pour la "
                                "Bretagne, 04 pour La Réunion).")
    cohorts = codes(store, "cohorts") if cohorts is None else cohorts
    if "cohort" in out and out["cohort"] not in cohorts:
        raise RegistryError(f"Cohorte : « {out['cohort']} » inconnue ; ajoutez-la d'abord (cohortes : "
                            f"{', '.join(sorted(cohorts))}).")
    merged = {**(current or {}), **out}
    opened, closed = _day(merged.get("opened_on")), _day(merged.get("closed_on"))
    if opened and closed and closed < opened:
        raise RegistryError(f"Fermeture : le {fmt_date(closed)} précède l'ouverture du {fmt_date(opened)}.")
    return out


def _day(value) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, (datetime, pd.Timestamp)) else value


def place(store: Store, city: str | None, region_code: str | None, latitude: float | None,
          longitude: float | None) -> tuple[float | None, float | None, str | None]:
    """Coordinates for a lab: typed ones; else those of a lab already in the same city; else the centre of the
    region (said in the returned French note). No network: only what the database and `data/geo` hold."""
    if latitude is not None and longitude is not None:
        return latitude, longitude, None
    if (latitude is None) != (longitude is None):
        raise RegistryError("Coordonnées : indiquez la latitude et la longitude, ou aucune des deux.")
    if city:
        row = store.query("SELECT latitude, longitude, city FROM labs WHERE latitude IS NOT NULL AND "
                          "lower(strip_accents(city)) = lower(strip_accents(?)) ORDER BY lab_id LIMIT 1", [city])
        if row:
            return (float(row[0][0]), float(row[0][1]),
                    f"coordonnées de {row[0][2]} (reprises d'un laboratoire de la même ville)")
    if region_code:
        frame = geo.regions_frame()
        if region_code in frame.index:
            point = frame.loc[region_code, "geometry"].representative_point()
            name = frame.loc[region_code, "name"]
            return (round(point.y, 4), round(point.x, 4),
                    f"ville inconnue de la base : marqueur au centre de la région {name} (saisissez les coordonnées "
                    "pour le placer exactement)")
    return None, None, None


# --- writes ---------------------------------------------------------------------------------------

def add_lab(store: Store, actor: Actor, lab_id: str, fields: dict, citation: Citation | None = None) -> str | None:
    """Create a lab (admin only). Returns the French note on its coordinates when they were not typed."""
    lab_id = V.lab_id(lab_id)
    require_registry_admin(store, actor, Action.LAB_CREATED, lab_id)
    fields = {"identified": True, "source": citation.title if citation else f"saisi par {actor.email}", **fields}
    values = clean(store, fields)
    if not values.get("name"):
        raise RegistryError("Nom : valeur obligatoire.")
    if not values.get("cohort"):
        raise RegistryError("Cohorte : valeur obligatoire.")
    lat, lon, note = place(store, values.get("city"), values.get("region_code"), values.get("latitude"),
                           values.get("longitude"))
    values["latitude"], values["longitude"] = lat, lon
    if note:
        values["assumptions"] = "; ".join(x for x in (values.get("assumptions"), note) if x)
    with store.transaction(writes=LAB_TABLES) as cur:
        if cur.execute("SELECT count(*) FROM labs WHERE lab_id = ?", [lab_id]).fetchone()[0]:
            raise RegistryError(f"Identifiant : le laboratoire « {lab_id} » existe déjà.")
        names = ["lab_id", *values]
        cur.execute(f"INSERT INTO labs ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                    [lab_id, *values.values()])
        record_change(cur, lab_id, actor.email, CREATED, None, values["name"], citation)
        for field, value in values.items():
            if value is not None and field != "name":
                record_change(cur, lab_id, actor.email, field, None, V.as_text(value), citation)
        add_source_row(cur, lab_id, "name", f"Laboratoire créé : {values['name']}", citation)
        audit.record(cur, actor.email, Action.LAB_CREATED, Outcome.SUCCESS, lab_id, _describe(values, citation))
    return note


def edit_lab(store: Store, actor: Actor, lab_id: str, fields: dict, citation: Citation | None = None,
             action: Action = Action.LAB_CHANGED) -> list[str]:
    """Correct fields of a lab (admin only). Returns the French labels of the fields that changed."""
    require_registry_admin(store, actor, action, lab_id)
    current = lab_row(store, lab_id)
    if current is None:
        raise RegistryError(f"Laboratoire inconnu : « {lab_id} ».")
    values = clean(store, fields, current)
    changes = {f: v for f, v in values.items() if V.as_text(v) != V.as_text(current.get(f))}
    if not changes:
        return []
    with store.transaction(writes=LAB_TABLES) as cur:
        apply_changes(cur, lab_id, current, changes, actor.email, citation)
        detail = "; ".join(f"{FIELD_LABELS[f]} : {V.shown(f, V.as_text(current.get(f)))} → "
                           f"{V.shown(f, V.as_text(v))}" for f, v in changes.items())
        audit.record(cur, actor.email, action, Outcome.SUCCESS, lab_id,
                     detail + (f" (source : {citation.title})" if citation else ""))
    return [FIELD_LABELS[f] for f in changes]


def close_lab(store: Store, actor: Actor, lab_id: str, on, citation: Citation | None = None) -> None:
    """Close a lab at a date (admin only): its history stays, it shows « fermé le … », and reports for the quarters
    after that date are refused."""
    day = V.to_date(on, "Date de fermeture")
    if day is None:
        raise RegistryError("Date de fermeture : valeur obligatoire.")
    current = lab_row(store, lab_id)
    if current is not None and current.get(CLOSED) is not None:
        raise RegistryError(f"Le laboratoire « {lab_id} » est déjà fermé (le {fmt_date(_day(current[CLOSED]))}) ; "
                            "rouvrez-le ou corrigez la date.")
    edit_lab(store, actor, lab_id, {CLOSED: day}, citation, action=Action.LAB_CLOSED)


def reopen_lab(store: Store, actor: Actor, lab_id: str, citation: Citation | None = None) -> None:
    """Reopen a closed lab (admin only): its closing date is cleared, the history keeps it."""
    current = lab_row(store, lab_id)
    if current is not None and current.get(CLOSED) is None:
        raise RegistryError(f"Le laboratoire « {lab_id} » n'est pas fermé.")
    edit_lab(store, actor, lab_id, {CLOSED: None}, citation, action=Action.LAB_REOPENED)


def apply_changes(cur, lab_id: str, current: dict, changes: dict, who: str, citation: Citation | None) -> None:
    """Inside a transaction: write the changed fields and one history row per field."""
    sets = ", ".join(f"{f} = ?" for f in changes)
    cur.execute(f"UPDATE labs SET {sets} WHERE lab_id = ?", [*changes.values(), lab_id])
    for field, value in changes.items():
        record_change(cur, lab_id, who, field, V.as_text(current.get(field)), V.as_text(value), citation)
        if citation is not None:
            add_source_row(cur, lab_id, field, f"{FIELD_LABELS[field]} : {V.shown(field, V.as_text(value))}",
                           citation)


def record_change(cur, lab_id: str, who: str, field: str, before: str | None, after: str | None,
                  citation: Citation | None) -> None:
    change_id = cur.execute("SELECT coalesce(max(change_id), 0) + 1 FROM lab_changes").fetchone()[0]
    cur.execute("INSERT INTO lab_changes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [change_id, lab_id, datetime.now(), who, field, before, after,
                 citation.title if citation else None, citation.published_on if citation else None,
                 citation.url if citation else None])


def add_source_row(cur, lab_id: str, fact: str, statement: str, citation: Citation | None) -> None:
    """A public page behind a lab's fact (`lab_sources`), after the lab's existing ones."""
    if citation is None:
        return
    seq = cur.execute("SELECT coalesce(max(seq), 0) + 1 FROM lab_sources WHERE lab_id = ?", [lab_id]).fetchone()[0]
    cur.execute("INSERT INTO lab_sources (lab_id, fact, seq, value, statement, source_title, published_on, url) "
                "VALUES (?, ?, ?, NULL, ?, ?, ?, ?)",
                [lab_id, fact, seq, statement, citation.title, citation.published_on, citation.url])


def _describe(values: dict, citation: Citation | None) -> str:
    parts = [f"{FIELD_LABELS[f]} : {V.shown(f, V.as_text(v))}" for f, v in values.items() if v is not None]
    return "; ".join(parts) + (f" (source : {citation.title})" if citation else "")


# --- reading --------------------------------------------------------------------------------------

def history(store: Store, lab_id: str) -> pd.DataFrame:
    """A lab's changes since installation, newest first, as the profile shows them (French columns)."""
    df = store.query_df("SELECT changed_at, changed_by, field, before_value, after_value, source_title, "
                        "published_on, url FROM lab_changes WHERE lab_id = ? ORDER BY changed_at DESC, change_id DESC",
                        [lab_id])
    return pd.DataFrame({
        "Date": [v.strftime("%d/%m/%Y %H:%M") for v in df["changed_at"]],
        "Par": df["changed_by"],
        "Champ": [FIELD_LABELS.get(f, "Création" if f == CREATED else f) for f in df["field"]],
        "Avant": [V.shown(f, b if isinstance(b, str) else None) for f, b in zip(df["field"], df["before_value"])],
        "Après": [V.shown(f, a if isinstance(a, str) else None) for f, a in zip(df["field"], df["after_value"])],
        "Source": [("" if not isinstance(t, str) else t) + ("" if pd.isna(d) else f", {fmt_date(d)}")
                   for t, d in zip(df["source_title"], df["published_on"])],
        "Adresse": df["url"].fillna(""),
    })


def labs_table(store: Store) -> pd.DataFrame:
    """Every lab of the registry with its state, for the « Référentiel » page and `labs list`."""
    return store.query_df("""
        SELECT l.lab_id, l.name, l.short_name, r.name AS region, l.city, c.label AS cohort, l.opened_on, l.closed_on,
               l.lead_administration, l.budget_eur::DOUBLE AS budget_eur
        FROM labs l LEFT JOIN regions r USING (region_code) LEFT JOIN cohorts c ON c.code = l.cohort
        ORDER BY l.name, l.lab_id""")


def closed_text(closed_on) -> str:
    """« fermé le 31/12/2019 », or « ouvert »."""
    return "ouvert" if closed_on is None or pd.isna(closed_on) else f"fermé le {fmt_date(_day(closed_on))}"


def lab_state(store: Store, lab_id: str) -> str:
    """« Laboratoire fermé le 31/12/2019 » for a closed lab, else an empty text (the profile's line)."""
    row = lab_row(store, lab_id)
    if row is None or row.get(CLOSED) is None:
        return ""
    return f"Laboratoire {closed_text(row[CLOSED])} : son historique reste consultable."
