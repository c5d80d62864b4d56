"""The demo seeds a realistic network, deterministically and idempotently."""
import pytest
from django.core.management import call_command

from consult import selectors
from consult.models import (
    Ballot,
    BallotChoice,
    City,
    CityRole,
    Consultation,
    Organisation,
    Phase,
    Proposal,
    ProposalAssessment,
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
    for login in ("admin", "ciudadana", "moderadora", "planificador", "concejal", "admin-cdmx",
                  "revisora"):
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
    assert {Phase.RESULTS, Phase.VOTING, Phase.REVIEW, Phase.PROPOSALS} <= phases

    review = Consultation.objects.get(slug="ciudades-hermanas-2027-2028")
    assert review.phase == Phase.REVIEW and review.requires_assessment
    verdicts = sorted(ProposalAssessment.objects.filter(proposal__consultation=review)
                      .exclude(verdict="").values_list("verdict", flat=True))
    assert verdicts == ["feasible"] * 3 + ["not_feasible"]
    changed = ProposalAssessment.objects.filter(proposal__consultation=review,
                                                verdict="feasible")
    assert all(a.validated_cost != a.proposal.estimated_cost and a.cost_reason for a in changed)
    on_ballot = selectors.proposals_on_ballot(consultation=review)
    assert {p.ballot_cost for p in on_ballot} == {a.validated_cost for a in changed}

    call_command("seed_demo", participants=300)
    assert snapshot() == first  # idempotent

    BallotChoice.objects.all().delete()
    Proposal.objects.all().delete()
    Consultation.objects.all().delete()
    seed_demo(participants=300)
    assert snapshot() == first  # deterministic
