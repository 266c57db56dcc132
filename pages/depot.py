"""Dépôt trimestriel: choose the report, download the template, upload, read the report, publish; history."""

import streamlit as st

from lit_analytics import ingest, ui
from lit_analytics.formats import fmt_quarter
from lit_analytics.ingest import display, recognise, templates
from lit_analytics.ingest import grid as report_grid
from lit_analytics.ingest.workflow import Source, Target
from lit_analytics.lab_names import lab_names
from lit_analytics.permissions import PermissionDenied, can_upload, visible_labs
from lit_analytics.ui import depot as upload
from lit_analytics.ui.auth import require_actor
from lit_analytics.ui.export import file_download
from lit_analytics.ui.grid import prefilled_downloads
from lit_analytics.ui.grid import report_grid as grid_editor
from lit_analytics.ui.history_import import history_section
from lit_analytics.ui.meteo import meteo_form

actor = require_actor()
store = ui.get_store()

st.title("Dépôt trimestriel")
st.caption("Déposez le rapport trimestriel d'un laboratoire (projets, sessions de formation) au format CSV ou XLSX. "
           "Le fichier est d'abord vérifié — aucune donnée n'est modifiée, un fichier refusé est seulement inscrit au suivi des dépôts — puis publié d'un clic ; une nouvelle "
           "publication remplace la précédente, qui reste conservée.")

names = lab_names(store)
labs = visible_labs(actor, list(names))
kinds = [k for k in display.KIND_LABELS if any(can_upload(actor, k, lab) for lab in [*labs, None])]
if not kinds:
    st.info("Votre compte ne permet pas de déposer de rapport : les dépôts sont faits par les porteurs de "
            "laboratoire et par la DITP (administrateurs).")
    st.stop()
flow = upload.upload_workflow()

# --- 1. what is being reported (a reminder's link sets it: ?lab=…&trimestre=…&rapport=…) -------------
quarters, default = display.quarter_choices()
flow.follow_link(st.query_params, kinds, labs, quarters)
cols = st.columns([2, 3, 2])
kind = cols[0].selectbox("Rapport", kinds, format_func=display.KIND_LABELS.get, key="depot_kind")
lab_id = quarter = None
if kind in ingest.LAB_REPORT_KINDS:
    lab_id = cols[1].selectbox("Laboratoire", labs, format_func=names.get, key="depot_lab")
    quarter = cols[2].selectbox("Trimestre", quarters, index=default, format_func=fmt_quarter, key="depot_quarter")
else:
    cols[1].markdown("Le registre des financements se dépose **en entier** : il remplace le registre en vigueur.")
target = Target(kind, lab_id, quarter)

with st.expander("Modèles à télécharger et dictionnaire des données"):
    st.write("Colonnes en français, séparateur point-virgule, dates JJ/MM/AAAA, virgule décimale. La ligne "
             "d'exemple (identifiant commençant par « EXEMPLE ») doit être remplacée par vos lignes.")
    dl = st.columns(3)
    file_download(dl[0], "Modèle CSV (;)", templates.template_csv(kind),
                  file_name=templates.template_name(kind, "csv"), mime="text/csv", key=f"tpl_csv_{kind}")
    registry = ingest.registry_values(store, kind)   # e.g. funding sources added to the registry
    file_download(dl[1], "Modèle Excel (XLSX)", templates.template_xlsx(kind, registry=registry),
                  file_name=templates.template_name(kind, "xlsx"),
                  mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"tpl_xlsx_{kind}")
    file_download(dl[2], "Dictionnaire des données (CSV)", templates.dictionary_csv(kind, registry),
                  file_name=f"dictionnaire_{kind}.csv", mime="text/csv", key=f"dict_{kind}")
    if kind in ingest.LAB_REPORT_KINDS:
        st.write(f"**Modèle pré-rempli pour {names.get(lab_id, lab_id)}, {fmt_quarter(quarter)}** — "
                 + (templates.prefill_note(store, lab_id, quarter) if kind == "projets" else
                    "les sessions ne se reportent pas d'un trimestre à l'autre : le modèle contient l'en-tête seul."))
        prefilled_downloads(store, actor.email, kind, lab_id, quarter)
    st.dataframe(templates.dictionary(kind, registry), hide_index=True, width="stretch", placeholder="")

