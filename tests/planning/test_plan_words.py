"""Plan and counting pages say things in words: a counting rule by its name, a tie-break and a
count's options as the planners chose them, the citizens' proposals behind an action by their
titles (read in one query however many there are), never the codes and ids the records keep."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from consult.models import Consultation, Proposal
from planning import selectors, services
from planning.services import count_run_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_mes(counted, roles):
    """The consultation counted with the Method of Equal Shares, drafted, approved."""
    consultation, proposals = counted
    Consultation.objects.filter(pk=consultation.pk).update(counting_rule="mes")
    consultation.refresh_from_db()
    plan, _conflicts = services.plan_draft_for_consultation(
        consultation=consultation, user=roles.planner, count_now=True)
    services.results_publish(consultation=consultation, user=roles.planner)
    services.plan_submit(plan=plan, user=roles.planner)
    services.plan_vote_cast(plan=plan, user=roles.council, vote="approve")
    plan.refresh_from_db()
    return plan, proposals


def test_public_plan_names_the_counting_rule(approved_mes):
    plan, _proposals = approved_mes
    assert plan.approved_version.snapshot["plan"]["count_rule"] == "mes"
    page = Client().get(reverse("planning:public", args=[plan.pk])).content.decode()
    assert "counting rule: Method of Equal Shares)" in page
    assert "counting rule: mes" not in page


def test_snapshot_names_the_proposals_behind_each_action(approved_mes, roles):
    plan, (a, b, c, _d) = approved_mes
    behind = {pk for action in plan.approved_version.snapshot["actions"]
              for pk in action["proposals"]}
    assert behind  # the drafted actions come from the selected proposals
    urls = [reverse("planning:public", args=[plan.pk]),
            reverse("planning:version", args=[plan.pk, plan.approved_version.number])]
    council = Client()
    council.force_login(roles.council)
    for url in urls:
        page = council.get(url).content.decode()
        for proposal in Proposal.objects.filter(pk__in=behind):
            link = reverse("planning:proposal_fate", args=[proposal.pk])
            assert f'<a href="{link}">{proposal.title}</a>' in page, url
            assert f"proposal {proposal.pk}<" not in page, url


def test_a_hidden_proposal_behind_an_action_is_not_named(approved_mes):
    plan, _proposals = approved_mes
    hidden = plan.approved_version.snapshot["actions"][0]["proposals"][0]
    Proposal.objects.filter(pk=hidden).update(is_hidden=True)
    title = Proposal.objects.get(pk=hidden).title
    page = Client().get(reverse("planning:public", args=[plan.pk])).content.decode()
    assert "Hidden proposal" in page
    assert reverse("planning:proposal_fate", args=[hidden]) not in page
    assert f">{title}</a>" not in page


def test_proposal_titles_are_read_in_one_query_however_many(approved_mes,
                                                             django_assert_num_queries):
    plan, _proposals = approved_mes
    snapshot = plan.approved_version.snapshot
    few = {**snapshot, "actions": [{**snapshot["actions"][0],
                                    "proposals": snapshot["actions"][0]["proposals"][:1]}]}
    many_ids = list(Proposal.objects.values_list("pk", flat=True))
    many = {**snapshot, "actions": [{**action, "proposals": many_ids}
                                    for action in snapshot["actions"]]}
    with django_assert_num_queries(1):
        view = selectors.snapshot_view(few, with_proposals=True)
    assert len(view["objectives"][0]["action_list"][0]["proposal_list"]) == 1
    with django_assert_num_queries(1):
        view = selectors.snapshot_view(many, with_proposals=True)
    listed = [p for o in view["objectives"] for a in o["action_list"] for p in a["proposal_list"]]
    assert len(listed) == len(many_ids) * len(snapshot["actions"])
    assert all(p["title"] for p in listed)
    with django_assert_num_queries(0):  # reports word the proposals themselves
        selectors.snapshot_view(many)


def test_compare_words_the_tie_break_and_the_options(client, counted, roles):
    consultation, _proposals = counted
    first = count_run_create(consultation=consultation, rule="mes-add1",
                             tie_break="votes-then-cost",
                             options={"add1_stop": "overspend", "comparison": "exclusion"})
    second = count_run_create(consultation=consultation, rule="greedy")
    client.force_login(roles.planner)
    page = client.get(reverse("planning:compare", args=[consultation.pk]),
                      {"runs": [first.pk, second.pk]}).content.decode()
    assert "tie-break Most votes, then lowest cost" in page
    assert "tie-break By proposal id (pabutools&#x27; default)" in page
    assert ("Raising the budget stops: Just before the budget would be overspent; "
            "Comparison with greedy: By exclusion") in page
    for code in ("votes-then-cost", "lexicographic", "add1_stop", "overspend", "=exclusion"):
        assert code not in page, code


def test_counting_page_words_the_options(client, counted, roles):
    consultation, _proposals = counted
    count_run_create(consultation=consultation, rule="mes-add1",
                     options={"add1_stop": "overspend"})
    client.force_login(roles.planner)
    page = client.get(reverse("planning:counting", args=[consultation.pk])).content.decode()
    assert "Raising the budget stops: Just before the budget would be overspent" in page
    assert "add1_stop=" not in page
