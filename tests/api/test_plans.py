"""Plans through the API: the public reads approved versions only; the city's planners write
through planning.services (the same checks as the web); the council comments and decides."""
from __future__ import annotations

import pytest

from planning.models import BudgetLine, PlanChange, PlanStatus
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def test_public_sees_approved_plans_only(world, api):
    listed = api.get("/api/v1/plans/").json()["results"]
    assert [p["id"] for p in listed] == [world.plan_approved.pk]
    assert api.get(f"/api/v1/plans/{world.plan_draft.pk}/").status_code == 404
    planner = client_for(world.users["planner"])
    assert {p["id"] for p in planner.get("/api/v1/plans/").json()["results"]} == {
        world.plan_approved.pk, world.plan_in_review.pk, world.plan_draft.pk}


def test_public_reads_the_approved_version_not_the_revision(world, api):
    from planning import services

    plan = world.plan_approved
    planner = world.users["planner"]
    services.plan_revision_start(plan=plan, user=planner)
    services.plan_update(plan=plan, user=planner, title="Secret new title")
    data = api.get(f"/api/v1/plans/{plan.pk}/").json()
    assert data["title"] == "Approved plan" and data["version"] == 1
    assert data["content"]["actions"] and data["content"]["actions"][0]["budget_lines"]
    assert api.get(f"/api/v1/plans/{plan.pk}/budget-lines/").status_code == 401
    live = client_for(planner).get(f"/api/v1/plans/{plan.pk}/").json()
    assert live["title"] == "Secret new title" and live["version"] is None


def test_budget_line_create_update_delete_through_the_services(world):
    planner = client_for(world.users["planner"])
    plan = world.plan_draft
    action = plan.actions.order_by("rank").first()
    url = f"/api/v1/plans/{plan.pk}/budget-lines/"
    response = planner.post(url, {"action": action.pk, "year": 2029, "amount": "250.00",
                                  "source": "national", "status": "committed"}, format="json")
    assert response.status_code == 201, response.content
    line = response.json()
    assert line["currency"] == "MXN" and line["amount"] == "250.00"
    assert planner.post(url, {"action": action.pk, "year": 2029, "amount": "1.00",
                              "source": "national"}, format="json").status_code == 400
    response = planner.post(url, {"action": action.pk, "year": 2031, "amount": "1.00"},
                            format="json")
    assert response.status_code == 400 and "year" in response.json()["errors"]
    response = planner.patch(f"/api/v1/budget-lines/{line['id']}/", {"amount": "300"},
                             format="json")
    assert response.status_code == 200 and response.json()["amount"] == "300.00"
    assert planner.delete(f"/api/v1/budget-lines/{line['id']}/").status_code == 204
    assert not BudgetLine.objects.filter(pk=line["id"]).exists()
    kinds = list(PlanChange.objects.filter(plan=plan).values_list("kind", flat=True))
    assert {"line_added", "line_edited", "line_removed"} <= set(kinds)


def test_approved_plan_lines_cannot_change(world):
    planner = client_for(world.users["planner"])
    line = BudgetLine.objects.filter(action__plan=world.plan_approved).first()
    response = planner.patch(f"/api/v1/budget-lines/{line.pk}/", {"amount": "1"},
                             format="json")
    assert response.status_code == 400
    assert "approved" in response.json()["detail"]


