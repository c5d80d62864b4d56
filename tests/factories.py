"""factory_boy factories for the consult domain. Consultations default to the proposals phase;
`consultation_in(phase)` builds one whose dates put it in any phase now."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from consult import models
from consult.models import Phase


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("s3cret-pass")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.City
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"City {n}")
    slug = factory.Sequence(lambda n: f"city-{n}")
    country = "MX"
    timezone = "America/Mexico_City"
    currency = "MXN"


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Participant

    user = factory.SubFactory(UserFactory)
    city = factory.SubFactory(CityFactory)
    is_verified = True
    consent_at = factory.LazyFunction(timezone.now)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = models.Organisation.Kind.NGO
    city = factory.SubFactory(CityFactory)


PHASE_OFFSETS = {
    # days from now of: proposals open, proposals close, voting opens, voting closes, results
    Phase.UPCOMING: (5, 10, 12, 20, 22),
    Phase.PROPOSALS: (-5, 5, 7, 15, 17),
    Phase.REVIEW: (-10, -2, 3, 10, 12),
    Phase.VOTING: (-20, -10, -2, 5, 7),
    Phase.COUNTING: (-30, -20, -10, -2, 3),
    Phase.RESULTS: (-40, -30, -20, -10, -5),
}


def phase_dates(phase: Phase) -> dict:
    now = timezone.now()
    keys = ["proposals_open_at", "proposals_close_at", "voting_opens_at", "voting_closes_at",
            "results_at"]
    return {key: now + timedelta(days=days) for key, days in
            zip(keys, PHASE_OFFSETS[phase], strict=True)}


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Consultation

    class Params:
        phase = Phase.PROPOSALS

    city = factory.SubFactory(CityFactory)
    slug = factory.Sequence(lambda n: f"consultation-{n}")
    title = factory.Sequence(lambda n: f"Consultation {n}")
    plan_start_year = 2027
    plan_end_year = 2030
    budget = Decimal("1000000")
    currency = "MXN"
    voting_method = models.VotingMethod.APPROVAL
    max_choices = 3
    proposals_open_at = factory.LazyAttribute(lambda o: phase_dates(o.phase)["proposals_open_at"])
    proposals_close_at = factory.LazyAttribute(
        lambda o: phase_dates(o.phase)["proposals_close_at"]
    )
    voting_opens_at = factory.LazyAttribute(lambda o: phase_dates(o.phase)["voting_opens_at"])
    voting_closes_at = factory.LazyAttribute(lambda o: phase_dates(o.phase)["voting_closes_at"])
    results_at = factory.LazyAttribute(lambda o: phase_dates(o.phase)["results_at"])


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Theme

    consultation = factory.SubFactory(ConsultationFactory)
    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Proposal

    consultation = factory.SubFactory(ConsultationFactory)
    author = factory.SubFactory(
        ParticipantFactory, city=factory.SelfAttribute("..consultation.city")
    )
    theme = factory.SubFactory(ThemeFactory, consultation=factory.SelfAttribute("..consultation"))
    title = factory.Sequence(lambda n: f"Proposal {n}")
    summary = "A proposal."
    estimated_cost = Decimal("100000")
    action_kind = models.Proposal.ActionKind.COOPERATION
    status = models.Proposal.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class CityRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CityRole

    user = factory.SubFactory(UserFactory)
    city = factory.SubFactory(CityFactory)
    role = models.CityRole.Role.PLANNER


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Comment

    proposal = factory.SubFactory(ProposalFactory)
    author = factory.SubFactory(ParticipantFactory)
    body = "I agree."
