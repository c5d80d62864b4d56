"""What the public results page and its endpoint say of the official count, in a few lines:
money allocated and left, how many proposals were selected, the voters with at least one funded
proposal, the rule in one plain sentence, and the comparison with a plain greedy count of the
same ballots (stored with the count, never counted again here). No query reads the ballots: the
figures are the count's own; one small query names the proposals only one of the two selects."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy, ngettext

from consult.models import Consultation, CountingRule, Proposal, VotingMethod

from ..models import CountRun

#: Each counting rule in one plain sentence (docs/counting.md says the same in full).
RULE_SENTENCES = {
    CountingRule.GREEDY: gettext_lazy(
        "Greedy count: proposals are taken in order of their votes, most votes first, and each "
        "is funded if it still fits in the money left; one that does not fit is skipped."),
    CountingRule.MES: gettext_lazy(
        "Method of Equal Shares: the budget is split equally among the voters, and a proposal "
        "is funded when its supporters can pay for it together from their shares; the proposal "
        "that costs each of its supporters the smallest part of its price goes first."),
    CountingRule.MES_GREEDY: gettext_lazy(
        "Method of Equal Shares, then greedy: proposals are first funded by Equal Shares (the "
        "budget split equally among the voters, each proposal paid for by its own supporters), "
        "and the money left then goes to the remaining proposals by votes, most votes first, "
        "as long as they fit."),
    CountingRule.MES_ADD1: gettext_lazy(
        "Method of Equal Shares with growing shares: the budget is split equally among the "
        "voters and each proposal is paid for by its own supporters; the count is repeated "
        "with each voter's share raised one unit at a time until no other proposal would fit "
        "in the money left, never spending more than the budget."),
    CountingRule.MES_ADD1U: gettext_lazy(
        "Method of Equal Shares with growing shares, then greedy: Equal Shares (each proposal "
        "paid for by its own supporters) is repeated with each voter's share raised one unit "
        "at a time, never spending more than the budget, and the money left then goes to the "
        "remaining proposals by votes, most votes first, as long as they fit."),
    CountingRule.PHRAGMEN: gettext_lazy(
        "Sequential Phragmén: every voter earns money at the same steady rate, a proposal is "
        "bought as soon as its supporters together have earned its cost, and the count stops "
        "when the next proposal to buy no longer fits in the budget."),
}

#: The greedy rule on points ballots: the order is by points, not by voters.
GREEDY_BY_POINTS = gettext_lazy(
    "Greedy count: proposals are taken in order of the points they received, most points "
    "first, and each is funded if it still fits in the money left; one that does not fit is "
    "skipped.")

KEPT_GREEDY = gettext_lazy(
    "The outcome was then compared with a greedy count, which more voters prefer, so the "
    "greedy outcome was kept.")
KEPT_EQUAL_SHARES = gettext_lazy(
    "The outcome was then compared with a greedy count, and kept: no more voters prefer the "
    "greedy outcome.")


def rule_sentence(*, rule: str, voting_method: str = VotingMethod.APPROVAL) -> str:
    """The counting rule in one plain sentence, in the active language ("" for a rule the
    engine does not know)."""
    if rule == CountingRule.GREEDY and voting_method == VotingMethod.CUMULATIVE:
        return str(GREEDY_BY_POINTS)
    sentence = RULE_SENTENCES.get(rule)
    return str(sentence) if sentence is not None else ""


def rule_details(run: CountRun) -> list[str]:
    """What else shaped the count, one sentence each: the minimum of votes, the comparison
    step with greedy and which outcome it kept."""
    details = []
    if run.min_votes:
        details.append(ngettext(
            "Proposals with fewer than %(n)s vote were not counted.",
            "Proposals with fewer than %(n)s votes were not counted.",
            run.min_votes) % {"n": run.min_votes})
    comparison = run.outcome.get("comparison") if isinstance(run.outcome, dict) else None
    if comparison:
        details.append(str(KEPT_GREEDY if comparison.get("kept") == "greedy"
                           else KEPT_EQUAL_SHARES))
    return details


def _share(part: int | None, whole: int) -> float | None:
    if part is None:
        return None
    return part / whole if whole else 0.0


def _figures(*, budget: Decimal, allocated: Decimal, selected_ids: list[int],
             voters_funded: int | None, n_ballots: int) -> dict[str, Any]:
    return {
        "allocated": allocated, "left": budget - allocated,
        "n_selected": len(selected_ids), "selected_proposal_ids": list(selected_ids),
        "voters_funded": voters_funded, "share_funded": _share(voters_funded, n_ballots),
    }


def results_summary(*, consultation: Consultation, run: CountRun) -> dict[str, Any]:
    """The official count ``run`` in a few figures and sentences, with the plain greedy count
    stored with it when there is one (``greedy`` is None for a greedy count — then
    ``official_is_greedy`` — and for counts made before it was stored). Amounts are Decimals
    in the consultation's currency; shares are fractions of the ballots (0–1)."""
    official = _figures(budget=run.budget, allocated=run.total_cost,
                        selected_ids=run.selected_proposal_ids,
                        voters_funded=run.voters_funded, n_ballots=run.n_ballots)
    stored = run.compared_with_greedy
    greedy = None
    if stored:
        greedy = _figures(budget=run.budget, allocated=Decimal(str(stored["allocated"])),
                          selected_ids=stored.get("selected_proposal_ids", []),
                          voters_funded=stored.get("voters_funded"), n_ballots=run.n_ballots)
        ours, theirs = set(official["selected_proposal_ids"]), set(
            greedy["selected_proposal_ids"])
        differ = ours ^ theirs
        titles = dict(Proposal.objects.filter(consultation=consultation, pk__in=differ)
                      .values_list("pk", "title")) if differ else {}

        def named(ids) -> list[dict[str, Any]]:
            return sorted(({"pk": pk, "title": titles.get(pk, "")} for pk in ids),
                          key=lambda p: p["title"].casefold())

        greedy["only_official"] = named(ours - theirs)
        greedy["only_greedy"] = named(theirs - ours)
    return {
        "count_run": run.pk, "rule": run.rule, "rule_label": str(run.get_rule_display()),
        "rule_sentence": rule_sentence(rule=run.rule,
                                       voting_method=consultation.voting_method),
        "rule_details": rule_details(run),
        "budget": run.budget, "currency": consultation.currency, "n_ballots": run.n_ballots,
        **official,
        "official_is_greedy": run.rule == CountingRule.GREEDY,
        "greedy": greedy,
    }
