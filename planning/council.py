"""The arithmetic of a council vote: when is a version decided, and which way. No Django.

Given the city's rule (planning.models.CouncilRule, as plain values), the number of members
``members`` and the votes cast so far (approve ``a``, return ``r``, abstain ``s``; the
``remaining = members - a - r - s`` members have not voted yet):

* **single member decides**: the first approve or return vote decides; abstentions wait.
* otherwise the outcome of a *complete* vote (every member voted) is:

  - simple majority of the votes cast: approved when ``a > r`` (abstentions do not count; a
    tie is not a majority, so the plan is returned);
  - two thirds of the votes cast: approved when ``a >= 2/3 × (a + r)`` and ``a > 0``
    (abstentions do not count);
  - absolute majority of all members: approved when ``a > members / 2``;

  and anything else returns the plan. The vote is **decided** as soon as that outcome no longer
  depends on the members who have not voted, and the quorum is reached (votes cast, abstentions
  included, ``>= quorum_needed``). Every rule approves more easily with one more approval and
  less easily with one more return, so it is enough to look at the two extremes: all the
  remaining members returning (the worst case for approval) and all of them approving (the best
  case). Both approve → approved; both return → returned; otherwise the vote stays open.

Quorum: more than half of the members (``members // 2 + 1``), at least ``count`` members, or at
least ``percent`` % of the members (rounded up); never more than the members themselves (a
quorum larger than the council is the whole council).
"""
from __future__ import annotations

from dataclasses import dataclass

APPROVE, RETURN = "approve", "return"


@dataclass(frozen=True)
class Tally:
    approve: int
    return_: int
    abstain: int
    members: int

    @property
    def cast(self) -> int:
        return self.approve + self.return_ + self.abstain

    @property
    def remaining(self) -> int:
        return max(self.members - self.cast, 0)

    def as_dict(self) -> dict:
        return {"approve": self.approve, "return": self.return_, "abstain": self.abstain,
                "members": self.members, "cast": self.cast}


def quorum_needed(*, quorum: str, members: int, count: int | None = None,
                  percent: int | None = None) -> int:
    if quorum == "count":
        needed = count or 1
    elif quorum == "percent":
        needed = -(-members * (percent or 100) // 100)  # ceil without floats
    else:  # more than half
        needed = members // 2 + 1
    return max(min(needed, members), 1)


def approves(*, majority: str, approve: int, return_: int, members: int) -> bool:
    """Whether a complete vote with these counts approves."""
    if majority == "two_thirds":
        return approve > 0 and 3 * approve >= 2 * (approve + return_)
    if majority == "absolute":
        return 2 * approve > members
    return approve > return_


def outcome(tally: Tally, *, quorum: str, majority: str, quorum_count: int | None = None,
            quorum_percent: int | None = None, single_member_decides: bool = False
            ) -> str | None:
    """APPROVE, RETURN, or None while the vote is still open."""
    if single_member_decides:
        if tally.approve:
            return APPROVE
        return RETURN if tally.return_ else None
    if tally.members <= 0:
        return None
    needed = quorum_needed(quorum=quorum, members=tally.members, count=quorum_count,
                           percent=quorum_percent)
    if tally.cast < needed:
        return None
    left = tally.remaining
    worst = approves(majority=majority, approve=tally.approve, return_=tally.return_ + left,
                     members=tally.members)
    best = approves(majority=majority, approve=tally.approve + left, return_=tally.return_,
                    members=tally.members)
    if worst and best:
        return APPROVE
    if not worst and not best:
        return RETURN
    return None
