"""Ballots through the API obey the same limits and concurrency guarantees as the web: the view
calls consult.services.ballot_submit, which checks the limits in the transaction that stores the
ballot with the voter's row locked."""
from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections

from consult.models import Ballot, BallotChoice, Phase, VotingMethod
from tests.api.conftest import client_for
from tests.factories import ConsultationFactory, ParticipantFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def ballot_url(consultation) -> str:
    return f"/api/v1/consultations/{consultation.pk}/ballot/"


def vote(user, consultation, choices: dict[int, int]):
    return client_for(user).put(
        ballot_url(consultation),
        {"choices": [{"proposal": pk, "points": points} for pk, points in choices.items()]},
        format="json",
    )


@pytest.fixture
def voter():
    return ParticipantFactory()


def test_approval_limit(voter):
    consultation = ConsultationFactory(city=voter.city, phase=Phase.VOTING, max_choices=2)
    proposals = [ProposalFactory(consultation=consultation) for _ in range(3)]
    response = vote(voter.user, consultation, {p.pk: 1 for p in proposals})
    assert response.status_code == 400
    assert response.json()["detail"] == "You can choose at most 2 proposals; you chose 3."
    assert not Ballot.objects.exists()
    response = vote(voter.user, consultation, {p.pk: 1 for p in proposals[:2]})
    assert response.status_code == 200
    body = response.json()
    assert [c["proposal"] for c in body["choices"]] == sorted(p.pk for p in proposals[:2])
    receipt = body["receipt_code"]
    # Change the ballot: same receipt, the new choices replace the old ones whole.
    response = vote(voter.user, consultation, {proposals[2].pk: 1})
    assert response.status_code == 200
    assert response.json()["receipt_code"] == receipt
    assert client_for(voter.user).get(ballot_url(consultation)).json()["choices"] == [
        {"proposal": proposals[2].pk, "points": 1}]


def test_budget_limit(voter):
    consultation = ConsultationFactory(city=voter.city, phase=Phase.VOTING,
                                       voting_method=VotingMethod.KNAPSACK,
                                       budget=Decimal("500"), max_choices=None)
    cheap, dear = (ProposalFactory(consultation=consultation, estimated_cost=Decimal(c))
                   for c in ("200", "400"))
    response = vote(voter.user, consultation, {cheap.pk: 1, dear.pk: 1})
    assert response.status_code == 400
    assert "more than the budget" in response.json()["detail"]
    assert vote(voter.user, consultation, {dear.pk: 1}).status_code == 200


def test_cumulative_points(voter):
    consultation = ConsultationFactory(city=voter.city, phase=Phase.VOTING,
                                       voting_method=VotingMethod.CUMULATIVE, max_points=5,
                                       max_choices=None)
    a, b = (ProposalFactory(consultation=consultation) for _ in range(2))
    assert vote(voter.user, consultation, {a.pk: 4, b.pk: 2}).status_code == 400
    assert vote(voter.user, consultation, {a.pk: 0}).status_code == 400
    response = vote(voter.user, consultation, {a.pk: 3, b.pk: 2})
    assert response.status_code == 200
    assert sum(c["points"] for c in response.json()["choices"]) == 5


def test_unknown_and_duplicate_proposals_are_refused(voter):
    consultation = ConsultationFactory(city=voter.city, phase=Phase.VOTING)
    other = ProposalFactory()
    response = vote(voter.user, consultation, {other.pk: 1})
    assert response.status_code == 400
    assert "is not on the ballot" in response.json()["detail"]
    mine = ProposalFactory(consultation=consultation)
    response = client_for(voter.user).put(ballot_url(consultation), {"choices": [
        {"proposal": mine.pk}, {"proposal": mine.pk}]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"choices": ["Name each proposal once."]}


@pytest.mark.parametrize("phase", [Phase.PROPOSALS, Phase.REVIEW, Phase.COUNTING,
                                   Phase.RESULTS])
def test_no_ballot_outside_voting(voter, phase):
    consultation = ConsultationFactory(city=voter.city, phase=phase)
    proposal = ProposalFactory(consultation=consultation)
    response = vote(voter.user, consultation, {proposal.pk: 1})
    assert response.status_code == 403
    assert not Ballot.objects.exists()


def test_nobody_reads_another_voters_ballot(voter):
    consultation = ConsultationFactory(city=voter.city, phase=Phase.VOTING)
    proposal = ProposalFactory(consultation=consultation)
    assert vote(voter.user, consultation, {proposal.pk: 1}).status_code == 200
    other = ParticipantFactory(city=voter.city)
    assert client_for(other.user).get(ballot_url(consultation)).status_code == 404
    assert client_for(None).get(ballot_url(consultation)).status_code == 401


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_api_ballots_end_with_one_ballot_each_within_limits():
    """Many simultaneous PUTs of the same voters, some over the limit: one ballot per voter,
    never mixing two submissions, never over the limit."""
    assert connection.vendor == "postgresql"
    consultation = ConsultationFactory(phase=Phase.VOTING, max_choices=2)
    proposals = [ProposalFactory(consultation=consultation) for _ in range(5)]
    people = [ParticipantFactory(city=consultation.city) for _ in range(4)]
    clients = {person.pk: client_for(person.user) for person in people}
    rng = random.Random(11)
    jobs = []
    for _round in range(5):
        for person in people:
            chosen = rng.sample(proposals, rng.choice([1, 2, 3]))  # 3 breaks the limit
            jobs.append((person, chosen))
    threads = 8
    barrier = threading.Barrier(threads)

    def run(job):
        person, chosen = job
        try:
            try:
                barrier.wait(timeout=5)
            except threading.BrokenBarrierError:
                pass
            return clients[person.pk].put(
                ballot_url(consultation),
                {"choices": [{"proposal": p.pk} for p in chosen]}, format="json",
            ).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        statuses = list(pool.map(run, jobs))
    assert set(statuses) <= {200, 400} and 200 in statuses and 400 in statuses
    assert Ballot.objects.count() == len(people)
    for ballot in Ballot.objects.all():
        assert 1 <= BallotChoice.objects.filter(ballot=ballot).count() <= 2
