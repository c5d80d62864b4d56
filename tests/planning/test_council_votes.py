"""Council decisions as recorded votes: who votes, one vote each, the city's rule applied after
every vote, the decision with its tally, overriding failed checks; the pages and the API."""
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from consult.models import CityRole
from core.errors import Conflict, NotAllowed, ServiceError
from planning import selectors, services
from planning.models import CouncilRule, CouncilVote, PlanStatus, ReviewDecision
from tests.factories import CityFactory, CityRoleFactory


def client_for(user) -> Client:
    client = Client(raise_request_exception=True)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def council(drafted, roles):
    """Three voting members (roles.council and two more); roles.planner_council holds the
    council role too but plans for the city, so is not a member. The plan is in review."""
    plan, _ = drafted
    city = plan.city
    members = [roles.council] + [CityRoleFactory(city=city, role=CityRole.Role.COUNCIL).user
                                 for _ in range(2)]
    services.plan_submit(plan=plan, user=roles.planner)
    return plan, members


def status_of(plan):
    plan.refresh_from_db()
    return plan.status


def test_members_are_the_council_role_without_planning_roles(council, roles):
    plan, members = council
    assert selectors.council_member_ids(plan.city) == {m.pk for m in members}
    # A council member who is also city administrator does not vote either.
    CityRoleFactory(city=plan.city, role=CityRole.Role.COUNCIL, user=roles.admin)
    assert roles.admin.pk not in selectors.council_member_ids(plan.city)


def test_default_rule_votes_until_the_majority_is_settled(council):
    plan, (first, second, third) = council
    vote = services.plan_vote_cast(plan=plan, user=first, vote="approve", comment="Good plan")
    assert vote.version.number == 1 and status_of(plan) == PlanStatus.IN_REVIEW
    assert not ReviewDecision.objects.filter(plan=plan).exists()
    services.plan_vote_cast(plan=plan, user=second, vote="approve")
    # 2 approvals of 3 members: more than the 1 return still possible. Decided.
    assert status_of(plan) == PlanStatus.APPROVED
    decision = ReviewDecision.objects.get(plan=plan)
    assert decision.decision == "approve" and decision.reviewer == second
    assert decision.tally["approve"] == 2 and decision.tally["members"] == 3
    assert decision.tally["rule"]["majority"] == "simple"
    assert {v["member_id"] for v in decision.tally["votes"]} == {first.pk, second.pk}
    assert decision.reason == "Good plan"
    # Decided: the third member can no longer vote.
    with pytest.raises(ServiceError, match="Only a plan in review"):
        services.plan_vote_cast(plan=plan, user=third, vote="return", comment="Late")


def test_a_tie_returns_the_plan_with_the_reasons(council, roles):
    plan, members = council
    fourth = CityRoleFactory(city=plan.city, role=CityRole.Role.COUNCIL).user
    a, b, c = members
    services.plan_vote_cast(plan=plan, user=a, vote="approve")
    services.plan_vote_cast(plan=plan, user=b, vote="return", comment="Spread the costs")
    services.plan_vote_cast(plan=plan, user=c, vote="approve")
    assert status_of(plan) == PlanStatus.IN_REVIEW  # 2 vs 1, one left: a tie is possible
    services.plan_vote_cast(plan=plan, user=fourth, vote="return", comment="Add indicators")
    assert status_of(plan) == PlanStatus.RETURNED
    decision = ReviewDecision.objects.get(plan=plan)
    assert decision.tally["approve"] == 2 and decision.tally["return"] == 2
    assert "Spread the costs" in decision.reason and "Add indicators" in decision.reason


def test_a_second_vote_by_the_same_member_is_refused(council):
    plan, (first, _second, _third) = council
    services.plan_vote_cast(plan=plan, user=first, vote="abstain")
    with pytest.raises(Conflict, match="already voted"):
        services.plan_vote_cast(plan=plan, user=first, vote="approve")
    # The database says so too.
    with pytest.raises(IntegrityError), transaction.atomic():
        CouncilVote.objects.create(plan=plan, version=plan.versions.get(), member=first,
                                   vote="approve")
    # On the web: a form error, nothing saved; in the API: 409.
    response = client_for(first).post(reverse("planning:review", args=[plan.pk]),
                                      {"vote": "approve"})
    assert response.status_code == 400 and b"already voted" in response.content
    api = APIClient()
    api.force_authenticate(first)
    response = api.post(f"/api/v1/plans/{plan.pk}/votes/", {"vote": "approve"}, format="json")
    assert response.status_code == 409 and "already voted" in response.json()["detail"]
    assert CouncilVote.objects.filter(member=first).count() == 1


