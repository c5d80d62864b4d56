"""The ballots the counting engine reads: every ballot (empty ones too), every choice, every
proposal on the ballot or chosen — and nothing of another consultation. Runs on SQLite and on
PostgreSQL, where the arrays come from binary COPY."""
from decimal import Decimal

import pytest

from consult.models import Ballot, BallotChoice, Phase, Proposal
from consult.selectors import ballot_arrays
from tests.factories import ConsultationFactory, ParticipantFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def cast(consultation, choices: dict) -> Ballot:
    ballot = Ballot.objects.create(
        participant=ParticipantFactory(city=consultation.city), consultation=consultation
    )
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=ballot, proposal=proposal, points=points)
        for proposal, points in choices.items()
    )
    return ballot


def test_arrays_hold_every_ballot_and_choice_of_the_consultation_only():
    consultation = ConsultationFactory(phase=Phase.VOTING, min_supports=0)
    a, b, c = (ProposalFactory(consultation=consultation, estimated_cost=Decimal(cost))
               for cost in ("100", "250.50", "300"))
    # Shortlisted-then-withdrawn proposals that were chosen still count as chosen.
    withdrawn = ProposalFactory(consultation=consultation, status=Proposal.Status.WITHDRAWN,
                                status_reason="Merged with another proposal.")
    other = ConsultationFactory(city=consultation.city, phase=Phase.VOTING)
    cast(other, {ProposalFactory(consultation=other): 1})
    first = cast(consultation, {c: 3, a: 1})
    empty = cast(consultation, {})
    last = cast(consultation, {b: 2, withdrawn: 1})

    arrays = ballot_arrays(consultation=consultation)

    assert arrays.n_ballots == 3
    assert list(arrays.proposal_pks) == sorted(p.pk for p in (a, b, c, withdrawn))
    assert arrays.costs[list(arrays.proposal_pks).index(b.pk)] == Decimal("250.50")
    by_ballot = {}
    for voter, ballot in enumerate(sorted((first, empty, last), key=lambda x: x.pk)):
        span = slice(arrays.indptr[voter], arrays.indptr[voter + 1])
        by_ballot[ballot.pk] = {
            int(arrays.proposal_pks[i]): int(points)
            for i, points in zip(arrays.indices[span], arrays.points[span], strict=True)
        }
    assert by_ballot == {
        first.pk: {a.pk: 1, c.pk: 3},
        empty.pk: {},
        last.pk: {b.pk: 2, withdrawn.pk: 1},
    }
    assert arrays.indices.dtype == arrays.points.dtype == arrays.indptr.dtype


def test_a_consultation_without_ballots_gives_empty_arrays():
    consultation = ConsultationFactory(phase=Phase.VOTING, min_supports=0)
    ProposalFactory(consultation=consultation)
    arrays = ballot_arrays(consultation=consultation)
    assert arrays.n_ballots == 0
    assert len(arrays.indices) == len(arrays.points) == 0
    assert len(arrays.proposal_pks) == 1
