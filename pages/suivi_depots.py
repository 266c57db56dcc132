"""Suivi des dépôts: for every lab and quarter, which quarterly reports are in, late or expected."""

from datetime import date

import streamlit as st

from lit_analytics import reminders, ui
from lit_analytics.ui.alerts import data_alerts_section
from lit_analytics.formats import fmt_int, fmt_quarter
from lit_analytics.ingest import display, reporting
from lit_analytics.permissions import followed_labs
from lit_analytics.ui.auth import require_actor
from lit_analytics.ui.site_publish import publish_site_button

actor = require_actor()
store = ui.get_store()

st.title("Suivi des dépôts")
st.caption("Pour chaque laboratoire ouvert et chaque trimestre : rapport reçu, attendu, ou en retard (trimestre "
           f"terminé depuis plus de {reporting.GRACE_DAYS} jours sans rapport reçu).")

quarters, default = display.quarter_choices()
cols = st.columns([2, 2, 3])
last = cols[0].selectbox("Jusqu'au trimestre", quarters, index=0, format_func=fmt_quarter, key="suivi_last")
span = cols[1].selectbox("Période affichée", [4, 8, 12, 20], index=1, format_func=lambda n: f"{n} trimestres",
                         key="suivi_span")
kind = cols[2].radio("Rapport", [None, "projets", "sessions"], horizontal=True, key="suivi_kind",
                     format_func=lambda k: "Les deux" if k is None else k.capitalize())
first = quarters[min(quarters.index(last) + span - 1, len(quarters) - 1)]
status = ui.query(reporting.reporting_status, first_quarter=first, last_quarter=last, labs=followed_labs(actor),
                  kind=kind, today=date.today())   # today in the cache key: a report turns late at midnight
n = reporting.counts(status)
m = st.columns(3)
m[0].metric("Rapports reçus", fmt_int(n[reporting.RECEIVED]))
m[1].metric("Rapports en retard", fmt_int(n[reporting.LATE]))
m[2].metric("Rapports attendus", fmt_int(n[reporting.EXPECTED]))

grid = reporting.reporting_grid(status)
st.caption("Lecture : ✔ reçu · ✖ en retard · … attendu · ◐ partiel (un seul des deux rapports reçu) · case vide : "
           "laboratoire pas encore ouvert ou fermé.")
if grid.empty:
    st.info("Aucun laboratoire ouvert sur la période choisie.")
else:
    st.dataframe(grid.style.map(display.grid_cell_style), width="stretch", key="suivi_grid", placeholder="")

late = reporting.late_reports(status)
st.subheader(f"Rapports en retard ({fmt_int(len(late))})")
if late.empty:
    st.caption("Aucun rapport en retard sur la période.")
else:
    late = reminders.with_last_reminder(late, status, reminders.last_reminders(store))
    st.caption("Les porteurs sont relancés par e-mail une fois quand un rapport est bientôt dû (7 jours avant "
               "l'échéance) et une fois quand il est en retard (commande « remind », chaque jour).")
    st.dataframe(late, hide_index=True, width="stretch", key="suivi_late", placeholder="")
    if actor.is_admin:
        late_status = status[status["status"] == reporting.LATE].drop_duplicates(["lab_id", "quarter"])
        choices = list(zip(late_status["lab_id"], late_status["quarter"]))
        names = dict(zip(late_status["lab_id"], late_status["lab_name"]))
        cols = st.columns([3, 1])
        chosen = cols[0].selectbox("Relancer un laboratoire pour un trimestre en retard", choices,
                                   format_func=lambda c: f"{names[c[0]]} — {fmt_quarter(c[1])}", key="suivi_remind")
        if cols[1].button("Relancer maintenant", key="suivi_remind_now"):
            try:
                result = reminders.send_now(store, actor, *chosen)
            except reminders.ReminderError as exc:
                st.error(str(exc))
            else:
                if result.sent:
                    st.success("Relance envoyée à " + ", ".join(result.sent[0].recipients) + ".", icon=":material/mail:")
                elif result.failed:
                    st.error(f"Échec de l'envoi : {result.failed[0][1]}")
                elif result.without_recipient:
                    st.warning("Aucun porteur actif pour ce laboratoire : personne à relancer.")
                else:
                    st.info("Ce rapport a déjà été relancé pour son retard : une relance n'est envoyée qu'une fois.")

data_alerts_section(actor)   # no report for several quarters, météo « orage », indicators falling; thresholds

publish_site_button(actor)   # administrators: regenerate the public site after publications