def test_submit_review_and_comment(world):
    planner = client_for(world.users["planner"])
    council = client_for(world.users["council"])
    plan = world.plan_draft
    response = planner.post(f"/api/v1/plans/{plan.pk}/submit/", {"note": "v1"}, format="json")
    assert response.status_code == 201 and response.json()["number"] == 1
    response = council.post(f"/api/v1/plans/{plan.pk}/comments/", {"body": "Add targets."},
                            format="json")
    assert response.status_code == 201 and response.json()["version"] == 1
    response = council.post(f"/api/v1/plans/{plan.pk}/votes/", {"vote": "return"},
                            format="json")
    assert response.status_code == 400 and "comment" in response.json()["errors"]
    assert council.post(f"/api/v1/plans/{plan.pk}/decisions/", {"decision": "approve"},
                        format="json").status_code == 405  # the council decides by voting
    response = council.post(f"/api/v1/plans/{plan.pk}/votes/",
                            {"vote": "approve"}, format="json")
    assert response.status_code == 201 and response.json()["vote"] == "approve"
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    versions = client_for(None).get(f"/api/v1/plans/{plan.pk}/versions/").json()["results"]
    assert [(v["number"], v["decision"]) for v in versions] == [(1, "approve")]
    # The decision and each vote are public, with the tally (one member: one vote decides).
    decisions = client_for(None).get(f"/api/v1/plans/{plan.pk}/decisions/").json()["results"]
    assert decisions[0]["tally"]["approve"] == 1 and decisions[0]["tally"]["members"] == 1
    assert decisions[0]["tally"]["rule"]["majority"] == "simple"
    votes = client_for(None).get(f"/api/v1/plans/{plan.pk}/votes/").json()["results"]
    assert [(v["member"], v["vote"]) for v in votes] == [
        (world.users["council"].username, "approve")]


