"""Alerts that read the data, beside the late-report reminders: a lab with no published report for several
quarters, a lab whose météo is « orage », an indicator falling by more than a set share against the same quarter
a year earlier. Listed on « Suivi des dépôts » and in the national subscription e-mail (`data_alerts`); the
thresholds are administrators' (`alert_settings`, migration 011; `set_thresholds`, audited).

    for alert in data_alerts(store, date.today()):
        alert.kind, alert.lab_name, alert.quarter, alert.text      # text: one French sentence

The quarter looked at is the last one whose reports are due (its deadline, `reporting.GRACE_DAYS` after its end,
has passed): before that, a missing report is not news.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from lit_analytics import audit
from lit_analytics.accounts import require_admin_audited
from lit_analytics.audit import Action, Outcome
from lit_analytics.formats import fmt_number, fmt_quarter, quarter_end, quarter_of, shift_quarter
from lit_analytics.indicators import alerts as queries
from lit_analytics.ingest.reporting import GRACE_DAYS
from lit_analytics.permissions import Actor
from lit_analytics.store import Store

SILENT, STORM, DROP = "sans rapport", "orage", "baisse"
KIND_LABELS = {SILENT: "Aucun rapport publié", STORM: "Météo « orage »", DROP: "Indicateur en baisse"}


@dataclass(frozen=True)
class Setting:
    label: str           # French, as the page shows it
    help: str
    low: float
    high: float
    default: float


SETTINGS = {
    "quarters_without_report": Setting(
        "Trimestres consécutifs sans rapport publié", "Un laboratoire ouvert qui n'a publié aucun rapport (ni projets "
        "ni sessions) pour ce nombre de trimestres échus est signalé.", 1, 8, 2),
    "drop_share_pct": Setting(
        "Baisse signalée (en % du même trimestre un an plus tôt)", "Sessions, participants ou projets en cours d'un "
        "laboratoire en baisse d'au moins cette part par rapport au même trimestre de l'année précédente.", 1, 100, 50),
    "drop_min_base": Setting(
        "Valeur minimale un an plus tôt", "Une baisse n'est signalée que si la valeur de l'année précédente atteint "
        "au moins ce nombre (évite de signaler 2 sessions devenues 0).", 0, 100000, 5),
}
MEASURE_LABELS = {"sessions": "sessions de formation", "participants": "participants aux sessions",
                  "projects_in_progress": "projets en cours"}


@dataclass(frozen=True)
class Alert:
    kind: str            # SILENT | STORM | DROP
    lab_id: str
    lab_name: str
    quarter: str         # the quarter looked at ('2026-T3')
    text: str            # one French sentence naming the lab


def due_quarter(today: date) -> str:
    """The last quarter whose reports are due by `today` (deadline passed)."""
    quarter = shift_quarter(quarter_of(today), -1)
    while quarter_end(quarter) + timedelta(days=GRACE_DAYS) >= today:
        quarter = shift_quarter(quarter, -1)
    return quarter


def thresholds(store: Store) -> dict[str, float]:
    """Every threshold, the administrators' value or its default."""
    stored = queries.settings(store)
    return {name: stored.get(name, s.default) for name, s in SETTINGS.items()}


def set_thresholds(store: Store, actor: Actor, values: dict[str, float]) -> dict[str, float]:
    """Administrators set thresholds (French ValueError for an unknown name or a value out of bounds); audited with
    the values before and after. Returns the thresholds now in force."""
    require_admin_audited(store, actor, Action.ALERT_SETTINGS_CHANGED, "seuils des alertes")
    checked = {}
    for name, value in values.items():
        if name not in SETTINGS:
            raise ValueError(f"Seuil inconnu : « {name} » (attendu : {', '.join(SETTINGS)}).")
        setting = SETTINGS[name]
        if not isinstance(value, (int, float)) or not setting.low <= float(value) <= setting.high:
            raise ValueError(f"{setting.label} : entre {fmt_number(setting.low)} et {fmt_number(setting.high)}.")
        checked[name] = float(value)
    before = thresholds(store)
    changed = {k: v for k, v in checked.items() if v != before[k]}
    if changed:
        with store.transaction(writes=("alert_settings", audit.TABLE)) as cur:
            stored = set(queries.settings(store))
            for name, value in changed.items():
                row = [value, actor.email, datetime.now(), name]
                if name in stored:
                    cur.execute("UPDATE alert_settings SET value = ?, updated_by = ?, updated_at = ? "
                                "WHERE setting = ?", row)
                else:
                    cur.execute("INSERT INTO alert_settings (value, updated_by, updated_at, setting) "
                                "VALUES (?, ?, ?, ?)", row)
            audit.record(cur, actor.email, Action.ALERT_SETTINGS_CHANGED, Outcome.SUCCESS, "seuils des alertes",
                         " ; ".join(f"{SETTINGS[k].label} : {_fmt(before[k])} → {_fmt(v)}" for k, v in changed.items()))
    return thresholds(store)


