"""A page that refuses before it shows its form says what the service says when the write is
tried: the views call the services' `ensure_…` checks instead of repeating them."""
import html

import pytest
from django.test import Client
from django.urls import reverse

from core.errors import NotAllowed, ServiceError
from planning import services

pytestmark = pytest.mark.django_db


def page_text(user, url: str) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    return response.status_code, html.unescape(response.content.decode())


def refusal(write) -> ServiceError:
    with pytest.raises(ServiceError) as refused:
        write()
    return refused.value


def test_review_page_refuses_the_planner_council_member_as_the_service_does(drafted, roles):
    plan, _ = drafted
    services.plan_submit(plan=plan, user=roles.planner)
    said = refusal(lambda: services.plan_vote_cast(
        plan=plan, user=roles.planner_council, vote="approve"))
    status, text = page_text(roles.planner_council, reverse("planning:review", args=[plan.pk]))
    assert isinstance(said, NotAllowed) and status == 403
    assert said.message in text


def test_review_page_before_submission_says_why_as_the_service_does(drafted, roles):
    plan, _ = drafted
    said = refusal(lambda: services.plan_vote_cast(
        plan=plan, user=roles.council, vote="approve"))
    status, text = page_text(roles.council, reverse("planning:review", args=[plan.pk]))
    assert status == 400 and said.message in text


def test_edit_page_of_a_plan_in_review_says_why_as_the_service_does(drafted, roles):
    plan, _ = drafted
    services.plan_submit(plan=plan, user=roles.planner)
    said = refusal(lambda: services.objective_create(plan=plan, user=roles.planner,
                                                     title="Late idea"))
    status, text = page_text(roles.planner, reverse("planning:objective_create", args=[plan.pk]))
    assert status == 400 and said.message in text


def test_edit_page_refuses_a_council_member_as_the_service_does(drafted, roles):
    plan, _ = drafted
    said = refusal(lambda: services.objective_create(plan=plan, user=roles.council,
                                                     title="Not mine"))
    status, text = page_text(roles.council, reverse("planning:objective_create", args=[plan.pk]))
    assert isinstance(said, NotAllowed) and status == 403
    assert said.message in text


def test_draft_page_refuses_a_council_member_as_the_service_does(counted, roles):
    consultation, _ = counted
    said = refusal(lambda: services.plan_draft_for_consultation(
        consultation=consultation, user=roles.council))
    status, text = page_text(roles.council,
                             reverse("planning:draft_create", args=[consultation.pk]))
    assert isinstance(said, NotAllowed) and status == 403
    assert said.message in text
