"""The quarter's « météo » of the labs and the field's words, as data: the national table of one quarter (every lab
in scope open that quarter, with its current météo or none), a lab's météo quarter by quarter with the DITP's
comments, and the quarters that have one. Current versions only (`meteo_reports.is_current`); codes as stored
(`soleil`…), worded by `presentation.meteo`.

These texts are not public: only `public_meteo` (the versions the DITP marked public) may feed the public site.
"""

from __future__ import annotations

import pandas as pd

from lit_analytics.filters import Filters
from lit_analytics.formats import quarter_end, quarter_start
from lit_analytics.indicators.common import labs_cte
from lit_analytics.lab_names import shown_name
from lit_analytics.store import Store

_COMMENTS = """(SELECT lab_id, quarter, count(*) AS comments, arg_max(body, comment_id) AS last_comment,
                       arg_max(written_by, comment_id) AS last_comment_by
                FROM meteo_comments GROUP BY lab_id, quarter)"""


def meteo_quarters(store: Store, filters: Filters = Filters()) -> list[str]:
    """Quarters with at least one current météo of a lab in scope, newest first."""
    cte, params = labs_cte(filters)
    return [q for (q,) in store.query(f"""{cte}
        SELECT DISTINCT m.quarter FROM meteo_reports m JOIN sel_labs l USING (lab_id)
        WHERE m.is_current ORDER BY 1 DESC""", params)]


def meteo_table(store: Store, filters: Filters, quarter: str) -> pd.DataFrame:
    """One row per lab in scope open during `quarter`: lab_id, lab_name, region, level (None when not given),
    highlights, difficulties, support_needs, published_at, is_demo, is_public, comments, last_comment."""
    cte, params = labs_cte(filters)
    return store.query_df(f"""{cte}
        SELECT l.lab_id, {shown_name("l")} AS lab_name, r.name AS region, m.level, m.highlights, m.difficulties,
               m.support_needs, m.published_at, m.is_demo, m.is_public, coalesce(c.comments, 0) AS comments,
               c.last_comment
        FROM sel_labs l LEFT JOIN regions r USING (region_code)
             LEFT JOIN meteo_reports m ON m.lab_id = l.lab_id AND m.quarter = ? AND m.is_current
             LEFT JOIN {_COMMENTS} c ON c.lab_id = l.lab_id AND c.quarter = ?
        WHERE (l.opened_on IS NULL OR l.opened_on <= ?) AND (l.closed_on IS NULL OR l.closed_on >= ?)
        ORDER BY lab_name""", params + [quarter, quarter, quarter_end(quarter), quarter_start(quarter)])


def lab_meteo(store: Store, lab_id: str) -> pd.DataFrame:
    """A lab's current météo quarter by quarter, newest first: quarter, version_id, level, the three texts,
    published_at, published_by, is_demo, is_public."""
    return store.query_df("""
        SELECT quarter, version_id, level, highlights, difficulties, support_needs, published_at, published_by,
               is_demo, is_public
        FROM meteo_reports WHERE lab_id = ? AND is_current ORDER BY quarter DESC""", [lab_id])


def meteo_comments(store: Store, lab_id: str) -> pd.DataFrame:
    """The DITP's comments on a lab's météo, oldest first: quarter, body, written_at, written_by."""
    return store.query_df("SELECT quarter, body, written_at, written_by FROM meteo_comments WHERE lab_id = ? "
                          "ORDER BY comment_id", [lab_id])


def public_meteo(store: Store) -> pd.DataFrame:
    """The current météo versions the DITP marked public (the only ones the public site may show)."""
    return store.query_df("""SELECT lab_id, quarter, level, highlights, difficulties, support_needs
                             FROM meteo_reports WHERE is_current AND is_public ORDER BY lab_id, quarter""")
