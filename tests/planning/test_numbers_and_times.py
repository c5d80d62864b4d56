"""Amounts typed and shown the reader's way on the pages, and times in the city's zone."""
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import translation

from consult.errors import BallotError
from consult.models import Phase, Proposal, VotingMethod
from consult.voting import ballot_check
from planning import services
from planning.models import BudgetLine, PlanChange, ReviewDecision
from tests.consult.test_views_proposals import logged_in, once, proposal_data, url
from tests.factories import CityFactory, ConsultationFactory, ThemeFactory
from tests.planning.test_plan_views import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposals_phase():
    consultation = ConsultationFactory(phase=Phase.PROPOSALS, city=CityFactory(),
                                       plan_start_year=2027, plan_end_year=2028)
    ThemeFactory(consultation=consultation, name="Urban sustainability", slug="urban")
    return consultation


def test_a_proposal_typed_in_spanish_saves_two_million_four_hundred_thousand(client,
                                                                              proposals_phase):
    logged_in(client, proposals_phase)
    client.cookies["django_language"] = "es"
    token = once(client, url("proposal_create", proposals_phase))
    client.post(url("proposal_create", proposals_phase), proposal_data(
        proposals_phase, once=token, estimated_cost="2.400.000", cost_2027="1.200.000",
        cost_2028="1.200.000,00"))
    proposal = Proposal.objects.get()
    assert proposal.estimated_cost == Decimal("2400000")


def test_a_year_split_that_does_not_add_up_says_what_the_years_add_up_to(client,
                                                                          proposals_phase):
    logged_in(client, proposals_phase)
    client.cookies["django_language"] = "es"
    token = once(client, url("proposal_create", proposals_phase))
    response = client.post(url("proposal_create", proposals_phase), proposal_data(
        proposals_phase, once=token, estimated_cost="2.400.000", cost_2027="1.200.000",
        cost_2028="1.100.000"))
    assert response.status_code == 400
    with translation.override("es"):
        expected = translation.gettext(
            "The years add up to %(years)s, not the estimated %(estimated)s.") % {
            "years": "2\u00a0300\u00a0000\u00a0MXN", "estimated": "2\u00a0400\u00a0000\u00a0MXN"}
    assert expected in response.content.decode()


def test_the_ballot_over_budget_message_shows_grouped_amounts():
    consultation = ConsultationFactory(voting_method=VotingMethod.KNAPSACK,
                                       budget=Decimal("160000000"))
    proposals = {1: SimpleNamespace(ballot_cost=Decimal("160150000.00"))}
    with translation.override("en"), pytest.raises(BallotError) as refused:
        ballot_check(consultation=consultation, choices={1: 1}, proposals=proposals)
    assert "160,150,000 MXN" in str(refused.value.message)
    assert "160,000,000 MXN" in str(refused.value.message)
    assert "160150000.00" not in str(refused.value.message)


def test_a_budget_line_typed_in_french_and_the_change_log_in_the_readers_words(drafted, roles):
    plan, _ = drafted
    action = plan.actions.first()
    line = action.budget_lines.first()
    client = client_for(roles.planner)
    client.cookies["django_language"] = "fr"
    response = client.post(reverse("planning:line_edit", args=[plan.pk, line.pk]), {
        "action": action.pk, "year": line.year, "amount": "2 400 000,50", "source": line.source,
        "type": line.type, "status": line.status})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.amount == Decimal("2400000.50")
    change = PlanChange.objects.filter(kind=PlanChange.Kind.LINE_EDITED).get()
    assert "2400000" not in change.detail
    history = client.get(reverse("planning:history", args=[plan.pk])).content.decode()
    assert f"{action.title} · {line.year} · 2\u00a0400\u00a0000,50\u00a0{line.currency}" in history
    client.cookies["django_language"] = "en"
    history = client.get(reverse("planning:history", args=[plan.pk])).content.decode()
    assert f"2,400,000.50\u00a0{line.currency}" in history and "2400000.50" not in history
    edit = client.get(reverse("planning:line_edit", args=[plan.pk, line.pk])).content.decode()
    assert 'value="2,400,000.50"' in edit and 'inputmode="decimal"' in edit
    assert BudgetLine.objects.filter(pk=line.pk, amount=Decimal("2400000.50")).exists()


def test_a_decision_near_midnight_utc_is_shown_in_the_citys_time_with_its_zone(drafted, roles):
    plan, _ = drafted
    services.plan_submit(plan=plan, user=roles.planner)
    # 05:50 UTC on 2 December is 23:50 on 1 December in Mexico City.
    moment = datetime(2026, 12, 2, 5, 50, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        services.plan_vote_cast(plan=plan, user=roles.council, vote="approve")
    assert ReviewDecision.objects.get(plan=plan).created_at == moment
    client = client_for(None)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("planning:public", args=[plan.pk])).content.decode()
    assert "Dec. 1, 2026, 23:50 (Ciudad de México time)" in page
    assert "Dec. 2" not in page and "p.m.." not in page
    client.cookies["django_language"] = "es"
    page = client.get(reverse("planning:public", args=[plan.pk])).content.decode()
    assert "1 de diciembre de 2026, 23:50" in page
    history = client_for(roles.planner).get(reverse("planning:history", args=[plan.pk]))
    assert "23:50 (Ciudad de México time)" in history.content.decode()
