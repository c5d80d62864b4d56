"""Ballot limits for each voting method, checked in one place.

Called by `services.ballot_submit` inside the transaction that stores the ballot.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.formatting import format_money

from .errors import BallotError
from .models import Consultation, Proposal, VotingMethod


def ballot_check(
    *, consultation: Consultation, choices: Mapping[int, int], proposals: Mapping[int, Proposal]
) -> None:
    """Raise BallotError unless `choices` (proposal id → points) is a valid ballot.

    `proposals` holds the proposals that are on this consultation's ballot, by id, each with
    its `ballot_cost` (`selectors.proposals_on_ballot`).
    """
    if not choices:
        raise BallotError(_("Choose at least one proposal."))
    unknown = [pid for pid in choices if pid not in proposals]
    if unknown:
        raise BallotError(
            _("Proposal #%(id)s is not on the ballot of this consultation.") % {"id": unknown[0]}
        )
    if any(points < 1 for points in choices.values()):
        raise BallotError(_("Each choice needs at least one point."))

    method = consultation.voting_method
    if method in (VotingMethod.APPROVAL, VotingMethod.KNAPSACK) and any(
        points != 1 for points in choices.values()
    ):
        raise BallotError(_("This vote takes a simple choice per proposal, not points."))

    if method == VotingMethod.APPROVAL:
        limit = consultation.max_choices or 0
        if len(choices) > limit:
            raise BallotError(
                ngettext(
                    "You can choose at most %(limit)d proposal; you chose %(count)d.",
                    "You can choose at most %(limit)d proposals; you chose %(count)d.",
                    limit,
                )
                % {"limit": limit, "count": len(choices)}
            )
    elif method == VotingMethod.KNAPSACK:
        total = sum((proposals[pid].ballot_cost for pid in choices), Decimal("0"))
        if total > consultation.budget:
            raise BallotError(
                _(
                    "Your choices cost %(total)s %(currency)s, more than the budget of "
                    "%(budget)s %(currency)s. Remove a proposal to fit the budget."
                )
                % {"total": format_money(total, ""),
                   "budget": format_money(consultation.budget, ""),
                   "currency": consultation.currency}
            )
    elif method == VotingMethod.CUMULATIVE:
        limit = consultation.max_points or 0
        used = sum(choices.values())
        if used > limit:
            raise BallotError(
                _("You can distribute at most %(limit)d points; you used %(used)d.")
                % {"limit": limit, "used": used}
            )
