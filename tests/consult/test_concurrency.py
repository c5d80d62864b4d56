"""Many threads submit and change ballots and supports for the same participants at once."""
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections

from consult import services
from consult.errors import BallotError
from consult.models import Ballot, BallotChoice, CityRole, Phase, ProposalAssessment, Support
from tests.factories import (
    CityRoleFactory,
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def run_in_threads(jobs):
    barrier = threading.Barrier(THREADS)

    def run(job):
        try:
            barrier.wait(timeout=30)
            return job()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return [f.result() for f in [pool.submit(run, job) for job in jobs]]


def test_concurrent_ballots_end_with_one_ballot_each_within_limits():
    assert connection.vendor == "postgresql"
    consultation = ConsultationFactory(phase=Phase.VOTING, max_choices=2)
    proposals = [ProposalFactory(consultation=consultation) for _ in range(5)]
    people = [ParticipantFactory(city=consultation.city) for _ in range(4)]
    rng = random.Random(7)
    jobs = []
    for _round in range(6):
        for person in people:
            size = rng.choice([1, 2, 3])  # 3 breaks the limit and must change nothing
            chosen = rng.sample(proposals, size)

            def job(person=person, chosen=chosen):
                try:
                    services.ballot_submit(participant=person, consultation=consultation,
                                           choices={p.pk: 1 for p in chosen})
                    return "ok"
                except BallotError:
                    return "refused"

            jobs.append(job)
    outcomes = run_in_threads(jobs)
    assert "ok" in outcomes and "refused" in outcomes
    assert Ballot.objects.count() == len(people)
    for ballot in Ballot.objects.all():
        count = BallotChoice.objects.filter(ballot=ballot).count()
        assert 1 <= count <= 2, "a ballot mixes two submissions or breaks the limit"


def test_concurrent_supports_end_with_one_support_each():
    consultation = ConsultationFactory(phase=Phase.PROPOSALS)
    proposals = [ProposalFactory(consultation=consultation) for _ in range(3)]
    people = [ParticipantFactory(city=consultation.city) for _ in range(4)]
    jobs = [
        (lambda person=person, proposal=proposal: services.support_add(
            participant=person, proposal=proposal))
        for _repeat in range(4) for person in people for proposal in proposals
    ]
    run_in_threads(jobs)
    assert Support.objects.count() == len(people) * len(proposals)
    for proposal in proposals:
        assert proposal.supports.count() == len(people)


def test_reviewers_assessing_at_once_leave_one_whole_assessment():
    """The proposal row is locked: concurrent first assessments store one row, and its split is
    the one of the assessment that wrote it last, never a mix."""
    consultation = ConsultationFactory(phase=Phase.REVIEW)
    proposal = ProposalFactory(consultation=consultation)
    reviewers = [CityRoleFactory(city=consultation.city, role=CityRole.Role.REVIEWER).user
                 for _ in range(THREADS)]
    jobs = []
    for n, reviewer in enumerate(reviewers):
        cost = Decimal(100000 + n)
        split = {2027: cost - 1, 2028: Decimal(1)}

        def job(reviewer=reviewer, cost=cost, split=split):
            services.assessment_save(user=reviewer, proposal=proposal, verdict="feasible",
                                     validated_cost=cost, cost_reason="Quotes",
                                     year_costs=split)
            return "ok"

        jobs.append(job)
    assert run_in_threads(jobs) == ["ok"] * THREADS
    assessment = ProposalAssessment.objects.get(proposal=proposal)
    years = {cost.year: cost.amount for cost in assessment.year_costs.all()}
    assert sum(years.values()) == assessment.validated_cost and len(years) == 2
