"""Counting a consultation from the database into an immutable CountRun."""
from decimal import Decimal

import pytest

from consult import services as consult_services
from consult.models import CityRole, Consultation, Phase, Proposal, VotingMethod
from core.errors import NotAllowed, ServiceError
from planning.counting import Election, count
from planning.immutable import FrozenRecord
from planning.models import CountRun
from planning.services import count_run_create
from tests.factories import (
    CityRoleFactory,
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed():
    """Voting closed; four proposals, six ballots."""
    consultation = ConsultationFactory(phase=Phase.VOTING, budget=Decimal("100"), max_choices=3)
    a, b, c, d = (ProposalFactory(consultation=consultation, estimated_cost=Decimal(x))
                  for x in ("50", "40", "30", "25"))
    ballots = [[a, b], [a, b], [a], [c, d], [c], [b, d]]
    for chosen in ballots:
        consult_services.ballot_submit(
            participant=ParticipantFactory(city=consultation.city), consultation=consultation,
            choices={p.pk: 1 for p in chosen})
    ParticipantFactory(city=consultation.city)  # a participant who did not vote
    closed_dates = ConsultationFactory.build(phase=Phase.COUNTING)
    Consultation.objects.filter(pk=consultation.pk).update(
        voting_closes_at=closed_dates.voting_closes_at, results_at=closed_dates.results_at)
    consultation.refresh_from_db()
    return consultation, (a, b, c, d), ballots


@pytest.mark.parametrize("rule", ["greedy", "mes", "mes-add1", "mes-greedy", "phragmen"])
def test_count_from_database_equals_engine_on_same_ballots(closed, rule):
    consultation, proposals, ballots = closed
    run = count_run_create(consultation=consultation, rule=rule)
    expected = count(Election.from_ballots(
        [str(p.pk) for p in proposals], [p.estimated_cost for p in proposals], 100,
        [[str(p.pk) for p in chosen] for chosen in ballots]), rule)
    assert run.selected == expected.selected
    assert run.total_cost == Decimal(expected.total_cost)
    assert run.n_ballots == 6 and run.n_projects == 4
    assert len(run.input_hash) == 64
    assert set(run.explanations) == {str(p.pk) for p in proposals}


def test_same_ballots_same_hash_and_runs_are_immutable(closed):
    consultation, _proposals, _ballots = closed
    first = count_run_create(consultation=consultation, rule="mes")
    second = count_run_create(consultation=consultation, rule="greedy")
    assert first.input_hash == second.input_hash
    first.selected = []
    with pytest.raises(FrozenRecord, match="immutable"):
        first.save()
    assert CountRun.objects.get(pk=first.pk).selected != []  # the stored row is unchanged


def test_publication_marks_the_official_selection_and_a_later_choice_moves_it(closed):
    from planning.services import results_publish

    consultation, proposals, _ballots = closed
    run = count_run_create(consultation=consultation, rule="greedy", official=True)
    assert not Proposal.objects.filter(status=Proposal.Status.SELECTED).exists()
    results_publish(consultation=consultation, user=None)
    selected = set(Proposal.objects.filter(status=Proposal.Status.SELECTED)
                   .values_list("pk", flat=True))
    assert selected == set(run.selected_proposal_ids) and selected
    rerun = count_run_create(consultation=consultation, rule="mes", official=True)
    selected = set(Proposal.objects.filter(status=Proposal.Status.SELECTED)
                   .values_list("pk", flat=True))
    assert selected == set(rerun.selected_proposal_ids)


def test_no_count_while_voting_is_open():
    consultation = ConsultationFactory(phase=Phase.VOTING)
    with pytest.raises(ServiceError, match="once voting has closed"):
        count_run_create(consultation=consultation)
    assert not CountRun.objects.exists()


def test_only_planners_of_the_city_count(closed):
    consultation, _proposals, _ballots = closed
    with pytest.raises(NotAllowed):
        count_run_create(consultation=consultation, user=UserFactory())
    elsewhere = CityRoleFactory(role=CityRole.Role.PLANNER).user
    with pytest.raises(NotAllowed):
        count_run_create(consultation=consultation, user=elsewhere)
    planner = CityRoleFactory(city=consultation.city, role=CityRole.Role.PLANNER).user
    assert count_run_create(consultation=consultation, user=planner).created_by == planner


def test_cumulative_consultation_counts_points(closed):
    consultation = ConsultationFactory(phase=Phase.VOTING, voting_method=VotingMethod.CUMULATIVE,
                                       max_choices=None, max_points=5, budget=Decimal("50"))
    a, b = (ProposalFactory(consultation=consultation, estimated_cost=Decimal("30"))
            for _ in range(2))
    for points in ({a.pk: 1, b.pk: 4}, {a.pk: 2}):
        consult_services.ballot_submit(participant=ParticipantFactory(city=consultation.city),
                                       consultation=consultation, choices=points)
    Consultation.objects.filter(pk=consultation.pk).update(
        **{k: getattr(ConsultationFactory.build(phase=Phase.RESULTS), k)
           for k in ("proposals_open_at", "proposals_close_at", "voting_opens_at",
                     "voting_closes_at", "results_at")})
    consultation.refresh_from_db()
    run = count_run_create(consultation=consultation, rule="greedy")
    assert run.selected == [str(b.pk)]  # 4 points beat 3
    with pytest.raises(ServiceError, match="does not apply"):
        count_run_create(consultation=consultation, rule="mes")


def test_results_wait_for_a_count_that_holds_the_paper_ballots_entered_after_it(counted, roles):
    """Clerks may enter paper ballots until the results are published: a count made before
    the last of them does not hold it, so publishing refuses until a new count is official."""
    from consult.services import paper_entry_record
    from planning import services
    from tests.factories import CityRoleFactory
    from tests.planning.conftest import close_voting

    consultation, (a, _b, c, _d) = counted
    close_voting(consultation, Phase.COUNTING)
    first = services.count_run_official_for(consultation=consultation, user=roles.planner)
    clerks = [CityRoleFactory(city=consultation.city, role=CityRole.Role.CLERK).user
              for _ in range(2)]
    for clerk in clerks:
        paper_entry_record(clerk=clerk, consultation=consultation, serial="0001",
                           choices={c.pk: 1})
    with pytest.raises(ServiceError, match="1 paper ballot was entered after the official"):
        services.results_publish(consultation=consultation, user=roles.planner)
    second = count_run_create(consultation=consultation, user=roles.planner, official=True,
                              reason="With the paper ballot.")
    assert second.n_ballots == first.n_ballots + 1
    services.results_publish(consultation=consultation, user=roles.planner)
