"""Drafting a plan from a count, ceilings and conflicts, editing, versions, the diff, council
review transitions and their forbidden cases, immutability, monitoring and proposal fate."""
from decimal import Decimal

import pytest

from consult.models import Phase, Proposal
from core.errors import NotAllowed, ServiceError
from planning import selectors, services
from planning.diff import plan_diff
from planning.immutable import FrozenRecord
from planning.models import (
    Action,
    BudgetLine,
    CountRun,
    IndicatorPeriod,
    PlanChange,
    PlanStatus,
    PlanVersion,
    ReviewDecision,
    StrategyPlan,
)
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

D = Decimal


def lines_of(plan):
    return {
        (line.action.title, line.year): line.amount
        for line in BudgetLine.objects.filter(action__plan=plan).select_related("action")
    }


# --- drafting ----------------------------------------------------------------------------------


def test_draft_without_ceilings(counted, roles):
    consultation, (a, b, c, d) = counted
    plan, conflicts = services.plan_draft_for_consultation(
        consultation=consultation, user=roles.planner, count_now=True)
    assert conflicts == []
    run = plan.count_run
    assert run.is_official and run.selected_proposal_ids == sorted([a.pk, b.pk, c.pk])
    assert not Proposal.objects.filter(status="selected").exists()  # until published
    services.results_publish(consultation=consultation, user=roles.planner)
    assert set(Proposal.objects.filter(status="selected")) == {a, b, c}
    assert plan.status == PlanStatus.DRAFT and plan.city == consultation.city
    assert (plan.start_year, plan.end_year, plan.envelope) == (2027, 2030, D("1000"))
    actions = list(plan.actions.order_by("rank"))
    order = run.outcome["selection_order"]
    assert [action.rank for action in actions] == [1, 2, 3]
    assert [str(action.proposals.get().pk) for action in actions] == order
    assert {o.title for o in plan.objectives.all()} == {"Urban sustainability",
                                                         "Inclusive cities"}
    green = actions[0]
    assert green.objective.theme == a.theme
    assert lines_of(plan) == {
        ("Green roofs", 2027): D("200"), ("Green roofs", 2028): D("200"),
        ("Migrant desk", 2027): D("300"),
        ("Air quality", 2027): D("25"), ("Air quality", 2028): D("25"),
        ("Air quality", 2029): D("25"), ("Air quality", 2030): D("25"),
    }
    assert all(action.indicators.count() == 1 for action in actions)
    assert IndicatorPeriod.objects.filter(indicator__plan=plan).count() == 3 * 4
    assert PlanChange.objects.filter(plan=plan, kind="drafted").exists()


def test_draft_reuses_official_count_and_refuses_a_second_draft(counted, roles):
    consultation, _ = counted
    run = services.count_run_create(consultation=consultation, official=True)
    plan, _c = services.plan_draft_from_count(count_run=run, user=roles.planner)
    assert plan.count_run == run and CountRun.objects.count() == 1
    with pytest.raises(ServiceError, match="already exists"):
        services.plan_draft_for_consultation(consultation=consultation, user=roles.planner)
    unofficial = services.count_run_create(consultation=consultation, rule="mes")
    with pytest.raises(ServiceError, match="official"):
        services.plan_draft_from_count(count_run=unofficial, user=roles.planner)


def test_draft_with_ceilings_shifts_actions_and_lists_conflicts(counted, roles):
    consultation, _ = counted
    # 2027 holds 450: green roofs (200) fits, the migrant desk (300) moves to 2028 (200 + 300
    # ≤ 600), air quality (25 a year) fits in both.
    plan, conflicts = services.plan_draft_for_consultation(
        consultation=consultation, user=roles.planner,
        ceilings={2027: D("450"), 2028: D("600")}, count_now=True)
    assert conflicts == []
    assert lines_of(plan)[("Migrant desk", 2028)] == D("300")
    assert plan.draft_report["shifted"][0]["title"] == "Migrant desk"
    assert {c.year: c.amount for c in plan.ceilings.all()} == {2027: D("450"), 2028: D("600")}


