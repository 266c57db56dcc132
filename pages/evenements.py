"""Événements (administrators): the events drawn on the time charts — add, edit, remove. Every change goes through
`lit_analytics.events`, which checks the administrator's rights again and writes the audit log."""

from datetime import date

import streamlit as st

from lit_analytics import events, ui
from lit_analytics.accounts import lab_choices
from lit_analytics.indicators.events import all_events
from lit_analytics.permissions import PermissionDenied
from lit_analytics.presentation.events import KIND_LABELS, events_table
from lit_analytics.ui import auth as ui_auth

actor = ui_auth.require_admin_page()
store = ui.get_store()

st.title("Événements")
st.caption("Jalons du programme et événements des laboratoires, tracés comme repères sur les graphiques "
           "temporels (à l'écran et dans chaque export) et listés dans la colonne « Repères » de leurs données. "
           "Les tranches de financement d'un laboratoire y figurent aussi, lues dans le registre des "
           "financements, sur les graphiques d'un seul laboratoire.")

flash = st.session_state.pop("evenements_flash", None)
if flash:
    st.success(flash)

table = events_table(all_events(store))
ui.show_table(table, empty_message="Aucun événement.")
labs = lab_choices(store)
kinds = list(KIND_LABELS)


def _run(change, success: str) -> None:
    try:
        change()
    except (events.EventError, PermissionDenied) as exc:
        st.error(str(exc))
    else:
        st.session_state["evenements_flash"] = success
        st.rerun()


def _fields(prefix: str, current: events.Event | None) -> events.Event:
    """The form's fields (pre-filled with `current`), as an event."""
    cols = st.columns([1, 3])
    when = cols[0].date_input("Date", value=current.event_date if current else date.today(), format="DD/MM/YYYY",
                              min_value=events.FIRST_DAY, max_value=events.LAST_DAY, key=f"{prefix}_date")
    label = cols[1].text_input(f"Libellé (écrit sur les graphiques, {events.LABEL_MAX} caractères au plus)",
                               value=current.label if current else "", max_chars=events.LABEL_MAX,
                               key=f"{prefix}_label")
    cols = st.columns(2)
    kind = cols[0].selectbox("Type", kinds, format_func=KIND_LABELS.get,
                             index=kinds.index(current.kind) if current else 0, key=f"{prefix}_kind")
    lab_options = [None] + list(labs)
    lab = cols[1].selectbox("Laboratoire concerné", lab_options,
                            format_func=lambda v: "Tout le programme" if v is None else labs[v],
                            index=lab_options.index(current.lab_id) if current and current.lab_id in labs else 0,
                            key=f"{prefix}_lab")
    title = st.text_input("Source : éditeur et titre de la page publique", key=f"{prefix}_title",
                          value=(current.source_title or "") if current else "")
    url = st.text_input("Adresse de la source (https://…)", key=f"{prefix}_url",
                        value=(current.source_url or "") if current else "")
    return events.Event(when, label, kind, lab, title or None, url or None)


add_tab, edit_tab = st.tabs(["Ajouter un événement", "Modifier ou supprimer"])
with add_tab:
    with st.form("event_add"):
        new = _fields("event_new", None)
        if st.form_submit_button("Ajouter l'événement", type="primary"):
            _run(lambda: events.add(store, actor, new), f"Événement ajouté : « {new.label.strip()} ».")

with edit_tab:
    if table.empty:
        st.info("Aucun événement à modifier.")
    else:
        names = dict(zip(table["N°"], [f"{d:%d/%m/%Y} — {label}" for d, label in zip(table["Date"],
                                                                                         table["Libellé"])]))
        chosen = st.selectbox("Événement", list(names), format_func=names.get, key="event_chosen")
        current = events.get(store, chosen)
        with st.form(f"event_edit_{chosen}"):
            changed = _fields(f"event_edit_{chosen}", current)
            if st.form_submit_button("Enregistrer"):
                _run(lambda: events.edit(store, actor, chosen, changed), f"Événement n° {chosen} modifié.")
        if st.button("Supprimer cet événement", key=f"event_remove_{chosen}"):
            _run(lambda: events.remove(store, actor, chosen), f"Événement n° {chosen} supprimé.")
