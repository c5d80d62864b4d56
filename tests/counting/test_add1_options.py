"""``mes-add1u``, the Add1 stopping rule (``add1_stop``) and the comparison step (``comparison``).

pabutools has neither the "overspend" stop nor the comparison step: both are checked against a
plain reference of equalshares.net's computation tool (``equalshares_tool.py``).
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from planning.counting import (
    ADD1_STOPS,
    COMPARISONS,
    RULE_OPTIONS,
    RULES,
    CountingError,
    Election,
    count,
)

from .equalshares_tool import tool_outcome

ID_POOL = ["1", "2", "9", "10", "11", "a", "B", "b2"]


@st.composite
def instances(draw):
    """Small approval elections with the budget below the projects' total cost."""
    m = draw(st.integers(2, 6))
    ids = draw(st.permutations(ID_POOL))[:m]
    scale = draw(st.sampled_from([1, 5, 40]))
    costs = [draw(st.integers(0, 30)) * scale for _ in range(m)]
    budget = draw(st.integers(0, 100)) * scale + draw(st.sampled_from([0, 3]))
    pool = [draw(st.lists(st.sampled_from(ids), max_size=m, unique=True)) for _ in range(5)]
    n = draw(st.integers(1, 10))
    ballots = [pool[draw(st.integers(0, 4))] for _ in range(n)]
    return ids, costs, budget, ballots


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(inst=instances(), comparison=st.sampled_from([None, *COMPARISONS]),
       rule=st.sampled_from(["mes-add1", "mes-add1u"]))
def test_overspend_and_comparison_match_the_tool(inst, comparison, rule):
    ids, costs, budget, ballots = inst
    assume(sum(costs) > budget)  # the tool skips Add1 when everything fits
    e = Election.from_ballots(ids, costs, budget, ballots)
    out = count(e, rule, add1_stop="overspend", comparison=comparison)
    expected, report = tool_outcome(ids, costs, budget, ballots,
                                    completion="add1u" if rule == "mes-add1u" else "add1",
                                    comparison=comparison)
    assert out.selected == expected
    assert out.total_cost <= budget
    if comparison:
        c = out.comparison
        assert (c["prefer_equal_shares"], c["prefer_greedy"]) == (
            report["prefer_equal_shares"], report["prefer_greedy"])
        assert c["equal_shares"]["selected"] == report["equal_shares"]
        assert c["greedy"]["selected"] == report["greedy"]
        assert c["kept"] == ("greedy" if c["prefer_greedy"] > c["prefer_equal_shares"]
                             else "equal_shares")
    else:
        assert out.comparison is None


@SETTINGS
@given(inst=instances())
def test_overspend_never_stops_earlier_than_exhaustive(inst):
    ids, costs, budget, ballots = inst
    e = Election.from_ballots(ids, costs, budget, ballots)
    a = count(e, "mes-add1")
    b = count(e, "mes-add1", add1_stop="overspend")
    assert b.trace["runs"] >= a.trace["runs"]
    assert Fraction(b.trace["voter_budget_exact"]) >= Fraction(a.trace["voter_budget_exact"])
    assert b.trace["stopped_by"] in ("overspend", "all_bought")
    assert b.total_cost <= budget


# -- hand-made cases ------------------------------------------------------------------------


def _past_exhaustive():
    """At 14 per voter MES buys c, d and b: 90 of 90, exhaustive, where pabutools stops. From
    18 a (five supporters) comes first and leaves c, d, b unaffordable; at 20 c is affordable
    again (a + c = 130 > 90): the tool's "overspend" stop returns a, the run at 19."""
    return Election.from_ballots(
        ["a", "b", "c", "d"], [90, 10, 40, 40], 90,
        [["a", "b"], ["a", "b"], ["a", "c"], ["a", "d"], ["c"], ["d"], ["c"], ["d"], ["a"]])


def test_overspend_goes_past_an_exhaustive_outcome():
    e = _past_exhaustive()
    exhaustive = count(e, "mes-add1")
    overspend = count(e, "mes-add1", add1_stop="overspend")
    assert exhaustive.trace["stopped_by"] == "exhaustive"
    assert overspend.trace["stopped_by"] == "overspend"
    assert exhaustive.selected == ["b", "c", "d"] and exhaustive.trace["voter_budget"] == 14
    assert overspend.selected == ["a"] and overspend.trace["voter_budget"] == 19
    assert overspend.total_cost <= e.budget
    assert tool_outcome(["a", "b", "c", "d"], [90, 10, 40, 40], 90,
                        [set(b) for b in _ballots(e)])[0] == overspend.selected
    assert tool_outcome(["a", "b", "c", "d"], [90, 10, 40, 40], 90,
                        [set(b) for b in _ballots(e)], exhaustive=True)[0] == exhaustive.selected