def test_who_may_not_vote(council, roles):
    plan, _members = council
    for user in (roles.other_council, roles.planner_council, roles.admin, roles.planner,
                 roles.participant):
        with pytest.raises(NotAllowed):
            services.plan_vote_cast(plan=plan, user=user, vote="approve")
    assert not CouncilVote.objects.exists()
    with pytest.raises(ServiceError, match="why"):
        services.plan_vote_cast(plan=plan, user=roles.council, vote="return")
    with pytest.raises(ServiceError, match="abstain"):
        services.plan_vote_cast(plan=plan, user=roles.council, vote="maybe")
    # Another city's council member does not even see the review page.
    assert client_for(roles.other_council).get(
        reverse("planning:review", args=[plan.pk])).status_code == 403


def test_abstentions_under_an_absolute_majority(council, roles):
    plan, (a, b, c) = council
    services.council_rule_update(city=plan.city, user=roles.admin, quorum="more_than_half",
                                 majority="absolute")
    services.plan_vote_cast(plan=plan, user=a, vote="approve")
    services.plan_vote_cast(plan=plan, user=b, vote="abstain")
    assert status_of(plan) == PlanStatus.IN_REVIEW
    services.plan_vote_cast(plan=plan, user=c, vote="abstain")
    # 1 approval is not more than half of 3 members: returned, with the tally as the reason.
    assert status_of(plan) == PlanStatus.RETURNED
    decision = ReviewDecision.objects.get(plan=plan)
    assert "No majority" in decision.reason and decision.tally["abstain"] == 2
    assert decision.tally["rule"]["majority"] == "absolute"


def test_two_thirds_and_the_quorum(council, roles):
    plan, (a, b, c) = council
    services.council_rule_update(city=plan.city, user=roles.admin, quorum="count",
                                 quorum_count=3, majority="two_thirds")
    services.plan_vote_cast(plan=plan, user=a, vote="approve")
    services.plan_vote_cast(plan=plan, user=b, vote="approve")
    assert status_of(plan) == PlanStatus.IN_REVIEW  # 2/3 is settled, but the quorum is 3
    services.plan_vote_cast(plan=plan, user=c, vote="return", comment="Too fast")
    assert status_of(plan) == PlanStatus.APPROVED   # exactly two thirds


def test_the_single_member_rule(council, roles):
    plan, (a, _b, _c) = council
    services.council_rule_update(city=plan.city, user=roles.admin, quorum="more_than_half",
                                 majority="simple", single_member_decides=True)
    services.plan_vote_cast(plan=plan, user=a, vote="approve")
    assert status_of(plan) == PlanStatus.APPROVED
    assert ReviewDecision.objects.get(plan=plan).tally["rule"]["single_member_decides"]


def test_only_the_city_administrators_set_the_rule(council, roles):
    plan, _members = council
    elsewhere_admin = CityRoleFactory(city=CityFactory(slug="quito", name="Quito"),
                                      role=CityRole.Role.ADMIN).user
    for user in (roles.council, roles.planner, elsewhere_admin):
        with pytest.raises(NotAllowed):
            services.council_rule_update(city=plan.city, user=user, quorum="more_than_half",
                                         majority="absolute")
    with pytest.raises(ServiceError, match="number of members"):
        services.council_rule_update(city=plan.city, user=roles.admin, quorum="count",
                                     majority="simple")
    assert not CouncilRule.objects.exists()
    url = reverse("planning:council_rule", args=[plan.city.slug])
    assert client_for(roles.council).post(url, {"quorum": "count", "quorum_count": "1",
                                                "majority": "simple"}).status_code == 403
    admin = client_for(roles.admin)
    response = admin.post(url, {"quorum": "percent", "quorum_percent": "150",
                                "majority": "simple"})
    assert response.status_code == 400 and not CouncilRule.objects.exists()
    assert admin.post(url, {"quorum": "percent", "quorum_percent": "60",
                            "majority": "two_thirds"}).status_code == 302
    rule = CouncilRule.objects.get(city=plan.city)
    assert (rule.quorum_percent, rule.majority, rule.updated_by) == (60, "two_thirds",
                                                                     roles.admin)
    page = client_for(None).get(url)
    assert page.status_code == 200 and b"Two thirds of the votes cast" in page.content
    assert b"3 voting members" in page.content and b'name="majority"' not in page.content
    api = APIClient()
    api.force_authenticate(roles.admin)
    response = api.put(f"/api/v1/cities/{plan.city.pk}/council-rule/",
                       {"quorum": "count", "quorum_count": 2, "majority": "absolute"},
                       format="json")
    assert response.status_code == 200 and response.json()["majority"] == "absolute"
    assert response.json()["members"] == 3


def _over_envelope(plan, planner):
    services.plan_update(plan=plan, user=planner, title=plan.title,
                         description=plan.description, envelope=D("1"))