def test_planner_drafts_a_plan_and_counts(world, django_capture_on_commit_callbacks):
    from consult import services as consult_services
    from consult.models import Phase
    from tests.factories import ConsultationFactory, ParticipantFactory, ProposalFactory
    from tests.planning.conftest import close_voting

    consultation = ConsultationFactory(city=world.city, phase=Phase.VOTING, max_choices=1)
    proposal = ProposalFactory(consultation=consultation)
    consult_services.ballot_submit(participant=ParticipantFactory(city=world.city),
                                   consultation=consultation, choices={proposal.pk: 1})
    planner = client_for(world.users["planner"])
    response = planner.post("/api/v1/count-runs/", {"consultation": consultation.pk},
                            format="json")
    assert response.status_code == 400  # voting still open: no partial results
    close_voting(consultation)
    response = planner.post("/api/v1/plans/", {"consultation": consultation.pk}, format="json")
    assert response.status_code == 409  # no official count yet: a worker counts first
    assert "no official count" in response.json()["detail"]
    with django_capture_on_commit_callbacks(execute=True):
        response = planner.post("/api/v1/count-runs/", {"consultation": consultation.pk,
                                                        "rule": "greedy", "official": True},
                                format="json")
    assert response.status_code == 202  # a worker counts, once the request has committed
    assert response.json()["state"] == "queued"
    job = planner.get(response["Location"]).json()
    assert job["state"] == "done" and response["Location"] == f"/api/v1/count-jobs/{job['id']}/"
    run = planner.get(f"/api/v1/count-runs/{job['count_run']}/").json()
    assert run["selected_proposal_ids"] == [proposal.pk]
    response = planner.post("/api/v1/plans/", {"consultation": consultation.pk,
                                               "title": "From the API"}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["title"] == "From the API" and data["status"] == "draft"
    assert [a["proposals"] for a in data["content"]["actions"]] == [[proposal.pk]]


def test_planner_creates_an_action_and_an_indicator_with_targets(world):
    planner = client_for(world.users["planner"])
    plan = world.plan_draft
    objective = plan.objectives.order_by("position").first()
    proposal = plan.actions.order_by("rank").first().proposals.first()
    response = planner.post(f"/api/v1/plans/{plan.pk}/actions/", {
        "objective": objective.pk, "title": "Bike lanes", "department": "Mobility",
        "partner_cities": [world.elsewhere.pk], "proposals": [proposal.pk]}, format="json")
    assert response.status_code == 201, response.content
    action = response.json()
    assert action["plan"] == plan.pk and action["objective"] == objective.pk
    assert action["partner_cities"] == [world.elsewhere.pk]
    assert action["proposals"] == [proposal.pk]

    response = planner.post(f"/api/v1/plans/{plan.pk}/indicators/", {
        "action": action["id"], "title": "Km of bike lanes", "unit_label": "km",
        "baseline_year": 2026, "baseline_value": "3",
        "targets": [{"year": 2028, "target": "10"},
                    {"year": 2030, "target": "25", "target_comment": "Whole centre"}]},
        format="json")
    assert response.status_code == 201, response.content
    indicator = response.json()
    targets = {p["year"]: (p["target"], p["target_comment"]) for p in indicator["periods"]}
    assert targets == {2028: ("10.0000", ""), 2030: ("25.0000", "Whole centre")}

    response = planner.patch(f"/api/v1/indicators/{indicator['id']}/",
                             {"targets": [{"year": 2028, "target": "12"}]}, format="json")
    assert response.status_code == 200, response.content
    assert {p["year"]: p["target"] for p in response.json()["periods"]}[2028] == "12.0000"
    response = planner.post(f"/api/v1/plans/{plan.pk}/indicators/", {
        "action": action["id"], "title": "Out of period",
        "targets": [{"year": 2031, "target": "1"}]}, format="json")
    assert response.status_code == 400 and "targets" in response.json()["errors"]
    response = planner.post(f"/api/v1/plans/{plan.pk}/actions/", {
        "objective": world.plan_approved.objectives.first().pk, "title": "Elsewhere"},
        format="json")
    assert response.status_code == 400 and "objective" in response.json()["errors"]
    live = planner.get(f"/api/v1/plans/{plan.pk}/").json()["content"]
    assert action["id"] in {a["id"] for a in live["actions"]}
    kinds = set(PlanChange.objects.filter(plan=plan).values_list("kind", flat=True))
    assert {"action_added", "indicator_added", "indicator_edited"} <= kinds


def test_council_member_may_not_edit_the_plan(world):
    council = client_for(world.users["council"])
    plan = world.plan_draft
    objective = plan.objectives.first()
    response = council.post(f"/api/v1/plans/{plan.pk}/actions/",
                            {"objective": objective.pk, "title": "Mine"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the city's planners can edit this plan.",
                               "errors": {}}
    assert council.patch(f"/api/v1/plans/{plan.pk}/", {"title": "Mine"},
                         format="json").status_code == 403
    assert not plan.actions.filter(title="Mine").exists()


def test_monitoring_is_refused_before_approval(world):
    planner = client_for(world.users["planner"])
    draft_line = world.line
    draft_indicator = world.plan_draft.indicators.first()
    response = planner.put(f"/api/v1/budget-lines/{draft_line.pk}/spending/",
                           {"spent": "10.00"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Execution is recorded once the plan is approved."
    response = planner.put(f"/api/v1/indicators/{draft_indicator.pk}/actuals/",
                           {"year": 2027, "actual": "1"}, format="json")
    assert response.status_code == 400
    draft_line.refresh_from_db()
    assert draft_line.spent is None

    line = BudgetLine.objects.filter(action__plan=world.plan_approved).first()
    response = planner.put(f"/api/v1/budget-lines/{line.pk}/spending/", {"spent": "10"},
                           format="json")
    assert response.status_code == 200 and response.json()["spent"] == "10.00"
    indicator = world.plan_approved.indicators.first()
    response = planner.put(f"/api/v1/indicators/{indicator.pk}/actuals/",
                           {"year": 2027, "actual": "4", "actual_comment": "Audited"},
                           format="json")
    assert response.status_code == 200, response.content
    period = {p["year"]: p for p in response.json()["periods"]}[2027]
    assert (period["actual"], period["actual_comment"]) == ("4.0000", "Audited")
    # An approved plan's content itself does not change: start a revision for that.
    response = planner.patch(f"/api/v1/plans/{world.plan_approved.pk}/", {"title": "New"},
                             format="json")
    assert response.status_code == 400
    response = planner.post(f"/api/v1/plans/{world.plan_approved.pk}/revision/")
    assert response.status_code == 200 and response.json()["status"] == PlanStatus.DRAFT
    response = planner.patch(f"/api/v1/plans/{world.plan_approved.pk}/", {"title": "New"},
                             format="json")
    assert response.status_code == 200 and response.json()["title"] == "New"
