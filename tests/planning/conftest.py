"""Fixtures for the plan tests: a closed consultation with ballots, people in every role."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from consult import services as consult_services
from consult.models import CityRole, Consultation, Phase, ProposalYearCost
from tests.factories import (
    CityFactory,
    CityRoleFactory,
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
    ThemeFactory,
)


def close_voting(consultation: Consultation, phase: Phase = Phase.RESULTS) -> Consultation:
    dates = ConsultationFactory.build(phase=phase)
    Consultation.objects.filter(pk=consultation.pk).update(
        **{key: getattr(dates, key) for key in (
            "proposals_open_at", "proposals_close_at", "voting_opens_at", "voting_closes_at",
            "results_at")}
    )
    consultation.refresh_from_db()
    return consultation


@dataclass
class Roles:
    planner: object
    admin: object
    council: object
    participant: object
    other_planner: object
    other_council: object
    #: Planner and council member of the same city: plans, so never reviews.
    planner_council: object


@pytest.fixture
def counted(db):
    """Voting closed on a 2027–2030 consultation with two themes, a budget of 1000 and four
    proposals; ballots make a, b and c win (in that order) under greedy counting."""
    city = CityFactory(slug="cdmx", name="Ciudad de México")
    consultation = ConsultationFactory(
        city=city, phase=Phase.VOTING, budget=Decimal("1000"), max_choices=3,
        counting_rule="greedy", plan_start_year=2027, plan_end_year=2030,
    )
    green = ThemeFactory(consultation=consultation, name="Urban sustainability", position=0)
    fair = ThemeFactory(consultation=consultation, name="Inclusive cities", position=1)
    a = ProposalFactory(consultation=consultation, theme=green, estimated_cost=Decimal("400"),
                        title="Green roofs")
    b = ProposalFactory(consultation=consultation, theme=fair, estimated_cost=Decimal("300"),
                        title="Migrant desk")
    c = ProposalFactory(consultation=consultation, theme=green, estimated_cost=Decimal("100"),
                        title="Air quality")
    d = ProposalFactory(consultation=consultation, theme=fair, estimated_cost=Decimal("900"),
                        title="Too expensive")
    # a and b have yearly costs; c and d are spread evenly.
    ProposalYearCost.objects.bulk_create([
        ProposalYearCost(proposal=a, year=2027, amount=Decimal("200")),
        ProposalYearCost(proposal=a, year=2028, amount=Decimal("200")),
        ProposalYearCost(proposal=b, year=2027, amount=Decimal("300")),
    ])
    for chosen in ([a, b, c], [a, b], [a, c], [a], [b, d], [c]):
        consult_services.ballot_submit(
            participant=ParticipantFactory(city=city), consultation=consultation,
            choices={p.pk: 1 for p in chosen})
    close_voting(consultation)
    return consultation, (a, b, c, d)


@pytest.fixture
def roles(counted):
    consultation, _proposals = counted
    city = consultation.city
    elsewhere = CityFactory(slug="lima", name="Lima")
    return Roles(
        planner=CityRoleFactory(city=city, role=CityRole.Role.PLANNER).user,
        admin=CityRoleFactory(city=city, role=CityRole.Role.ADMIN).user,
        council=CityRoleFactory(city=city, role=CityRole.Role.COUNCIL).user,
        participant=ParticipantFactory(city=city).user,
        other_planner=CityRoleFactory(city=elsewhere, role=CityRole.Role.PLANNER).user,
        other_council=CityRoleFactory(city=elsewhere, role=CityRole.Role.COUNCIL).user,
        planner_council=_two_roles(city, CityRole.Role.PLANNER, CityRole.Role.COUNCIL),
    )


def _two_roles(city, first: str, second: str):
    user = CityRoleFactory(city=city, role=first).user
    CityRoleFactory(city=city, role=second, user=user)
    return user


@pytest.fixture
def drafted(counted, roles):
    from planning.services import plan_draft_for_consultation

    consultation, proposals = counted
    from planning.services import results_publish

    plan, conflicts = plan_draft_for_consultation(consultation=consultation, user=roles.planner,
                                                  count_now=True)
    results_publish(consultation=consultation, user=roles.planner)  # the proposals' fate is out
    return plan, proposals
