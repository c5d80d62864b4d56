"""Plan pages per role: anonymous, participant, planner, council member, planner of another
city; status codes; bad input never gives a 500; queries do not grow with the actions."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consult.models import Proposal
from planning import services
from planning.models import BudgetLine, CountJob, PlanStatus, StrategyPlan

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(raise_request_exception=True)
    if user is not None:
        client.force_login(user)
    return client


def who(roles, name):
    return None if name == "anonymous" else getattr(roles, name)


WORKSPACE_STATUS = {"anonymous": 302, "participant": 403, "planner": 200, "council": 200,
                    "other_planner": 403}


@pytest.mark.parametrize("role", sorted(WORKSPACE_STATUS))
def test_workspace_and_read_pages_by_role(drafted, roles, role):
    plan, _ = drafted
    client = client_for(who(roles, role))
    for name in ("workspace", "versions", "history"):
        response = client.get(reverse(f"planning:{name}", args=[plan.pk]))
        assert response.status_code == WORKSPACE_STATUS[role], name
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


EDIT_STATUS = {"anonymous": 302, "participant": 403, "planner": 200, "council": 403,
               "other_planner": 403}


@pytest.mark.parametrize("role", sorted(EDIT_STATUS))
def test_edit_pages_by_role(drafted, roles, role):
    plan, _ = drafted
    action = plan.actions.first()
    line = action.budget_lines.first()
    indicator = action.indicators.first()
    client = client_for(who(roles, role))
    urls = [
        reverse("planning:plan_edit", args=[plan.pk]),
        reverse("planning:objective_create", args=[plan.pk]),
        reverse("planning:objective_edit", args=[plan.pk, action.objective_id]),
        reverse("planning:action_create", args=[plan.pk]),
        reverse("planning:action_edit", args=[plan.pk, action.pk]),
        reverse("planning:line_create", args=[plan.pk]) + f"?action={action.pk}&year=2028",
        reverse("planning:line_edit", args=[plan.pk, line.pk]),
        reverse("planning:indicator_create", args=[plan.pk]) + f"?attach=action-{action.pk}",
        reverse("planning:indicator_edit", args=[plan.pk, indicator.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == EDIT_STATUS[role], url
    response = client.post(reverse("planning:line_edit", args=[plan.pk, line.pk]), {
        "action": action.pk, "year": line.year, "amount": "5", "source": "municipal",
        "type": "original", "status": "committed"})
    assert response.status_code == {200: 302}.get(EDIT_STATUS[role], EDIT_STATUS[role])
    line.refresh_from_db()
    assert (line.amount == Decimal("5")) is (role == "planner")


def test_planner_bad_input_is_a_form_error_never_a_500(drafted, roles):
    plan, _ = drafted
    action = plan.actions.first()
    line = action.budget_lines.first()
    client = client_for(roles.planner)
    bad = [
        (reverse("planning:line_edit", args=[plan.pk, line.pk]),
         {"action": action.pk, "year": "2099", "amount": "-3", "source": "x"}),
        (reverse("planning:line_create", args=[plan.pk]),
         {"action": action.pk, "year": line.year, "amount": "7", "source": line.source,
          "type": line.type, "status": "indicative"}),  # duplicate line
        (reverse("planning:line_create", args=[plan.pk]),
         {"action": "abc", "year": "x", "amount": "1e999"}),
        (reverse("planning:plan_edit", args=[plan.pk]), {"title": "", "ceiling_2027": "-1"}),
        (reverse("planning:indicator_create", args=[plan.pk]),
         {"attached_to": "action-999999", "title": "t", "measure": "unit"}),
        (reverse("planning:indicator_create", args=[plan.pk]),
         {"attached_to": "nonsense", "title": "t", "measure": "unit"}),
        (reverse("planning:action_create", args=[plan.pk]), {"title": ""}),
        (reverse("planning:objective_create", args=[plan.pk]), {"result_level": "nope"}),
    ]
    for url, data in bad:
        response = client.post(url, data)
        assert response.status_code == 400, (url, data)
        assert b"error-summary" in response.content
    assert client.post(reverse("planning:objective_delete",
                               args=[plan.pk, action.objective_id])).status_code == 400
    assert client.get(reverse("planning:line_edit", args=[plan.pk, 999999])).status_code == 404
    assert client.get(reverse("planning:workspace", args=[999999])).status_code == 404
    assert client.get(reverse("planning:diff", args=[plan.pk]) + "?from=a&to=").status_code \
        == 400
    assert client.post(reverse("planning:review", args=[plan.pk]),
                       {"vote": "approve"}).status_code == 403
    assert client.post(reverse("planning:revision_start", args=[plan.pk])).status_code == 400
    assert client.post(reverse("planning:comment_create", args=[plan.pk]),
                       {"body": ""}).status_code == 400
    assert client.get(reverse("planning:monitoring", args=[plan.pk])).status_code == 400


def test_draft_page_and_button(counted, roles, django_capture_on_commit_callbacks):
    consultation, _ = counted
    url = reverse("planning:draft_create", args=[consultation.pk])
    count_url = reverse("planning:count_request", args=[consultation.pk])
    assert client_for(None).get(url).status_code == 302
    assert client_for(None).post(count_url).status_code == 302
    for user in (roles.council, roles.participant, roles.other_planner):
        assert client_for(user).get(url).status_code == 403
        assert client_for(user).post(url, {}).status_code == 403
        assert client_for(user).post(count_url).status_code == 403
    assert not CountJob.objects.exists()
    planner = client_for(roles.planner)
    assert planner.get(reverse("planning:draft_start")).status_code == 200
    assert consultation.title.encode() in planner.get(reverse("planning:draft_start")).content

    # No official count yet: the page offers to count, not to draft; a draft is refused.
    page = planner.get(url)
    assert page.status_code == 200 and b"Count the votes" in page.content
    assert b"Draft the plan" not in page.content
    refused = planner.post(url, {"title": "Too early"})
    assert refused.status_code == 400 and b"no official count" in refused.content
    # Asking for the count queues it; the page then says it is under way and refreshes itself.
    with django_capture_on_commit_callbacks(execute=False) as worker:
        assert planner.post(count_url)["Location"] == url
    page = planner.get(url)
    assert b"being counted" in page.content and b'http-equiv="refresh"' in page.content
    again = planner.post(count_url, follow=True)
    assert b"already under way" in again.content and CountJob.objects.count() == 1
    worker[0]()  # the worker counts
    page = planner.get(url)
    assert b"The official count" in page.content and b"Draft the plan" in page.content
    assert b'http-equiv="refresh"' not in page.content

    assert planner.post(url, {"ceiling_2027": "abc"}).status_code == 400
    response = planner.post(url, {"title": "Plan CDMX", "ceiling_2027": "100",
                                  "ceiling_2028": "100", "ceiling_2029": "100",
                                  "ceiling_2030": "100"})
    plan = StrategyPlan.objects.get(title="Plan CDMX")
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("planning:workspace", args=[plan.pk]))
    page = planner.get(response["Location"])
    assert b"could not move" in page.content and b"over the ceiling" in page.content
    assert planner.post(url, {}).status_code == 400  # a second draft is refused clearly


def test_review_flow_through_pages(drafted, roles):
    plan, _ = drafted
    planner, council = client_for(roles.planner), client_for(roles.council)
    assert council.get(reverse("planning:review", args=[plan.pk])).status_code == 400
    assert planner.post(reverse("planning:submit", args=[plan.pk]),
                        {"note": "v1"}).status_code == 302
    assert client_for(roles.other_council).get(
        reverse("planning:review", args=[plan.pk])).status_code == 403
    assert planner.get(reverse("planning:review", args=[plan.pk])).status_code == 403
    assert council.get(reverse("planning:review", args=[plan.pk])).status_code == 200
    assert council.post(reverse("planning:comment_create", args=[plan.pk]),
                        {"body": "Why so much?"}).status_code == 302
    response = council.post(reverse("planning:review", args=[plan.pk]),
                            {"vote": "return", "comment": ""})
    assert response.status_code == 400 and b"why you return" in response.content
    assert council.post(reverse("planning:review", args=[plan.pk]),
                        {"vote": "return", "comment": "Fix it"}).status_code == 302
    line = BudgetLine.objects.filter(action__plan=plan).first()
    planner.post(reverse("planning:line_edit", args=[plan.pk, line.pk]), {
        "action": line.action_id, "year": line.year, "amount": "1", "source": line.source,
        "type": line.type, "status": line.status})
    planner.post(reverse("planning:submit", args=[plan.pk]))
    review_page = council.get(reverse("planning:review", args=[plan.pk]))
    assert b"What changed since version 1" in review_page.content
    assert council.post(reverse("planning:review", args=[plan.pk]),
                        {"vote": "approve"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    # once decided, the link of the vote's notification shows the decision, not a refusal
    later = council.get(reverse("planning:review", args=[plan.pk]), follow=True)
    assert later.redirect_chain[-1][0] == reverse("planning:version", args=[plan.pk, 2])
    assert b"already decided on this version" in later.content
    assert council.post(reverse("planning:review", args=[plan.pk]),
                        {"vote": "approve"}).status_code == 400  # voting is over
    for name, args in (("versions", [plan.pk]), ("version", [plan.pk, 1]),
                       ("diff", [plan.pk]), ("history", [plan.pk]),
                       ("monitoring", [plan.pk])):
        assert council.get(reverse(f"planning:{name}", args=args)).status_code == 200, name
    assert council.get(reverse("planning:diff", args=[plan.pk]) + "?from=2&to=1").status_code \
        == 200
    assert council.get(reverse("planning:version", args=[plan.pk, 9])).status_code == 404
    # Approved: edit pages refuse clearly, monitoring records spending.
    assert planner.get(reverse("planning:plan_edit", args=[plan.pk])).status_code == 400
    response = planner.post(reverse("planning:monitoring", args=[plan.pk]),
                            {"form": "spending", f"s-spent_{line.pk}": "0.5"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.spent == Decimal("0.50")
    assert council.post(reverse("planning:monitoring", args=[plan.pk]),
                        {"form": "spending"}).status_code == 403
    assert planner.post(reverse("planning:monitoring", args=[plan.pk]),
                        {"form": "spending", f"s-spent_{line.pk}": "-1"}).status_code == 400


PUBLIC_ROLES = ["anonymous", "participant", "planner", "council", "other_planner"]


@pytest.mark.parametrize("role", PUBLIC_ROLES)
def test_public_pages(drafted, roles, role):
    plan, proposals = drafted
    client = client_for(who(roles, role))
    public = reverse("planning:public", args=[plan.pk])
    fate_url = reverse("planning:proposal_fate", args=[proposals[0].pk])
    assert client.get(public).status_code == 404  # not approved yet
    assert client.get(fate_url).status_code == 200
    services.plan_submit(plan=plan, user=roles.planner)
    services.plan_vote_cast(plan=plan, user=roles.council, vote="approve")
    response = client.get(public)
    assert response.status_code == 200 and plan.title.encode() in response.content
    page = client.get(fate_url)
    assert b"Green roofs" in page.content and b"It became the action" in page.content
    assert client.get(reverse("planning:list")).status_code == 200
    assert client.get(reverse("planning:proposal_fate", args=[999999])).status_code == 404


def test_fate_template_tag_renders_for_consult_pages(drafted, roles):
    from django.template import Context, Template

    plan, proposals = drafted
    services.plan_submit(plan=plan, user=roles.planner)
    services.plan_vote_cast(plan=plan, user=roles.council, vote="approve")
    proposal = Proposal.objects.get(pk=proposals[0].pk)
    html = Template("{% load planning_tags %}{% proposal_fate proposal %}").render(
        Context({"proposal": proposal}))
    assert "Green roofs" in html and "Selected: ranked 1 by votes (4 votes)" in html
    other = Proposal.objects.get(pk=proposals[3].pk)
    html = Template("{% load planning_tags %}{% proposal_fate proposal %}").render(
        Context({"proposal": other}))
    assert "Not selected" in html and "It became the action" not in html


def _workspace_queries(client, plan) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("planning:workspace", args=[plan.pk])).status_code == 200
    return len(queries)


def test_workspace_queries_do_not_grow_with_actions(drafted, roles):
    plan, proposals = drafted
    client = client_for(roles.planner)
    client.get(reverse("planning:workspace", args=[plan.pk]))  # warm session and caches
    before = _workspace_queries(client, plan)
    objective = plan.objectives.first()
    for n in range(8):
        action = services.action_create(plan=plan, user=roles.planner, objective=objective,
                                        title=f"Extra {n}", proposals=[proposals[3]])
        for year in (2027, 2028):
            services.budget_line_create(action=action, user=roles.planner, year=year,
                                        amount=Decimal("1"), source="national")
        services.indicator_create(plan=plan, user=roles.planner, action=action,
                                  title=f"Indicator {n}", targets={2027: Decimal("1")})
    assert _workspace_queries(client, plan) == before
