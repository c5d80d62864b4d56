"""The demo seeds a realistic network, deterministically and idempotently."""
import pytest
from django.core.management import call_command
from django.utils import translation

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
        "proposals": list(Proposal.objects.order_by("consultation__slug", "created_at", "pk")
                          .values_list(
            "title", "estimated_cost", "theme__slug", "author__user__username", "summary", "body",
            "partners", "published_at")),
        "supports": Support.objects.count(),
        # online ballots by voter and receipt; paper ballots (their receipts are drawn when the
        # clerks' entries match) by serial
        "ballots": sorted((username or f"paper {serial}", code if channel == "online" else "")
                          for username, code, channel, serial in Ballot.objects.values_list(
                              "participant__user__username", "receipt_code", "channel",
                              "serial")),
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


NETWORK_CURRENCIES = {"ciudad-de-mexico": "MXN", "montevideo": "UYU", "moron": "ARS",
                      "belo-horizonte": "BRL", "quito": "USD", "medellin": "COP", "lima": "PEN"}


def test_the_demo_looks_like_the_network():
    """Every city of the network consults its own residents, in its language and currency,
    each in a phase of its own; proposals read differently and were all written inside their
    consultation's proposal phase; the European partners CUF and FAMSI are in the network."""
    from django.utils import timezone

    from consult.models import Participant
    from demo.people import DISTRICTS

    call_command("seed_demo", participants=300)
    now = timezone.now()
    cities = {city.slug: city for city in City.objects.filter(kind=City.Kind.CITY)}
    assert set(cities) == set(NETWORK_CURRENCIES)
    phases = {}
    for slug, city in cities.items():
        consultations = list(Consultation.objects.filter(city=city))
        assert consultations, slug
        assert {c.currency for c in consultations} == {city.currency, NETWORK_CURRENCIES[slug]}
        phases[slug] = {c.phase for c in consultations}
    assert set().union(*phases.values()) >= {Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING,
                                              Phase.COUNTING, Phase.RESULTS}
    # outside Mexico City and Montevideo, no two cities are in the same phase
    others = [phases[slug] for slug in ("moron", "belo-horizonte", "quito", "medellin", "lima")]
    assert all(len(p) == 1 for p in others) and len(set().union(*others)) == 5

    belo = Consultation.objects.get(city__slug="belo-horizonte")
    assert cities["belo-horizonte"].default_language == "pt-br"
    assert "cooperação" in belo.title and "moradores" in belo.description
    # the network's themes are named in every language; a Portuguese reader reads Portuguese
    with translation.override("pt-br"):
        assert "Sustentabilidade urbana" in {str(t.name) for t in belo.themes.all()}
    assert all("Esperamos alcançar" in p.body for p in belo.proposals.all())
    assert any("ã" in p.title or "ç" in p.title for p in belo.proposals.all())

    for consultation in Consultation.objects.select_related("city"):
        proposals = list(consultation.proposals.select_related("author"))
        assert proposals, consultation.slug
        assert len({p.body for p in proposals}) == len(proposals), consultation.slug
        assert len({p.summary for p in proposals}) == len(proposals), consultation.slug
        for p in proposals:
            assert p.author.city_id == consultation.city_id  # written by its residents
            assert p.created_at <= now and p.published_at <= now
            assert consultation.proposals_open_at <= p.created_at <= p.published_at \
                < consultation.proposals_close_at
            assert consultation.city.name not in p.partners
    assert not Support.objects.filter(created_at__gt=now).exists()

    for slug, districts in DISTRICTS.items():
        lived = set(Participant.objects.filter(city__slug=slug, user__username__startswith=slug)
                    .values_list("district", flat=True))
        assert lived and lived <= set(districts), slug

    for slug, name in (("cites-unies-france", "Cités Unies France"), ("famsi", "FAMSI")):
        partner = City.objects.get(slug=slug, kind=City.Kind.NETWORK)
        assert partner.name.startswith(name)
        assert Organisation.objects.filter(city=partner, name__startswith=name).exists()
        assert Proposal.objects.filter(partners__contains=name).count() >= 10


