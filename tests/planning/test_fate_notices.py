"""What became of a proposal, told to the people behind it (issue #14): its fate when the results
are published or a later official choice changes it, and the progress of the plan actions born
from it."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consult import services as consult_services
from consult.models import Consultation, Phase, Support
from core.errors import ServiceError
from notifications.messages import worded
from notifications.models import Kind, Notification
from planning import services
from planning.models import BudgetLine, Indicator, PlanChange
from tests.factories import ConsultationFactory, ParticipantFactory, ProposalFactory, ThemeFactory
from tests.planning.conftest import close_voting

pytestmark = pytest.mark.django_db


def fates(**filters) -> set[tuple[int, str, str]]:
    return set(Notification.objects.filter(kind=Kind.PROPOSAL_FATE, **filters)
               .values_list("recipient_id", "message", "event"))


def test_publication_tells_author_supporters_followers_and_voters_once_each(
        counted, roles, django_capture_on_commit_callbacks):
    consultation, (a, b, c, d) = counted
    city = consultation.city
    supporter, follower = ParticipantFactory(city=city), ParticipantFactory(city=city)
    Support.objects.create(participant=supporter, proposal=d)
    consult_services.proposal_follow(user=follower.user, proposal=d)
    # The author of a also supports and follows it: still told once.
    Support.objects.create(participant=a.author, proposal=a)
    consult_services.proposal_follow(user=a.author.user, proposal=a)
    [d_voter] = [ballot.participant for ballot in consultation.ballots.all()
                 if set(ballot.choices.values_list("proposal_id", flat=True)) == {b.pk, d.pk}]
    services.count_run_create(consultation=consultation, official=True, user=roles.planner)
    assert not Notification.objects.exists()  # counting tells nobody: publishing does
    with django_capture_on_commit_callbacks(execute=True) as told_after:
        publication = services.results_publish(consultation=consultation, user=roles.planner)
        assert not Notification.objects.exists()  # the worker tells, after the commit
    assert told_after
    choice = publication.official_choice

    key = f"fate:{d.pk}:{choice.pk}"
    assert fates(event=key) == {(person.user_id, "proposal_not_selected", key)
                                for person in (d.author, supporter, follower)}
    results = f"results:{consultation.pk}:{choice.pk}"
    assert fates(recipient=a.author.user) == {
        (a.author.user_id, "proposal_selected", f"fate:{a.pk}:{choice.pk}")} | (
        {(a.author.user_id, "results_published", results)}
        if consultation.ballots.filter(participant=a.author).exists() else set())
    # A voter hears once that the results are out, whatever she chose.
    assert fates(recipient=d_voter.user) == {(d_voter.user_id, "results_published", results)}
    assert fates(event=results) == {
        (user_id, "results_published", results) for user_id in
        consultation.ballots.values_list("participant__user_id", flat=True)}
    # Nobody else is told.
    assert Notification.objects.filter(recipient=roles.participant).count() == 0
    assert worded(Notification.objects.get(event=results, recipient=d_voter.user),
                  language="en") == (
        f"The results of “{consultation.title}”, where you voted, are published: see what "
        "became of each proposal and why.")

    note = Notification.objects.get(event=key, recipient=follower.user)
    assert note.url == reverse("consult:proposal", args=[city.slug, consultation.slug,
                                                          d.pk]) + "#fate"
    assert worded(note, language="en") == (
        f"“Too expensive” was not selected in the results of “{consultation.title}”. "
        "The page says why.")
    assert worded(Notification.objects.get(recipient=a.author.user), language="en") == (
        f"“Green roofs” was selected in the results of “{consultation.title}”.")

    told = Notification.objects.count()
    with pytest.raises(ServiceError, match="already published"):
        services.results_publish(consultation=consultation, user=roles.planner)
    assert Notification.objects.count() == told


def test_a_later_official_choice_tells_only_the_proposals_whose_fate_changed(
        counted, roles, django_capture_on_commit_callbacks):
    consultation, (a, b, c, d) = counted
    first = services.count_run_create(consultation=consultation, official=True, user=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.results_publish(consultation=consultation, user=None)
    before = Notification.objects.count()
    # Only a reaches four votes: b and c are no longer selected; a and d keep their fate.
    stricter = services.count_run_create(consultation=consultation, min_votes=4, user=None)
    with django_capture_on_commit_callbacks(execute=True):
        choice = services.official_choose(
            consultation=consultation, count_run_id=stricter.pk, user=roles.planner,
            reason="The rules ask for four votes.")
    new = Notification.objects.filter(event__endswith=f":{choice.pk}")
    assert {event.split(":")[1] for event in new.values_list("event", flat=True)} == {
        str(b.pk), str(c.pk)}
    assert set(new.values_list("message", flat=True)) == {"proposal_not_selected"}
    assert Notification.objects.count() == before + new.count()
    assert new.filter(recipient=b.author.user).exists()
    # Choosing the first count again tells b and c once more (selected again), with a new key.
    with django_capture_on_commit_callbacks(execute=True):
        again = services.official_choose(consultation=consultation, count_run_id=first.pk,
                                         user=roles.planner, reason="Back to the first count.")
    assert set(Notification.objects.filter(event__endswith=f":{again.pk}")
               .values_list("message", flat=True)) == {"proposal_selected"}


def test_an_official_choice_before_publication_tells_nobody(
        counted, roles, django_capture_on_commit_callbacks):
    consultation, _proposals = counted
    services.count_run_create(consultation=consultation, official=True, user=None)
    other = services.count_run_create(consultation=consultation, min_votes=4, user=None)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.official_choose(consultation=consultation, count_run_id=other.pk,
                                 user=roles.planner, reason="Four votes.")
    assert not callbacks and not Notification.objects.exists()


def closed_with_audience(n: int) -> Consultation:
    """A counted consultation of two proposals, each with n supporters, n followers and about
    n voters."""
    consultation = ConsultationFactory(phase=Phase.VOTING, budget=Decimal("1000"),
                                       max_choices=2, counting_rule="greedy")
    theme = ThemeFactory(consultation=consultation)
    first, second = (ProposalFactory(consultation=consultation, theme=theme,
                                     estimated_cost=Decimal(cost)) for cost in ("600", "500"))
    city = consultation.city
    for i in range(n):
        for proposal in (first, second):
            Support.objects.create(participant=ParticipantFactory(city=city), proposal=proposal)
            consult_services.proposal_follow(user=ParticipantFactory(city=city).user,
                                             proposal=proposal)
        consult_services.ballot_submit(
            participant=ParticipantFactory(city=city), consultation=consultation,
            choices={first.pk: 1} if i % 2 else {first.pk: 1, second.pk: 1})
    close_voting(consultation)
    services.count_run_create(consultation=consultation, official=True, user=None)
    return Consultation.objects.get(pk=consultation.pk)


def telling_queries(consultation: Consultation) -> int:
    """What the worker does after the publication (its e-mails are sent later still, one per
    person, and are not counted)."""
    from consult.tasks import tell_fates

    with CaptureQueriesContext(connection) as queries:
        choice = services.results_publish(consultation=consultation, user=None).official_choice
        start = len(queries.captured_queries)
        tell_fates(consultation.pk, choice.count_run.selected_proposal_ids, None, str(choice.pk))
    return len(queries.captured_queries) - start


def test_telling_the_fates_takes_as_many_queries_for_24_people_as_for_3(db):
    # 24 supporters, followers and voters: under 83 people per proposal, SQLite's one INSERT
    # of notifications (999 parameters); PostgreSQL inserts 500 at a time (notify's batch).
    few, many = closed_with_audience(3), closed_with_audience(24)
    assert telling_queries(few) == telling_queries(many)
    # 2 proposals × (author + n supporters + n followers), then each of the n voters once
    assert Notification.objects.filter(event__startswith="fate:").count() == (
        2 * (1 + 3 + 3)) + (2 * (1 + 24 + 24))
    assert Notification.objects.filter(event__startswith="results:").count() == 3 + 24


# --- plan actions' progress --------------------------------------------------------------------


@pytest.fixture
def approved(drafted, roles):
    plan, proposals = drafted
    services.plan_submit(plan=plan, user=roles.planner)
    services.plan_vote_cast(plan=plan, user=roles.council, vote="approve")
    return plan, proposals


def test_recorded_progress_tells_the_authors_and_followers_of_the_actions_proposals(
        approved, roles):
    plan, (a, _b, _c, _d) = approved
    follower, supporter = (ParticipantFactory(city=plan.city) for _ in range(2))
    consult_services.proposal_follow(user=follower.user, proposal=a)
    Support.objects.create(participant=supporter, proposal=a)  # supporters hear the fate only
    Notification.objects.all().delete()
    line = BudgetLine.objects.filter(action__proposals=a).first()
    services.budget_line_record_spending(line=line, user=roles.planner, spent=Decimal("10"))
    change = PlanChange.objects.filter(kind=PlanChange.Kind.SPENDING_RECORDED).latest("pk")
    told = Notification.objects.filter(message="plan_action_progress")
    assert set(told.values_list("recipient_id", "event")) == {
        (a.author.user_id, f"plan_action:{change.pk}"),
        (follower.user_id, f"plan_action:{change.pk}")}
    note = told.get(recipient=follower.user)
    assert note.kind == Kind.PLAN_ACTION
    assert note.url == reverse("planning:public", args=[plan.pk])
    assert worded(note, language="en") == (
        f"The plan action “{line.action.title}”, born from “Green roofs”, reported progress.")
    # Each recorded change is told: the same spending recorded again too.
    services.budget_line_record_spending(line=line, user=roles.planner, spent=Decimal("12"))
    assert told.filter(recipient=follower.user).count() == 2

    indicator = Indicator.objects.filter(action__proposals=a).get()
    services.indicator_record_actual(indicator=indicator, user=roles.planner, year=2027,
                                     actual=Decimal("4"))
    assert told.filter(recipient=follower.user).count() == 3


def test_an_objectives_indicator_tells_nobody(approved, roles):
    plan, _proposals = approved
    Notification.objects.all().delete()
    objective = plan.objectives.first()
    indicator = Indicator.objects.create(plan=plan, objective=objective, title="Air index")
    services.indicator_record_actual(indicator=indicator, user=roles.planner, year=2027,
                                     actual=Decimal("1"))
    assert not Notification.objects.filter(message="plan_action_progress").exists()
