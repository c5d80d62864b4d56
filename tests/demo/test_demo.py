"""The demo seeds a realistic network, deterministically and idempotently."""
import pytest
from django.core.management import call_command

from consult.models import (
    Ballot,
    BallotChoice,
    City,
    CityRole,
    Consultation,
    Organisation,
    Phase,
    Proposal,
    Support,
)
from demo.consultations import seed_demo

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "cities": list(City.objects.order_by("slug").values_list("slug", "timezone")),
        "proposals": list(Proposal.objects.order_by("consultation__slug", "title").values_list(
            "title", "estimated_cost", "theme__slug", "author__user__username")),
        "supports": Support.objects.count(),
        "ballots": sorted(Ballot.objects.values_list("participant__user__username",
                                                     "receipt_code")),
        "choices": BallotChoice.objects.count(),
    }


def test_seed_demo_is_complete_deterministic_and_idempotent(capsys):
    call_command("seed_demo", participants=300)
    out = capsys.readouterr().out
    for login in ("admin", "ciudadana", "moderadora", "planificador", "concejal", "admin-cdmx"):
        assert login in out
    first = snapshot()
    assert {"ciudad-de-mexico", "montevideo", "moron", "belo-horizonte", "quito", "medellin",
            "lima"} <= {slug for slug, _tz in first["cities"]}
    assert City.objects.filter(kind=City.Kind.NETWORK).count() >= 2
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(
        Organisation.Kind.values)
    assert set(CityRole.objects.values_list("role", flat=True)) == set(CityRole.Role.values)

    main = Consultation.objects.get(slug="estrategia-internacional-2027-2030")
    assert main.proposals.count() == 60
    assert main.themes.count() == 3 and all(t.proposals.count() == 20 for t in main.themes.all())
    assert main.ballots.count() > 100
    phases = {c.phase for c in Consultation.objects.all()}
    assert {Phase.RESULTS, Phase.VOTING, Phase.PROPOSALS} <= phases

    call_command("seed_demo", participants=300)
    assert snapshot() == first  # idempotent

    BallotChoice.objects.all().delete()
    Proposal.objects.all().delete()
    Consultation.objects.all().delete()
    seed_demo(participants=300)
    assert snapshot() == first  # deterministic


def test_demo_plans_publish_the_results_past_their_date():
    """The Montevideo demo consultation is past its results date: seeded with its official
    count and its results published, so its public results show the selection."""
    from demo.plans import MONTEVIDEO_SLUG, seed_montevideo_plan
    from planning.models import ResultsPublication
    from tests.factories import CityFactory, OrganisationFactory

    city = CityFactory(slug="montevideo", name="Montevideo", timezone="America/Montevideo")
    OrganisationFactory(city=city)
    assert seed_montevideo_plan() is not None
    consultation = Consultation.objects.get(slug=MONTEVIDEO_SLUG)
    assert consultation.phase == Phase.RESULTS
    publication = ResultsPublication.objects.get(consultation=consultation)
    assert consultation.count_runs.get(is_official=True).pk == \
        publication.official_choice.count_run_id
