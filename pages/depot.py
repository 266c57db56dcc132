"""Dépôt trimestriel: choose the report, download the template, upload, read the report, publish; history."""

import streamlit as st

from lit_analytics import ingest, ui
from lit_analytics.formats import fmt_int, fmt_quarter
from lit_analytics.ingest import display, recognise, templates
from lit_analytics.ingest import grid as report_grid
from lit_analytics.permissions import PermissionDenied, can_upload, visible_labs
from lit_analytics.ui.auth import require_actor
from lit_analytics.ui.export import file_download
from lit_analytics.ui.grid import prefilled_downloads
from lit_analytics.ui.grid import report_grid as grid_editor

actor = require_actor()
store = ui.get_store()

st.title("Dépôt trimestriel")
st.caption("Déposez le rapport trimestriel d'un laboratoire (projets, sessions de formation) au format CSV ou XLSX. "
           "Le fichier est d'abord vérifié — aucune donnée n'est modifiée, un fichier refusé est seulement inscrit au suivi des dépôts — puis publié d'un clic ; une nouvelle "
           "publication remplace la précédente, qui reste conservée.")

names = display.lab_names(store)
labs = visible_labs(actor, list(names))
kinds = [k for k in display.KIND_LABELS if any(can_upload(actor, k, lab) for lab in [*labs, None])]
if not kinds:
    st.info("Votre compte ne permet pas de déposer de rapport : les dépôts sont faits par les porteurs de "
            "laboratoire et par la DITP (administrateurs).")
    st.stop()

# --- 1. what is being reported (a reminder's link sets it: ?lab=…&trimestre=…&rapport=…) -------------
quarters, default = display.quarter_choices()
if not st.session_state.get("depot_link_read"):
    st.session_state["depot_link_read"] = True
    link = st.query_params
    if link.get("rapport") in kinds:
        st.session_state["depot_kind"] = link["rapport"]
    if link.get("lab") in labs:
        st.session_state["depot_lab"] = link["lab"]
    if link.get("trimestre") in quarters:
        st.session_state["depot_quarter"] = link["trimestre"]
cols = st.columns([2, 3, 2])
kind = cols[0].selectbox("Rapport", kinds, format_func=display.KIND_LABELS.get, key="depot_kind")
lab_id = quarter = None
if kind in ingest.LAB_REPORT_KINDS:
    lab_id = cols[1].selectbox("Laboratoire", labs, format_func=names.get, key="depot_lab")
    quarter = cols[2].selectbox("Trimestre", quarters, index=default, format_func=fmt_quarter, key="depot_quarter")
else:
    cols[1].markdown("Le registre des financements se dépose **en entier** : il remplace le registre en vigueur.")

with st.expander("Modèles à télécharger et dictionnaire des données"):
    st.write("Colonnes en français, séparateur point-virgule, dates JJ/MM/AAAA, virgule décimale. La ligne "
             "d'exemple (identifiant commençant par « EXEMPLE ») doit être remplacée par vos lignes.")
    dl = st.columns(3)
    file_download(dl[0], "Modèle CSV (;)", templates.template_csv(kind),
                  file_name=templates.template_name(kind, "csv"), mime="text/csv", key=f"tpl_csv_{kind}")
    file_download(dl[1], "Modèle Excel (XLSX)", templates.template_xlsx(kind),
                  file_name=templates.template_name(kind, "xlsx"),
                  mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"tpl_xlsx_{kind}")
    file_download(dl[2], "Dictionnaire des données (CSV)", templates.dictionary_csv(kind),
                  file_name=f"dictionnaire_{kind}.csv", mime="text/csv", key=f"dict_{kind}")
    if kind in ingest.LAB_REPORT_KINDS:
        st.write(f"**Modèle pré-rempli pour {names.get(lab_id, lab_id)}, {fmt_quarter(quarter)}** — "
                 + (templates.prefill_note(store, lab_id, quarter) if kind == "projets" else
                    "les sessions ne se reportent pas d'un trimestre à l'autre : le modèle contient l'en-tête seul."))
        prefilled_downloads(store, actor.email, kind, lab_id, quarter)
    st.dataframe(templates.dictionary(kind), hide_index=True, width="stretch", placeholder="")

# --- 2. upload a file, or fill in the grid; verify --------------------------------------------------------
target_key = f"{kind}-{lab_id}-{quarter}"
mode = "fichier"
if kind in ingest.LAB_REPORT_KINDS:
    mode = st.radio("Comment déposer ?", ["fichier", "grille"], horizontal=True, key="depot_mode",
                    format_func={"fichier": "Déposer un fichier (CSV ou XLSX)",
                                 "grille": "Saisir dans le navigateur, sans fichier"}.get)
source = None   # (data, file name, grid row of each line or None for a file)
if mode == "fichier":
    upload = st.file_uploader("Fichier du rapport (CSV ou XLSX)", type=["csv", "txt", "xlsx"],
                              key=f"file-{target_key}")
    carried = st.session_state.get("depot_carry")
    if upload is not None:
        source = (upload.getvalue(), upload.name, None)
    elif carried and carried[0] == target_key:
        source = (carried[1], carried[2], None)
