"""Reads of the planning app, by concern: plans, versions and their data (`reads`), who may see
which plan, version and decision (`visibility`), the checks a plan must pass (`checks`), the
frozen snapshot of a version and how it reads (`snapshots`). Totals are aggregated in the
database; lists use select_related / prefetch_related so queries do not grow with the rows.
"""
from .checks import (  # noqa: F401
    CHECK_MESSAGES,
    CONFLICT_MESSAGES,
    ZERO,
    Check,
    conflict_message,
    current_budget_lines,
    plan_checks,
)
from .council import (  # noqa: F401, E402
    council_member_ids,
    council_rule_of,
    version_decision,
    version_tally,
    version_votes,
)
from .counts import (  # noqa: F401
    COUNTS_LISTED,
    count_jobs_of,
    count_run_official,
    count_runs_compare,
    count_runs_of,
    official_choice_latest,
    official_choices,
    results_public_state,
    results_publication_of,
)
from .reads import (  # noqa: F401
    consultations_to_plan,
    count_job_latest,
    plan_actions_from,
    plan_budget,
    plan_comments,
    plan_decisions,
    plan_execution,
    plan_get,
    plan_history,
    plan_versions,
    plan_workspace,
    plans_for,
    proposal_fate,
    public_plan,
    version_status,
)
from .receipts import (  # noqa: F401
    RECEIPT_NOT_FOUND,
    ReceiptCheck,
    ReceiptStatus,
    normalise_receipt_code,
    receipt_check,
    receipt_lookup_wait,
)
from .results_summary import (  # noqa: F401
    RULE_SENTENCES,
    results_summary,
    rule_details,
    rule_sentence,
)
from .snapshots import (  # noqa: F401
    localize_item,
    plan_snapshot,
    snapshot_view,
)
from .visibility import (  # noqa: F401
    LIVE_PLAN_HIDDEN,
    NO_SUCH_PLAN,
    count_jobs_visible,
    count_runs_visible,
    plan_decisions_readable,
    plan_for_reader,
    plan_versions_readable,
    plan_votes_readable,
    plans_visible,
    working_city_ids,
)
from .waiting import Waiting, waiting_for  # noqa: F401
