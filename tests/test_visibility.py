"""Who sees a draft or a hidden proposal, and which plans: one table, checked against the web
pages and the API alike. Both answer through the same predicates and selectors
(`consult.rules.can_see_proposal` / `can_read_proposal`, `consult.selectors.proposal_for_reader`,
`planning.rules.can_see_plan`, `planning.selectors.plan_for_reader`).

The two faces differ only in how they say no: the web shows a hidden proposal's page with a
notice and without its content, the API answers 404; a draft is a 404 on both."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from consult.models import Proposal
from tests.api.conftest import ROLES, World, build_world
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

PEOPLE = ("author", *ROLES)

#: Who may read what a proposal says, by its state.
READS_PROPOSAL = {
    "published": set(PEOPLE),
    "draft": {"author"},
    "hidden": {"author", "moderator"},
}
#: Who may open a plan, by its state (its workspace for the city's workers, the approved
#: version for everybody).
SEES_PLAN = {
    "approved": set(PEOPLE),
    "in_review": {"planner", "council"},
    "draft": {"planner", "council"},
}


@pytest.fixture
def world(db) -> World:
    w = build_world()
    w.users["author"] = w.author.user
    w.proposals = {
        "published": w.proposal,
        "draft": ProposalFactory(consultation=w.open, theme=w.theme, author=w.author,
                                 status=Proposal.Status.DRAFT, summary="Draft summary text."),
        "hidden": ProposalFactory(consultation=w.open, theme=w.theme, author=w.author,
                                  is_hidden=True, summary="Hidden summary text."),
    }
    w.plans = {"approved": w.plan_approved, "in_review": w.plan_in_review,
               "draft": w.plan_draft}
    return w


def web(world: World, person: str) -> Client:
    client = Client()
    if world.users[person] is not None:
        client.force_login(world.users[person])
    return client


def api(world: World, person: str) -> Client:
    return web(world, person)  # the API accepts the same session


def web_reads_proposal(world: World, person: str, proposal: Proposal) -> bool:
    response = web(world, person).get(reverse(
        "consult:proposal", args=[world.city.slug, world.open.slug, proposal.pk]))
    assert response.status_code in (200, 404)
    return response.status_code == 200 and proposal.summary in response.content.decode()


def api_reads_proposal(world: World, person: str, proposal: Proposal) -> bool:
    response = api(world, person).get(f"/api/v1/proposals/{proposal.pk}/")
    assert response.status_code in (200, 404)
    return response.status_code == 200 and response.json()["summary"] == proposal.summary


def web_sees_plan(world: World, person: str, plan) -> bool:
    client = web(world, person)
    workspace = client.get(reverse("planning:workspace", args=[plan.pk]))
    public = client.get(reverse("planning:public", args=[plan.pk]))
    return workspace.status_code == 200 or public.status_code == 200


def api_sees_plan(world: World, person: str, plan) -> bool:
    response = api(world, person).get(f"/api/v1/plans/{plan.pk}/")
    assert response.status_code in (200, 404)
    return response.status_code == 200


def test_web_and_api_agree_on_who_reads_each_proposal(world):
    for state, proposal in world.proposals.items():
        for person in PEOPLE:
            expected = person in READS_PROPOSAL[state]
            assert web_reads_proposal(world, person, proposal) is expected, (state, person)
            assert api_reads_proposal(world, person, proposal) is expected, (state, person)


def test_a_hidden_proposal_says_it_is_hidden_on_the_web_and_is_unknown_to_the_api(world):
    hidden = world.proposals["hidden"]
    page = web(world, "participant").get(reverse(
        "consult:proposal", args=[world.city.slug, world.open.slug, hidden.pk]))
    assert page.status_code == 200 and "hidden" in page.content.decode().lower()
    assert api(world, "participant").get(f"/api/v1/proposals/{hidden.pk}/").status_code == 404


def test_web_and_api_agree_on_who_sees_each_plan(world):
    for state, plan in world.plans.items():
        for person in PEOPLE:
            expected = person in SEES_PLAN[state]
            assert web_sees_plan(world, person, plan) is expected, (state, person)
            assert api_sees_plan(world, person, plan) is expected, (state, person)