def _ballots(e):
    ids = e.project_ids
    return [[ids[j] for j in e.indices[e.indptr[v]:e.indptr[v + 1]]] for v in range(e.n_voters)]


def test_all_bought_stops_the_overspend_loop():
    # every project fits together with an unsupported one left out: no run can overspend
    e = Election.from_ballots(["a", "b", "z"], [30, 30, 100], 90, [["a"], ["b"], ["a", "b"]])
    out = count(e, "mes-add1", add1_stop="overspend")
    assert out.selected == ["a", "b"]
    assert out.trace["stopped_by"] == "all_bought"


def _two_outcomes(extra_a_voters: int = 0):
    """Every voter holds 10. Equal Shares buys b and c (20 each, two supporters each); a (60)
    has four supporters (40): unaffordable. Greedy buys a, the most approved, and nothing else
    fits. ``extra_a_voters`` more voters approve only a (the budget grows by 10 each)."""
    ballots = [["a", "c"], ["a", "c"], ["a"], ["a"], ["b"], ["b"]] + [["a"]] * extra_a_voters
    return Election.from_ballots(["a", "b", "c"], [60, 20, 20], 60 + 10 * extra_a_voters,
                                 ballots)


def test_comparison_tie_keeps_equal_shares():
    e = _two_outcomes()
    for rule in ("mes", "mes-add1"):
        assert count(e, rule).selected == ["b", "c"]
    out = count(e, "mes-add1", comparison="exclusion")
    c = out.comparison
    assert c["method"] == "exclusion"
    assert c["equal_shares"]["selected"] == ["b", "c"]
    assert c["greedy"]["selected"] == ["a"]
    # a+c voters: funded either way; a voters: only by greedy; b voters: only by Equal Shares
    assert (c["prefer_equal_shares"], c["prefer_greedy"], c["no_preference"]) == (2, 2, 2)
    assert c["equal_shares"]["voters_with_a_funded_project"] == 4
    assert c["greedy"]["voters_with_a_funded_project"] == 4
    assert c["kept"] == "equal_shares" and c["reason"] == "not_more_voters_prefer_greedy"
    assert out.selected == ["b", "c"]

    out = count(e, "mes-add1", comparison="satisfaction")
    c = out.comparison
    # a+c voters: one funded project either way; a voters: none under Equal Shares, b voters:
    # none under greedy: as in the tool, no value there, so neither side counts them
    assert (c["prefer_equal_shares"], c["prefer_greedy"]) == (0, 0)
    assert out.selected == ["b", "c"]
    assert tool_outcome(["a", "b", "c"], [60, 20, 20], 60, [set(b) for b in _ballots(e)],
                        comparison="satisfaction")[1]["prefer_greedy"] == 0


def test_comparison_replaces_equal_shares_by_greedy():
    e = _two_outcomes(extra_a_voters=1)
    assert count(e, "mes").selected == ["b", "c"]
    out = count(e, "mes", comparison="exclusion")
    c = out.comparison
    assert c["equal_shares"]["selected"] == ["b", "c"]
    assert c["greedy"]["selected"] == ["a"]
    assert (c["prefer_equal_shares"], c["prefer_greedy"]) == (2, 3)
    assert c["kept"] == "greedy" and c["reason"] == "more_voters_prefer_greedy"
    assert out.selected == ["a"] and out.selection_order == ["a"]
    assert out.total_cost == 60
    ex = out.explanations
    assert ex["a"]["status"] == "selected" and ex["a"]["rank"] == 1
    assert ex["a"]["equal_shares"]["reason"] == "supporters_out_of_money"
    assert ex["c"]["status"] == "rejected" and ex["c"]["equal_shares"]["status"] == "selected"
    d = out.to_dict()
    json.dumps(d)
    assert d["comparison"]["kept"] == "greedy"
    assert d["options"] == {"comparison": "exclusion"}
    assert tool_outcome(["a", "b", "c"], [60, 20, 20], 70, [set(b) for b in _ballots(e)],
                        comparison="exclusion")[0] == ["a"]
    # by satisfaction nobody is counted (see above): Equal Shares stays
    assert count(e, "mes", comparison="satisfaction").selected == ["b", "c"]


