"""The sidebar filters, kept across pages (session state) and in the URL (a shareable link), and the map click
that filters every page to a region."""

from __future__ import annotations

from collections.abc import Collection

import streamlit as st

from lit_analytics import domain, indicators
from lit_analytics.filters import LAB_STATUSES, Filters
from lit_analytics.formats import fmt_quarter
from lit_analytics.ui.cache import memoized, query

FILTERS_KEY = "filters"           # the canonical Filters value of the session
_W = {"period": "flt_period", "regions": "flt_regions", "labs": "flt_labs", "cohort": "flt_cohort",
      "status": "flt_status"}
_ALL = "__toutes__"


def _valid(filters: Filters, quarters: list[str], region_codes: Collection[str], lab_ids: Collection[str],
           cohorts: Collection[str] = tuple(domain.COHORTS)) -> Filters:
    """Drop what the database does not know (a stale or hand-written URL never breaks a page)."""
    q_from, q_to = filters.quarter_from, filters.quarter_to
    if quarters:
        q_from = q_from if q_from and quarters[0] < q_from <= quarters[-1] else None
        q_to = q_to if q_to and quarters[0] <= q_to < quarters[-1] else None
        if q_from and q_to and q_from > q_to:
            q_from, q_to = q_to, q_from
    return Filters(quarter_from=q_from, quarter_to=q_to,
                   regions=tuple(r for r in filters.regions if r in region_codes),
                   labs=tuple(lab for lab in filters.labs if lab in lab_ids),
                   cohort=filters.cohort if filters.cohort in cohorts else None,
                   lab_status=filters.lab_status)


def current_filters() -> Filters:
    """The session's filters: those last chosen, else those of the URL (a shared link), else none."""
    value = st.session_state.get(FILTERS_KEY)
    if isinstance(value, Filters):
        return value
    return Filters.from_query_params(st.query_params.to_dict())


def set_filters(filters: Filters) -> None:
    """Replace the session's filters (from a callback: map click, reset); the sidebar follows."""
    st.session_state[FILTERS_KEY] = filters
    st.session_state.pop("_flt_seeded", None)


def _from_widgets() -> None:
    """on_change of every filter widget: the widgets' values become the session's filters."""
    quarters = st.session_state.get("_flt_quarters") or []
    period = st.session_state.get(_W["period"]) or ((quarters[0], quarters[-1]) if quarters else (None, None))
    first, last = (period if isinstance(period, (tuple, list)) and len(period) == 2 else (None, None))
    cohort = st.session_state.get(_W["cohort"])
    st.session_state[FILTERS_KEY] = Filters(
        quarter_from=first if quarters and first != quarters[0] else None,
        quarter_to=last if quarters and last != quarters[-1] else None,
        regions=tuple(st.session_state.get(_W["regions"]) or ()),
        labs=tuple(st.session_state.get(_W["labs"]) or ()),
        cohort=None if cohort in (None, _ALL) else cohort,
        lab_status=st.session_state.get(_W["status"]) or "tous")


def _reset() -> None:
    set_filters(Filters())


def _choices() -> tuple[list[str], dict[str, str], dict[str, str], dict[str, str]]:
    """What the filters offer (quarters, region and lab names by code, cohorts), made once per data version: the
    sidebar is drawn at every page run."""
    regions_df, labs_df = query(indicators.regions), query(indicators.lab_choices)
    return (query(indicators.quarters_available), dict(zip(regions_df["region_code"], regions_df["name"])),
            dict(zip(labs_df["lab_id"], labs_df["name"])), query(indicators.cohort_choices))


def sidebar_filters() -> Filters:
    """The filters in the sidebar, kept across pages (session) and written to the URL (shareable link)."""
    quarters, region_names, lab_names, cohorts = memoized("sidebar_choices", (), _choices)
    filters = _valid(current_filters(), quarters, region_names, lab_names, cohorts)
    st.session_state[FILTERS_KEY] = filters
    st.session_state["_flt_quarters"] = quarters

    # Widgets show the session's filters (set before they are drawn, so they survive page changes).
    full = (quarters[0], quarters[-1]) if quarters else None
    if full:
        st.session_state[_W["period"]] = (filters.quarter_from or full[0], filters.quarter_to or full[1])
    st.session_state[_W["regions"]] = list(filters.regions)
    st.session_state[_W["labs"]] = list(filters.labs)
    st.session_state[_W["cohort"]] = filters.cohort or _ALL
    st.session_state[_W["status"]] = filters.lab_status

    with st.sidebar:
        st.header("Filtres")
        if full and len(quarters) > 1:
            st.select_slider("Période", options=quarters, key=_W["period"], format_func=fmt_quarter,
                             on_change=_from_widgets, help="Trimestres inclus (bornes comprises).")
        st.multiselect("Régions", options=list(region_names), key=_W["regions"], format_func=region_names.get,
                       placeholder="Toutes les régions", on_change=_from_widgets)
        st.multiselect("Laboratoires", options=list(lab_names), key=_W["labs"], format_func=lab_names.get,
                       placeholder="Tous les laboratoires", on_change=_from_widgets)
        st.selectbox("Cohorte", options=[_ALL, *cohorts], key=_W["cohort"],
                     format_func=lambda c: "Toutes les cohortes" if c == _ALL else cohorts.get(c, c),
                     on_change=_from_widgets)
        st.radio("Laboratoires ouverts ou fermés (à la fin de la période)", options=list(LAB_STATUSES),
                 key=_W["status"], format_func=LAB_STATUSES.get, horizontal=True, on_change=_from_widgets)
        st.button("Réinitialiser les filtres", on_click=_reset, width="stretch")
    _write_url(filters)
    return filters


def _write_url(filters: Filters, extra: dict[str, str] | None = None) -> None:
    wanted = {**filters.to_query_params(), **(extra or {})}
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


# --- the map click --------------------------------------------------------------------------------

MAP_KEY = "carte_regions"


def region_from_selection(selection) -> str | None:
    """The region code a map click designates: a region's `location`, or a lab marker's customdata[0]."""
    try:
        points = selection["selection"]["points"]
    except (KeyError, TypeError):
        try:
            points = selection.selection.points
        except AttributeError:
            return None
    for point in points or []:
        location = point.get("location")
        if isinstance(location, str) and location:
            return location
        custom = point.get("customdata")
        if isinstance(custom, (list, tuple)) and custom and isinstance(custom[0], str) and len(custom[0]) == 2:
            return custom[0]
    return None


def on_map_click() -> None:
    """on_select of the map: a click on a region (or a lab) filters every page to that region; a click on
    the region already selected alone clears it."""
    code = region_from_selection(st.session_state.get(MAP_KEY))
    if code is None:
        return
    filters = current_filters()
    regions = () if filters.regions == (code,) else (code,)
    set_filters(filters.with_(regions=regions))


def clear_regions() -> None:
    set_filters(current_filters().with_(regions=()))
