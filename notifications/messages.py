"""The words of each notification, kept here and not in the database: a notification stores a
message key and its figures, and is worded when shown or sent, in the reader's language."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from core.formatting import format_money

from .models import Kind

#: message key → (kind, words). The figures are named as in the words; a figure called "when"
#: is an ISO moment, shown in the time zone given as "tz"; "amount" and "currency" are shown
#: as "cost", a number written the reader's way.
MESSAGES = {
    "reply": (Kind.REPLY, _("%(author)s replied to your comment on “%(proposal)s”.")),
    "comment_hidden": (Kind.CONTENT_DECISION, _(
        "A moderator hid your comment on “%(proposal)s”. The reason: %(reason)s")),
    "comment_restored": (Kind.CONTENT_DECISION, _(
        "A moderator restored your comment on “%(proposal)s”. The reason: %(reason)s")),
    "proposal_hidden": (Kind.CONTENT_DECISION, _(
        "A moderator hid your proposal “%(proposal)s”. The reason: %(reason)s")),
    "proposal_restored": (Kind.CONTENT_DECISION, _(
        "A moderator restored your proposal “%(proposal)s”. The reason: %(reason)s")),
    "proposal_rejected": (Kind.CONTENT_DECISION, _(
        "Your proposal “%(proposal)s” was rejected. The reason: %(reason)s")),
    "proposal_feasible": (Kind.CONTENT_DECISION, _(
        "The review found your proposal “%(proposal)s” feasible, at a cost of %(cost)s.")),
    "proposal_not_feasible": (Kind.CONTENT_DECISION, _(
        "The review found your proposal “%(proposal)s” not feasible. The reason: %(reason)s")),
    "voting_opens": (Kind.VOTING_REMINDER, _(
        "Voting opens on %(when)s in “%(consultation)s”.")),
    "voting_closes": (Kind.VOTING_REMINDER, _(
        "Voting closes on %(when)s in “%(consultation)s”, and you have not voted yet.")),
    "ballot_unfinished": (Kind.VOTING_REMINDER, _(
        "You started a ballot in “%(consultation)s” but did not submit it. Voting closes on "
        "%(when)s.")),
    "proposal_selected": (Kind.PROPOSAL_FATE, _(
        "“%(proposal)s” was selected in the results of “%(consultation)s”.")),
    "proposal_not_selected": (Kind.PROPOSAL_FATE, _(
        "“%(proposal)s” was not selected in the results of “%(consultation)s”. The page says "
        "why.")),
    "results_published": (Kind.PROPOSAL_FATE, _(
        "The results of “%(consultation)s”, where you voted, are published: see what became "
        "of each proposal and why.")),
    "plan_action_progress": (Kind.PLAN_ACTION, _(
        "The plan action “%(action)s”, born from “%(proposal)s”, reported progress.")),
    "council_vote": (Kind.COUNCIL_VOTE, _(
        "Version %(version)s of the plan “%(plan)s” awaits your vote.")),
    "plan_returned": (Kind.PLAN_DECISION, _(
        "The council returned the plan “%(plan)s” for changes.")),
    "plan_approved": (Kind.PLAN_DECISION, _("The council approved the plan “%(plan)s”.")),
}


def kind_of(message: str) -> str:
    return MESSAGES[message][0]


def worded(notification, *, language: str | None = None) -> str:
    """The notification's sentence, in ``language`` (default: the active one)."""
    _kind, words = MESSAGES[notification.message]
    with translation.override(language or translation.get_language()):
        params = dict(notification.params)
        if "when" in params:
            moment = datetime.fromisoformat(params["when"]).astimezone(
                ZoneInfo(params.get("tz", "UTC")))
            params["when"] = formats.date_format(moment, "DATETIME_FORMAT")
        if "amount" in params:  # money as every page writes it
            params["cost"] = format_money(Decimal(params["amount"]), params.get("currency", ""))
        return str(words) % params
