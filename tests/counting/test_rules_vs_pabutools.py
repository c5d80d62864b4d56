"""Property tests: every rule gives the same outcome as pabutools 1.2.3 on small instances."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning.counting import Election, count
from planning.counting._prepare import TieBreak, prepare
from planning.counting.mes import mes_run, mes_setup

from .pabutools_bridge import pabutools_outcome

# ids chosen so that string order differs from numeric order ("10" < "9")
ID_POOL = ["1", "2", "9", "10", "11", "a", "B", "b2"]

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def elections(draw, points: bool = False, max_voters: int = 9):
    m = draw(st.integers(1, 6))
    ids = draw(st.permutations(ID_POOL))[:m]
    cost = st.one_of(st.integers(0, 30), st.integers(1, 40).map(lambda k: Fraction(k, 2)))
    costs = [draw(cost) for _ in range(m)]
    budget = draw(st.one_of(st.integers(0, 80), st.integers(0, 120).map(lambda k: Fraction(k, 3))))
    n = draw(st.integers(0, max_voters))
    ballots = []
    for _ in range(n):
        chosen = draw(st.lists(st.sampled_from(ids), max_size=m, unique=True))
        if points:
            ballots.append({p: draw(st.integers(0, 3)) for p in chosen})
        else:
            ballots.append(chosen)
    if points:
        return Election.from_ballots(ids, costs, budget, ballots, vote_type="cumulative")
    return Election.from_ballots(ids, costs, budget, ballots)


@st.composite
def larger_elections(draw):
    """More voters, with repeated ballots and big costs: exercises the float fast path."""
    m = draw(st.integers(2, 8))
    ids = [str(i + 1) for i in range(m)]
    costs = [draw(st.integers(0, 5000)) * 7 for _ in range(m)]
    budget = draw(st.integers(1, 30000))
    pool = [draw(st.lists(st.sampled_from(ids), max_size=m, unique=True)) for _ in range(6)]
    n = draw(st.integers(1, 60))
    ballots = [pool[draw(st.integers(0, 5))] for _ in range(n)]
    return Election.from_ballots(ids, costs, budget, ballots)


def _check(election, rule, min_votes, tie_break):
    expected, expected_cost = pabutools_outcome(election, rule, min_votes, tie_break)
    outcome = count(election, rule, min_votes=min_votes, tie_break=tie_break)
    assert outcome.selected == expected
    assert outcome.total_cost == expected_cost
    assert outcome.total_cost <= election.budget
    assert set(outcome.explanations) == set(election.project_ids)
    for pid in election.project_ids:
        status = outcome.explanations[pid]["status"]
        assert status == ("selected" if pid in expected else "rejected")


@pytest.mark.parametrize("rule",
                         ["greedy", "mes", "mes-add1", "mes-add1u", "mes-greedy", "phragmen"])
@SETTINGS
@given(election=elections(), min_votes=st.integers(0, 3),
       tie_break=st.sampled_from(["lexicographic", "votes-then-cost"]))
def test_approval_rules_match_pabutools(rule, election, min_votes, tie_break):
    _check(election, rule, min_votes, tie_break)


@pytest.mark.parametrize("rule", ["mes", "mes-add1", "mes-add1u", "phragmen"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(election=larger_elections(), min_votes=st.integers(0, 5))
def test_larger_instances_match_pabutools(rule, election, min_votes):
    _check(election, rule, min_votes, "lexicographic")


@SETTINGS
@given(election=elections(points=True), min_votes=st.integers(0, 3),
       tie_break=st.sampled_from(["lexicographic", "votes-then-cost"]))
def test_cumulative_greedy_matches_pabutools(election, min_votes, tie_break):
    _check(election, "greedy", min_votes, tie_break)


@SETTINGS
@given(election=elections(max_voters=12))
def test_fast_float_run_equals_exact_run(election):
    """The float fast path of MES (used by add1) selects exactly what the exact path does."""
    prep = prepare(election, 0, TieBreak.LEXICOGRAPHIC)
    setup = mes_setup(prep)
    if election.n_voters == 0:
        return
    for extra in (0, 1, 5):
        B = Fraction(election.budget) / election.n_voters + extra
        assert mes_run(setup, B, record=False).selected == mes_run(setup, B).selected




def test_ties_are_broken_by_project_id_as_string():
    # "10" and "9" tie on everything; pabutools picks "10" because "10" < "9" as strings
    e = Election.from_ballots(["9", "10"], [10, 10], 10, [["9", "10"], ["9", "10"]])
    for rule in ("greedy", "mes", "mes-add1", "mes-add1u", "mes-greedy", "phragmen"):
        assert count(e, rule).selected == ["10"], rule
        assert pabutools_outcome(e, rule)[0] == ["10"]


def test_votes_then_cost_tie_break():
    # a and b tie (same supporters); b is cheaper, so votes-then-cost prefers it
    e = Election.from_ballots(["a", "b"], [10, 5], 10, [["a", "b"], ["a", "b"]])
    for rule in ("greedy", "mes", "mes-greedy"):
        assert count(e, rule).selected == ["a"], rule
        assert count(e, rule, tie_break="votes-then-cost").selected == ["b"], rule
        assert pabutools_outcome(e, rule, tie_break="votes-then-cost")[0] == ["b"]


def test_cumulative_rules_other_than_greedy_are_refused():
    from planning.counting import RuleNotApplicable

    e = Election.from_ballots(["a"], [1], 1, [{"a": 2}])
    for rule in ("mes", "mes-add1", "mes-add1u", "mes-greedy", "phragmen"):
        with pytest.raises(RuleNotApplicable, match="approval"):
            count(e, rule)
    assert count(e, "greedy").selected == ["a"]


# -- mes-add1: the accelerated loop (skipping runs whose outcome cannot change) ------------


@st.composite
def add1_elections(draw):
    """Large costs against a small budget per voter: add1 needs many increments of 1."""
    m = draw(st.integers(2, 7))
    ids = draw(st.permutations(ID_POOL))[:m]
    scale = draw(st.sampled_from([1, 10, 100, 1000]))
    tie_costs = draw(st.booleans())  # equal costs: exact ties in rho
    base = draw(st.integers(1, 60)) * scale
    costs = [base if tie_costs else draw(st.integers(0, 60)) * scale for _ in range(m)]
    budget = draw(st.integers(0, 120)) * scale + draw(st.sampled_from([0, 1, 7]))
    pool = [draw(st.lists(st.sampled_from(ids), max_size=m, unique=True)) for _ in range(5)]
    n = draw(st.integers(1, 12))
    ballots = [pool[draw(st.integers(0, 4))] for _ in range(n)]
    return Election.from_ballots(ids, costs, budget, ballots)


def _skipped_offsets(t_star: float) -> list[int]:
    """Offsets t < t_star to check: the first few, and those up to just below t_star."""
    if t_star == math.inf:
        return list(range(1, 25))
    top = math.ceil(t_star) - 1  # the largest integer t < t_star
    return sorted({t for t in [*range(1, 8), top // 4, top // 2, top - 1, top] if 1 <= t <= top})


@SETTINGS
@given(election=st.one_of(elections(max_voters=12), larger_elections(), add1_elections()))
def test_compiled_float_run_equals_python_and_exact_runs(election):
    """The compiled float pass (planning.counting._kernel) selects what the Python float pass
    and the exact run select, and the runs its breakpoint analysis lets add1 skip do select
    the same projects (checked up to just below the bound)."""
    setup = mes_setup(prepare(election, 0, TieBreak.LEXICOGRAPHIC))
    if election.n_voters == 0:
        return
    B0 = Fraction(election.budget) / election.n_voters
    for extra in (0, 1, 5, 40):
        B = B0 + extra
        exact = mes_run(setup, B).selected
        assert mes_run(setup, B, record=False, kernel=False).selected == exact
        analysed = mes_run(setup, B, record=False, analyse=True)
        assert analysed.selected == exact
        for t in _skipped_offsets(analysed.same_until):
            assert mes_run(setup, B + t).selected == exact, (B, t, analysed.same_until)


def _add1_both(election, min_votes=0, tie_break="lexicographic", max_iterative=None,
               stop="exhaustive"):
    from planning.counting.mes import mes_add1

    setup = mes_setup(prepare(election, min_votes, TieBreak(tie_break)))
    fast = mes_add1(setup, record=False, accelerate=True, stop=stop)
    if max_iterative is not None and fast[1] > max_iterative:
        return fast, None
    slow = mes_add1(setup, record=False, accelerate=False, stop=stop)
    return fast, slow


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(election=add1_elections(), min_votes=st.integers(0, 3),
       tie_break=st.sampled_from(["lexicographic", "votes-then-cost"]))
def test_accelerated_add1_equals_iterative(election, min_votes, tie_break):
    if election.n_voters == 0:
        return
    fast, slow = _add1_both(election, min_votes, tie_break, max_iterative=4000)
    if slow is None:
        return  # the plain loop would take too long here
    assert fast[0].selected == slow[0].selected
    assert fast[1] == slow[1]  # same number of per-voter budgets (pabutools' iterations)
    assert len(fast[2]) <= len(slow[2])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(election=add1_elections(), min_votes=st.integers(0, 3),
       tie_break=st.sampled_from(["lexicographic", "votes-then-cost"]))
def test_accelerated_add1_overspend_equals_iterative(election, min_votes, tie_break):
    """add1_stop="overspend": skipping runs still gives the plain loop's outcome, budgets tried
    and stop reason, now also past exhaustive outcomes."""
    if election.n_voters == 0:
        return
    fast, slow = _add1_both(election, min_votes, tie_break, max_iterative=4000,
                            stop="overspend")
    if slow is None:
        return
    assert fast[0].selected == slow[0].selected
    assert fast[1] == slow[1]
    assert fast[0].stop_reason == slow[0].stop_reason in ("overspend", "all_bought")
    exhaustive, _ = _add1_both(election, min_votes, tie_break, max_iterative=0)
    assert fast[1] >= exhaustive[1]  # it never stops before the exhaustive loop does


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(election=add1_elections(), min_votes=st.integers(0, 3),
       tie_break=st.sampled_from(["lexicographic", "votes-then-cost"]))
def test_compiled_add1_equals_python_add1(election, min_votes, tie_break):
    """The add1 loop on the compiled float runs (snapshots, resumption, chained checks) ends
    where the loop on the Python ones does, with both stops."""
    from planning.counting.mes import mes_add1

    if election.n_voters == 0:
        return
    for stop in ("exhaustive", "overspend"):
        got = [mes_add1(mes_setup(prepare(election, min_votes, TieBreak(tie_break))),
                        record=False, stop=stop, kernel=kernel) for kernel in (True, False)]
        assert got[0][0].selected == got[1][0].selected
        assert got[0][1] == got[1][1]
        assert got[0][0].stop_reason == got[1][0].stop_reason


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(election=add1_elections())
def test_accelerated_add1_matches_pabutools_with_many_iterations(election):
    if election.n_voters:
        fast, _ = _add1_both(election, max_iterative=0)
        if fast[1] > 400:
            return  # pabutools would take too long; accelerated == iterative is checked above
    _check(election, "mes-add1", 0, "lexicographic")
    _check(election, "mes-add1u", 0, "lexicographic")


def test_accelerated_add1_skips_runs_on_large_costs():
    # 6 voters, budget 60,000: add1 needs thousands of increments of 1 per voter
    ids = ["a", "b", "c", "d"]
    costs = [20_000, 30_000, 25_000, 15_000]
    ballots = [["a", "b"], ["a"], ["b", "c"], ["c", "d"], ["d"], ["a", "c"]]
    e = Election.from_ballots(ids, costs, 60_000, ballots)
    fast, slow = _add1_both(e)
    assert fast[0].selected == slow[0].selected
    assert fast[1] == slow[1] > 1000
    assert len(fast[2]) < 20
    out = count(e, "mes-add1")
    assert out.selected == pabutools_outcome(e, "mes-add1")[0]
    assert out.trace["runs"] == slow[1]
    assert out.trace["runs_computed"] == len(fast[2])


def test_add1_identical_projects_tie_every_run():
    # b and a have the same supporters and cost: tied at every per-voter budget ("a" wins)
    e = Election.from_ballots(["b", "a", "c"], [300, 300, 500], 700,
                              [["a", "b"], ["a", "b"], ["c"], ["a", "b", "c"]])
    fast, slow = _add1_both(e)
    assert fast[0].selected == slow[0].selected
    assert count(e, "mes-add1").selected == pabutools_outcome(e, "mes-add1")[0]
