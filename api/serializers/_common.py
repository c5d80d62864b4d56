"""What the serializers share: limits of ids and amounts, how people are named."""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consult.models import Participant
from core.i18n import language_codes, not_a_language, translations

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


@extend_schema_field({"type": "object", "additionalProperties": {"type": "string"},
                      "example": {"es": "Más árboles", "en": "More trees"}})
class TranslationsField(serializers.Field):
    """Every language a text is written in, ``{"es": "…", "en": "…"}`` (read); on write, the
    languages to set (an empty text clears one). The plain field is the request's language."""

    def __init__(self, text_field: str, *, max_length: int | None = None, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", f"`{text_field}` in each of the site's languages "
                                       "(es, pt-br, fr, en).")
        super().__init__(source="*", **kwargs)
        self.text_field, self.max_length = text_field, max_length

    def to_representation(self, obj):
        return translations(obj, self.text_field)

    def to_internal_value(self, data):
        if not isinstance(data, dict) or not all(isinstance(t, str) for t in data.values()):
            raise serializers.ValidationError(_("Give one text per language code."))
        out = {}
        for code, text in data.items():
            if code not in language_codes():
                raise serializers.ValidationError(not_a_language(code))
            if self.max_length is not None and len(text) > self.max_length:
                raise serializers.ValidationError(
                    _("Ensure this field has no more than {max_length} characters.").format(
                        max_length=self.max_length))
            out[code] = text
        return {f"{self.text_field}_translations": out}


def translations_of(data: dict, *fields: str) -> dict[str, dict[str, str]]:
    """Take the ``<field>_translations`` of parsed data out, as a service's ``translations``."""
    return {field: data.pop(f"{field}_translations") for field in fields
            if f"{field}_translations" in data}
