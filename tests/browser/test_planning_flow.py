"""Browser test of the plan's life: the planner drafts the plan from the count, edits a budget
line and submits; the council returns it with a comment; the planner fixes and resubmits; the
council approves; a citizen sees what became of their proposal.

Uses tests/browser/conftest.py (Debian Chromium through Playwright, skipped with the reason
when either is missing). People are logged in by session cookie, so the flow does not depend on
the login page."""
from __future__ import annotations

import importlib.util
from decimal import Decimal

import pytest

from tests.needs import CHROMIUM, needs  # noqa: E402

needs(importlib.util.find_spec("playwright") is not None, "playwright is not installed")
needs(CHROMIUM.exists(), f"{CHROMIUM} is absent (apt-get install chromium, or set CHROMIUM_PATH)")

from django.test import Client  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from consult import services as consult_services  # noqa: E402
from consult.models import CityRole, Consultation, Phase, Proposal  # noqa: E402
from planning.models import BudgetLine, PlanStatus, StrategyPlan  # noqa: E402
from tests.factories import (  # noqa: E402
    CityFactory,
    CityRoleFactory,
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def allow_orm_beside_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in the test thread; the ORM needs this to run
    there. Set for this test only, so it does not leak into other tests' subprocesses."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def closed_consultation():
    city = CityFactory(slug="quito", name="Quito", currency="USD", timezone="America/Guayaquil")
    consultation = ConsultationFactory(
        city=city, phase=Phase.VOTING, budget=Decimal("1000"), max_choices=2,
        counting_rule="greedy", currency="USD", plan_start_year=2027, plan_end_year=2028,
        title="Quito en el mundo",
    )
    theme = ThemeFactory(consultation=consultation, name="Ciudades inclusivas")
    citizen = ParticipantFactory(city=city)
    mine = ProposalFactory(consultation=consultation, theme=theme, author=citizen,
                           title="Escuela de idiomas para retornados",
                           estimated_cost=Decimal("600"))
    other = ProposalFactory(consultation=consultation, theme=theme,
                            title="Festival de cine", estimated_cost=Decimal("300"))
    for chosen in ([mine, other], [mine], [other]):
        consult_services.ballot_submit(participant=ParticipantFactory(city=city),
                                       consultation=consultation,
                                       choices={p.pk: 1 for p in chosen})
    dates = ConsultationFactory.build(phase=Phase.RESULTS)
    Consultation.objects.filter(pk=consultation.pk).update(**{
        key: getattr(dates, key) for key in ("proposals_open_at", "proposals_close_at",
                                             "voting_opens_at", "voting_closes_at",
                                             "results_at")})
    planner = CityRoleFactory(city=city, role=CityRole.Role.PLANNER).user
    council = CityRoleFactory(city=city, role=CityRole.Role.COUNCIL).user
    return consultation, mine, planner, council, citizen.user


def page_as(new_page, live_server, user):
    client = Client()
    client.force_login(user)
    page = new_page()
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    return page


def edit_first_line(page, base: str, plan: StrategyPlan, amount: str) -> None:
    page.goto(f"{base}/plans/{plan.pk}/")
    line = BudgetLine.objects.filter(action__plan=plan).order_by("action__rank", "year").first()
    page.get_by_test_id(f"edit-line-{line.pk}").click()
    page.get_by_label("Amount").fill(amount)
    page.get_by_role("button", name="Save").click()
    assert "The budget line was saved." in page.content()


def test_planner_drafts_council_returns_then_approves_citizen_sees_fate(
    live_server, new_page, closed_consultation
):
    consultation, mine, planner_user, council_user, citizen_user = closed_consultation
    base = live_server.url

    # The planner drafts the plan from the count.
    planner = page_as(new_page, live_server, planner_user)
    planner.goto(f"{base}/plans/new/")
    planner.get_by_role("link", name="Quito en el mundo").click()
    # No official count yet: the planner has it made first (a worker; here, in-process).
    planner.get_by_role("button", name="Count the votes").click()
    assert "The official count" in planner.locator("main").inner_text()
    planner.get_by_label("Title of the plan").fill("Plan internacional de Quito")
    planner.get_by_role("button", name="Draft the plan").click()
    assert planner.get_by_role("heading", level=1).inner_text() == "Plan internacional de Quito"
    plan = StrategyPlan.objects.get(title="Plan internacional de Quito")
    assert plan.actions.count() == 2
    assert planner.get_by_role("heading", name="Checks").is_visible()

    # … publishes the results: from now on each proposal says whether it was selected.
    planner.goto(f"{base}/plans/counting/{consultation.pk}/")
    planner.get_by_role("button", name="Publish the results").click()
    expect(planner.get_by_text("The results are published.")).to_be_visible()

    # … edits a budget line and submits.
    edit_first_line(planner, base, plan, "250")
    planner.get_by_role("button", name="Submit for council review").click()
    assert planner.get_by_test_id("plan-status").inner_text() == "In review"

    # The council member comments and returns the plan.
    council = page_as(new_page, live_server, council_user)
    council.goto(f"{base}/plans/{plan.pk}/")
    council.get_by_role("link", name="Review this plan").click()
    council.get_by_role("region", name="Comments").get_by_label("Comment").fill(
        "El primer año está sobrecargado.")
    council.get_by_role("button", name="Add the comment").click()
    council.goto(f"{base}/plans/{plan.pk}/review/")
    vote = council.get_by_role("region", name="Your vote")
    vote.get_by_label("Return for changes").check()
    vote.get_by_label("Comment").fill("Repartan el gasto en los dos años.")
    council.get_by_role("button", name="Cast my vote").click()
    expect(council.get_by_text("Your vote was recorded: the council returned")).to_be_visible()
    council.goto(f"{base}/plans/{plan.pk}/")
    assert council.get_by_test_id("plan-status").inner_text() == "Returned for changes"

    # The planner reads the comment, fixes and resubmits.
    planner.goto(f"{base}/plans/{plan.pk}/")
    assert "El primer año está sobrecargado." in planner.content()
    assert "Repartan el gasto en los dos años." in planner.content()
    edit_first_line(planner, base, plan, "300")
    planner.get_by_role("button", name="Submit for council review").click()
    assert planner.get_by_test_id("plan-status").inner_text() == "In review"

    # The council sees what changed and approves.
    council.goto(f"{base}/plans/{plan.pk}/review/")
    assert "What changed since version 1" in council.content()
    council.get_by_role("region", name="Your vote").get_by_label("Approve", exact=True).check()
    council.get_by_role("button", name="Cast my vote").click()
    expect(council.get_by_text("Your vote was recorded: the council approved")).to_be_visible()
    council.goto(f"{base}/plans/{plan.pk}/")
    assert council.get_by_test_id("plan-status").inner_text() == "Approved"
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_version.number == 2

    # The citizen sees what became of their proposal, without logging in too.
    citizen = page_as(new_page, live_server, citizen_user)
    citizen.goto(f"{base}/plans/proposal/{mine.pk}/fate/")
    text = citizen.get_by_role("main").inner_text()
    assert "What became of this proposal" in text and "Selected" in text
    assert "Selected: ranked" in text or "Selected in round" in text  # and why
    assert "Escuela de idiomas para retornados" in text and "It became the action" in text
    citizen.get_by_role("link", name="Plan internacional de Quito").click()
    assert citizen.get_by_role("heading", level=1).inner_text() == "Plan internacional de Quito"
    assert Proposal.objects.get(pk=mine.pk).status == Proposal.Status.SELECTED