else:
    rows, grid_note = report_grid.start_rows(store, kind, lab_id, quarter)
    st.caption(grid_note + " « Vérifier » contrôle la grille comme un fichier ; « Publier » la publie.")
    edited = grid_editor(kind, rows, key=f"grid-{target_key}-{len(ingest.versions(store, kind, lab_id, quarter))}")
    grid_data, grid_labels = report_grid.to_file(edited, kind)
    if st.button("Vérifier", key="grid_verify"):
        st.session_state["grid_checked"] = (target_key, grid_data)
    checked = st.session_state.get("grid_checked")
    if checked == (target_key, grid_data):
        source = (grid_data, report_grid.file_name(kind, lab_id, quarter), grid_labels)
    elif checked and checked[0] == target_key:
        st.info("La grille a changé depuis la dernière vérification : cliquez sur « Vérifier ».")
notice = st.session_state.pop("depot_notice", None)
if notice:
    st.success(notice, icon=":material/check_circle:")

other = recognise.other_kind(source[0], source[1], kind) if source is not None and source[2] is None else None
if other:
    def switch_kind():
        st.session_state["depot_kind"] = other
        st.session_state["depot_carry"] = (f"{other}-{lab_id}-{quarter}", source[0], source[1])

    st.warning(recognise.message(other), icon=":material/swap_horiz:")
    st.button(f"Vérifier comme {recognise.KIND_NAMES[other]}", on_click=switch_kind, key="depot_switch")

if source is not None and not other:
    data, name, labels = source
    try:
        report = ingest.verify(store, data, name, kind=kind, lab_id=lab_id, quarter=quarter, actor=actor)
    except PermissionDenied as exc:
        st.error(str(exc))
        st.stop()
    st.subheader("Rapport de vérification")
    if labels is None:
        st.caption(f"{display.as_text(name)} — {report.file_description or 'fichier illisible'}, "
                   f"{fmt_int(report.row_count)} ligne(s) de données. Dépôt : {report.target()}.")
    else:
        st.caption(f"Grille saisie dans le navigateur, {fmt_int(report.row_count)} ligne(s). "
                   f"Dépôt : {report.target()}.")
    if report.errors:
        st.error(f"**{fmt_int(len(report.errors))} erreur(s)** : le fichier ne peut pas être publié. Corrigez les "
                 "lignes indiquées (numérotées comme dans votre tableur, l'en-tête est la ligne 1) et déposez-le "
                 "de nouveau." if labels is None else
                 f"**{fmt_int(len(report.errors))} erreur(s)** : la grille ne peut pas être publiée. Corrigez les "
                 "cases indiquées (ligne de la grille, colonne) puis cliquez de nouveau sur « Vérifier ».", icon=":material/block:")
        st.dataframe(report.issues_frame() if labels is None else report_grid.issues_frame(report, labels),
                     hide_index=True, width="stretch", key="depot_errors", placeholder="")
    if report.warnings:
        st.warning(f"{fmt_int(len(report.warnings))} avertissement(s) : valeurs acceptées après correction.",
                   icon=":material/info:")
        st.dataframe(report.issues_frame("avertissement") if labels is None else
                     report_grid.issues_frame(report, labels, "avertissement"),
                     hide_index=True, width="stretch", key="depot_warnings", placeholder="")
    # The version the verification on screen compared against: publishing checks it is still the current one.
    reviewed = st.session_state.get("depot_reviewed", {})
    reviewed = reviewed if reviewed.get("file") == (report.sha256, target_key) else {}
    st.session_state["depot_reviewed"] = {"file": (report.sha256, target_key), "version": report.current_version_id}
    if report.ok:
        diff = report.diff
        st.success(f"Fichier valide : {fmt_int(report.row_count)} ligne(s) prêtes à publier.", icon=":material/check_circle:")
        m = st.columns(4)
        m[0].metric("Lignes ajoutées", fmt_int(len(diff.added)))
        m[1].metric("Lignes modifiées", fmt_int(len(diff.changed)))
        m[2].metric("Lignes supprimées", fmt_int(len(diff.removed)))
        m[3].metric("Lignes inchangées", fmt_int(diff.unchanged))
        if not diff.is_empty:
            with st.expander("Détail des changements par rapport à la version publiée", expanded=len(diff.added) < 50):
                st.dataframe(diff.frame(ingest.load_schema(kind).key, limit=2000), hide_index=True, width="stretch",
                             placeholder="")
        if report.already_published:
            st.info("Ce fichier est déjà la version publiée de ce rapport : rien à publier.")
        elif st.button("Publier", type="primary", key="depot_publish"):
            try:
                result = ingest.publish(store, data, name, kind=kind, lab_id=lab_id, quarter=quarter,
                                        actor=actor, reviewed_version_id=reviewed.get("version", -1))
            except (PermissionDenied, ingest.ReviewOutdated) as exc:
                st.error(str(exc))
            else:
                if result.outcome == ingest.PUBLISHED:
                    st.session_state["depot_notice"] = result.message() + " Les chiffres du tableau de bord sont à jour."
                    st.session_state.pop("depot_carry", None)
                    st.session_state.pop("grid_checked", None)
                    st.rerun()
                st.error(result.message())

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
                                       key=f"restore-{target_key}")
            if cols[1].button("Restaurer cette version", key="depot_restore"):
                outcome = ingest.restore(store, chosen, actor)
                st.session_state["depot_notice"] = outcome.message()
                st.rerun()
