"""The review pages: the dashboard, the assessment form, assignment, and what the proposal page
and the ballot show of an assessment."""
from decimal import Decimal

import pytest
from django.urls import reverse

from consult import services
from consult.models import CityRole, Phase, ProposalAssessment
from tests.factories import (
    CityRoleFactory,
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def staff(city, *roles):
    user = UserFactory()
    for role in roles:
        CityRoleFactory(user=user, city=city, role=role)
    return user


@pytest.fixture
def review():
    consultation = ConsultationFactory(phase=Phase.REVIEW, requires_assessment=True)
    proposal = ProposalFactory(consultation=consultation, title="Sister-city festival")
    return consultation, proposal, staff(consultation.city, CityRole.Role.REVIEWER)


def url(name, consultation, *args):
    return reverse(f"consult:{name}", args=[consultation.city.slug, consultation.slug, *args])


def test_a_reviewer_assesses_through_the_form(client, review):
    consultation, proposal, reviewer = review
    client.force_login(reviewer)
    form = url("proposal_assess", consultation, proposal.pk)
    page = client.get(form).content.decode()
    for field in ("verdict", "reason", "validated_cost", "cost_reason", "notes", "cost_2027",
                  "cost_2030"):
        assert f'name="{field}"' in page, field
    assert 'value="100,000"' in page  # the estimate, written as English writes it
    refused = client.post(form, {"verdict": "feasible", "validated_cost": "120000",
                                 "cost_2027": "60000", "cost_2028": "59999.99"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Say why the validated cost differs" in page
    assert not ProposalAssessment.objects.exists()
    response = client.post(form, {"verdict": "feasible", "validated_cost": "120000",
                                  "cost_reason": "Venue prices rose", "cost_2027": "60000",
                                  "cost_2028": "60000", "notes": "Ask for two quotes"})
    assert response.status_code == 302
    assessment = ProposalAssessment.objects.get()
    assert assessment.validated_cost == Decimal("120000")
    assert assessment.year_costs.count() == 2


def test_the_form_is_refused_to_others_and_after_review(client, review):
    consultation, proposal, _reviewer = review
    client.force_login(staff(consultation.city, CityRole.Role.MODERATOR))
    assert client.get(url("proposal_assess", consultation, proposal.pk)).status_code == 403
    voting = ProposalFactory(consultation=ConsultationFactory(phase=Phase.VOTING,
                                                              city=consultation.city))
    client.force_login(staff(consultation.city, CityRole.Role.REVIEWER))
    response = client.post(url("proposal_assess", voting.consultation, voting.pk),
                           {"verdict": "not_feasible", "reason": "Late"})
    assert response.status_code == 403
    assert "the ballot is fixed" in response.content.decode()
    # Another city's proposal under this consultation's address: not found.
    other = ProposalFactory(consultation=ConsultationFactory(phase=Phase.REVIEW))
    assert client.get(url("proposal_assess", consultation, other.pk)).status_code == 404


def test_the_dashboard_shows_progress_filters_and_assigns_in_bulk(client, review):
    consultation, proposal, reviewer = review
    theme = ThemeFactory(consultation=consultation, name="Culture", slug="culture")
    cultural = [ProposalFactory(consultation=consultation, theme=theme) for _ in range(2)]
    services.assessment_save(user=reviewer, proposal=proposal, verdict="not_feasible",
                             reason="Not a city power")
    admin = staff(consultation.city, CityRole.Role.ADMIN)
    client.force_login(admin)
    home = client.get(reverse("consult:review", args=[consultation.city.slug]))
    assert home.status_code == 200
    assert consultation.title in home.content.decode()
    listing = url("review_consultation", consultation)
    page = client.get(listing).content.decode()
    assert "1 of 3 proposals assessed." in page
    filtered = f"{listing}?theme=culture"
    page = client.get(filtered).content.decode()
    assert "Sister-city festival" not in page and "2 proposals shown" in page
    response = client.post(filtered, {"reviewer": reviewer.pk, "scope": "filtered"})
    assert response.status_code == 302
    assert set(ProposalAssessment.objects.filter(reviewer=reviewer)
               .values_list("proposal_id", flat=True)) == {p.pk for p in cultural}
    response = client.post(listing, {"reviewer": reviewer.pk, "scope": "chosen",
                                     "proposals": [proposal.pk]})
    assert response.status_code == 302
    page = client.get(f"{listing}?reviewer={reviewer.pk}&state=to_assess").content.decode()
    assert "2 proposals shown" in page
    assert client.post(listing, {"reviewer": reviewer.pk, "scope": "chosen"}).status_code == 400


def test_reviewers_see_the_dashboard_but_do_not_assign(client, review):
    consultation, proposal, reviewer = review
    client.force_login(reviewer)
    listing = url("review_consultation", consultation)
    page = client.get(listing).content.decode()
    assert "Assign to a reviewer" not in page and "Assess" in page
    assert client.post(listing, {"reviewer": reviewer.pk, "scope": "filtered"}).status_code == 403
    assert not ProposalAssessment.objects.exists()
    client.force_login(ParticipantFactory(city=consultation.city).user)
    assert client.get(listing).status_code == 403
    assert client.get(reverse("consult:review", args=[consultation.city.slug])).status_code == 403


def test_waiting_for_you_counts_the_proposals_to_assess_and_links_the_review(client, review):
    consultation, _proposal, reviewer = review
    client.force_login(reviewer)
    header = client.get(reverse("consult:home")).content.decode()
    assert 'Waiting for you <span class="badge badge--count">1' in header
    page = client.get(reverse("waiting")).content.decode()
    assert reverse("consult:review", args=[consultation.city.slug]) in page
    assert "Proposals to assess" in page
    client.force_login(ParticipantFactory().user)
    assert "/review/" not in client.get(reverse("waiting")).content.decode()


def test_the_proposal_page_shows_the_assessment_and_its_reasons(client, review):
    consultation, proposal, reviewer = review
    services.assessment_save(user=reviewer, proposal=proposal, verdict="feasible",
                             validated_cost=Decimal("150000"), cost_reason="Travel prices rose",
                             notes="Internal: ask the embassy")
    page = client.get(url("proposal", consultation, proposal.pk)).content.decode()
    assert "Feasible" in page and "Travel prices rose" in page
    assert "Validated cost: 150,000\u00a0MXN, instead of the estimate of 100,000\u00a0MXN." in page
    assert "Internal: ask the embassy" not in page
    client.force_login(reviewer)
    page = client.get(url("proposal", consultation, proposal.pk)).content.decode()
    assert "Internal: ask the embassy" in page


def test_the_proposal_page_says_not_feasible_with_the_reason(client, review):
    consultation, proposal, reviewer = review
    services.assessment_save(user=reviewer, proposal=proposal, verdict="not_feasible",
                             reason="The city has no power over airports")
    client.force_login(proposal.author.user)
    page = client.get(url("proposal", consultation, proposal.pk)).content.decode()
    assert "Not feasible" in page and "The city has no power over airports" in page
    assert "will not be on the ballot" in page


def test_the_ballot_page_lists_feasible_proposals_at_their_validated_cost(client, review):
    consultation, proposal, reviewer = review
    left_off = ProposalFactory(consultation=consultation, title="Never assessed")
    services.assessment_save(user=reviewer, proposal=proposal, verdict="feasible",
                             validated_cost=Decimal("123456"), cost_reason="Prices")
    consultation.voting_opens_at = consultation.proposals_close_at
    consultation.save()
    page = client.get(url("vote", consultation)).content.decode()
    assert "Sister-city festival" in page and left_off.title not in page
    assert 'data-cost="123456' in page
