"""The "waiting for you" page and the header's count: each staff role sees what it should act
on, in its own cities only, at a cost that does not grow with what waits."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consult.models import CityRole, Consultation, Phase
from planning import selectors, services
from planning.models import PlanStatus
from tests.factories import CityRoleFactory, ConsultationFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def kinds(user) -> dict[tuple[str, str], int]:
    return {(g.kind, g.city.slug): g.count for g in selectors.waiting_for(user=user).groups}


def test_a_planner_is_told_which_closed_consultations_still_need_their_official_count(
        counted, roles):
    consultation, _ = counted
    assert kinds(roles.planner) == {("counts", "cdmx"): 1}
    assert kinds(roles.other_planner) == {}  # another city's consultation is not theirs
    services.count_run_create(consultation=consultation, rule="greedy", official=False,
                              user=roles.planner)
    assert kinds(roles.planner) == {("counts", "cdmx"): 1}  # a comparison count is not enough
    services.count_run_create(consultation=consultation, rule="greedy", official=True,
                              user=roles.planner)
    assert kinds(roles.planner) == {("publish", "cdmx"): 1}  # counted: now to publish
    services.results_publish(consultation=consultation, user=roles.planner)
    assert kinds(roles.planner) == {}


def test_a_consultation_still_voting_is_not_waiting_to_be_counted(counted, roles):
    consultation, _ = counted
    ConsultationFactory(city=consultation.city, phase=Phase.VOTING)
    services.count_run_create(consultation=consultation, rule="greedy", official=True,
                              user=roles.planner)
    services.results_publish(consultation=consultation, user=roles.planner)
    assert kinds(roles.planner) == {}


def test_council_members_see_plans_awaiting_their_vote_and_planners_the_returned_ones(
        drafted, roles):
    plan, _ = drafted
    services.plan_submit(plan=plan, user=roles.planner)
    assert kinds(roles.council) == {("council", "cdmx"): 1}
    # Planner and council member of the city: plans, so never reviews their own plan.
    assert ("council", "cdmx") not in kinds(roles.planner_council)
    assert kinds(roles.other_council) == {}
    services.plan_vote_cast(plan=plan, user=roles.council, vote="return",
                            comment="Add indicators for the air-quality action.")
    assert kinds(roles.council) == {}
    assert kinds(roles.planner)[("returned", "cdmx")] == 1
    page = _page_for(roles.planner)
    assert reverse("planning:workspace", args=[plan.pk]) in page
    assert "Plans the council returned to you" in page


def test_administrators_see_phase_changes_within_the_next_seven_days(db):
    admin = CityRoleFactory(role=CityRole.Role.ADMIN)
    city = admin.city
    now = timezone.now()
    soon = ConsultationFactory(city=city, phase=Phase.VOTING, title="Closes soon")
    Consultation.objects.filter(pk=soon.pk).update(
        voting_closes_at=now + timedelta(days=7) - timedelta(minutes=1),
        results_at=now + timedelta(days=7))  # exactly 7 days ahead: not yet within the notice
    far = ConsultationFactory(city=city, phase=Phase.UPCOMING, title="Far ahead")
    Consultation.objects.filter(pk=far.pk).update(  # opens for proposals in 8 days
        proposals_open_at=now + timedelta(days=8), proposals_close_at=now + timedelta(days=9),
        voting_opens_at=now + timedelta(days=10), voting_closes_at=now + timedelta(days=11),
        results_at=now + timedelta(days=12))
    ConsultationFactory(phase=Phase.VOTING, title="Another city's")
    waiting = selectors.waiting_for(user=admin.user, now=now)
    phases = [g for g in waiting.groups if g.kind == "phases"]
    assert [(item.title, str(item.detail)) for g in phases for item in g.items] == [
        ("Closes soon", "voting closes")]
    page = _page_for(admin.user)
    assert "Phases that change in the next 7 days" in page and "Far ahead" not in page


def test_the_header_shows_the_total_and_the_page_costs_the_same_queries_for_many_items(
        client, counted, roles):
    consultation, _ = counted
    client.force_login(roles.planner)
    url = reverse("consult:home")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
        client.get(reverse("waiting"))
    for _ in range(5):
        ConsultationFactory(city=consultation.city, phase=Phase.COUNTING)
    with CaptureQueriesContext(connection) as many:
        header = client.get(url).content.decode()
        page = client.get(reverse("waiting")).content.decode()
    assert len(many) == len(few)
    link = f'<a href="{reverse("waiting")}">Waiting for you <span class="badge badge--count">6'
    assert link in header
    assert "Consultations to count · Ciudad de México" in page


def test_people_without_a_staff_role_get_no_link_and_an_explanation(client, db):
    participant = ParticipantFactory()
    client.force_login(participant.user)
    assert reverse("waiting") not in client.get(reverse("consult:home")).content.decode()
    page = client.get(reverse("waiting")).content.decode()
    assert "this page lists the work of a city" in page
    client.logout()
    response = client.get(reverse("waiting"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_returned_plan_is_listed_once_it_is_returned_and_not_while_in_draft(drafted, roles):
    plan, _ = drafted
    assert plan.status == PlanStatus.DRAFT
    assert ("returned", "cdmx") not in kinds(roles.planner)


def _page_for(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(reverse("waiting"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_api_gives_the_same_groups_as_the_page(client, counted, roles):
    client.force_login(roles.planner)
    data = client.get("/api/v1/me/waiting/").json()
    assert data["is_staff"] is True and data["total"] == 1
    [group] = data["groups"]
    assert (group["kind"], group["city_name"], group["count"]) == (
        "counts", "Ciudad de México", 1)
    assert group["items"][0]["title"] == counted[0].title
    client.force_login(roles.participant)
    assert client.get("/api/v1/me/waiting/").json() == {
        "is_staff": False, "total": 0, "groups": []}


def test_a_council_member_who_voted_waits_no_more_while_the_others_still_do(drafted, roles):
    from planning.models import PlanStatus

    plan, _ = drafted
    city = plan.city
    second = CityRoleFactory(city=city, role=CityRole.Role.COUNCIL).user
    CityRoleFactory(city=city, role=CityRole.Role.COUNCIL)  # three members: one vote decides not
    services.plan_submit(plan=plan, user=roles.planner)
    services.plan_vote_cast(plan=plan, user=roles.council, vote="approve")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_REVIEW
    assert kinds(roles.council) == {}
    assert kinds(second) == {("council", "cdmx"): 1}


def test_reviewers_see_what_is_left_to_assess_and_administrators_unassigned_consultations(db):
    from consult import services as consult_services
    from tests.factories import ProposalFactory

    consultation = ConsultationFactory(phase=Phase.REVIEW, requires_assessment=True)
    city = consultation.city
    first, second = (ProposalFactory(consultation=consultation) for _ in range(2))
    reviewer = CityRoleFactory(city=city, role=CityRole.Role.REVIEWER).user
    admin = CityRoleFactory(city=city, role=CityRole.Role.ADMIN).user
    assert kinds(reviewer) == {("review", city.slug): 2}
    assert kinds(admin)[("reviewers", city.slug)] == 1  # nobody assigned yet
    consult_services.assessment_assign(user=admin, consultation=consultation,
                                       proposal_ids=[first.pk], reviewer=reviewer)
    assert ("reviewers", city.slug) not in kinds(admin)
    [group] = selectors.waiting_for(user=reviewer).groups
    assert group.note == "1 of them is assigned to you."
    consult_services.assessment_save(user=reviewer, proposal=first, verdict="feasible",
                                     validated_cost=first.estimated_cost)
    assert kinds(reviewer) == {("review", city.slug): 1}
    consult_services.assessment_save(user=reviewer, proposal=second, verdict="not_feasible",
                                     reason="The city has no say on this.")
    assert kinds(reviewer) == {}
