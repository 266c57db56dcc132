"""Every figure the pages and exports show: SQL run by DuckDB through the store, returned as data.

Functions take the store and a `Filters` value and return DataFrames or small dataclasses of codes and
numbers (English column names; statuses, sources, kinds as the data's codes; NULL where a name is unknown).
`lit_analytics.presentation` writes them in French. They read only current report versions (the `current_*`
views and `projects`).

One module per subject; the public functions are re-exported here because pages, exports and the catalogue
call them as `indicators.xxx`:

- `overview`: headline figures, the data's date, projects by stage, activity, DITP reference, latest reports;
- `impact`: stages over time, themes, partners, sessions, participants, essaimage, labs compared;
- `funding`: money by quarter, source, lab and region, the PIA rules, the funding ledger;
- `places`: the map, the lab directory and profile, region names, what changed in a lab's quarter.
"""

from lit_analytics.indicators.funding import (
    PIA_BREACH, PIA_COMPLIANT, PIA_TO_CHECK, committed_vs_paid, funding_by_lab, funding_by_quarter, funding_by_region,
    funding_ledger, pia_rule_checks)
from lit_analytics.indicators.impact import (
    essaimage_share, lab_comparison, participants_by_quarter, partner_types, projects_by_stage_over_time,
    projects_by_theme, sessions_by_quarter)
from lit_analytics.indicators.overview import (
    Headline, activity_over_time, data_date, has_demo_data, headline, labs, latest_reports, projects_by_status,
    quarters_available, reference_comparison, regions, year_earlier)
from lit_analytics.indicators.places import (
    MAP_COLUMNS, QUARTER_CHANGE_MEASURES, cohort_choices, lab_choices, lab_directory, lab_profile, lab_report_quarters,
    lab_tranches,
    lab_with_most_projects, map_labs, quarter_changes, region_indicators, region_names, region_with_most_labs)

__all__ = [
    "cohort_choices",
    "PIA_BREACH", "PIA_COMPLIANT", "PIA_TO_CHECK", "committed_vs_paid", "funding_by_lab", "funding_by_quarter",
    "funding_by_region", "funding_ledger", "pia_rule_checks",
    "essaimage_share", "lab_comparison", "participants_by_quarter", "partner_types", "projects_by_stage_over_time",
    "projects_by_theme", "sessions_by_quarter",
    "Headline", "activity_over_time", "data_date", "has_demo_data", "headline", "labs", "latest_reports",
    "projects_by_status", "quarters_available", "reference_comparison", "regions", "year_earlier",
    "MAP_COLUMNS", "QUARTER_CHANGE_MEASURES", "lab_choices", "lab_directory", "lab_profile", "lab_report_quarters",
    "lab_tranches", "lab_with_most_projects", "map_labs", "quarter_changes", "region_indicators", "region_names",
    "region_with_most_labs",
]
