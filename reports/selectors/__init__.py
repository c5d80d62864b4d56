"""Reads of the reports app: every report is built here as a JSON-ready dict of tables
(pandas for the arithmetic, the database for the counting) and chart specifications.

A report is ``{"kind", "meta", "summary", "tables": {name: table}, "charts": [spec, ...]}``;
a table is ``{"columns": [{"key", "type"}], "rows": [[...], ...]}`` with plain JSON values
(money as numbers with two decimals, suppressed cells as the string ``"<10"``). Published
reports freeze exactly this dict; pages, exports and charts are drawn from it, so a published
report looks the same whatever changes later.

Counting happens in the database (``values`` + ``annotate``), ballots are read as CSR arrays
(``consult.selectors.ballot_arrays``) and counted with the engine in memory: the number of
queries does not grow with the number of ballots.

By concern:

- ``consultations``, ``inclusion``, ``results``, ``plans``, ``network``, ``published``: the
  reads, one module per report (and the published reports and the reports page);
- ``tables``: table and column labels, and the table dict built from a DataFrame;
- ``formatting``: numbers and money as tables hold them and as people read them;
- ``suppression``: the small-cell rule (``MIN_CELL``) for demographic breakdowns.

Every public name is re-exported here: callers write ``selectors.consultation_report``.
"""
from __future__ import annotations

from .consultations import consultation_report
from .formatting import format_money, format_number, money, number_or_none
from .inclusion import DIMENSION_CHOICES, inclusion_tables, took_part
from .network import network_report
from .plans import funding_source_label, plan_report
from .published import (
    NO_SUCH_REPORT,
    published_report_data,
    published_report_get,
    published_reports,
    reports_index,
)
from .results import COMPARED_RULES, consultation_results, official_run
from .suppression import (
    HIDDEN,
    MIN_CELL,
    SUPPRESSED,
    is_small_cell,
    is_withheld,
    suppression_mask,
)
from .tables import (
    COLUMN_LABELS,
    METRIC_LABELS,
    TABLE_TITLES,
    VOCABULARIES,
    column_label,
    report_in_language,
    table_frame,
    table_from_frame,
    table_title,
    worded_table,
)

__all__ = [
    "COLUMN_LABELS",
    "COMPARED_RULES",
    "DIMENSION_CHOICES",
    "NO_SUCH_REPORT",
    "HIDDEN",
    "METRIC_LABELS",
    "MIN_CELL",
    "SUPPRESSED",
    "TABLE_TITLES",
    "VOCABULARIES",
    "column_label",
    "consultation_report",
    "consultation_results",
    "format_money",
    "format_number",
    "funding_source_label",
    "inclusion_tables",
    "is_small_cell",
    "is_withheld",
    "money",
    "network_report",
    "number_or_none",
    "official_run",
    "plan_report",
    "published_report_data",
    "published_report_get",
    "published_reports",
    "report_in_language",
    "reports_index",
    "suppression_mask",
    "table_frame",
    "table_from_frame",
    "table_title",
    "took_part",
    "worded_table",
]
