"""The météo on screen: the lab lead's form beside the quarter's report (upload page), the lab's météo quarter by
quarter with the DITP's answers (page « Laboratoires »), and the national « Météo des labs » (home page).

Publishing goes through `ingest.meteo` (the form is written as the one-line CSV a file would be: same checks,
versions and journal); the tables come from `presentation.meteo`."""

from __future__ import annotations

import streamlit as st

from lit_analytics import ingest
from lit_analytics.domain import METEO, METEO_LEVELS
from lit_analytics.filters import Filters
from lit_analytics.formats import fmt_datetime, fmt_quarter
from lit_analytics.ingest import meteo
from lit_analytics.ingest.display import as_text
from lit_analytics.indicators import meteo as queries
from lit_analytics.permissions import Actor, PermissionDenied
from lit_analytics.presentation import meteo as words
from lit_analytics.store import Store
from lit_analytics.ui.cache import query
from lit_analytics.ui.display import show_table

_NOTICE = "meteo_notice"


def meteo_form(store: Store, actor: Actor, lab_id: str, quarter: str) -> None:
    """« Météo du trimestre »: the level and the three texts, published as a new version of the quarter's météo."""
    st.subheader("Météo du trimestre et paroles du terrain")
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.success(notice, icon=":material/check_circle:")
    now = meteo.current(store, lab_id, quarter)
    st.caption(f"Avec le rapport de {fmt_quarter(quarter)} : où en sont les objectifs du laboratoire, et trois textes "
               "courts. " + words.NOT_PUBLIC + (f" Version en vigueur publiée le {fmt_datetime(now['published_at'])} "
                                                  f"par {now['published_by']} : le formulaire la reprend."
                                                  if now else ""))
    fields = {f.name: f for f in ingest.load_schema(METEO).fields}
    with st.form(f"meteo-{lab_id}-{quarter}", border=True):
        level = st.radio(fields["meteo"].title, METEO_LEVELS, horizontal=True, format_func=words.level_text,
                         index=METEO_LEVELS.index(now["level"]) if now else None, key=f"meteo_level_{lab_id}_{quarter}")
        texts = {}
        for name, column in (("faits_marquants", "highlights"), ("difficultes_freins", "difficulties"),
                             ("besoins_appui", "support_needs")):
            f = fields[name]
            texts[name] = st.text_area(f.title, value=now[column] if now else "", max_chars=f.max_length,
                                       help=f.description, key=f"meteo_{name}_{lab_id}_{quarter}", height=100)
        sent = st.form_submit_button("Publier la météo", type="primary")
    if not sent:
        return
    data = meteo.form_file(level, texts["faits_marquants"], texts["difficultes_freins"], texts["besoins_appui"])
    try:
        result = meteo.publish(store, data, meteo.form_file_name(lab_id, quarter), lab_id=lab_id, quarter=quarter,
                               actor=actor)
    except PermissionDenied as exc:
        st.error(str(exc))
        return
    if result.outcome == ingest.PUBLISHED:
        st.session_state[_NOTICE] = result.message()
        st.rerun()
    if result.outcome == ingest.REJECTED:
        st.error("La météo n'est pas publiée : " + " ".join(
            f"{fields[i.column].title if i.column in fields else 'Formulaire'} : {i.message}"
            for i in result.report.errors), icon=":material/block:")
    else:
        st.info(result.message())


def lab_meteo(store: Store, actor: Actor, lab_id: str) -> None:
    """The lab's météo quarter by quarter; the DITP answers (comment) and an administrator decides what is public."""
    st.subheader("Météo et paroles du terrain, trimestre par trimestre")
    table = query(words.lab_meteo_table, lab_id)
    if table.empty:
        st.caption("Aucune météo publiée pour ce laboratoire.")
        return
    latest = table.iloc[0]
    st.markdown("\n\n".join([f"**{latest['Trimestre']} — {latest['Météo']}**",
                              *(f"**{label}** : {as_text(latest[label])}" for label in words.TEXTS.values())]))
    st.caption(words.NOT_PUBLIC)
    show_table(table)
    if actor.role not in ("admin", "analyste"):
        return
    # Drawn once opened: a form costs every run of the profile, and answering is occasional.
    reply = st.expander("Répondre au laboratoire (DITP)", icon=":material/reply:", key=f"meteo-reply-{lab_id}",
                        on_change="rerun")
    if not reply.open:
        return
    history = query(queries.lab_meteo, lab_id)
    quarters = list(history["quarter"])
    with reply, st.form(f"meteo-comment-{lab_id}", border=False):
        quarter = st.selectbox("Trimestre", quarters, format_func=fmt_quarter, key=f"meteo_comment_q_{lab_id}")
        body = st.text_area("Commentaire", max_chars=meteo.COMMENT_MAX, key=f"meteo_comment_{lab_id}")
        public = None
        if actor.is_admin:
            public = st.checkbox("Textes publics (le site public peut les montrer)", key=f"meteo_public_{lab_id}",
                                 value=bool(history.set_index("quarter").loc[quarter, "is_public"]))
        sent = st.form_submit_button("Enregistrer")
    if not sent:
        return
    try:
        if body.strip():
            meteo.add_comment(store, lab_id, quarter, body, actor)
        row = history.set_index("quarter").loc[quarter]
        if public is not None and bool(row["is_public"]) != public:
            meteo.set_public(store, int(row["version_id"]), public, actor)
    except (PermissionDenied, ValueError) as exc:
        st.error(str(exc))
        return
    st.rerun()


def national_table(filters: Filters) -> None:
    """« Météo des labs »: one quarter, every lab in scope, worst météo first; filter by level, sort by column; the
    count by level beside it."""
    st.subheader(words.TITLE)
    quarters = query(queries.meteo_quarters, filters)
    if not quarters:
        st.caption("Aucune météo publiée pour ces filtres.")
        return
    # Rows of elements side by side (one block each: every element costs every page run of every session).
    choices = st.container(horizontal=True)
    quarter = choices.selectbox("Trimestre de la météo", quarters, format_func=fmt_quarter, key="meteo_trimestre",
                                width=220)
    options = [*METEO_LEVELS, ""]
    levels = choices.multiselect("Météo", options, default=[], key="meteo_niveaux", placeholder="Toutes les météos",
                                 format_func=lambda c: words.level_text(c or None))
    table = query(words.meteo_table, filters, quarter, tuple(levels))
    with st.container(horizontal=True):
        show_table(table, empty_message="Aucun laboratoire avec cette météo pour ces filtres.")
        show_table(query(words.meteo_counts_table, filters, quarter), width=220)
    st.caption(f"{fmt_quarter(quarter)} · laboratoires ouverts ce trimestre, les plus en difficulté d'abord. "
               + words.NOT_PUBLIC)