def test_demo_logins_who_set_up_consultations():
    from django.contrib.auth import get_user_model

    from consult import rules
    from demo.people import seed_logins, seed_network

    cities = seed_network()
    seed_logins(cities)
    users = {u.username: u for u in get_user_model().objects.all()}
    assert rules.can_set_up_consultations(users["admin-cdmx"], cities["ciudad-de-mexico"])
    assert not rules.can_set_up_consultations(users["planificador"], cities["ciudad-de-mexico"])
    assert rules.can_set_up_consultations(users["planificadora-lima"], cities["lima"])
    assert not rules.can_set_up_consultations(users["planificadora-lima"],
                                              cities["ciudad-de-mexico"])


def test_seed_plans_records_the_council_votes():
    from planning.models import CouncilVote, PlanStatus, ReviewDecision, StrategyPlan

    call_command("seed_demo", participants=300)
    call_command("seed_plans")
    mexico = StrategyPlan.objects.get(city__slug="ciudad-de-mexico")
    assert mexico.status == PlanStatus.APPROVED and mexico.approved_version.number == 2
    returned, approved = ReviewDecision.objects.filter(plan=mexico).order_by("version__number")
    assert (returned.decision, returned.tally["return"], returned.tally["members"]) == (
        "return", 2, 3)
    assert (approved.tally["approve"], approved.tally["abstain"]) == (2, 1)
    assert sorted(CouncilVote.objects.filter(version=mexico.approved_version)
                  .values_list("member__username", "vote")) == [
        ("concejal", "approve"), ("concejal-norte", "abstain"), ("concejala", "approve")]
    montevideo = StrategyPlan.objects.get(city__slug="montevideo")
    assert montevideo.status == PlanStatus.IN_REVIEW
    assert not ReviewDecision.objects.filter(plan=montevideo).exists()
    assert list(CouncilVote.objects.filter(plan=montevideo).values_list(
        "member__username", flat=True)) == ["concejala-montevideo"]
    # the first action names the network's cities and partners its proposals named
    first = mexico.actions.order_by("rank").first()
    assert {c.name for c in first.partner_cities.all()} <= set(first.partners.split(", "))

    # every consultation past its results date has its results out; Lima is still counting
    from planning.models import ResultsPublication

    past = {c.slug for c in Consultation.objects.all() if c.phase == Phase.RESULTS}
    assert {"medellin-internacional-2027-2030", "estrategia-internacional-2023-2026"} <= past
    assert set(ResultsPublication.objects.values_list("consultation__slug", flat=True)) == past
    assert Proposal.objects.filter(consultation__slug="medellin-internacional-2027-2030",
                                   status=Proposal.Status.SELECTED).exists()
    lima = Consultation.objects.get(city__slug="lima")
    assert lima.phase == Phase.COUNTING and not lima.count_runs.exists()

    call_command("seed_plans")  # idempotent
    assert CouncilVote.objects.count() == 6
    assert ResultsPublication.objects.count() == len(past)


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


