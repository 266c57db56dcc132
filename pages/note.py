"""Note de synthèse: a briefing (PPTX, PDF, XLSX) for a scope and a choice of charts."""

import streamlit as st

from lit_analytics import catalogue, indicators, ui
from lit_analytics.export import briefing, deck_meteo
from lit_analytics.lab_names import lab_names
from lit_analytics.ui.auth import require_actor
from lit_analytics.ui.export import briefing_downloads
from lit_analytics.ui.subscriptions import panel as subscriptions_panel

actor = require_actor()
filters = ui.sidebar_filters()
store = ui.get_store()

st.title("Note de synthèse")
st.caption("Un diaporama 16:9 (couverture, chiffres clés, un graphique par diapositive, sources et méthode), "
           "le même en PDF, ou un classeur Excel avec les données de chaque graphique.")

SCOPES = {"filtres": "Les filtres en cours", "national": "France entière", "region": "Une région",
          "lab": "Un laboratoire"}
kind = st.radio("Périmètre", options=list(SCOPES), format_func=SCOPES.get, horizontal=True, key="note_perimetre")
if kind == "region":
    regions = ui.query(indicators.region_names)
    code = st.selectbox("Région", options=list(regions), format_func=regions.get, key="note_region")
    scope = ui.query(briefing.parse_preset, f"region:{code}")
elif kind == "lab":
    labs = ui.query(lab_names)
    lab_id = st.selectbox("Laboratoire", options=list(labs), format_func=labs.get, key="note_lab")
    scope = ui.query(briefing.parse_preset, f"lab:{lab_id}")
elif kind == "national":
    scope = ui.query(briefing.parse_preset, "national")
else:
    scope = ui.query(briefing.scope_from_filters, filters)

titles = catalogue.chart_titles()
chart_ids = st.multiselect("Graphiques (une diapositive chacun, dans cet ordre)", options=list(titles),
                           default=briefing.default_charts(scope), format_func=titles.get,
                           key=f"note_graphiques_{scope.kind}")
slides = len(chart_ids) + 3 + ui.query(deck_meteo.meteo_slide_count, scope.kind, scope.filters)
st.markdown(f"**{scope.label}** — {slides} diapositives.")
if not chart_ids:
    st.info("Choisissez au moins un graphique.", icon=":material/info:")
else:
    st.caption("Le document est produit au clic (quelques secondes par graphique).")
    briefing_downloads(store, scope, chart_ids, actor.email)

st.divider()
subscriptions_panel(store, actor)   # « Mes abonnements »: the note by e-mail (lit_analytics.ui.subscriptions)
