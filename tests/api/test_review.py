"""The review endpoints with the roles the permission matrix does not hold: the city's reviewer
and administrator; what the public and the staff read of an assessment."""
from decimal import Decimal

import pytest
from django.utils import timezone

from consult.models import CityRole, ProposalAssessment
from tests.api.conftest import client_for
from tests.factories import CityRoleFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def test_everyone_reads_the_public_part_staff_read_the_notes(world, api):
    url = f"/api/v1/proposals/{world.assessed.pk}/assessment/"
    public = api.get(url).json()
    assert public["verdict"] == "feasible" and public["validated_cost"] == "90000.00"
    assert public["estimated_cost"] == "100000.00" and public["cost_reason"] == "Shared venue."
    assert "notes" not in public and "reviewer" not in public
    staff = client_for(world.users["planner"]).get(url).json()
    assert staff["notes"] == "Call the embassy"
    unassessed = ProposalFactory(consultation=world.review)
    assert api.get(f"/api/v1/proposals/{unassessed.pk}/assessment/").status_code == 404


def test_a_reviewer_assesses_with_a_split_and_is_refused_a_wrong_one(world):
    client = client_for(world.reviewer)
    url = f"/api/v1/proposals/{world.assessed.pk}/assessment/"
    off = client.put(url, {"verdict": "feasible", "validated_cost": "90000.00",
                           "cost_reason": "Venue.", "year_costs": [
                               {"year": 2027, "amount": "45000.00"},
                               {"year": 2028, "amount": "44999.99"}]}, format="json")
    assert off.status_code == 400
    assert "year_costs" in off.json()["errors"]
    done = client.put(url, {"verdict": "feasible", "validated_cost": "90000.00",
                            "cost_reason": "Venue.", "year_costs": [
                                {"year": 2027, "amount": "45000.00"},
                                {"year": 2028, "amount": "45000.00"}]}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["assessed_by"] == world.reviewer.get_username()
    assert len(done.json()["year_costs"]) == 2
    refused = client.put(url, {"verdict": "not_feasible"}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]


def test_no_assessment_once_voting_opened(world):
    url = f"/api/v1/proposals/{world.on_ballot[0].pk}/assessment/"
    response = client_for(world.reviewer).put(
        url, {"verdict": "not_feasible", "reason": "Late."}, format="json")
    assert response.status_code == 403


def test_the_admin_assigns_to_the_city_s_reviewers_only(world):
    admin = CityRoleFactory(city=world.city, role=CityRole.Role.ADMIN).user
    client = client_for(admin)
    url = f"/api/v1/consultations/{world.review.pk}/assignments/"
    response = client.post(url, {"proposals": [world.assessed.pk],
                                 "reviewer": world.reviewer.pk}, format="json")
    assert response.status_code == 200 and response.json() == {"assigned": 1}
    assert ProposalAssessment.objects.get(proposal=world.assessed).reviewer == world.reviewer
    not_reviewer = client.post(url, {"proposals": [world.assessed.pk],
                                     "reviewer": world.users["planner"].pk}, format="json")
    assert not_reviewer.status_code == 400 and "reviewer" in not_reviewer.json()["errors"]
    elsewhere = client.post(url, {"proposals": [world.proposal.pk],
                                  "reviewer": world.reviewer.pk}, format="json")
    assert elsewhere.status_code == 400


def test_the_ballot_endpoint_lists_only_feasible_proposals_at_their_cost(world, api):
    rejected = world.on_ballot[2]
    ProposalAssessment.objects.create(proposal=rejected, verdict="not_feasible", reason="No.",
                                      assessed_at=timezone.now())
    cheaper = world.on_ballot[1]
    ProposalAssessment.objects.create(proposal=cheaper, verdict="feasible",
                                      validated_cost=Decimal("777.00"),
                                      cost_reason="Volunteers.", assessed_at=timezone.now())
    listed = api.get(f"/api/v1/consultations/{world.voting.pk}/ballot/proposals/").json()
    items = listed["results"] if isinstance(listed, dict) else listed
    costs = {item["title"]: item["cost"] for item in items}
    assert rejected.title not in costs
    assert costs[cheaper.title] == "777.00" and costs[world.on_ballot[0].title] == "100000.00"