def test_the_demo_citizen_sees_the_loop_closed(django_capture_on_commit_callbacks):
    """ciudadana wrote a proposal of the closed consultation that was selected, voted (her
    receipt is in the official count, with her choices shown to her only), and is told of it;
    every proposal of the closed consultation says what became of it and why."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser
    from django.utils import translation

    from notifications.models import Notification
    from planning.selectors import receipt_check
    from planning.selectors.fates import proposal_fates

    call_command("seed_demo", participants=300)
    with django_capture_on_commit_callbacks(execute=True):  # what the worker tells
        call_command("seed_plans")
    citizen = get_user_model().objects.get(username="ciudadana")
    main = Consultation.objects.get(slug="estrategia-internacional-2027-2030")
    mine = Proposal.objects.get(consultation=main, author__user=citizen)
    assert mine.status == Proposal.Status.SELECTED
    ballot = Ballot.objects.get(consultation=main, participant__user=citizen)
    public = receipt_check(code=ballot.receipt_code, user=AnonymousUser())
    assert public.status == "counted" and public.choices == []
    own = receipt_check(code=ballot.receipt_code, user=citizen)
    assert own.is_holder and mine.title in [title for title, _points in own.choices]
    unread = set(Notification.objects.filter(recipient=citizen, read_at__isnull=True)
                 .values_list("message", flat=True))
    assert {"reply", "proposal_selected", "results_published", "plan_action_progress"} <= unread
    with translation.override("es"):
        fates = proposal_fates(consultation=main, proposals=list(main.proposals.all()))
    assert len(fates) == main.proposals.count() == 60
    assert all(fate.reason for fate in fates.values())
    assert {fate.status for fate in fates.values()} == {"selected", "not_selected"}
    assert fates[mine.pk].plan_actions  # the action it became in the approved plan


def test_each_citys_content_is_stored_in_its_own_language():
    """Belo Horizonte writes in Portuguese: its consultation and proposals are Portuguese text
    (read as such by a Portuguese reader, with no note), not Spanish text."""
    from core.i18n import localized

    call_command("seed_demo", participants=300)
    bh = Consultation.objects.get(city__slug="belo-horizonte")
    assert bh.title_pt_br and not bh.title_es
    proposal = bh.proposals.first()
    assert proposal.title_pt_br and not proposal.title_es
    from django.utils import translation
    with translation.override("pt-br"):
        shown = localized(proposal, "title")
    assert shown == proposal.title_pt_br and not shown.is_other_language


def test_the_demo_census_verifies_vecino_and_the_climate_vote_takes_codes(capsys):
    """Mexico City's census holds the demo's verified people (ciudadana with her document)
    and vecino, who verifies with the document the README gives; the climate vote takes
    verified residents or the codes the command printed; Montevideo's open consultation is for
    its residents."""
    from consult import eligibility, identity
    from consult.models import CensusEntry, Eligibility, Participant, Verification
    from consult.services import verify_residence
    from demo.eligibility import VECINO_BIRTH, VECINO_DOCUMENT

    call_command("seed_demo", participants=300)
    out = capsys.readouterr().out
    cdmx = City.objects.get(slug="ciudad-de-mexico")
    ciudadana = Participant.objects.get(user__username="ciudadana")
    assert ciudadana.verification.identifier_hash == identity.identifier_hash(
        "MX-0000001", city_id=cdmx.pk)
    assert CensusEntry.objects.filter(city=cdmx).count() > Verification.objects.count()
    climate = Consultation.objects.get(slug="agenda-climatica-internacional-2027")
    assert climate.eligibility == Eligibility.VERIFIED_OR_CODE
    printed = out.split("Voting codes")[1].split()
    assert any(identity.normalise_code(word) for word in printed)
    vecino = Participant.objects.get(user__username="vecino")
    assert eligibility.needs_code(user=vecino.user, consultation=climate)
    verify_residence(participant=vecino, identifier=VECINO_DOCUMENT, birth_date=VECINO_BIRTH)
    vecino.refresh_from_db()
    assert vecino.is_verified
    assert not eligibility.needs_code(user=vecino.user, consultation=climate)
    montevideo = Consultation.objects.get(slug="montevideo-ciudad-abierta-2027-2030")
    need = eligibility.requirement(user=ciudadana.user, consultation=montevideo,
                                   action=eligibility.PROPOSE)
    assert need is not None and need.code == "resident"


def test_limas_clerks_entered_paper_ballots_with_one_mismatch():
    from consult.selectors import paper_mismatches

    seed_demo(participants=300)
    lima = Consultation.objects.get(slug="lima-ciudad-abierta-2027-2028")
    assert Ballot.objects.filter(consultation=lima, channel="paper").count() == 11
    assert [item["serial"] for item in paper_mismatches(consultation=lima)] == ["0012"]
