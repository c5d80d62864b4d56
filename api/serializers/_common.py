"""What the serializers share: limits of ids and amounts, how people are named."""
from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from consult.models import Participant

#: Ids in requests: positive and within a 64-bit integer, so no lookup overflows the database.
ID_LIMITS = {"min_value": 1, "max_value": 2**63 - 1}
MONEY = {"max_digits": 16, "decimal_places": 2}


def display_name(participant: Participant | None) -> str:
    """What others see of a participant: the public name they chose, else "A participant of
    <city>", or "Former participant" once the account was deleted. Never the user name,
    e-mail, district or demographics."""
    if participant is None or participant.user_id is None:
        return _("Former participant")
    return str(participant)


def user_name(user) -> str | None:
    return user.get_username() if user is not None else None


def each_year_once(items: list[dict]) -> list[dict]:
    """A list of per-year items (costs, ceilings, targets) names each year at most once."""
    years = [item["year"] for item in items]
    if len(set(years)) != len(years):
        raise serializers.ValidationError(_("Give each year once."))
    return items
