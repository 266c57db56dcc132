"""Quarterly reports: reading real-world files, validation against the Table Schemas of `data/schemas/`,
diff against what is published, publication as versions, restore, templates and the reporting status.

Public API (the page, the command line and tests use only these):
"""

from lit_analytics.ingest.diff import Diff
from lit_analytics.ingest.publish import (ALREADY, CONFLICT, FAILED, PUBLISHED, REJECTED, PublishResult, Report,
                                          ReviewOutdated, publish, register_rejected, registry_values, verify)
from lit_analytics.ingest.read import MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS, ReadError, read_table
from lit_analytics.ingest.schema import LAB_REPORT_KINDS, Field, TableSchema, load_schema
from lit_analytics.ingest.validate import Issue
from lit_analytics.ingest.versions import RestoreResult, history, import_issues, restore, version_rows, versions

__all__ = [
    "ALREADY", "CONFLICT", "FAILED", "PUBLISHED", "REJECTED", "Diff", "Field", "Issue", "LAB_REPORT_KINDS",
    "MAX_COLUMNS", "MAX_FILE_BYTES", "MAX_ROWS", "PublishResult", "ReadError", "Report", "RestoreResult",
    "ReviewOutdated", "TableSchema", "history", "import_issues", "load_schema", "publish", "read_table",
    "register_rejected", "registry_values", "restore", "verify", "version_rows", "versions",
]
