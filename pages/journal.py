"""Journal d'audit (administrators): who did what and when, filterable, exportable for Excel."""

from datetime import date

import streamlit as st

from lit_analytics import audit, ui
from lit_analytics.ui import auth as ui_auth
from lit_analytics.export.journal import journal_csv
from lit_analytics.ui.export import file_download
from lit_analytics.formats import fmt_int

actor = ui_auth.require_admin_page()
store = ui.get_store()

st.title("Journal d'audit")
st.caption("Connexions, échecs de connexion, dépôts, publications, restaurations, exports et modifications "
           "de comptes : qui, quand, quoi.")

choices = audit.choices(store)
total, first_day = audit.summary(store)

cols = st.columns([2, 2, 2, 1, 2])
period = cols[0].date_input("Période", value=(first_day or date.today(), date.today()), format="DD/MM/YYYY",
                            key="journal_period")
actors = cols[1].multiselect("Qui", choices["actor"], placeholder="Tout le monde", key="journal_actors")
actions = cols[2].multiselect("Action", choices["action"], placeholder="Toutes", key="journal_actions")
outcomes = cols[3].multiselect("Résultat", choices["outcome"], placeholder="Tous", key="journal_outcomes")
text = cols[4].text_input("Objet ou détail contient", key="journal_text")

start, end = audit.period_bounds(period)
events = audit.events(store, start, end, actors, actions, outcomes, text.strip() or None)

st.caption(f"{fmt_int(len(events))} événement(s) sur {fmt_int(total)}.")
st.dataframe(audit.journal_table(events), hide_index=True, width="stretch", placeholder="")


def _record_export() -> None:
    audit.log_export(store, actor.email, "journal d'audit", detail=f"{len(events)} événement(s), CSV")


file_download(st, "Télécharger le journal (CSV pour Excel)", journal_csv(events),
              file_name=f"journal-audit-{date.today():%Y-%m-%d}.csv", mime="text/csv",
              on_click=_record_export, key="journal_csv")
