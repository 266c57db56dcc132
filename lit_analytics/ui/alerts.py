"""The data alerts on « Suivi des dépôts » (`lit_analytics.alerts`): the list for the labs the account follows, and
the thresholds form for administrators."""

from __future__ import annotations

from datetime import date

import streamlit as st

from lit_analytics import alerts
from lit_analytics.formats import fmt_int, fmt_quarter
from lit_analytics.permissions import Actor, PermissionDenied, followed_labs
from lit_analytics.ui.cache import get_store, query


def data_alerts_section(actor: Actor) -> None:
    store = get_store()
    today = date.today()
    found = query(alerts.data_alerts, today, followed_labs(actor))   # today in the cache key
    st.subheader(f"Alertes sur les données ({fmt_int(len(found))})")
    limits = alerts.thresholds(store)
    st.caption(f"Dernier trimestre échu : {fmt_quarter(alerts.due_quarter(today))}. Signalés : les laboratoires "
               f"sans aucun rapport publié depuis {fmt_int(limits['quarters_without_report'])} trimestre(s), ceux "
               "dont la météo est « orage », et les sessions, participants ou projets en cours en baisse d'au moins "
               f"{fmt_int(limits['drop_share_pct'])} % par rapport au même trimestre un an plus tôt.")
    if not found:
        st.caption("Aucune alerte.")
    else:
        st.dataframe(alerts.alerts_table(found), hide_index=True, width="stretch", key="suivi_alerts",
                     placeholder="")
    if actor.is_admin:
        _thresholds_form(actor, limits)


def _thresholds_form(actor: Actor, limits: dict[str, float]) -> None:
    flash = st.session_state.pop("alerts_flash", None)
    if flash:
        st.success(flash)
    with st.expander("Seuils des alertes (administrateurs)"):
        with st.form("alert_thresholds"):
            values = {}
            for name, setting in alerts.SETTINGS.items():
                values[name] = st.number_input(setting.label, min_value=int(setting.low), max_value=int(setting.high),
                                               value=int(limits[name]), step=1, help=setting.help,
                                               key=f"alert_{name}")
            if st.form_submit_button("Enregistrer les seuils"):
                try:
                    alerts.set_thresholds(get_store(), actor, values)
                except (ValueError, PermissionDenied) as exc:
                    st.error(str(exc))
                else:
                    st.session_state["alerts_flash"] = "Seuils des alertes enregistrés."
                    st.rerun()
