"""The Streamlit glue of the page « Référentiel » (administrators): forms that call `lit_analytics.registry`, which
checks the rights again, validates (French messages), writes the history and the audit log. A change shows on every
page at the next click (the writes declare `labs`, `cohorts`...: the data version moves)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lit_analytics.permissions import Actor, PermissionDenied
from lit_analytics.registry import Citation, RegistryError, catalog, labs, sync
from lit_analytics.registry.values import FIELD_LABELS
from lit_analytics.store import Store
from lit_analytics.ui.display import show_table

_FLASH = "referentiel_flash"
_EDITABLE = ("name", "short_name", "region_code", "city", "latitude", "longitude", "lead_administration", "cohort",
             "opened_on", "themes", "budget_eur", "source", "assumptions")


def flash() -> None:
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message)


def _run(change: Callable[[], object], success: Callable[[object], str] | str) -> None:
    try:
        result = change()
    except (RegistryError, PermissionDenied, ValueError) as exc:
        st.error(str(exc))
    else:
        st.session_state[_FLASH] = success(result) if callable(success) else success
        st.rerun()


def _citation_inputs(key: str) -> Callable[[], Citation | None]:
    st.markdown("**Page publique d'où viennent ces faits** (facultatif)")
    cols = st.columns([3, 1, 3])
    title = cols[0].text_input("Titre (éditeur et titre)", key=f"{key}_src_title")
    when = cols[1].text_input("Date (JJ/MM/AAAA)", key=f"{key}_src_date")
    url = cols[2].text_input("Adresse (https://…)", key=f"{key}_src_url")
    return lambda: Citation.of(title, when, url)


def _regions(store: Store) -> dict[str, str]:
    return {"": "—", **dict(store.query("SELECT region_code, name FROM regions ORDER BY name"))}


def add_lab_form(store: Store, actor: Actor) -> None:
    cohorts = catalog.labels(store, "cohorts")
    regions = _regions(store)
    with st.form("registry_add_lab"):
        cols = st.columns(2)
        lab_id = cols[0].text_input("Identifiant (minuscules et tirets, ex. lab-pei)", key="reg_add_id")
        name = cols[1].text_input("Nom", key="reg_add_name")
        short = cols[0].text_input("Nom court (graphiques, diapositives)", key="reg_add_short")
        lead = cols[1].text_input("Administration porteuse", key="reg_add_lead")
        region = cols[0].selectbox("Région", list(regions), format_func=regions.get, key="reg_add_region")
        city = cols[1].text_input("Ville", key="reg_add_city")
        lat = cols[0].text_input("Latitude (vide : d'après la ville ou la région)", key="reg_add_lat")
        lon = cols[1].text_input("Longitude", key="reg_add_lon")
        cohort = cols[0].selectbox("Cohorte", list(cohorts), format_func=cohorts.get, key="reg_add_cohort")
        opened = cols[1].text_input("Ouverture (JJ/MM/AAAA)", key="reg_add_opened")
        themes = cols[0].text_input("Thèmes (séparés par des points-virgules)", key="reg_add_themes")
        budget = cols[1].text_input("Budget (€)", key="reg_add_budget")
        citation = _citation_inputs("reg_add")
        if st.form_submit_button("Ajouter le laboratoire", type="primary"):
            fields = {"name": name, "short_name": short, "lead_administration": lead, "region_code": region,
                      "city": city, "latitude": lat, "longitude": lon, "cohort": cohort, "opened_on": opened,
                      "themes": themes, "budget_eur": budget}
            _run(lambda: labs.add_lab(store, actor, lab_id, {k: v for k, v in fields.items() if v},
                                      citation()),
                 lambda note: f"Laboratoire ajouté : {name}." + (f" Coordonnées : {note}." if note else ""))


def _pick_lab(store: Store, key: str) -> str | None:
    table = labs.labs_table(store)
    if table.empty:
        st.info("Aucun laboratoire.")
        return None
    names = dict(zip(table["lab_id"], table["name"]))
    return st.selectbox("Laboratoire", list(names), format_func=names.get, key=key)


def edit_lab_form(store: Store, actor: Actor) -> None:
    lab_id = _pick_lab(store, "reg_edit_lab")
    if lab_id is None:
        return
    row = labs.lab_row(store, lab_id)
    field = st.selectbox("Champ à corriger", _EDITABLE, format_func=FIELD_LABELS.get, key="reg_edit_field")
    current = row.get(field)
    st.caption(f"Valeur actuelle : {'—' if current is None else current}")
    with st.form(f"registry_edit_{lab_id}_{field}"):
        value = st.text_input("Nouvelle valeur (vide : effacer)", value="" if current is None else str(current),
                              key=f"reg_edit_value_{lab_id}_{field}")
        citation = _citation_inputs(f"reg_edit_{lab_id}")
        if st.form_submit_button("Enregistrer la correction", type="primary"):
            _run(lambda: labs.edit_lab(store, actor, lab_id, {field: value}, citation()),
                 lambda changed: f"{lab_id} : "
                 + (f"corrigé ({', '.join(changed)})." if changed else "rien n'a changé."))


def close_form(store: Store, actor: Actor) -> None:
    lab_id = _pick_lab(store, "reg_close_lab")
    if lab_id is None:
        return
    closed = labs.lab_row(store, lab_id)["closed_on"]
    st.caption(f"État : {labs.closed_text(closed)}.")
    with st.form(f"registry_close_{lab_id}"):
        if closed is None:
            day = st.text_input("Date de fermeture (JJ/MM/AAAA)", key=f"reg_close_day_{lab_id}")
        citation = _citation_inputs(f"reg_close_{lab_id}")
        if closed is None and st.form_submit_button("Fermer le laboratoire", type="primary"):
            _run(lambda: labs.close_lab(store, actor, lab_id, day, citation()), f"{lab_id} : fermé.")
        if closed is not None and st.form_submit_button("Rouvrir le laboratoire", type="primary"):
            _run(lambda: labs.reopen_lab(store, actor, lab_id, citation()), f"{lab_id} : rouvert.")


def catalog_form(store: Store, actor: Actor, table: str, what: str) -> None:
    show_table(catalog.entries(store, table).rename(columns={
        "code": "Code", "label": "Libellé", "starts_on": "Début", "ends_on": "Fin", "description": "Description",
        "source_title": "Source", "published_on": "Date de la source", "url": "Adresse"}))
    with st.form(f"registry_add_{table}"):
        cols = st.columns(2)
        code = cols[0].text_input("Code (sans accent, ex. vague-2025)", key=f"reg_{table}_code")
        label = cols[1].text_input("Libellé", key=f"reg_{table}_label")
        starts = cols[0].text_input("Début (JJ/MM/AAAA)", key=f"reg_{table}_starts")
        ends = cols[1].text_input("Fin (JJ/MM/AAAA)", key=f"reg_{table}_ends")
        description = st.text_input("Description", key=f"reg_{table}_description")
        citation = _citation_inputs(f"reg_{table}")
        if st.form_submit_button(f"Ajouter la {what}", type="primary"):
            _run(lambda: catalog.add_entry(store, actor, table, code, label, starts, ends, description, citation()),
                 f"{what.capitalize()} ajoutée : {code}.")


def source_form(store: Store, actor: Actor) -> None:
    lab_id = _pick_lab(store, "reg_source_lab")
    if lab_id is None:
        return
    with st.form(f"registry_source_{lab_id}"):
        fact = st.text_input("Fait appuyé (opened_on, city, name, activity…)", key="reg_source_fact")
        statement = st.text_area("Ce que dit la page", key="reg_source_statement")
        citation = _citation_inputs("reg_source")
        if st.form_submit_button("Ajouter la source", type="primary"):
            _run(lambda: catalog.add_source(store, actor, lab_id, fact, statement, citation()),
                 f"Source ajoutée à {lab_id}.")


def sync_section(store: Store, actor: Actor) -> None:
    st.caption("Applique les fichiers data/reference/*.csv de cette version de l'outil à la base en service : "
               "ajouts et corrections seulement ; rien n'est supprimé, et une valeur saisie ici est conservée.")
    try:
        planned = sync.plan(store)
    except ValueError as exc:
        st.error(str(exc))
        return
    st.code(planned.text(dry_run=True), language=None)
    if not planned.empty and st.button("Appliquer ces changements", type="primary", key="reg_sync_apply"):
        _run(lambda: sync.apply(store, actor.email), "Référentiel synchronisé.")
