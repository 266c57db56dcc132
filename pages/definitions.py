"""Définitions: every chart's definition, every field of the exchange formats, the météo levels and the data
alerts, on one searchable page (`lit_analytics.glossary`; each chart links here with its title as the search)."""

import html

import streamlit as st

from lit_analytics import glossary
from lit_analytics.formats import fmt_int
from lit_analytics.ui.auth import require_actor

require_actor()

st.title("Définitions")
st.caption("Ce que mesure chaque graphique, ce que contient chaque colonne des fichiers d'échange avec les "
           "laboratoires, les niveaux de la météo trimestrielle et les alertes sur les données.")

asked = st.query_params.get("terme", "")
if asked != st.session_state.get("definitions_asked"):   # a chart's link: its title becomes the search
    st.session_state["definitions_asked"] = st.session_state["definitions_search"] = asked
text = st.text_input("Rechercher une définition", key="definitions_search",
                     placeholder="un graphique, une colonne (date_debut), un mot (essaimage)…")
found = glossary.search(glossary.entries(), text)
st.caption(f"{fmt_int(len(found))} définition(s)" + (f" pour « {text} »" if text.strip() else ""))
if not found:
    st.info("Aucune définition ne contient ces mots.", icon=":material/info:")
for section, items in glossary.sections(found).items():
    st.subheader(section)
    st.markdown("\n".join(f"- **{html.escape(e.term, quote=False)}** — {html.escape(e.definition, quote=False)}"
                        for e in items))
