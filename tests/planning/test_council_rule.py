"""The arithmetic of a council vote (planning.council): quorum, majorities, when the outcome is
settled. No database."""
import pytest

from planning.council import APPROVE, RETURN, Tally, outcome, quorum_needed


def decide(a, r, s, n, *, quorum="more_than_half", majority="simple", **rule):
    return outcome(Tally(approve=a, return_=r, abstain=s, members=n), quorum=quorum,
                   majority=majority, **rule)


def test_default_simple_majority_decides_once_the_rest_cannot_change_it():
    assert decide(2, 0, 0, 5) is None          # 2 of 5: below the quorum of 3, not settled
    assert decide(3, 0, 0, 5) == APPROVE       # 3 > 0 + 2 remaining: settled
    assert decide(2, 1, 0, 5) is None          # 2 returns more would make 2 vs 3
    assert decide(0, 3, 0, 5) == RETURN        # approvals cannot exceed returns any more


def test_a_tie_is_no_majority():
    assert decide(2, 1, 0, 4) is None
    assert decide(2, 2, 0, 4) == RETURN


def test_exactly_at_quorum():
    # At least 4 of 5 members must vote, although 3 approvals already settle the majority.
    assert decide(3, 0, 0, 5, quorum="count", quorum_count=4) is None
    assert decide(3, 0, 1, 5, quorum="count", quorum_count=4) == APPROVE
    # More than half of 4 is 3: two votes are not enough, three are.
    assert quorum_needed(quorum="more_than_half", members=4) == 3
    assert quorum_needed(quorum="more_than_half", members=5) == 3
    assert decide(2, 0, 1, 4) == APPROVE        # 2 > 0 + 1 remaining, 3 cast = quorum
    # A percentage rounds up; a quorum larger than the council is the whole council.
    assert quorum_needed(quorum="percent", members=4, percent=60) == 3
    assert quorum_needed(quorum="percent", members=5, percent=60) == 3
    assert quorum_needed(quorum="count", members=3, count=7) == 3


def test_two_thirds_exactly_reached():
    assert decide(2, 1, 0, 3, majority="two_thirds") == APPROVE   # 2 of 3: exactly 2/3
    assert decide(2, 1, 0, 4, majority="two_thirds") is None      # a 2nd return: 2 of 4
    assert decide(2, 2, 0, 4, majority="two_thirds") == RETURN
    assert decide(3, 1, 0, 4, majority="two_thirds") == APPROVE   # 3 of 4 > 2/3
    assert decide(0, 0, 3, 3, majority="two_thirds") == RETURN    # nobody approved


def test_abstentions_count_for_the_quorum_and_against_an_absolute_majority():
    assert decide(1, 0, 2, 3) == APPROVE                       # simple: 1 > 0
    assert decide(1, 0, 2, 3, majority="absolute") == RETURN   # absolute: 1 is not > 3/2
    assert decide(2, 0, 0, 3, majority="absolute") == APPROVE  # 2 > 3/2, whatever follows
    assert decide(0, 0, 3, 3) == RETURN                        # all abstain: no majority


def test_single_member_decides_alone():
    assert decide(0, 0, 1, 5, single_member_decides=True) is None  # an abstention waits
    assert decide(1, 0, 1, 5, single_member_decides=True) == APPROVE
    assert decide(0, 1, 0, 5, single_member_decides=True) == RETURN


@pytest.mark.parametrize("majority", ["simple", "two_thirds", "absolute"])
def test_a_settled_outcome_is_what_the_complete_vote_gives(majority):
    """Whatever the remaining members do, a vote declared settled ends that way."""
    n = 5
    for a in range(n + 1):
        for r in range(n + 1 - a):
            for s in range(n + 1 - a - r):
                settled = decide(a, r, s, n, majority=majority)
                if settled is None:
                    continue
                left = n - a - r - s
                for more_a in range(left + 1):
                    for more_r in range(left + 1 - more_a):
                        more_s = left - more_a - more_r
                        assert decide(a + more_a, r + more_r, s + more_s, n,
                                      majority=majority) == settled
