"""The whole staff cycle in a browser, as a city runs it: an administrator creates the
consultation, a citizen proposes, a reviewer assesses, people vote (the fixture casts most
ballots), a planner counts with two rules, makes one official with a reason and publishes, and
the council approves the plan by a recorded majority. Every new kind of page passes axe."""
from __future__ import annotations

import importlib.util
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.needs import CHROMIUM, needs  # noqa: E402

needs(importlib.util.find_spec("playwright") is not None, "playwright is not installed")
needs(CHROMIUM.exists(), f"{CHROMIUM} is absent (apt-get install chromium, or set CHROMIUM_PATH)")

from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from consult import services as consult_services  # noqa: E402
from consult.models import CityRole, Consultation, Proposal, ProposalAssessment  # noqa: E402
from planning.models import (  # noqa: E402
    CountRun,
    OfficialChoice,
    PlanStatus,
    ResultsPublication,
    ReviewDecision,
    StrategyPlan,
)
from tests.factories import (  # noqa: E402
    CityFactory,
    CityRoleFactory,
    ParticipantFactory,
    ProposalFactory,
)

from .axe import assert_accessible  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)

LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture(autouse=True)
def allow_orm_beside_playwright(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def page_as(new_page, live_server, user):
    client = Client()
    client.force_login(user)
    page = new_page()
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    return page


def move_to(consultation: Consultation, *, proposals_close: timedelta,
            voting_opens: timedelta, voting_closes: timedelta, results: timedelta) -> None:
    """The next phase, as time would bring it (offsets from now)."""
    now = timezone.now()
    Consultation.objects.filter(pk=consultation.pk).update(
        proposals_open_at=now - timedelta(days=30), proposals_close_at=now + proposals_close,
        voting_opens_at=now + voting_opens, voting_closes_at=now + voting_closes,
        results_at=now + results)
    consultation.refresh_from_db()


def test_a_city_runs_the_whole_cycle_on_the_web(live_server, new_page, shot):
    base = live_server.url
    city = CityFactory(slug="rosario", name="Rosario", currency="ARS", country="AR",
                       timezone="America/Argentina/Cordoba")
    staff = {role: CityRoleFactory(city=city, role=role).user for role in (
        CityRole.Role.ADMIN, CityRole.Role.REVIEWER, CityRole.Role.PLANNER)}
    council = [CityRoleFactory(city=city, role=CityRole.Role.COUNCIL).user for _ in range(3)]
    author = ParticipantFactory(city=city)

    # 1. The administrator creates the consultation, dates in Rosario's time.
    admin = page_as(new_page, live_server, staff[CityRole.Role.ADMIN])
    admin.goto(f"{base}/setup/rosario/new/")
    local = timezone.now().astimezone(city.tzinfo)
    values = {
        "title": "Rosario en el mundo", "plan_start_year": "2027", "plan_end_year": "2028",
        "proposals_open_at": (local - timedelta(hours=1)).strftime(LOCAL),
        "proposals_close_at": (local + timedelta(days=5)).strftime(LOCAL),
        "voting_opens_at": (local + timedelta(days=10)).strftime(LOCAL),
        "voting_closes_at": (local + timedelta(days=20)).strftime(LOCAL),
        "results_at": (local + timedelta(days=21)).strftime(LOCAL),
        "max_choices": "2", "budget": "1000",
    }
    for name, value in values.items():
        admin.locator(f'[name="{name}"]').fill(value)
    admin.locator('[name="counting_rule"]').select_option("mes")
    admin.locator('[name="requires_assessment"]').check()
    assert_accessible(admin, "new consultation")
    admin.get_by_role("button", name="Create the consultation").click()
    consultation = Consultation.objects.get(city=city, title="Rosario en el mundo")
    assert consultation.requires_assessment and consultation.counting_rule == "mes"
    assert consultation.local(consultation.proposals_open_at).strftime(LOCAL) == (
        values["proposals_open_at"])
    slug = consultation.slug

    # 2. A citizen proposes; two more proposals come from other people.
    citizen = page_as(new_page, live_server, author.user)
    citizen.goto(f"{base}/rosario/{slug}/proposals/new/")
    citizen.locator('[name="title"]').fill("Escuela de idiomas para migrantes")
    citizen.locator('[name="summary"]').fill("Clases gratuitas de español y portugués.")
    citizen.locator('[name="estimated_cost"]').fill("600")
    citizen.get_by_role("button", name="Publish the proposal").click()
    mine = Proposal.objects.get(title="Escuela de idiomas para migrantes")
    assert mine.status == Proposal.Status.PUBLISHED
    festival = ProposalFactory(consultation=consultation, title="Festival de cine",
                               estimated_cost=Decimal("300"))
    port = ProposalFactory(consultation=consultation, title="Puerto seco",
                           estimated_cost=Decimal("900"))

    # 3. Review phase: the reviewer assesses on the web (a validated cost of 500, with why);
    # the others are assessed through the service (one is not feasible).
    move_to(consultation, proposals_close=timedelta(hours=-1), voting_opens=timedelta(days=1),
            voting_closes=timedelta(days=5), results=timedelta(days=6))
    reviewer = page_as(new_page, live_server, staff[CityRole.Role.REVIEWER])
    reviewer.goto(f"{base}/waiting/")
    reviewer.get_by_role("link", name="Open the review").click()
    assert_accessible(reviewer, "review dashboard")
    reviewer.goto(f"{base}/rosario/{slug}/proposals/{mine.pk}/assess/")
    reviewer.get_by_label("Feasible", exact=True).check()
    reviewer.locator('[name="validated_cost"]').fill("500")
    reviewer.locator('[name="cost_reason"]').fill("Las aulas las cede la universidad.")
    assert_accessible(reviewer, "assessment form")
    reviewer.get_by_role("button", name="Save the assessment").click()
    assessment = ProposalAssessment.objects.get(proposal=mine)
    assert assessment.validated_cost == Decimal("500")
    consult_services.assessment_save(user=staff[CityRole.Role.REVIEWER], proposal=festival,
                                     verdict="feasible", validated_cost=Decimal("300"))
    consult_services.assessment_save(user=staff[CityRole.Role.REVIEWER], proposal=port,
                                     verdict="not_feasible", reason="Fuera de competencia.")

    # 4. Voting: the ballot holds the feasible proposals only, at their validated costs.
    move_to(consultation, proposals_close=timedelta(days=-2), voting_opens=timedelta(hours=-1),
            voting_closes=timedelta(days=3), results=timedelta(days=4))
    citizen.goto(f"{base}/rosario/{slug}/vote/")
    ballot = citizen.locator("main").inner_text()
    assert "Escuela de idiomas para migrantes" in ballot and "Puerto seco" not in ballot
    for chosen in ([mine, festival], [mine], [mine], [festival]):
        consult_services.ballot_submit(participant=ParticipantFactory(city=city),
                                       consultation=consultation,
                                       choices={p.pk: 1 for p in chosen})

    # 5. Voting closed: the planner counts with two rules, makes one official with a reason
    # and publishes.
    move_to(consultation, proposals_close=timedelta(days=-5), voting_opens=timedelta(days=-4),
            voting_closes=timedelta(minutes=-1), results=timedelta(days=2))
    planner = page_as(new_page, live_server, staff[CityRole.Role.PLANNER])
    planner.goto(f"{base}/waiting/")
    planner.get_by_role("link", name="Rosario en el mundo").click()
    for rule in ("greedy", "mes"):
        planner.locator('[name="rule"]').select_option(rule)
        planner.get_by_role("button", name="Count", exact=True).click()
    runs = {run.rule: run for run in CountRun.objects.filter(consultation=consultation)}
    assert set(runs) == {"greedy", "mes"}
    assert_accessible(planner, "counting page")
    planner.locator('[name="count_run"]').select_option(str(runs["mes"].pk))
    planner.locator('[name="reason"]').fill("La regla anunciada: partes iguales.")
    planner.get_by_role("button", name="Make it official").click()
    choice = OfficialChoice.objects.get(consultation=consultation)
    assert choice.count_run_id == runs["mes"].pk
    public = new_page()
    public.goto(f"{base}/rosario/{slug}/results/")
    assert "Escuela de idiomas para migrantes" in public.locator("main").inner_text()
    assert "La regla anunciada" not in public.locator("main").inner_text()  # not published
    planner.get_by_role("button", name="Publish the results").click()
    assert ResultsPublication.objects.filter(consultation=consultation).exists()
    public.reload()
    assert "La regla anunciada: partes iguales." in public.locator("main").inner_text()
    assert_accessible(public, "published results")

    # 6. The planner drafts the plan and submits it; the council decides by majority.
    planner.goto(f"{base}/plans/new/{consultation.pk}/")
    planner.get_by_label("Title of the plan").fill("Rosario internacional 2027–2028")
    planner.get_by_role("button", name="Draft the plan").click()
    plan = StrategyPlan.objects.get(title="Rosario internacional 2027–2028")
    override = planner.locator('[name="override_checks"]')
    if override.count():  # the checks found errors: submitting needs a reason
        override.check()
        planner.locator('[name="override_reason"]').fill("Se corrige en la revisión.")
    planner.get_by_role("button", name="Submit for council review").click()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_REVIEW
    for number, member in enumerate(council[:2], start=1):
        page = page_as(new_page, live_server, member)
        page.goto(f"{base}/waiting/")
        page.get_by_role("link", name="Rosario internacional 2027–2028").click()
        vote = page.get_by_role("region", name="Your vote")
        vote.get_by_label("Approve", exact=True).check()
        if vote.locator('[name="override_checks"]').count():
            vote.locator('[name="override_checks"]').check()
            vote.locator('[name="override_reason"]').fill("Aceptamos el desvío.")
        if number == 1:
            assert_accessible(page, "council vote")
        page.get_by_role("button", name="Cast my vote").click()
        plan.refresh_from_db()
        if number == 1:  # one of three members: not decided yet
            expect(page.get_by_text("Your vote was recorded.")).to_be_visible()
            assert plan.status == PlanStatus.IN_REVIEW
    assert plan.status == PlanStatus.APPROVED
    decision = ReviewDecision.objects.get(plan=plan)
    assert (decision.tally["approve"], decision.tally["members"]) == (2, 3)
    public.goto(f"{base}/plans/public/{plan.pk}/")
    text = public.locator("main").inner_text()
    assert re.search(r"2 approve", text), text[:2000]
    shot(public, "13-staff-cycle-public-plan")
