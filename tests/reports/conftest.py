"""A small closed consultation whose report numbers are computed by hand in the tests.

Budget 1000 MXN, approval (at most 3), official rule greedy. Proposals (reference = id):
a 400 (green), b 300 (fair), c 100 (green), d 900 (fair). Seven ballots:
[a,b,c] [a,b] [a,c] [a] [b,d] [c] [d]  →  votes a 4, b 3, c 3, d 2.
Voters: 5 women + 2 men, district "Centro", 30-44; 3 ballots cast on 2027-04-30 local time,
4 on 2027-05-01. Twelve more participants (8 women, 4 men, district "Norte", 18-29) supported
a. The four authors gave no personal data. One comment. 23 participants in all.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from consult import services as consult_services
from consult.models import Ballot, CityRole, Comment, Phase, Support
from planning.services import count_run_create
from reports.models import Dimension, PopulationGroup
from tests.factories import (
    CityFactory,
    CityRoleFactory,
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
    ThemeFactory,
)
from tests.planning.conftest import close_voting


@dataclass
class Fixture:
    consultation: object
    proposals: dict
    city: object


@pytest.fixture
def closed(db):
    city = CityFactory(slug="cdmx", name="Ciudad de México", population=1000)
    consultation = ConsultationFactory(
        city=city, phase=Phase.VOTING, budget=Decimal("1000"), max_choices=3,
        counting_rule="greedy", plan_start_year=2027, plan_end_year=2028,
        title="Agenda internacional",
    )
    green = ThemeFactory(consultation=consultation, name="Green", position=0)
    fair = ThemeFactory(consultation=consultation, name="Fair", position=1)
    author = {"district": "", "gender": "", "age_band": ""}
    p = {
        "a": ProposalFactory(consultation=consultation, theme=green, reference="a", title="A",
                             estimated_cost=Decimal("400"),
                             author=ParticipantFactory(city=city, **author)),
        "b": ProposalFactory(consultation=consultation, theme=fair, reference="b", title="B",
                             estimated_cost=Decimal("300"),
                             author=ParticipantFactory(city=city, **author)),
        "c": ProposalFactory(consultation=consultation, theme=green, reference="c", title="C",
                             estimated_cost=Decimal("100"),
                             author=ParticipantFactory(city=city, **author)),
        "d": ProposalFactory(consultation=consultation, theme=fair, reference="d", title="D",
                             estimated_cost=Decimal("900"),
                             author=ParticipantFactory(city=city, **author)),
    }
    ballots = ["abc", "ab", "ac", "a", "bd", "c", "d"]
    genders = ["woman"] * 5 + ["man"] * 2
    voters = []
    for letters, gender in zip(ballots, genders, strict=True):
        voter = ParticipantFactory(city=city, gender=gender, district="Centro",
                                   age_band="30-44")
        voters.append(voter)
        consult_services.ballot_submit(participant=voter, consultation=consultation,
                                       choices={p[x].pk: 1 for x in letters})
    # 05:00 UTC is 23:00 the day before in Mexico City (UTC-6); 07:00 UTC is 01:00 local.
    pks = list(Ballot.objects.filter(consultation=consultation).order_by("pk")
               .values_list("pk", flat=True))
    Ballot.objects.filter(pk__in=pks[:3]).update(created_at=datetime(2027, 5, 1, 5, tzinfo=UTC))
    Ballot.objects.filter(pk__in=pks[3:]).update(created_at=datetime(2027, 5, 1, 7, tzinfo=UTC))
    for i in range(12):
        Support.objects.create(
            participant=ParticipantFactory(city=city, gender="woman" if i < 8 else "man",
                                           district="Norte", age_band="18-29"),
            proposal=p["a"])
    Comment.objects.create(proposal=p["a"], author=voters[0], body="Yes.")
    PopulationGroup.objects.create(city=city, dimension=Dimension.GENDER, group="woman",
                                   population=520)
    PopulationGroup.objects.create(city=city, dimension=Dimension.GENDER, group="man",
                                   population=480)
    close_voting(consultation)
    return Fixture(consultation=consultation, proposals=p, city=city)


@pytest.fixture
def counted(closed):
    count_run_create(consultation=closed.consultation, official=True)
    return closed


@dataclass
class People:
    planner: object
    council: object
    participant: object
    other_planner: object


@pytest.fixture
def people(closed):
    elsewhere = CityFactory(slug="lima", name="Lima")
    return People(
        planner=CityRoleFactory(city=closed.city, role=CityRole.Role.PLANNER).user,
        council=CityRoleFactory(city=closed.city, role=CityRole.Role.COUNCIL).user,
        participant=ParticipantFactory(city=closed.city).user,
        other_planner=CityRoleFactory(city=elsewhere, role=CityRole.Role.PLANNER).user,
    )


@pytest.fixture
def approved_plan(counted, people):
    """The counted consultation drafted into a plan (a, b, c → actions), submitted and
    approved by the council."""
    from planning import services as plan_services

    plan, _conflicts = plan_services.plan_draft_for_consultation(
        consultation=counted.consultation, user=people.planner, count_now=True)
    plan_services.plan_submit(plan=plan, user=people.planner)
    plan_services.plan_vote_cast(plan=plan, user=people.council, vote="approve")
    plan.refresh_from_db()
    return plan