def test_draft_with_unresolvable_ceilings_returns_and_shows_conflicts(counted, roles):
    consultation, _ = counted
    plan, conflicts = services.plan_draft_for_consultation(
        consultation=consultation, user=roles.planner,
        ceilings={2027: D("100"), 2028: D("100"), 2029: D("100"), 2030: D("100")}, count_now=True)
    assert conflicts, "green roofs (200 a year) cannot fit anywhere"
    years = {c["year"] for c in conflicts}
    assert 2027 in years
    assert any(a["title"] == "Green roofs" for c in conflicts for a in c["actions"])
    assert plan.draft_report["conflicts"] == conflicts
    messages = [check.message for check in selectors.plan_checks(plan)]
    assert any("over the ceiling" in message for message in messages)
    assert "could not move" in selectors.conflict_message(conflicts[0])


def test_draft_is_for_planners_of_the_city_after_voting(counted, roles):
    consultation, _ = counted
    for user in (roles.council, roles.participant, roles.other_planner):
        with pytest.raises(NotAllowed):
            services.plan_draft_for_consultation(consultation=consultation, user=user)
    assert not StrategyPlan.objects.exists() and not CountRun.objects.exists()
    open_vote = ConsultationFactory(city=consultation.city, phase=Phase.VOTING)
    with pytest.raises(ServiceError, match="voting has closed"):
        services.plan_draft_for_consultation(consultation=open_vote, user=roles.planner)
    with pytest.raises(ServiceError, match="outside the plan period"):
        services.plan_draft_for_consultation(consultation=consultation, user=roles.admin,
                                             ceilings={2031: D("1")}, count_now=True)
    assert not StrategyPlan.objects.exists()


# --- editing and checks ------------------------------------------------------------------------


def test_edit_services_and_checks(drafted, roles):
    plan, (a, b, c, d) = drafted
    action = plan.actions.get(rank=1)
    line = action.budget_lines.get(year=2027)
    services.budget_line_update(line=line, user=roles.planner, amount=D("900"))
    codes = {check.code for check in selectors.plan_checks(plan)}
    assert "over_envelope" in codes  # 900+200+300+100 > 1000
    with pytest.raises(ServiceError, match="negative"):
        services.budget_line_update(line=line, user=roles.planner, amount=D("-1"))
    with pytest.raises(ServiceError, match="outside the plan period"):
        services.budget_line_create(action=action, user=roles.planner, year=2040, amount=D("1"))
    with pytest.raises(ServiceError, match="already has"):
        services.budget_line_create(action=action, user=roles.planner, year=2027, amount=D("1"))
    revised = services.budget_line_create(action=action, user=roles.planner, year=2027,
                                          amount=D("150"), type="revised")
    budget = selectors.plan_budget(plan)
    assert budget["cells"][action.pk][2027] == D("150")  # revised replaces original
    assert revised.currency == plan.currency
    indicator = action.indicators.get()
    services.indicator_update(indicator=indicator, user=roles.planner, baseline_year=2026,
                              baseline_value=D("0"), targets={2027: D("3"), 2030: D("12")})
    codes = [(check.code, check.params.get("indicator")) for check in selectors.plan_checks(plan)]
    assert ("indicator_without_baseline", indicator.title) not in codes
    assert ("indicator_without_targets", indicator.title) not in codes
    other = services.action_create(plan=plan, user=roles.planner, objective=action.objective,
                                   title="Hand-made action", proposals=[d])
    assert other.rank is None and list(other.proposals.all()) == [d]
    codes = {(check.code, check.params.get("action")) for check in selectors.plan_checks(plan)}
    assert ("action_without_indicator", "Hand-made action") in codes
    assert ("action_without_budget", "Hand-made action") in codes
    with pytest.raises(NotAllowed):
        services.action_update(action=other, user=roles.council, title="No")
    with pytest.raises(NotAllowed):
        services.action_update(action=other, user=roles.other_planner, title="No")
    with pytest.raises(ServiceError, match="Move or remove"):
        services.objective_delete(objective=action.objective, user=roles.planner)
    services.action_delete(action=other, user=roles.planner)
    kinds = set(PlanChange.objects.filter(plan=plan).values_list("kind", flat=True))
    assert {"line_edited", "line_added", "indicator_edited", "action_added",
            "action_removed"} <= kinds


def test_indicator_attaches_to_exactly_one_thing(drafted, roles):
    plan, _ = drafted
    action = plan.actions.first()
    with pytest.raises(ServiceError, match="not both"):
        services.indicator_create(plan=plan, user=roles.planner, title="x", action=action,
                                  objective=action.objective)
    with pytest.raises(ServiceError, match="not both"):
        services.indicator_create(plan=plan, user=roles.planner, title="x")
    indicator = services.indicator_create(plan=plan, user=roles.planner, title="Reach",
                                          objective=action.objective, measure="percentage",
                                          target_comments={2030: "most districts"})
    assert indicator.periods.get(year=2030).has_target


