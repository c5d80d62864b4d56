"""What the demo's `ciudadana` lived through, so that logging in as her shows the loop closed:
she wrote the most voted affordable proposal of Mexico City's closed consultation and voted in
it (her receipt checks out in the official count), she commented on a proposal of the open vote
and got a reply, and once the plan is approved the action born from her proposal reports its
first spending. The notifications follow from the events themselves (the count's publication,
the reply, the monitoring), as they would for anyone."""
from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count

from consult import services
from consult.models import Ballot, BallotChoice, Consultation, Participant, Proposal

CITIZEN = "ciudadana"


def _citizen() -> Participant:
    return Participant.objects.select_related("user").get(user__username=CITIZEN)


def seed_citizen_ballot(*, consultation: Consultation, proposals: list[Proposal],
                        receipt_code: str) -> Proposal:
    """Make her the author of the most voted proposal that costs at most a fifth of the budget
    (the count funds it under any of the rules), and cast her ballot for it and the next most
    voted ones, inside the voting window. Returns her proposal."""
    me = _citizen()
    votes = dict(BallotChoice.objects.filter(ballot__consultation=consultation)
                 .values("proposal").annotate(n=Count("pk")).values_list("proposal", "n"))
    ranked = sorted(proposals, key=lambda p: (-votes.get(p.pk, 0), p.pk))
    mine = next(p for p in ranked if p.estimated_cost <= consultation.budget / 5)
    Proposal.objects.filter(pk=mine.pk).update(author=me, organisation=None)
    if not Ballot.objects.filter(participant=me, consultation=consultation).exists():
        cast = consultation.voting_opens_at + timedelta(days=3)
        ballot = Ballot.objects.create(participant=me, consultation=consultation,
                                       receipt_code=receipt_code, created_at=cast,
                                       updated_at=cast)
        chosen = [mine] + [p for p in ranked if p != mine][: consultation.max_choices - 1]
        BallotChoice.objects.bulk_create(BallotChoice(ballot=ballot, proposal=p, points=1)
                                         for p in chosen)
    return mine


def seed_citizen_conversation(*, consultation: Consultation, proposals: list[Proposal],
                              neighbours: list[Participant], rng: random.Random) -> None:
    """She asks a question on a proposal of the open vote; its author's neighbour answers."""
    me = _citizen()
    proposal = rng.choice(proposals)
    question = services.comment_create(
        author=me, proposal=proposal,
        body="¿Esta acción incluye a las escuelas de las alcaldías del oriente?")
    services.comment_create(
        author=next(p for p in neighbours if p.is_verified and p.pk != me.pk), proposal=proposal,
        parent_id=question.pk,
        body="Sí: la propuesta prevé talleres en Iztapalapa y Tláhuac desde el primer año.")


def seed_citizen_progress(*, plan, planner) -> None:
    """The approved plan's action born from her proposal records its first spending."""
    from planning import services as plan_services

    action = plan.actions.filter(proposals__author__user__username=CITIZEN).order_by(
        "rank").first()
    line = action.budget_lines.order_by("year", "pk").first() if action else None
    if line is not None:
        plan_services.budget_line_record_spending(
            line=line, user=planner, spent=(line.amount * Decimal("0.35")).quantize(
                Decimal("1")))