# --- 2. upload a file, or fill in the grid; verify --------------------------------------------------------
mode = "fichier"
if kind in ingest.LAB_REPORT_KINDS and st.checkbox(templates.NOTHING_TO_DECLARE[kind], key=f"nothing-{target.key}",
                                                   help="Publie un rapport vide : le trimestre compte comme reçu."):
    mode = "néant"   # nothing to declare: the header-only file, verified and published like any other
elif kind in ingest.LAB_REPORT_KINDS:
    mode = st.radio("Comment déposer ?", ["fichier", "grille"], horizontal=True, key="depot_mode",
                    format_func={"fichier": "Déposer un fichier (CSV ou XLSX)",
                                 "grille": "Saisir dans le navigateur, sans fichier"}.get)
if mode == "néant":
    source = Source(templates.header_only(kind), templates.template_name(kind, "csv", lab_id, quarter))
elif mode == "fichier":
    file = st.file_uploader("Fichier du rapport (CSV ou XLSX)", type=["csv", "txt", "xlsx"],
                            key=f"file-{target.key}")
    source = flow.file_source(target, None if file is None else (file.getvalue(), file.name))
else:
    rows, grid_note = report_grid.start_rows(store, kind, lab_id, quarter)
    st.caption(grid_note + " « Vérifier » contrôle la grille comme un fichier ; « Publier » la publie.")
    edited = grid_editor(kind, rows, key=f"grid-{target.key}-{len(ingest.versions(store, kind, lab_id, quarter))}")
    grid_data, grid_labels = report_grid.to_file(edited, kind)
    if st.button("Vérifier", key="grid_verify"):
        flow.verify_grid(target, grid_data)
    source = flow.grid_source(target, grid_data, report_grid.file_name(kind, lab_id, quarter), grid_labels)
    if flow.grid_changed_since_check(target, grid_data):
        st.info("La grille a changé depuis la dernière vérification : cliquez sur « Vérifier ».")
notice = flow.take_notice()
if notice:
    st.success(notice, icon=":material/check_circle:")

other = recognise.other_kind(source.data, source.name, kind) if source is not None and not source.from_grid else None
if other:
    st.warning(recognise.message(other), icon=":material/swap_horiz:")
    st.button(f"Vérifier comme {recognise.KIND_NAMES[other]}", on_click=flow.switch_kind, args=(other, target, source),
              key="depot_switch")

if source is not None and not other:
    try:
        report = ingest.verify(store, source.data, source.name, kind=kind, lab_id=lab_id, quarter=quarter, actor=actor)
    except PermissionDenied as exc:
        st.error(str(exc))
        st.stop()
    st.subheader("Rapport de vérification")
    upload.show_verification(report, source)
    # The version the verification on screen compared against: publishing checks it is still the current one.
    reviewed = flow.reviewed_version(target, report.sha256, report.current_version_id)
    if report.ok:
        upload.show_changes(report, kind)
        if report.already_published:
            st.info("Ce fichier est déjà la version publiée de ce rapport : rien à publier.")
        elif st.button("Publier", type="primary", key="depot_publish"):
            upload.publish(store, flow, target, source, actor, reviewed)

if kind in ingest.LAB_REPORT_KINDS:
    meteo_form(store, actor, lab_id, quarter)

# --- 3. history and versions ------------------------------------------------------------------------------
st.subheader("Historique des dépôts")
history = ingest.history(store, labs=None if actor.is_admin else tuple(labs))
if history.empty:
    st.caption("Aucun dépôt pour l'instant.")
else:
    st.dataframe(display.history_frame(history, names), hide_index=True, width="stretch", key="depot_history",
                 placeholder="")

if actor.is_admin:
    st.subheader("Versions de ce rapport")
    versions = ingest.versions(store, kind, lab_id, quarter)
    if versions.empty:
        st.caption("Aucune version publiée pour ce rapport.")
    else:
        st.dataframe(display.versions_frame(versions), hide_index=True, width="stretch", key="depot_versions",
                     placeholder="")
        older = [int(v) for v, current in zip(versions["version_id"], versions["is_current"]) if not current]
        if older:
            cols = st.columns([2, 1])
            chosen = cols[0].selectbox("Version à restaurer", older, format_func=lambda v: f"Version n° {v}",
                                       key=f"restore-{target.key}")
            if cols[1].button("Restaurer cette version", key="depot_restore"):
                flow.restored(ingest.restore(store, chosen, actor).message())
                st.rerun()

# --- 4. years of follow-up at once (administrators) -------------------------------------------------------
history_section(store, actor, names)