def test_add1u_explains_the_greedy_fill():
    # per voter 40, ..., 44: MES buys c (35 each) and the 5..9 left cannot pay for b (10);
    # at 45 a (90) ties with c and wins the tie: 90 > 80 overspends, so Add1 stops at 44 with
    # c alone, not exhaustive; the utilitarian fill adds b
    e = Election.from_ballots(["a", "b", "c"], [90, 10, 70], 80,
                              [["a", "c"], ["c", "b", "a"]])
    add1 = count(e, "mes-add1")
    assert add1.selected == ["c"] and add1.trace["stopped_by"] == "overspend"
    assert add1.trace["voter_budget"] == 44
    add1u = count(e, "mes-add1u")
    added = add1u.trace["completion"]
    assert set(add1u.selected) == set(add1.selected) | set(added)
    assert added == ["b"] and add1u.selected == ["b", "c"]
    for pid in added:
        ex = add1u.explanations[pid]
        assert ex["status"] == "selected" and ex["phase"] == "completion"
        assert "mes" in ex  # why MES itself did not buy it
    for pid in add1.selected:
        assert "price_per_supporter" in add1u.explanations[pid]
    assert add1u.selection_order[:len(add1.selection_order)] == add1.selection_order
    assert add1u.trace["runs"] == add1.trace["runs"]
    assert add1u.trace["add1_stop"] == "exhaustive"
    assert add1u.to_dict()["options"] == {"add1_stop": "exhaustive", "comparison": None}


# -- options: API contract --------------------------------------------------------------------


def test_rule_options_cover_every_rule():
    assert set(RULE_OPTIONS) == set(RULES)
    assert ADD1_STOPS == ("exhaustive", "overspend")
    assert COMPARISONS == ("satisfaction", "exclusion")
    assert RULE_OPTIONS["mes-add1"] == RULE_OPTIONS["mes-add1u"] == ("add1_stop", "comparison")
    assert RULE_OPTIONS["mes"] == RULE_OPTIONS["mes-greedy"] == ("comparison",)
    assert RULE_OPTIONS["greedy"] == RULE_OPTIONS["phragmen"] == ()


def test_options_appear_in_the_outcome_and_trace():
    e = _past_exhaustive()
    for rule in RULES:
        d = count(e, rule).to_dict()
        assert set(d["options"]) == set(RULE_OPTIONS[rule])
    out = count(e, "mes-add1u", add1_stop="overspend", comparison="satisfaction")
    assert out.options == {"add1_stop": "overspend", "comparison": "satisfaction"}
    assert out.trace["options"] == out.options
    assert out.trace["comparison"] == out.comparison
    assert out.to_dict()["options"] == out.options


@pytest.mark.parametrize(("rule", "kwargs", "message"), [
    ("mes-add1", {"add1_stop": "never"}, "unknown add1_stop 'never'"),
    ("mes-add1", {"comparison": "votes"}, "unknown comparison 'votes'"),
    ("mes", {"comparison": "exclusionRatio"}, "unknown comparison"),
    ("greedy", {"add1_stop": "overspend"}, "add1_stop='overspend' does not apply to rule "
                                           "'greedy'; it applies to mes-add1, mes-add1u"),
    ("mes", {"add1_stop": "overspend"}, "does not apply to rule 'mes'"),
    ("mes-greedy", {"add1_stop": "overspend"}, "does not apply"),
    ("phragmen", {"comparison": "satisfaction"}, "comparison='satisfaction' does not apply "
                                                 "to rule 'phragmen'"),
    ("greedy", {"comparison": "exclusion"}, "does not apply to rule 'greedy'"),
])
def test_bad_options_raise_counting_error(rule, kwargs, message):
    with pytest.raises(CountingError, match=message.replace("(", r"\(")):
        count(_past_exhaustive(), rule, **kwargs)


def test_default_option_values_are_accepted_by_every_rule():
    e = _past_exhaustive()
    for rule in RULES:
        count(e, rule, add1_stop="exhaustive", comparison=None)


def test_no_voters():
    e = Election.from_ballots(["a"], [10], 20, [])
    for rule in ("mes-add1", "mes-add1u"):
        out = count(e, rule, add1_stop="overspend", comparison="satisfaction")
        assert out.comparison["kept"] == "equal_shares"
        assert out.total_cost <= 20
