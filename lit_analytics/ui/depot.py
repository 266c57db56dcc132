"""The upload page's Streamlit glue: its workflow bound to the browser session, and the blocks of the page that
are more than layout (the verification report, the changes against the published version, publishing).

The steps themselves (what is kept between reruns, what comes next) are `lit_analytics.ingest.workflow`, which
imports no Streamlit and is tested on its own; `pages/depot.py` lays the screen out with these pieces.
"""

from __future__ import annotations

import streamlit as st

from lit_analytics import ingest
from lit_analytics.formats import fmt_int
from lit_analytics.ingest import display
from lit_analytics.ingest import grid as report_grid
from lit_analytics.ingest.workflow import Source, Target, UploadWorkflow
from lit_analytics.permissions import Actor, PermissionDenied
from lit_analytics.store import Store


def upload_workflow() -> UploadWorkflow:
    """The deposit's workflow over this browser session's state (kept between reruns)."""
    return UploadWorkflow(st.session_state)


def show_verification(report: ingest.Report, source: Source, key: str = "depot") -> None:
    """The verification report: what was read, then every error and warning with its line (file) or cell (grid);
    `key` prefixes the tables' keys (the page's history import shows its own report)."""
    if not source.from_grid:
        st.caption(f"{display.as_text(source.name)} — {report.file_description or 'fichier illisible'}, "
                   f"{fmt_int(report.row_count)} ligne(s) de données. Dépôt : {report.target()}.")
    else:
        st.caption(f"Grille saisie dans le navigateur, {fmt_int(report.row_count)} ligne(s). "
                   f"Dépôt : {report.target()}.")
    if report.errors:
        st.error(f"**{fmt_int(len(report.errors))} erreur(s)** : le fichier ne peut pas être publié. Corrigez les "
                 "lignes indiquées (numérotées comme dans votre tableur, l'en-tête est la ligne 1) et déposez-le "
                 "de nouveau." if not source.from_grid else
                 f"**{fmt_int(len(report.errors))} erreur(s)** : la grille ne peut pas être publiée. Corrigez les "
                 "cases indiquées (ligne de la grille, colonne) puis cliquez de nouveau sur « Vérifier ».",
                 icon=":material/block:")
        st.dataframe(report.issues_frame() if not source.from_grid else
                     report_grid.issues_frame(report, source.grid_labels),
                     hide_index=True, width="stretch", key=f"{key}_errors", placeholder="")
    if report.warnings:
        st.warning(f"{fmt_int(len(report.warnings))} avertissement(s) : valeurs acceptées après correction.",
                   icon=":material/info:")
        st.dataframe(report.issues_frame("avertissement") if not source.from_grid else
                     report_grid.issues_frame(report, source.grid_labels, "avertissement"),
                     hide_index=True, width="stretch", key=f"{key}_warnings", placeholder="")


def show_changes(report: ingest.Report, kind: str) -> None:
    """A valid report: how many lines it adds, changes, removes, keeps, and the detail of the changes."""
    diff = report.diff
    st.success(f"Fichier valide : {fmt_int(report.row_count)} ligne(s) prêtes à publier.",
               icon=":material/check_circle:")
    m = st.columns(4)
    m[0].metric("Lignes ajoutées", fmt_int(len(diff.added)))
    m[1].metric("Lignes modifiées", fmt_int(len(diff.changed)))
    m[2].metric("Lignes supprimées", fmt_int(len(diff.removed)))
    m[3].metric("Lignes inchangées", fmt_int(diff.unchanged))
    if not diff.is_empty:
        with st.expander("Détail des changements par rapport à la version publiée", expanded=len(diff.added) < 50):
            st.dataframe(diff.frame(ingest.load_schema(kind).key, limit=2000), hide_index=True, width="stretch",
                         placeholder="")


def publish(store: Store, flow: UploadWorkflow, target: Target, source: Source, actor: Actor,
            reviewed_version_id: int | None) -> None:
    """Publish the verified report; on success the page reruns and announces it, else says why in French."""
    try:
        result = ingest.publish(store, source.data, source.name, kind=target.kind, lab_id=target.lab_id,
                                quarter=target.quarter, actor=actor, reviewed_version_id=reviewed_version_id)
    except (PermissionDenied, ingest.ReviewOutdated) as exc:
        st.error(str(exc))
        return
    if result.outcome == ingest.PUBLISHED:
        flow.published(result.message() + " Les chiffres du tableau de bord sont à jour.")
        st.rerun()
    st.error(result.message())
