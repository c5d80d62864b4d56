"""Every endpoint × method × role, with the status expected, from one table.

The table is keyed by the OpenAPI schema's paths and methods: `test_every_operation_is_in_the
_matrix` fails when an endpoint is added without its row, and `test_every_api_url_is_in_the
_schema` when a URL escapes the schema. Each row runs every role against the same world, each
role in a transaction rolled back afterwards, so writes do not leak between roles.

Roles: anonymous; a participant of the city (verified, not the author of the content); the
city's moderator, planner and council member (no participant profiles); the admin of another
city. Anonymous writes are 401; a write a service refuses is 403 (NotAllowed) or 400
(ServiceError); what a role may not see is 404.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from tests.api.conftest import PASSWORD, ROLES, World, client_for

P = "/api/v1"


def E(anonymous, participant, moderator, planner, council, other_admin) -> dict[str, int]:  # noqa: N802
    return dict(zip(ROLES, (anonymous, participant, moderator, planner, council, other_admin),
                    strict=True))


ALL_200 = E(200, 200, 200, 200, 200, 200)


@dataclass(frozen=True)
class Row:
    path: str  # as in the schema
    method: str
    expected: dict[str, int]
    params: Callable[[World], dict] = lambda w: {}
    body: Callable[[World, str], dict | None] = lambda w, role: None
    why: str = ""


def ids(**picks: Callable[[World], int]):
    return lambda w: {name: pick(w) for name, pick in picks.items()}


open_c = ids(id=lambda w: w.open.pk)
voting_c = ids(id=lambda w: w.voting.pk)
closed_c = ids(id=lambda w: w.closed.pk)
proposal = ids(id=lambda w: w.proposal.pk)
approved = ids(id=lambda w: w.plan_approved.pk)
in_review = ids(id=lambda w: w.plan_in_review.pk)
draft = ids(id=lambda w: w.plan_draft.pk)


def token_body(w: World, role: str) -> dict:
    user = w.users[role]
    if user is None:
        return {"username": "nobody", "password": "wrong"}
    return {"username": user.get_username(), "password": PASSWORD}


def draft_action(w: World) -> int:
    return w.plan_draft.actions.order_by("rank").first().pk


def draft_objective(w: World) -> int:
    return w.plan_draft.objectives.order_by("position", "pk").first().pk


def spare_objective(w: World) -> int:
    """An objective without actions (one with actions cannot be deleted)."""
    from planning.models import Objective

    return Objective.objects.create(plan=w.plan_draft, title="Spare", position=99).pk


def draft_indicator(w: World) -> int:
    return w.plan_draft.indicators.order_by("pk").first().pk


def approved_indicator(w: World) -> int:
    return w.plan_approved.indicators.order_by("pk").first().pk


def approved_line(w: World) -> int:
    from planning.models import BudgetLine

    return BudgetLine.objects.filter(action__plan=w.plan_approved).order_by("pk").first().pk


PLANNER_WRITES = "the city's planners write; council members read but may not edit"
SETS_UP = ("only the city's administrators set up its consultations (its planners only where "
           "the city allows it; this one does not)")


def new_consultation(w: World) -> dict:
    return {"city": w.city.pk, "title": "Next year", "plan_start_year": 2029,
            "plan_end_year": 2032, "budget": "1000.00",
            "proposals_open_at": "2030-01-01T00:00:00Z",
            "proposals_close_at": "2030-02-01T00:00:00Z",
            "voting_opens_at": "2030-02-02T00:00:00Z", "voting_closes_at": "2030-03-01T00:00:00Z",
            "results_at": "2030-03-02T00:00:00Z", "max_choices": 3}


MATRIX: list[Row] = [
    Row("/api/v1/auth/token/", "post", E(400, 200, 200, 200, 200, 200), body=token_body,
        why="anonymous sends wrong credentials"),
    Row("/api/v1/auth/token/", "delete", E(401, 204, 204, 204, 204, 204),
        why="everybody revokes their own token"),
    Row("/api/v1/me/", "get", E(401, 200, 200, 200, 200, 200)),
    Row("/api/v1/me/", "patch", E(401, 200, 403, 403, 403, 403),
        body=lambda w, r: {"district": "Tlalpan", "age_band": "30-44"},
        why="profile answers belong to participants; staff accounts have no profile"),
    Row("/api/v1/me/", "delete", E(401, 204, 204, 204, 204, 204),
        body=lambda w, r: {"password": PASSWORD, "confirm": True},
        why="everybody may delete their own account, with their password"),
    Row("/api/v1/me/data/", "get", E(401, 200, 200, 200, 200, 200)),
    Row("/api/v1/me/verification/", "get", E(401, 200, 200, 200, 200, 200),
        why="everybody reads their own verification (staff accounts: not verified)"),
    Row("/api/v1/me/verification/", "post", E(401, 400, 403, 403, 403, 403),
        body=lambda w, r: {"identifier": "12345678"},
        why="participants verify (the world's city has no census: 400); staff have no profile"),
    Row("/api/v1/me/waiting/", "get", E(401, 200, 200, 200, 200, 200),
        why="everybody reads what waits for them (nothing, without a staff role)"),
    Row("/api/v1/cities/", "get", ALL_200),
    Row("/api/v1/cities/{id}/", "get", ALL_200, ids(id=lambda w: w.city.pk)),
    Row("/api/v1/organisations/", "get", ALL_200),
    Row("/api/v1/organisations/{id}/", "get", ALL_200, ids(id=lambda w: w.organisation.pk)),
    Row("/api/v1/consultations/", "get", ALL_200),
    Row("/api/v1/consultations/", "post", E(401, 403, 403, 403, 403, 403),
        body=lambda w, r: new_consultation(w), why=SETS_UP),
    Row("/api/v1/consultations/{id}/", "get", ALL_200, open_c),
    Row("/api/v1/consultations/{id}/", "patch", E(401, 403, 403, 403, 403, 403), open_c,
        lambda w, r: {"title": "Renamed"}, why=SETS_UP),
    Row("/api/v1/consultations/{id}/themes/", "get", ALL_200, open_c),
    Row("/api/v1/consultations/{id}/proposals/", "get", ALL_200, open_c),
    Row("/api/v1/consultations/{id}/proposals/", "post", E(401, 201, 403, 403, 403, 403), open_c,
        lambda w, r: {"theme": w.theme.pk, "title": "Sister-city desk", "summary": "A desk.",
                      "estimated_cost": "1000.00", "action_kind": "cooperation"},
        why="only participants propose; staff accounts have no participant profile"),
    Row("/api/v1/consultations/{id}/ballot/", "get", E(401, 200, 404, 404, 404, 404), voting_c,
        why="only one's own ballot; the participant voted"),
    Row("/api/v1/consultations/{id}/ballot/", "put", E(401, 200, 403, 403, 403, 403), voting_c,
        lambda w, r: {"choices": [{"proposal": w.on_ballot[1].pk}]}),
    Row("/api/v1/consultations/{id}/ballot/proposals/", "get", ALL_200, voting_c),
    Row("/api/v1/consultations/{id}/eligibility/", "get", ALL_200, voting_c,
        why="everybody may ask what they may do (anonymous: sign in)"),
    Row("/api/v1/consultations/{id}/results/", "get", ALL_200, closed_c),
    Row("/api/v1/proposals/{id}/", "get", ALL_200, proposal),
    Row("/api/v1/proposals/{id}/", "patch", E(401, 403, 403, 403, 403, 403), proposal,
        lambda w, r: {"title": "Changed"}, why="only the author edits"),
    Row("/api/v1/proposals/{id}/withdraw/", "post", E(401, 403, 403, 403, 403, 403), proposal,
        lambda w, r: {"reason": "Changed my mind."}, why="only the author withdraws"),
    Row("/api/v1/proposals/{id}/reject/", "post", E(401, 403, 200, 200, 403, 403), proposal,
        lambda w, r: {"reason": "Not feasible."}),
    Row("/api/v1/proposals/{id}/assessment/", "get", ALL_200,
        ids(id=lambda w: w.assessed.pk), why="the verdict and the validated cost are public"),
    Row("/api/v1/proposals/{id}/assessment/", "put", E(401, 403, 403, 200, 403, 403),
        ids(id=lambda w: w.assessed.pk),
        lambda w, r: {"verdict": "not_feasible", "reason": "No city power."},
        why="the city's reviewers, planners and admins assess during review"),
    Row("/api/v1/consultations/{id}/assignments/", "post", E(401, 403, 403, 403, 403, 403),
        ids(id=lambda w: w.review.pk),
        lambda w, r: {"proposals": [w.assessed.pk], "reviewer": w.reviewer.pk},
        why="only the city's admins assign (tests/api/test_review.py)"),
    Row("/api/v1/proposals/{id}/support/", "get", E(401, 200, 200, 200, 200, 200), proposal),
    Row("/api/v1/proposals/{id}/support/", "put", E(401, 200, 403, 403, 403, 403), proposal),
    Row("/api/v1/proposals/{id}/support/", "delete", E(401, 200, 403, 403, 403, 403), proposal),
    Row("/api/v1/proposals/{id}/follow/", "get", E(401, 200, 200, 200, 200, 200), proposal),
    Row("/api/v1/proposals/{id}/follow/", "post", E(401, 200, 403, 403, 403, 403), proposal,
        why="participants follow; staff accounts have no participant profile"),
    Row("/api/v1/proposals/{id}/follow/", "delete", E(401, 200, 403, 403, 403, 403), proposal),
    Row("/api/v1/proposals/{id}/comments/", "get", ALL_200, proposal),
    Row("/api/v1/proposals/{id}/comments/", "post", E(401, 201, 403, 403, 403, 403), proposal,
        lambda w, r: {"body": "Me too."}),
    Row("/api/v1/receipts/{code}/", "get", ALL_200,
        lambda w: {"code": w.voting.ballots.get().receipt_code},
        why="anyone holding a receipt code checks it (choices only for its holder)"),
    Row("/api/v1/flags/", "post", E(401, 201, 403, 403, 403, 403),
        body=lambda w, r: {"proposal": w.proposal.pk, "reason": "spam"}),
    Row("/api/v1/moderation-decisions/", "get", E(401, 200, 200, 200, 200, 200)),
    Row("/api/v1/moderation-decisions/", "post", E(401, 403, 201, 403, 403, 403),
        body=lambda w, r: {"comment": w.comment.pk, "action": "hide", "reason": "Off topic."}),
    Row("/api/v1/moderation-decisions/{id}/", "get", E(401, 404, 200, 404, 404, 404),
        ids(id=lambda w: w.decision.pk), why="moderators of the city and the content's author"),
    Row("/api/v1/count-runs/", "get", ALL_200),
    Row("/api/v1/count-runs/", "post", E(401, 403, 403, 202, 403, 403),
        body=lambda w, r: {"consultation": w.closed.pk, "rule": "mes"}),
    Row("/api/v1/count-jobs/", "get", E(401, 200, 200, 200, 200, 200),
        why="lists only the jobs of the cities one counts for"),
    Row("/api/v1/count-jobs/{id}/", "get", E(401, 404, 404, 200, 404, 404),
        ids(id=lambda w: w.count_job.pk), why="the city's planners"),
    Row("/api/v1/count-runs/{id}/", "get", ALL_200, ids(id=lambda w: w.count_run.pk)),
    Row("/api/v1/consultations/{id}/count-runs/compare/", "get",
        E(401, 403, 403, 200, 403, 403), closed_c,
        lambda w, r: {"runs": [w.count_run.pk, w.count_job.count_run_id]},
        why="comparing counts is the city's planners' work"),
    Row("/api/v1/consultations/{id}/official-count/", "get", ALL_200, closed_c,
        why="its results are published: everybody reads the choices and their reasons"),
    Row("/api/v1/consultations/{id}/official-count/", "post", E(401, 403, 403, 201, 403, 403),
        closed_c, lambda w, r: {"count_run": w.count_job.count_run_id, "reason": "Fairer."}),
    Row("/api/v1/consultations/{id}/publication/", "get", ALL_200, closed_c),
    Row("/api/v1/consultations/{id}/results/summary/", "get", ALL_200, closed_c,
        why="its results are published: everybody reads the official count in brief"),
    Row("/api/v1/consultations/{id}/publication/", "post", E(401, 403, 403, 400, 403, 403),
        closed_c, why="the city's planners publish, once: these results already are"),
    Row("/api/v1/plans/", "get", ALL_200),
    Row("/api/v1/plans/", "post", E(401, 403, 403, 400, 403, 403),
        body=lambda w, r: {"consultation": w.closed.pk},
        why="the planner may draft, but a draft from this count already exists"),
    Row("/api/v1/plans/{id}/", "get", ALL_200, approved),
    Row("/api/v1/plans/{id}/actions/", "get", ALL_200, approved),
    Row("/api/v1/plans/{id}/objectives/", "get", ALL_200, approved),
    Row("/api/v1/plans/{id}/indicators/", "get", ALL_200, approved),
    Row("/api/v1/plans/{id}/budget-lines/", "get", E(404, 404, 404, 200, 200, 404), draft,
        why="drafts are for the city's planners and council"),
    Row("/api/v1/plans/{id}/budget-lines/", "post", E(401, 404, 404, 201, 403, 404), draft,
        lambda w, r: {"action": draft_action(w), "year": 2030, "amount": "5.00",
                      "source": "private"}),
    Row("/api/v1/plans/{id}/", "patch", E(401, 404, 404, 200, 403, 404), draft,
        lambda w, r: {"title": "Renamed", "ceilings": [{"year": 2027, "amount": "900.00"}]},
        why=PLANNER_WRITES),
    Row("/api/v1/plans/{id}/revision/", "post", E(401, 403, 403, 200, 403, 403), approved,
        why="the approved plan is public; only the city's planners revise it"),
    Row("/api/v1/plans/{id}/objectives/", "post", E(401, 404, 404, 201, 403, 404), draft,
        lambda w, r: {"title": "Cleaner air", "result_level": "outcome"}, why=PLANNER_WRITES),
    Row("/api/v1/plans/{id}/actions/", "post", E(401, 404, 404, 201, 403, 404), draft,
        lambda w, r: {"objective": draft_objective(w), "title": "Bike lanes"},
        why=PLANNER_WRITES),
    Row("/api/v1/plans/{id}/indicators/", "post", E(401, 404, 404, 201, 403, 404), draft,
        lambda w, r: {"action": draft_action(w), "title": "Km of lanes",
                      "targets": [{"year": 2028, "target": "12"}]}, why=PLANNER_WRITES),
    Row("/api/v1/objectives/{id}/", "get", E(404, 404, 404, 200, 200, 404),
        ids(id=draft_objective), why="drafts are for the city's planners and council"),
    Row("/api/v1/objectives/{id}/", "patch", E(401, 404, 404, 200, 403, 404),
        ids(id=draft_objective), lambda w, r: {"title": "Renamed"}, why=PLANNER_WRITES),
    Row("/api/v1/objectives/{id}/", "delete", E(401, 404, 404, 204, 403, 404),
        ids(id=spare_objective), why=PLANNER_WRITES),
    Row("/api/v1/actions/{id}/", "get", E(404, 404, 404, 200, 200, 404), ids(id=draft_action),
        why="drafts are for the city's planners and council"),
    Row("/api/v1/actions/{id}/", "patch", E(401, 404, 404, 200, 403, 404),
        ids(id=draft_action), lambda w, r: {"department": "Mobility"}, why=PLANNER_WRITES),
    Row("/api/v1/actions/{id}/", "delete", E(401, 404, 404, 204, 403, 404),
        ids(id=draft_action), why=PLANNER_WRITES),
    Row("/api/v1/indicators/{id}/", "get", ALL_200, ids(id=approved_indicator),
        why="the live parts of an approved plan are public"),
    Row("/api/v1/indicators/{id}/", "patch", E(401, 404, 404, 200, 403, 404),
        ids(id=draft_indicator), lambda w, r: {"targets": [{"year": 2029, "target": "3"}]},
        why=PLANNER_WRITES),
    Row("/api/v1/indicators/{id}/", "delete", E(401, 404, 404, 204, 403, 404),
        ids(id=draft_indicator), why=PLANNER_WRITES),
    Row("/api/v1/indicators/{id}/actuals/", "put", E(401, 403, 403, 200, 403, 403),
        ids(id=approved_indicator), lambda w, r: {"year": 2027, "actual": "4"},
        why="monitoring of an approved plan: the city's planners"),
    Row("/api/v1/budget-lines/{id}/spending/", "put", E(401, 403, 403, 200, 403, 403),
        ids(id=approved_line), lambda w, r: {"spent": "10.00"},
        why="monitoring of an approved plan: the city's planners"),
    Row("/api/v1/plans/{id}/submit/", "post", E(401, 404, 404, 201, 403, 404), draft,
        lambda w, r: {"note": "Ready."}),
    Row("/api/v1/plans/{id}/versions/", "get", ALL_200, approved),
    Row("/api/v1/plans/{id}/versions/{number}/", "get", E(404, 404, 404, 200, 200, 404),
        ids(id=lambda w: w.plan_in_review.pk, number=lambda w: 1),
        why="a version under review is not public"),
    Row("/api/v1/plans/{id}/decisions/", "get", ALL_200, approved),
    Row("/api/v1/plans/{id}/votes/", "get", ALL_200, approved,
        why="votes on an approved version are public acts"),
    Row("/api/v1/plans/{id}/votes/", "post", E(401, 404, 404, 403, 201, 404), in_review,
        lambda w, r: {"vote": "return", "comment": "Add indicators."},
        why="council members of the city vote; planners may not vote on their plan"),
    Row("/api/v1/cities/{id}/council-rule/", "get", ALL_200, ids(id=lambda w: w.city.pk),
        why="how the council decides is public"),
    Row("/api/v1/cities/{id}/council-rule/", "put", E(401, 403, 403, 403, 403, 403),
        ids(id=lambda w: w.city.pk),
        lambda w, r: {"quorum": "count", "quorum_count": 2, "majority": "two_thirds"},
        why="only the city's administrators (other_admin is another city's)"),
    Row("/api/v1/plans/{id}/comments/", "get", E(401, 403, 403, 200, 200, 403), approved),
    Row("/api/v1/plans/{id}/comments/", "post", E(401, 403, 403, 201, 201, 403), approved,
        lambda w, r: {"body": "Well done."}),
    Row("/api/v1/published-reports/", "get", ALL_200),
    Row("/api/v1/published-reports/{id}/", "get", ALL_200, ids(id=lambda w: w.report.pk)),
    Row("/api/v1/budget-lines/{id}/", "get", E(404, 404, 404, 200, 200, 404),
        ids(id=lambda w: w.line.pk)),
    Row("/api/v1/budget-lines/{id}/", "patch", E(401, 404, 404, 200, 403, 404),
        ids(id=lambda w: w.line.pk), lambda w, r: {"amount": "7.00"}),
    Row("/api/v1/budget-lines/{id}/", "delete", E(401, 404, 404, 204, 403, 404),
        ids(id=lambda w: w.line.pk)),
]


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {(path, method) for path, operations in schema["paths"].items()
            for method in operations if method in {"get", "post", "put", "patch", "delete"}}


def test_every_operation_is_in_the_matrix():
    table = {(row.path, row.method) for row in MATRIX}
    missing = schema_operations() - table
    assert not missing, f"add these operations to MATRIX: {sorted(missing)}"
    unknown = table - schema_operations()
    assert not unknown, f"MATRIX rows for operations that do not exist: {sorted(unknown)}"
    assert len(table) == len(MATRIX), "one row per operation"


def _patterns(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def test_every_api_url_is_in_the_schema():
    """Walk the URL resolver: every /api/v1/ URL appears in the schema (and so in MATRIX)."""
    import re

    schema_paths = {path for path, _method in schema_operations()}
    urls = [p for p in _patterns(get_resolver()) if p.startswith("api/v1/")]
    assert urls
    for url in urls:
        as_schema = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + (
            "id" if m.group(1) == "pk" else m.group(1)) + "}", url)
        assert as_schema in schema_paths, f"{url} is not in the schema"


@pytest.mark.parametrize("row", MATRIX, ids=lambda row: f"{row.method.upper()} {row.path}")
def test_permission_matrix(world, row):
    path = row.path
    for name, value in row.params(world).items():
        path = path.replace("{" + name + "}", str(value))
    assert "{" not in path, path
    got = {}
    for role in ROLES:
        client = client_for(world.users[role])
        with transaction.atomic():
            body = row.body(world, role)
            response = getattr(client, row.method)(path, body, format="json") \
                if body is not None else getattr(client, row.method)(path)
            got[role] = response.status_code
            if response.status_code >= 400:
                assert set(response.json()) == {"detail", "errors"}, response.content
            transaction.set_rollback(True)
    assert got == row.expected, f"{row.method.upper()} {path}: {row.why}"
