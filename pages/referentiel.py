"""Référentiel (administrators): the labs, cohorts, funding sources and public sources, managed in the running
service. Every change goes through `lit_analytics.registry` (rights checked again, French validation, history,
audit); the forms are in `lit_analytics.ui.registry`."""

import streamlit as st

from lit_analytics import ui
from lit_analytics.registry import labs
from lit_analytics.ui import auth as ui_auth
from lit_analytics.ui import registry as ui_registry

actor = ui_auth.require_admin_page()
store = ui.get_store()

st.title("Référentiel")
st.caption("Les laboratoires, leurs cohortes et sources de financement, et les pages publiques d'où viennent leurs "
           "faits. Chaque modification est vérifiée, journalisée (avant / après) et gardée dans l'historique du "
           "laboratoire (page « Laboratoires ») ; elle apparaît sur toutes les pages au clic suivant.")
ui_registry.flash()
ui.show_table(labs.labs_table(store).rename(columns={
    "lab_id": "Identifiant", "name": "Nom", "short_name": "Nom court", "region": "Région", "city": "Ville",
    "cohort": "Cohorte", "opened_on": "Ouverture", "closed_on": "Fermeture",
    "lead_administration": "Administration porteuse", "budget_eur": "Budget (€)"}))

add, edit, close, cohorts, funding, sources, sync = st.tabs(
    ["Ajouter un laboratoire", "Corriger", "Fermer ou rouvrir", "Cohortes", "Sources de financement",
     "Sources publiques", "Synchroniser avec les fichiers"])
with add:
    ui_registry.add_lab_form(store, actor)
with edit:
    ui_registry.edit_lab_form(store, actor)
with close:
    ui_registry.close_form(store, actor)
with cohorts:
    ui_registry.catalog_form(store, actor, "cohorts", "cohorte")
with funding:
    ui_registry.catalog_form(store, actor, "funding_sources", "source de financement")
with sources:
    ui_registry.source_form(store, actor)
with sync:
    ui_registry.sync_section(store, actor)