# --- versions, diff, review --------------------------------------------------------------------


def test_submit_freezes_an_immutable_version(drafted, roles):
    plan, _ = drafted
    version = services.plan_submit(plan=plan, user=roles.planner, note="First draft")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_REVIEW and version.number == 1
    assert len(version.snapshot["actions"]) == 3
    assert version.checks  # the indicator stubs are incomplete
    version.snapshot = {}
    with pytest.raises(FrozenRecord, match="immutable"):
        version.save()
    assert PlanVersion.objects.get(pk=version.pk).snapshot["actions"]
    with pytest.raises(ServiceError, match="with the council"):
        services.plan_update(plan=plan, user=roles.planner, title="Changed in review")
    with pytest.raises(ServiceError, match="Only a draft or a returned plan"):
        services.plan_submit(plan=plan, user=roles.planner)


def test_review_transitions_and_forbidden_cases(drafted, roles):
    plan, _ = drafted
    with pytest.raises(ServiceError, match="Only a plan in review"):
        services.plan_vote_cast(plan=plan, user=roles.council, vote="approve")
    services.plan_submit(plan=plan, user=roles.planner)
    for user in (roles.planner, roles.admin, roles.other_council, roles.other_planner,
                 roles.participant):
        with pytest.raises(NotAllowed):
            services.plan_vote_cast(plan=plan, user=user, vote="approve")
    with pytest.raises(ServiceError, match="why"):
        services.plan_vote_cast(plan=plan, user=roles.council, vote="return")
    with pytest.raises(ServiceError, match="approve, return or abstain"):
        services.plan_vote_cast(plan=plan, user=roles.council, vote="maybe")
    action = plan.actions.get(rank=1)
    services.plan_comment_create(plan=plan, user=roles.council, body="Too much in 2027",
                                 action=action)
    decision = services.plan_vote_cast(plan=plan, user=roles.council, vote="return",
                                           comment="Spread green roofs over two more years")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED and decision.version.number == 1
    with pytest.raises(FrozenRecord):
        decision.save()
    # The planners fix and resubmit: version 2.
    line = action.budget_lines.get(year=2027)
    services.budget_line_update(line=line, user=roles.planner, amount=D("100"))
    services.budget_line_create(action=action, user=roles.planner, year=2029, amount=D("100"))
    v2 = services.plan_submit(plan=plan, user=roles.planner)
    assert v2.number == 2
    services.plan_vote_cast(plan=plan, user=roles.council, vote="approve")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_version == v2
    assert list(ReviewDecision.objects.filter(plan=plan).values_list("decision", flat=True)) \
        == ["return", "approve"]
    # Approved: no edits, no second decision; a revision starts a new version.
    with pytest.raises(ServiceError, match="Start a revision"):
        services.budget_line_update(line=line, user=roles.planner, amount=D("1"))
    with pytest.raises(ServiceError, match="Only a plan in review"):
        services.plan_vote_cast(plan=plan, user=roles.council, vote="return",
                                    comment="Again")
    with pytest.raises(NotAllowed):
        services.plan_revision_start(plan=plan, user=roles.council)
    services.plan_revision_start(plan=plan, user=roles.planner)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and plan.approved_version == v2
    services.budget_line_update(line=line, user=roles.planner, amount=D("120"))
    v3 = services.plan_submit(plan=plan, user=roles.planner)
    services.plan_vote_cast(plan=plan, user=roles.council, vote="approve")
    plan.refresh_from_db()
    assert plan.approved_version == v3
    assert selectors.version_status(PlanVersion.objects.get(pk=v2.pk), plan) == "superseded"
    assert selectors.version_status(PlanVersion.objects.get(pk=v3.pk), plan) == "approved"
    kinds = list(PlanChange.objects.filter(plan=plan).values_list("kind", flat=True))
    for kind in ("submitted", "commented", "returned", "approved", "revision_started"):
        assert kind in kinds


