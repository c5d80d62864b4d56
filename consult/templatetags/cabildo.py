"""Template helpers: money and numbers for the active language, deadlines in a city's local
time with the exact hour, sanitised Markdown, the follow button of a proposal."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _

from consult import rules, selectors
from consult.markdown import render_markdown
from consult.models import City, Proposal
from core import i18n

register = template.Library()


@register.filter
def money(value, currency: str = "") -> str:
    """1234567.5 → "1,234,567.50 MXN" (grouping and decimal mark follow the active language)."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    places = 0 if amount == amount.to_integral_value() else 2
    number = formats.number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"{number}\u00a0{currency}".strip()


@register.filter
def number(value) -> str:
    """An integer with the language's thousands separator."""
    if value is None or value == "":
        return ""
    return formats.number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)


def zone_label(city: City) -> str:
    """A city's local time is called after the city; networks use their time zone's city."""
    if city.kind == City.Kind.CITY:
        return city.name
    return city.timezone.rsplit("/", 1)[-1].replace("_", " ")


def local_moment(moment: datetime, city: City) -> tuple[str, str, str]:
    local = moment.astimezone(city.tzinfo)
    return (
        formats.date_format(local, "DATE_FORMAT"),
        local.strftime("%H:%M"),
        local.isoformat(),
    )


@register.simple_tag
def deadline(moment: datetime, city: City) -> str:
    """<time> with the date and exact hour in the city's local time, e.g.
    "May 31, 2027, 23:59 (Lima time)"."""
    if moment is None:
        return ""
    day, hour, iso = local_moment(moment, city)
    text = _("%(date)s, %(time)s (%(zone)s time)") % {
        "date": day, "time": hour, "zone": zone_label(city)
    }
    return format_html('<time datetime="{}">{}</time>', iso, text)


@register.simple_tag
def city_moment(moment: datetime, city: City, with_time: bool = True) -> str:
    """<time> with the date (and hour) in the city's local time, for a stamp where the zone
    needs no naming, e.g. "4 dic. 2026, 18:50"."""
    if moment is None:
        return ""
    day, hour, iso = local_moment(moment, city)
    return format_html('<time datetime="{}">{}</time>', iso, f"{day}, {hour}" if with_time
                       else day)


@register.simple_tag
def until(moment: datetime, city: City) -> str:
    """"until 23:59, Lima time, on May 31, 2027"."""
    if moment is None:
        return ""
    day, hour, iso = local_moment(moment, city)
    text = _("until %(time)s, %(zone)s time, on %(date)s") % {
        "date": day, "time": hour, "zone": zone_label(city)
    }
    return format_html('<time datetime="{}">{}</time>', iso, text)


@register.filter
def markdown(text: str):
    return render_markdown(text)


@register.filter
def get_item(mapping, key):
    if not mapping:
        return None
    return mapping.get(key)


@register.inclusion_tag("consult/_follow_button.html", takes_context=True)
def follow_button(context, proposal: Proposal) -> dict:
    """Follow / stop following a proposal, for a participant who is not its author (the
    author is told anyway). One query: whether they follow it."""
    user = context["request"].user
    participant = rules.participant_of(user)
    shown = participant is not None and not rules.is_author(user, proposal)
    follows = shown and selectors.follows_proposal(participant=participant, proposal=proposal)
    return {
        "proposal": proposal, "consultation": proposal.consultation,
        "city": proposal.consultation.city,
        "follows_it": follows,
        "can_follow": shown and not follows and rules.can_follow_proposal(user, proposal),
    }


@register.simple_tag
def localized(obj, field: str):
    """``{% localized proposal "title" as title %}``: the text in the reader's language, else
    the city's default, else any it is written in (core.i18n); ``title.is_other_language``,
    ``title.language`` and ``title.note`` say when it is not the reader's."""
    return i18n.localized(obj, field)


@register.filter
def in_language(obj, field: str):
    """``{{ proposal|in_language:"title" }}`` in a list: the text in the reader's language, else
    the one shown marked with its language (``lang``, so that it is read aloud and hyphenated in
    that language) and a short "in Spanish" after it. Never a query."""
    text = i18n.localized(obj, field, load_city=False)
    if not text.is_other_language:
        return text
    return format_html('<span lang="{}">{}</span> <small class="language-tag">{}</small>',
                       text.language, text, i18n.in_language(text.language))


@register.filter
def with_lang(obj, field: str):
    """``{{ proposal|with_lang:"summary" }}``: the text, in a ``lang`` span when it is not in the
    reader's language (a list's second text, after a title marked by ``in_language``)."""
    text = i18n.localized(obj, field, load_city=False)
    if not text.is_other_language:
        return text
    return format_html('<span lang="{}">{}</span>', text.language, text)


@register.inclusion_tag("_language_note.html")
def language_note(*texts):
    """The one note for a block of texts: which language it is shown in, when that is not the
    reader's (the first such text decides)."""
    for text in texts:
        if isinstance(text, i18n.LocalizedText) and text.is_other_language:
            return {"note": text.note, "language": text.language}
    return {"note": ""}
