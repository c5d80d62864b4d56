"""Writes of the planning app, by domain: counting a consultation into an immutable CountRun
(`count_runs`), drafting a strategy plan from it (`drafts`; the arithmetic is `planning.drafting`),
editing its parts (`parts`), versions and council review (`review`), the council's recorded votes
and rule (`council`),
monitoring (`monitoring`).
Every write is one transaction that locks the plan row, checks the predicate of `planning.rules`
and the plan's state, and records a PlanChange for the audit log.
"""
from ._common import (  # noqa: F401
    NOT_OF_THIS_PLAN,
    ensure_editable,
)
from .council import (  # noqa: F401
    ALREADY_VOTED,
    NO_VERSION_WAITING,
    council_rule_update,
    ensure_can_edit_council_rule,
    plan_vote_cast,
)
from .count_runs import (  # noqa: F401
    COUNT_UNDER_WAY,
    ENGINE_VERSION,
    OFFICIAL_AT_COUNT,
    VOTE_TYPES,
    consultation_election,
    count_job_request,
    count_job_run,
    count_run_create,
    count_run_official_for,
    ensure_can_count,
    ensure_counter,
    ensure_rule,
    greedy_comparison,
    official_choose,
    paper_ballots_after,
    results_publish,
    rule_options,
    rules_for,
    voters_funded,
)
from .drafts import (  # noqa: F401
    ensure_can_draft,
    plan_draft_for_consultation,
    plan_draft_from_count,
    proposal_year_profile,
)
from .monitoring import (  # noqa: F401
    budget_line_record_spending,
    ensure_can_monitor,
    indicator_record_actual,
)
from .parts import (  # noqa: F401
    INDICATOR_FIELDS,
    action_create,
    action_delete,
    action_update,
    budget_line_create,
    budget_line_delete,
    budget_line_update,
    indicator_create,
    indicator_delete,
    indicator_update,
    objective_create,
    objective_delete,
    objective_update,
    plan_update,
)
from .review import (  # noqa: F401
    OVERRIDE_REQUIRED,
    ensure_can_review,
    ensure_can_revise,
    ensure_can_submit,
    plan_comment_create,
    plan_revision_start,
    plan_submit,
    record_decision,
)
