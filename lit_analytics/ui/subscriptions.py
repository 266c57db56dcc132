"""« Mes abonnements » (page « Note de synthèse »): the signed-in account's briefing subscriptions — the list, adding
one among the presets its role may receive (`subscriptions.allowed_presets`), ending one. Read uncached (the
subscription tables are no figure's: `store.FIGURE_FREE_TABLES`); every change goes through
`lit_analytics.subscriptions` (rights checked, audited)."""

from __future__ import annotations

import streamlit as st

from lit_analytics import subscriptions
from lit_analytics.permissions import Actor, PermissionDenied
from lit_analytics.store import Store

FLASH = "abonnements_flash"


def _run(action, success: str) -> None:
    try:
        action()
    except (subscriptions.SubscriptionError, PermissionDenied) as exc:
        st.error(str(exc), icon=":material/error:")
    else:
        st.session_state[FLASH] = success
        st.rerun()


def panel(store: Store, actor: Actor) -> None:
    st.subheader("Mes abonnements")
    st.caption("Recevez une note par e-mail, en PDF ou en PowerPoint : chaque mois, ou chaque trimestre dès que "
               "l'échéance des rapports est passée (30 jours après la fin du trimestre). Chaque e-mail contient un "
               "lien pour se désabonner de cette note, sans se connecter.")
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
    mine = subscriptions.active(store, actor.email)
    if not mine:
        st.info("Vous n'avez aucun abonnement.", icon=":material/info:")
    else:
        st.dataframe(subscriptions.table(store, actor.email).drop(columns=["Compte"]), hide_index=True,
                     width="stretch", key="abonnements_table")
    allowed = subscriptions.allowed_presets(store, actor)
    with st.form("abonnements_ajout", border=True):
        preset = st.selectbox("Note", options=list(allowed), format_func=allowed.get, key="abonnements_note")
        fmt = st.radio("Format", options=list(subscriptions.FORMATS), format_func=subscriptions.FORMATS.get,
                       horizontal=True, key="abonnements_format")
        frequency = st.radio("Fréquence", options=["quarterly", "monthly"],
                             format_func=lambda f: subscriptions.FREQUENCIES[f].capitalize(), horizontal=True,
                             key="abonnements_frequence")
        if st.form_submit_button("S'abonner", icon=":material/mail:") and preset:
            _run(lambda: subscriptions.add(store, actor.email, actor, preset, fmt, frequency),
                 f"Abonnement enregistré : {allowed[preset]}, envoyé à {actor.email}.")
    if mine:
        labels = subscriptions.preset_labels(store, mine)
        names = {s.subscription_id: f"n° {s.subscription_id} — {labels[s.preset]} ({s.format.upper()}, "
                                    f"{subscriptions.FREQUENCIES[s.frequency].split(' ')[0]})" for s in mine}
        chosen = st.selectbox("Abonnement à arrêter", options=list(names), format_func=names.get,
                              key="abonnements_choix")
        if st.button("Se désabonner", key="abonnements_fin", icon=":material/unsubscribe:"):
            _run(lambda: subscriptions.remove(store, actor.email, chosen, actor),
                 f"Désabonnement enregistré : {names[chosen]}.")