def test_approving_a_new_plan_supersedes_the_old_one(drafted, roles, counted):
    plan, _ = drafted
    services.plan_submit(plan=plan, user=roles.planner)
    services.plan_vote_cast(plan=plan, user=roles.council, vote="approve")
    second, _c = services.plan_draft_from_count(count_run=plan.count_run, user=roles.planner,
                                                title="Second")
    services.plan_submit(plan=second, user=roles.planner)
    services.plan_vote_cast(plan=second, user=roles.council, vote="approve")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUPERSEDED
    with pytest.raises(ServiceError):
        services.plan_revision_start(plan=plan, user=roles.planner)


def test_diff_between_versions(drafted, roles):
    plan, (a, b, c, d) = drafted
    v1 = services.plan_submit(plan=plan, user=roles.planner)
    services.plan_vote_cast(plan=plan, user=roles.council, vote="return", comment="Fix")
    first = plan.actions.get(rank=1)
    last = plan.actions.get(rank=3)
    services.budget_line_update(line=first.budget_lines.get(year=2027), user=roles.planner,
                                amount=D("150"))
    services.action_delete(action=last, user=roles.planner)
    added = services.action_create(plan=plan, user=roles.planner, objective=first.objective,
                                   title="New action")
    indicator = first.indicators.get()
    services.indicator_update(indicator=indicator, user=roles.planner, targets={2028: D("5")})
    v2 = services.plan_submit(plan=plan, user=roles.planner)
    diff = plan_diff(v1.snapshot, v2.snapshot)
    assert [x["title"] for x in diff["actions"]["added"]] == ["New action"]
    assert [x["title"] for x in diff["actions"]["removed"]] == ["Air quality"]
    changed_line = next(row for row in diff["budget"] if row["action"] == first.pk)
    assert (changed_line["year"], changed_line["old"], changed_line["new"],
            changed_line["delta"]) == (2027, "200.00", "150.00", "-50.00")
    removed_lines = [row for row in diff["budget"] if row["action"] == last.pk]
    assert len(removed_lines) == 4 and all(row["new"] is None for row in removed_lines)
    assert [x["id"] for x in diff["indicators"]["changed"]] == [indicator.pk]
    assert diff["indicators"]["changed"][0]["changes"][0]["field"] == "targets"
    assert not diff["is_empty"] and added.pk
    assert plan_diff(v2.snapshot, v2.snapshot)["is_empty"]


# --- monitoring and transparency ---------------------------------------------------------------


def test_monitoring_after_approval_and_proposal_fate(drafted, roles):
    plan, proposals = drafted
    a, _b, _c, d = (Proposal.objects.get(pk=p.pk) for p in proposals)
    line = BudgetLine.objects.filter(action__plan=plan).first()
    indicator = plan.indicators.first()
    with pytest.raises(ServiceError, match="once the plan is approved"):
        services.budget_line_record_spending(line=line, user=roles.planner, spent=D("10"))
    fate = selectors.proposal_fate(a)
    assert fate["selected"] and fate["entries"] == [] and fate["in_preparation"]
    assert selectors.proposal_fate(d) is None
    services.plan_submit(plan=plan, user=roles.planner)
    services.plan_vote_cast(plan=plan, user=roles.council, vote="approve")
    with pytest.raises(NotAllowed):
        services.budget_line_record_spending(line=line, user=roles.council, spent=D("10"))
    services.budget_line_record_spending(line=line, user=roles.planner, spent=D("10"))
    services.indicator_record_actual(indicator=indicator, user=roles.planner, year=2027,
                                     actual=D("4"))
    execution = selectors.plan_execution(plan)
    assert execution["total_spent"] == D("10")
    fate = selectors.proposal_fate(a)
    (entry,) = fate["entries"]
    assert entry["action_title"] == "Green roofs" and entry["plan_id"] == plan.pk
    assert line.action.title == "Green roofs" and line.year == 2027
    # the budget as approved, and its execution: spending as recorded during monitoring
    assert entry["years"] == [
        {"year": 2027, "amount": D("200"), "committed": False, "spent": D("10")},
        {"year": 2028, "amount": D("200"), "committed": False, "spent": None}]
    assert entry["total"] == D("400") and entry["spent"] == D("10")
    # The fate follows the approved version, not the live plan under revision.
    services.plan_revision_start(plan=plan, user=roles.planner)
    Action.objects.filter(plan=plan, rank=1).delete()
    assert selectors.proposal_fate(a)["entries"][0]["total"] == D("400")