def test_submitting_with_failed_checks_needs_an_override_and_a_reason(drafted, roles):
    plan, _ = drafted
    _over_envelope(plan, roles.planner)
    with pytest.raises(ServiceError, match="checks found errors") as refused:
        services.plan_submit(plan=plan, user=roles.planner)
    assert refused.value.field == "override"
    with pytest.raises(ServiceError, match="Say why"):
        services.plan_submit(plan=plan, user=roles.planner, override_checks=True)
    assert not plan.versions.exists() and status_of(plan) == PlanStatus.DRAFT
    # The web refuses with the same words.
    response = client_for(roles.planner).post(reverse("planning:submit", args=[plan.pk]), {})
    assert response.status_code == 400 and b"checks found errors" in response.content
    version = services.plan_submit(plan=plan, user=roles.planner, override_checks=True,
                                   override_reason="The envelope grows in the 2028 budget.")
    assert version.checks_overridden and version.has_check_errors


def test_submitting_without_errors_needs_no_override(drafted, roles):
    plan, _ = drafted
    version = services.plan_submit(plan=plan, user=roles.planner, override_checks=True,
                                   override_reason="Nothing to override")
    assert not version.has_check_errors
    assert not version.checks_overridden and version.override_reason == ""


def test_approving_despite_failed_checks_needs_an_override(drafted, roles):
    plan, _ = drafted
    _over_envelope(plan, roles.planner)
    services.plan_submit(plan=plan, user=roles.planner, override_checks=True,
                         override_reason="The envelope grows in 2028.")
    with pytest.raises(ServiceError, match="approve it anyway"):
        services.plan_vote_cast(plan=plan, user=roles.council, vote="approve")
    page = client_for(roles.council).post(reverse("planning:review", args=[plan.pk]),
                                          {"vote": "approve", "override_checks": "on"})
    assert page.status_code == 400 and b"Say why" in page.content
    assert not CouncilVote.objects.exists()
    response = client_for(roles.council).post(reverse("planning:review", args=[plan.pk]), {
        "vote": "approve", "override_checks": "on",
        "override_reason": "The council raises the envelope."})
    assert response.status_code == 302 and status_of(plan) == PlanStatus.APPROVED
    vote = CouncilVote.objects.get()
    assert vote.overrides_checks and vote.override_reason == "The council raises the envelope."
    public = client_for(None).get(reverse("planning:public", args=[plan.pk]))
    assert b"The envelope grows in 2028." in public.content
    assert b"The council raises the envelope." in public.content


def test_the_pages_show_the_votes_and_the_tally(council, roles):
    plan, (a, b, c) = council
    reviewer = client_for(b)
    page = reviewer.get(reverse("planning:review", args=[plan.pk]))
    assert b'name="vote"' in page.content and b"No vote has been cast yet." in page.content
    assert b"Simple majority of the votes cast" in page.content
    assert reviewer.post(reverse("planning:review", args=[plan.pk]),
                         {"vote": "abstain", "comment": "Conflict of interest"})["Location"] \
        == reverse("planning:review", args=[plan.pk])
    page = reviewer.get(reverse("planning:review", args=[plan.pk]))
    assert b'name="vote"' not in page.content and b"You voted: Abstain" in page.content
    assert b"0 approve, 0 return, 1 abstain, of 3 members" in page.content
    assert b"Conflict of interest" in page.content
    # The public sees nothing of a version under review; then the decision and every vote.
    assert client_for(None).get(reverse("planning:public", args=[plan.pk])).status_code == 404
    assert APIClient().get(f"/api/v1/plans/{plan.pk}/votes/").status_code == 404
    services.plan_vote_cast(plan=plan, user=a, vote="approve", comment="Well balanced")
    services.plan_vote_cast(plan=plan, user=c, vote="approve")
    assert status_of(plan) == PlanStatus.APPROVED
    public = client_for(None).get(reverse("planning:public", args=[plan.pk]))
    for text in (b"2 approve, 0 return, 1 abstain, of 3 members", b"Well balanced",
                 b"Conflict of interest", a.username.encode(), b.username.encode()):
        assert text in public.content, text
    version_page = client_for(roles.planner).get(reverse("planning:version", args=[plan.pk, 1]))
    assert b"2 approve, 0 return, 1 abstain" in version_page.content
    votes = APIClient().get(f"/api/v1/plans/{plan.pk}/votes/").json()["results"]
    assert [v["vote"] for v in votes] == ["abstain", "approve", "approve"]


def test_a_vote_stays_counted_when_its_member_leaves_the_council(council):
    plan, (a, b, c) = council
    services.plan_vote_cast(plan=plan, user=a, vote="approve")
    CityRole.objects.filter(user=a, city=plan.city, role=CityRole.Role.COUNCIL).delete()
    assert selectors.version_tally(plan.versions.get()).members == 3  # 2 members + a's vote
    a = type(a).objects.get(pk=a.pk)  # a new request: roles are read again
    with pytest.raises(NotAllowed):  # no longer a member: may not vote any more
        services.plan_vote_cast(plan=plan, user=a, vote="approve")
    services.plan_vote_cast(plan=plan, user=b, vote="approve")
    assert status_of(plan) == PlanStatus.APPROVED
    assert ReviewDecision.objects.get(plan=plan).tally["members"] == 3
