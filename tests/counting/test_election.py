"""Election construction, canonical form and input hash."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from planning.counting import RULES, CountingError, Election, count


def test_from_ballots_builds_csr():
    e = Election.from_ballots(["a", "b", "c"], [1, 2, 3], 5, [["c", "a"], [], ["b"]])
    assert e.indptr.tolist() == [0, 2, 2, 3]
    assert e.indices.tolist() == [0, 2, 1]  # sorted within the ballot
    assert e.supporters().tolist() == [1, 1, 1]


def test_direct_csr_construction():
    e = Election(project_ids=["a", "b"], costs=np.array([4, 6]), budget=Fraction(15, 2),
                 indptr=np.array([0, 1, 3]), indices=np.array([1, 1, 0]))
    assert e.n_voters == 2
    assert e.ballot(1) == ["a", "b"]
    assert count(e, "greedy").selected == ["b"]


def test_input_hash_ignores_order_of_ballots_and_projects():
    ballots = [["a", "b"], ["c"], ["b"], []]
    e1 = Election.from_ballots(["a", "b", "c"], [1, 2, 3], 5, ballots)
    e2 = Election.from_ballots(["c", "a", "b"], [3, 1, 2], 5,
                               [list(reversed(b)) for b in reversed(ballots)])
    assert e1.input_hash() == e2.input_hash()
    assert len(e1.input_hash()) == 64


@pytest.mark.parametrize("change", ["budget", "cost", "ballot", "vote_type"])
def test_input_hash_changes_with_inputs(change):
    args = dict(project_ids=["a", "b"], costs=[1, 2], budget=3, ballots=[["a"], ["b"]])
    base = Election.from_ballots(**args).input_hash()
    if change == "budget":
        args["budget"] = 4
    elif change == "cost":
        args["costs"] = [1, 3]
    elif change == "ballot":
        args["ballots"] = [["a"], ["a"]]
    else:
        args["ballots"] = [{"a": 1}, {"b": 1}]
    assert Election.from_ballots(**args).input_hash() != base


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(project_ids=["a", "a"], costs=[1, 1], budget=1, ballots=[]), "duplicate project"),
    (dict(project_ids=["a"], costs=[-1], budget=1, ballots=[]), "negative"),
    (dict(project_ids=["a"], costs=[1], budget=1, ballots=[["z"]]), "unknown project"),
    (dict(project_ids=["a"], costs=[1, 2], budget=1, ballots=[]), "costs"),
])
def test_inconsistent_input_is_refused(kwargs, message):
    with pytest.raises(CountingError, match=message):
        Election.from_ballots(**kwargs)


def test_unknown_rule_and_tie_break():
    e = Election.from_ballots(["a"], [1], 1, [["a"]])
    with pytest.raises(CountingError, match="unknown rule"):
        count(e, "borda")
    with pytest.raises(CountingError, match="unknown tie-break"):
        count(e, "mes", tie_break="coin")


def test_min_votes_drops_projects_but_keeps_voters():
    # b has 1 supporter; with min_votes=2 it is dropped, and MES still gives every one of the
    # 3 voters 30/3 = 10, so a (cost 20, 2 supporters) is bought at 10 each
    e = Election.from_ballots(["a", "b"], [20, 5], 30, [["a"], ["a"], ["b"]])
    out = count(e, "mes", min_votes=2)
    assert out.selected == ["a"]
    assert out.explanations["b"] == {"status": "rejected", "reason": "below_min_votes",
                                     "votes": 1, "min_votes": 2, "cost": 5}
    assert out.trace["voter_budget_exact"] == "10"
    assert count(e, "mes").selected == ["a", "b"]


def test_mes_explanations():
    # budget 30, 3 voters -> 10 each. x: cost 12, voters 1-3 -> price 4 each (round 1).
    # y: cost 14, voters 1-2 -> they hold 6 each -> 12 < 14: out of money. z: cost 0 -> ignored
    e = Election.from_ballots(["x", "y", "z", "w"], [12, 14, 0, 5], 30,
                              [["x", "y", "z"], ["x", "y"], ["x"]])
    out = count(e, "mes")
    assert out.selected == ["x"]
    x = out.explanations["x"]
    assert x["round"] == 1 and x["price_per_supporter_exact"] == "4"
    assert x["effective_votes"] == 3.0
    assert out.explanations["y"]["reason"] == "supporters_out_of_money"
    assert out.explanations["y"]["supporters_money_left"] == 12
    assert out.explanations["z"]["reason"] == "zero_cost_ignored"
    assert out.explanations["w"]["reason"] == "no_supporters"
    json.dumps(out.to_dict())


def test_greedy_explanations_rank_and_fit():
    e = Election.from_ballots(["a", "b", "c"], [8, 5, 2], 10, [["a", "b"], ["a"], ["b", "c"]])
    out = count(e, "greedy")
    assert out.selection_order == ["a", "c"]
    assert out.explanations["a"]["rank"] == 1
    assert out.explanations["b"] == {
        "phase": "greedy", "rank": 2, "score": 2, "votes": 2, "cost": 5,
        "remaining_before": 2, "status": "rejected", "reason": "did_not_fit"}
    assert out.explanations["c"]["status"] == "selected"


def test_phragmen_stops_when_a_tied_project_does_not_fit():
    e = Election.from_ballots(["a", "b", "c"], [6, 6, 1], 10, [["a"], ["b"]])
    out = count(e, "phragmen")
    # a (t=6) first, then b would need 12 > 10: stop, although c would fit
    assert out.selected == ["a"]
    assert out.trace["stop"]["did_not_fit"] == ["b"]
    assert out.explanations["c"]["reason"] == "rule_stopped"


def test_mes_add1_reports_runs_and_budget():
    e = Election.from_ballots(["a", "b"], [10, 6], 12, [["a"], ["a"], ["b"]])
    out = count(e, "mes-add1")
    assert out.selected == ["a"]
    assert out.trace["runs"] >= 2
    assert Fraction(out.trace["voter_budget_exact"]) > 4


def test_outcome_dict_has_contract_fields():
    e = Election.from_ballots(["a"], [1], 1, [["a"]])
    for rule in RULES:
        d = count(e, rule).to_dict()
        assert {"rule", "selected", "total_cost", "budget", "explanations"} <= set(d)
        assert d["rule"] == rule
