"""Fixtures of the API tests: a city with people in every role, consultations in the proposals,
voting and closed phases, and three plans (approved, in review, draft)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from consult import services as consult_services
from consult.models import CityRole, Phase
from planning import services as plan_services
from tests.factories import (
    CityFactory,
    CityRoleFactory,
    CommentFactory,
    ConsultationFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProposalFactory,
    ThemeFactory,
)
from tests.planning.conftest import close_voting

ROLES = ("anonymous", "participant", "moderator", "planner", "council", "other_admin")
PASSWORD = "s3cret-pass"  # tests.factories.UserFactory


@pytest.fixture(autouse=True)
def _throttles(settings):
    """Every test starts with empty throttle counters and rates no ordinary test reaches;
    the throttling test sets its own."""
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"writes": "100000/minute", "anon": "100000/minute"},
    }
    yield
    cache.clear()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def client_for(user) -> APIClient:
    """A client authenticated with the user's token (as an API consumer would be)."""
    client = APIClient()
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@dataclass
class World:
    city: object
    elsewhere: object
    users: dict = field(default_factory=dict)
    author: object = None
    organisation: object = None
    open: object = None  # proposals phase
    theme: object = None
    proposal: object = None
    comment: object = None
    hidden_comment: object = None
    decision: object = None
    review: object = None  # review phase, requires assessment
    assessed: object = None  # a proposal of `review`, assessed feasible by the planner
    reviewer: object = None  # the city's reviewer (not one of ROLES)
    voting: object = None
    on_ballot: list = field(default_factory=list)
    closed: object = None
    count_run: object = None
    count_job: object = None
    plan_approved: object = None
    plan_in_review: object = None
    plan_draft: object = None
    line: object = None
    report: object = None


def build_world() -> World:
    city = CityFactory(slug="cdmx", name="Ciudad de México")
    elsewhere = CityFactory(slug="lima", name="Lima", country="PE", currency="PEN")
    w = World(city=city, elsewhere=elsewhere)
    w.users = {
        "anonymous": None,
        "participant": ParticipantFactory(city=city).user,
        "moderator": CityRoleFactory(city=city, role=CityRole.Role.MODERATOR).user,
        "planner": CityRoleFactory(city=city, role=CityRole.Role.PLANNER).user,
        "council": CityRoleFactory(city=city, role=CityRole.Role.COUNCIL).user,
        "other_admin": CityRoleFactory(city=elsewhere, role=CityRole.Role.ADMIN).user,
    }
    w.author = ParticipantFactory(city=city, district="Coyoacán", age_band="30-44")
    w.organisation = OrganisationFactory(city=city, slug="red-verde", name="Red Verde")
    w.organisation.members.add(w.author.user)

    # Proposals phase: one published proposal with a comment, and a hidden comment.
    w.open = ConsultationFactory(city=city, phase=Phase.PROPOSALS, slug="open")
    w.theme = ThemeFactory(consultation=w.open, slug="green", name="Green")
    w.proposal = ProposalFactory(consultation=w.open, theme=w.theme, author=w.author,
                                 organisation=w.organisation, district="Coyoacán",
                                 title="Urban forests", summary="Trees for every block.")
    w.comment = CommentFactory(proposal=w.proposal, author=w.author, body="Good idea.")
    w.hidden_comment = CommentFactory(proposal=w.proposal, author=w.author, body="Rude words.")
    w.decision = consult_services.moderation_decide(
        moderator=w.users["moderator"], action="hide", reason="Insults.",
        comment=w.hidden_comment)

    # Review phase: one proposal assessed (feasible, a changed cost, notes for the planners).
    w.review = ConsultationFactory(city=city, phase=Phase.REVIEW, slug="review",
                                   requires_assessment=True)
    w.assessed = ProposalFactory(consultation=w.review, title="Twin-city exchange")
    w.reviewer = CityRoleFactory(city=city, role=CityRole.Role.REVIEWER).user
    consult_services.assessment_save(
        user=w.users["planner"], proposal=w.assessed, verdict="feasible",
        validated_cost=Decimal("90000"), cost_reason="Shared venue.", notes="Call the embassy")

    # Voting phase: approval of at most 2; the participant has voted.
    w.voting = ConsultationFactory(city=city, phase=Phase.VOTING, slug="voting", max_choices=2)
    w.on_ballot = [ProposalFactory(consultation=w.voting, title=f"Ballot {n}")
                   for n in range(3)]
    consult_services.ballot_submit(
        participant=w.users["participant"].participant, consultation=w.voting,
        choices={w.on_ballot[0].pk: 1})

    # Closed: counted, with three plans drafted from the official count.
    w.closed = ConsultationFactory(city=city, phase=Phase.VOTING, slug="closed",
                                   budget=Decimal("1000"), counting_rule="greedy",
                                   plan_start_year=2027, plan_end_year=2030)
    a = ProposalFactory(consultation=w.closed, estimated_cost=Decimal("400"), title="A")
    b = ProposalFactory(consultation=w.closed, estimated_cost=Decimal("300"), title="B")
    for chosen in ([a, b], [a], [b]):
        consult_services.ballot_submit(participant=ParticipantFactory(city=city),
                                       consultation=w.closed,
                                       choices={p.pk: 1 for p in chosen})
    close_voting(w.closed)
    planner, council = w.users["planner"], w.users["council"]
    w.plan_approved, _c = plan_services.plan_draft_for_consultation(
        consultation=w.closed, user=planner, title="Approved plan", count_now=True)
    plan_services.plan_submit(plan=w.plan_approved, user=planner)
    plan_services.plan_vote_cast(plan=w.plan_approved, user=council, vote="approve")
    w.plan_in_review, _c = plan_services.plan_draft_for_consultation(
        consultation=w.closed, user=planner, title="Plan in review", count_now=True)
    plan_services.plan_submit(plan=w.plan_in_review, user=planner)
    w.plan_draft, _c = plan_services.plan_draft_for_consultation(
        consultation=w.closed, user=planner, title="Draft plan", count_now=True)
    w.count_run = w.closed.count_runs.get(is_official=True)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):  # the worker's part, in-process
        job = plan_services.count_job_request(consultation=w.closed, user=planner, rule="greedy")
    job.refresh_from_db()
    assert job.state == "done", job.error
    w.count_job = job
    w.line = w.plan_draft.actions.order_by("rank").first().budget_lines.order_by("year").first()
    from reports import services as report_services

    w.report = report_services.report_publish(user=planner, consultation=w.closed)
    plan_services.results_publish(consultation=w.closed, user=planner)  # its results are public
    for model in (w.plan_approved, w.plan_in_review, w.plan_draft):
        model.refresh_from_db()
    return w


@pytest.fixture
def world(db) -> World:
    return build_world()
