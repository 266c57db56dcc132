"""The upload page's « Import d'historique » block (administrators): a file of many labs and quarters verified as a
whole, previewed per lab and quarter (new, changed, unchanged), published in one go (`ingest.history_file`,
`ingest.history_publish`)."""

from __future__ import annotations

import streamlit as st

from lit_analytics import ingest
from lit_analytics.formats import fmt_int
from lit_analytics.ingest import display
from lit_analytics.ingest.history_file import CHANGED, NEW, UNCHANGED, verify_history
from lit_analytics.ingest.history_publish import publish_history
from lit_analytics.ingest.workflow import Source
from lit_analytics.permissions import Actor, PermissionDenied
from lit_analytics.store import Store
from lit_analytics.ui import depot as upload

_NOTICE = "history_notice"


def history_section(store: Store, actor: Actor, names: dict[str, str]) -> None:
    if not actor.is_admin:
        return
    st.subheader("Import d'historique (administrateurs)")
    st.caption("Des années de suivi en un seul fichier : projets, sessions ou financements de plusieurs laboratoires "
               "et trimestres, avec une colonne « id_lab » (identifiant ou nom du laboratoire) et une colonne "
               "« trimestre » (T3 2021 ; pour les sessions, à défaut, le trimestre de la date). Le fichier est vérifié "
               "en entier, puis publié en une fois : une version par laboratoire et trimestre, chacune restaurable.")
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.success(notice, icon=":material/check_circle:")
    kind = st.selectbox("Rapport de l'historique", list(display.KIND_LABELS), format_func=display.KIND_LABELS.get,
                        key="history_kind")
    file = st.file_uploader("Fichier d'historique (CSV ou XLSX)", type=["csv", "txt", "xlsx"],
                            key=f"history-file-{kind}")
    if file is None:
        return
    data = file.getvalue()
    try:
        report = verify_history(store, data, file.name, kind=kind, actor=actor)
    except PermissionDenied as exc:
        st.error(str(exc))
        return
    upload.show_verification(report, Source(data, file.name), key="history")
    if not report.ok:
        return
    # What the preview on screen compared against: publishing checks it is still what is current.
    reviewed = st.session_state.setdefault(f"history-reviewed-{kind}-{report.sha256}",
                                           {(b.lab_id, b.quarter): b.current_version_id for b in report.batches})
    counts = report.counts()
    st.success(f"Fichier valide : {fmt_int(report.row_count)} ligne(s), {fmt_int(len(report.batches))} laboratoire(s) "
               "et trimestre(s).", icon=":material/check_circle:")
    m = st.columns(3)
    m[0].metric("Nouveaux", fmt_int(counts[NEW]))
    m[1].metric("Modifiés", fmt_int(counts[CHANGED]))
    m[2].metric("Inchangés", fmt_int(counts[UNCHANGED]))
    st.dataframe(report.preview(names), hide_index=True, width="stretch", key="history_preview", placeholder="")
    if counts[NEW] + counts[CHANGED] == 0:
        st.info("Chaque laboratoire et trimestre du fichier est identique à sa version publiée : rien à publier.")
        return
    if st.button("Publier l'historique", type="primary", key="history_publish"):
        try:
            result = publish_history(store, data, file.name, kind=kind, actor=actor, reviewed=reviewed)
        except (PermissionDenied, ingest.ReviewOutdated) as exc:
            st.session_state.pop(f"history-reviewed-{kind}-{report.sha256}", None)
            st.error(str(exc))
            return
        if result.outcome == ingest.PUBLISHED:
            st.session_state.pop(f"history-reviewed-{kind}-{report.sha256}", None)
            st.session_state[_NOTICE] = result.message() + " Les chiffres du tableau de bord sont à jour."
            st.rerun()
        st.error(result.message())
