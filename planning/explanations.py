"""The counting engine's explanation of one project, in words: built at display time from the
figures a count stored, in the reader's language (Wieliczka's "why was my project not
funded?", for every project)."""
from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from core.formatting import format_money, format_number, format_percent


def _explain_selected(e: dict, *, currency: str) -> str:
    if e.get("reason") == "fitted":
        return _("Selected: ranked %(rank)s by votes (%(votes)s votes), it fitted "
                 "in the %(left)s still available.") % {
            "rank": e.get("rank"), "votes": format_number(e.get("votes")),
            "left": format_money(e.get("remaining_before"), currency)}
    if "price_per_supporter" in e:
        return _("Selected in round %(round)s: its %(votes)s supporters could pay for it, "
                 "at most %(price)s each.") % {
            "round": e.get("round"), "votes": format_number(e.get("votes")),
            "price": format_money(e.get("price_per_supporter"), currency)}
    if "time" in e:
        return _("Selected in round %(round)s, supported by %(votes)s voters.") % {
            "round": e.get("round"), "votes": format_number(e.get("votes"))}
    return _("Selected.")


def _out_of_money(e: dict, *, currency: str, names: Mapping[str, str]) -> str:
    """Equal shares: what its supporters could still pay, and where their money went."""
    cost = float(e.get("cost") or 0)
    left = round(float(e.get("supporters_money_left") or 0), 2)  # the figures shown add up
    text = _("Under equal shares, when it was considered (round %(round)s), its %(votes)s "
             "supporters had %(money_left)s left between them: %(share)s of its cost of "
             "%(cost)s, %(missing)s short.") % {
        "round": e.get("round"), "votes": format_number(e.get("votes")),
        "money_left": format_money(left, currency), "share": format_percent(
            e["effective_support"]), "cost": format_money(cost, currency),
        "missing": format_money(round(max(cost - left, 0), 2), currency)}
    paid = e.get("supporters_paid_for") or []
    if paid:
        winners = ", ".join(
            _("“%(proposal)s” (%(amount)s)") % {
                "proposal": names.get(pid, pid), "amount": format_money(amount, currency)}
            for pid, amount in paid)
        text += " " + _("Their money went to the selected %(winners)s.") % {"winners": winners}
    return text


def _explain_not_selected(e: dict, *, currency: str, names: Mapping[str, str]) -> str:
    reason = e.get("reason")
    if reason == "supporters_out_of_money" and "effective_support" in e:
        return _out_of_money(e, currency=currency, names=names)
    texts = {
        "did_not_fit": _("Not selected: when its turn came (rank %(rank)s by votes) only "
                         "%(left)s was left, less than its cost of %(cost)s."),
        "supporters_out_of_money": _("Not selected: in round %(round)s its supporters had "
                                     "%(money_left)s left between them, less than its cost of "
                                     "%(cost)s."),
        "no_supporters": _("Not selected: nobody voted for it."),
        "zero_cost_ignored": _("Not selected by equal shares: it costs nothing, so it brings "
                               "no satisfaction under this rule."),
        "below_min_votes": _("Not counted: %(votes)s votes, fewer than the minimum of "
                             "%(min_votes)s."),
        "rule_stopped": _("Not selected: the rule stopped at round %(stopped)s, when a project "
                          "tied for the next purchase no longer fitted."),
        "exceeds_budget": _("Not selected: it costs more than the whole budget."),
    }
    if reason not in texts:
        return _("Not selected (%(reason)s).") % {"reason": reason or e.get("status")}
    return str(texts[reason]) % {
        "rank": e.get("rank"), "left": format_money(e.get("remaining_before"), currency),
        "cost": format_money(e.get("cost"), currency), "round": e.get("round"),
        "money_left": format_money(e.get("supporters_money_left"), currency),
        "votes": format_number(e.get("votes")), "min_votes": format_number(e.get("min_votes")),
        "stopped": e.get("stopped_at_round"),
    }


def explain(explanation: dict | None, *, currency: str,
            names: Mapping[str, str] | None = None) -> str:
    """The counting engine's explanation of one project, in words; ``names`` gives the
    projects' titles by project id (for the winners an unselected project's supporters paid
    for)."""
    if not explanation:
        return _("Not counted.")
    e = explanation
    names = names or {}
    if e.get("phase") == "completion":
        return _explain_completion(e, currency=currency, names=names)
    if e.get("status") == "selected":
        return _explain_selected(e, currency=currency)
    return _explain_not_selected(e, currency=currency, names=names)


def _explain_completion(e: dict, *, currency: str, names: Mapping[str, str]) -> str:
    """A rule with a greedy completion (MES then greedy): what equal shares said, then what the
    completion did with the budget left."""
    first = explain(e["mes"], currency=currency, names=names) + " " if e.get("mes") else ""
    figures = {"rank": e.get("rank"), "left": format_money(e.get("remaining_before"), currency),
               "cost": format_money(e.get("cost"), currency)}
    if e.get("status") == "selected":
        then = _("It was then selected in the greedy completion: ranked %(rank)s by votes "
                 "among the rest, it fitted in the %(left)s left.") % figures
    else:
        then = _("In the greedy completion that followed, only %(left)s was left when its "
                 "turn came (rank %(rank)s), less than its cost of %(cost)s.") % figures
    return first + then
