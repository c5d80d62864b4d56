"""Who may read and publish reports: predicates over the subject's city (a consultation or a
plan), composed from consult's role predicates.

Live (unpublished) reports: the city's planners, administrators and council members.
Publishing: the city's planners (and administrators).
Published reports: everyone. Anonymised ballots (.pb): the city's planners and council once
voting has closed, everyone once the results are out.
"""
from __future__ import annotations

import rules

from consult import rules as consult_rules
from consult.models import Consultation, Phase

can_view_live_report = consult_rules.is_planner | consult_rules.is_council_member
can_publish_report = consult_rules.is_planner


@rules.predicate
def is_voting_closed(user, consultation) -> bool:
    return isinstance(consultation, Consultation) and consultation.phase in (
        Phase.COUNTING, Phase.RESULTS)


@rules.predicate
def is_results_phase(user, consultation) -> bool:
    return isinstance(consultation, Consultation) and consultation.phase == Phase.RESULTS


can_download_ballots = is_voting_closed & (is_results_phase | can_view_live_report)

rules.add_perm("reports.view_live_report", can_view_live_report)
rules.add_perm("reports.publish_report", can_publish_report)
rules.add_perm("reports.download_ballots", can_download_ballots)