def _fmt(value: float) -> str:
    return fmt_number(value, 0 if float(value).is_integer() else 1)


def _silent(store: Store, quarter: str, quarters: int) -> list[Alert]:
    rows = queries.labs_without_reports(store, quarter, quarters)
    span = (f"{fmt_quarter(rows['first_quarter'].iloc[0])} – {fmt_quarter(quarter)}" if quarters > 1
            else fmt_quarter(quarter)) if not rows.empty else ""
    out = []
    for row in rows.itertuples():
        since = (f"dernier rapport : {fmt_quarter(row.last_reported)}" if isinstance(row.last_reported, str)
                 else "aucun rapport publié à ce jour")
        out.append(Alert(SILENT, row.lab_id, row.name, quarter,
                         f"{row.name} : aucun rapport publié pour {quarters} trimestre(s) échu(s) ({span} ; {since})."))
    return out


def _storms(store: Store, quarter: str) -> list[Alert]:
    return [Alert(STORM, row.lab_id, row.name, quarter,
                  f"{row.name} : météo « orage » (objectifs compromis) en {fmt_quarter(quarter)}.")
            for row in queries.storms(store, quarter).itertuples()]


def _drops(store: Store, quarter: str, share_pct: float, min_base: float) -> list[Alert]:
    rows = queries.year_on_year(store, quarter)
    rows = rows[(rows["before"] >= max(min_base, 1)) & (rows["now"] <= rows["before"] * (1 - share_pct / 100))]
    earlier = fmt_quarter(shift_quarter(quarter, -4))
    return [Alert(DROP, row.lab_id, row.name, quarter,
                  f"{row.name} : {MEASURE_LABELS[row.measure]} en baisse de "
                  f"{fmt_number(100 * (row.before - row.now) / row.before)} % en {fmt_quarter(quarter)} par rapport à "
                  f"{earlier} ({fmt_number(row.now)} contre {fmt_number(row.before)}).")
            for row in rows.itertuples()]


def data_alerts(store: Store, today: date | None = None, labs: tuple[str, ...] | None = None) -> list[Alert]:
    """Every data alert as of `today`, in order: silent labs, storms, drops (each by lab name). `labs` narrows them
    (None: every lab, as the national e-mail lists them)."""
    today = today or date.today()
    quarter = due_quarter(today)
    limits = thresholds(store)
    found = (_silent(store, quarter, int(limits["quarters_without_report"])) + _storms(store, quarter)
             + _drops(store, quarter, limits["drop_share_pct"], limits["drop_min_base"]))
    return [a for a in found if labs is None or a.lab_id in labs]


def alert_lines(store: Store, today: date) -> list[str]:
    """Every data alert as one French line: what the national subscription e-mail lists (`subscription_mail`'s
    `alerts` argument of `send_subscriptions`)."""
    return [f"{KIND_LABELS[a.kind]} — {a.text}" for a in data_alerts(store, today)]


def alerts_table(alerts: list[Alert]) -> pd.DataFrame:
    """The alerts as « Suivi des dépôts » lists them."""
    return pd.DataFrame({"Alerte": [KIND_LABELS[a.kind] for a in alerts],
                         "Laboratoire": [a.lab_name for a in alerts],
                         "Trimestre": [fmt_quarter(a.quarter) for a in alerts],
                         "Détail": [a.text for a in alerts]})
