"""Setting up a consultation: creating it, editing it, its themes. The voting rules
(`Consultation.VOTING_RULE_FIELDS`) freeze once voting has opened.

`consultation_create` / `consultation_update` are the writes every caller shares (the demo, the
Pabulib import, the admin's rule); `consultation_set_up` / `consultation_edit` are the same writes
for a person, with the permission check (`rules.can_set_up_consultations`,
`rules.can_edit_consultation`) and the themes."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import NotAllowed, ServiceError
from core.i18n import (
    apply_translations,
    language_codes,
    language_columns,
    set_translations,
    translations,
)
from core.validation import PERIOD_ORDERED, validated

from .. import rules as perms
from ..models import (
    APPROVAL_NEEDS_MAX_CHOICES,
    BUDGET_POSITIVE,
    CUMULATIVE_NEEDS_POINTS,
    PHASES_ORDERED,
    City,
    Consultation,
    Eligibility,
    Theme,
    VotingMethod,
)

#: The network's three priority subjects; every new consultation starts with them.
DEFAULT_THEMES = (
    ("urban-sustainability", gettext_lazy("Urban sustainability")),
    ("inclusive-cities", gettext_lazy("Inclusive cities")),
    ("attractive-cities", gettext_lazy("Attractive cities")),
)

SETUP_NOT_ALLOWED = gettext_lazy(
    "Only the city's administrators, and its planners where the city allows it, can set up "
    "its consultations.")
THEME_HAS_PROPOSALS = gettext_lazy(
    "The theme “%(name)s” has proposals: it cannot be removed. Rename it instead.")
MINIMUM_AGE_NEEDS_CENSUS = gettext_lazy(
    "A minimum age can only be checked for verified residents (the census has their birth "
    "dates) or voting-code holders (the city hands codes to people of age): choose those for "
    "voting, or leave the age empty.")
THEMES_NEED_NAMES = gettext_lazy("A consultation needs at least one theme, each with a name.")
SLUG_TAKEN = gettext_lazy("The city already has a consultation with this address.")

#: What a person may set on a consultation (the web form and the API offer these).
EDITABLE = frozenset({
    "title", "description", "plan_start_year", "plan_end_year", "budget", "currency",
    "proposals_open_at", "proposals_close_at", "voting_opens_at", "voting_closes_at",
    "results_at", "voting_method", "max_choices", "max_points", "counting_rule", "min_supports",
    "min_votes", "eligibility", "proposing_eligibility", "supporting_eligibility", "minimum_age",
    "flags_to_hide", "requires_assessment",
})

#: The dates a consultation may have (further ones are typing mistakes, and the extremes of the
#: calendar do not survive a conversion to UTC).
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(3000, 1, 1, tzinfo=UTC)

#: The phases' dates in order, each with whether it must come strictly after the one before.
PHASE_ORDER = (
    ("proposals_open_at", False),
    ("proposals_close_at", True),
    ("voting_opens_at", False),
    ("voting_closes_at", True),
    ("results_at", False),
)


# --- who may act --------------------------------------------------------------------------------


def ensure_can_set_up(*, user: AbstractBaseUser, city: City) -> None:
    if not perms.can_set_up_consultations(user, city):
        raise NotAllowed(str(SETUP_NOT_ALLOWED))


def ensure_can_edit_consultation(*, user: AbstractBaseUser, consultation: Consultation) -> None:
    if not perms.can_edit_consultation(user, consultation):
        raise NotAllowed(str(SETUP_NOT_ALLOWED))


# --- checks -------------------------------------------------------------------------------------


def consultation_check(consultation: Consultation) -> None:
    """The consultation's rules, each on the field at fault (the database constraints behind
    them give the same messages): a positive budget, a plan period that does not end before it
    starts, phases in order, a voting method with its limit."""
    if consultation.budget is not None and consultation.budget <= 0:
        raise ServiceError(str(BUDGET_POSITIVE), field="budget")
    start, end = consultation.plan_start_year, consultation.plan_end_year
    if start is not None and end is not None and end < start:
        raise ServiceError(str(PERIOD_ORDERED), field="plan_end_year")
    for name, _strict in PHASE_ORDER:
        moment = getattr(consultation, name)
        if moment is not None and not EARLIEST <= moment < LATEST:
            raise ServiceError(_("Give a date between the years 1900 and 2999."), field=name)
    for (before, _strict), (after, strict) in zip(PHASE_ORDER, PHASE_ORDER[1:], strict=False):
        earlier, later = getattr(consultation, before), getattr(consultation, after)
        if earlier is None or later is None:
            continue
        if later < earlier or (strict and later == earlier):
            raise ServiceError(str(PHASES_ORDERED), field=after)
    if consultation.minimum_age and not _knows_ages(consultation):
        raise ServiceError(str(MINIMUM_AGE_NEEDS_CENSUS), field="minimum_age")
    method = consultation.voting_method
    if method == VotingMethod.APPROVAL and not consultation.max_choices:
        raise ServiceError(str(APPROVAL_NEEDS_MAX_CHOICES), field="max_choices")
    if method == VotingMethod.CUMULATIVE and not consultation.max_points:
        raise ServiceError(str(CUMULATIVE_NEEDS_POINTS), field="max_points")


def _knows_ages(consultation: Consultation) -> bool:
    """A minimum age is checked against the census's birth dates (verified residents, for
    every action open to them only) or left to whoever hands out the voting codes; with any
    other voting eligibility nobody could check it."""
    return consultation.eligibility in (Eligibility.VERIFIED, Eligibility.CODE,
                                        Eligibility.VERIFIED_OR_CODE)


def frozen_rules_message(fields: Sequence[str]) -> str:
    """Why these voting rules cannot change (voting has opened), naming them as people do."""
    names = ", ".join(str(Consultation._meta.get_field(name).verbose_name) for name in fields)
    return _("Voting has opened: the voting rules (%(fields)s) can no longer change.") % {
        "fields": names}


# --- the writes every caller shares -------------------------------------------------------------


@transaction.atomic
def consultation_create(
    *, city: City, title: str, slug: str = "", themes: bool = True,
    translations: Mapping[str, Mapping[str, str]] | None = None, **fields: Any
) -> Consultation:
    """Create a consultation with the network's default themes; ``translations`` gives its
    title and description in other languages (``{"title": {"en": …}}``)."""
    fields.setdefault("currency", city.currency)
    consultation = Consultation(city=city, title=title, slug=slug or slugify(title)[:120], **fields)
    apply_translations(consultation, translations)
    consultation_check(consultation)
    if Consultation.objects.filter(city=city, slug=consultation.slug).exists():
        raise ServiceError(str(SLUG_TAKEN), field="slug")
    validated(consultation)
    consultation.save()
    if themes:
        Theme.objects.bulk_create(default_themes(consultation))
    return consultation


def default_themes(consultation: Consultation) -> list[Theme]:
    """The network's themes, named in each of the site's languages (a theme is content: once
    created, staff rename it in any language)."""
    themes = []
    for position, (slug, name) in enumerate(DEFAULT_THEMES):
        theme = Theme(consultation=consultation, slug=slug, position=position)
        names = {}
        for code in language_codes():
            with translation.override(code):
                names[code] = str(name)
        set_translations(theme, "name", names)
        themes.append(theme)
    return themes


@transaction.atomic
def consultation_update(
    *, consultation: Consultation, now: datetime | None = None,
    translations: Mapping[str, Mapping[str, str]] | None = None, **changes: Any
) -> Consultation:
    """Change a consultation (and its texts in other languages); its voting rules are frozen
    once voting has opened."""
    locked = Consultation.objects.select_for_update().select_related("city").get(
        pk=consultation.pk)
    frozen = [
        name
        for name in Consultation.VOTING_RULE_FIELDS
        if name in changes and changes[name] != getattr(locked, name)
    ]
    if frozen and locked.voting_has_opened(now):
        raise ServiceError(frozen_rules_message(frozen))
    for name, value in changes.items():
        setattr(locked, name, value)
    apply_translations(locked, translations)
    consultation_check(locked)
    validated(locked)
    locked.save()
    return locked


# --- the same for a person: the check, and the themes -------------------------------------------


@transaction.atomic
def consultation_set_up(
    *, user: AbstractBaseUser, city: City, title: str, slug: str = "",
    themes: Sequence[Mapping[str, Any]] | None = None,
    translations: Mapping[str, Mapping[str, str]] | None = None, **fields: Any,
) -> Consultation:
    """A city's administrator (or planner, where the city allows it) creates a consultation;
    without `themes`, it starts with the network's default ones."""
    ensure_can_set_up(user=user, city=city)
    _editable_only(fields)
    consultation = consultation_create(
        city=city, title=title, slug=slug, themes=themes is None, translations=translations,
        **fields)
    if themes is not None:
        themes_apply(consultation=consultation, themes=themes)
    return consultation


@transaction.atomic
def consultation_edit(
    *, user: AbstractBaseUser, consultation: Consultation, now: datetime | None = None,
    themes: Sequence[Mapping[str, Any]] | None = None,
    translations: Mapping[str, Mapping[str, str]] | None = None, **changes: Any,
) -> Consultation:
    """The city's administrator (or planner, where allowed) edits a consultation; the voting
    rules refuse to change once voting has opened, and nothing is saved then."""
    ensure_can_edit_consultation(user=user, consultation=consultation)
    _editable_only(changes)
    updated = consultation_update(consultation=consultation, now=now,
                                  translations=translations, **changes)
    if themes is not None:
        themes_apply(consultation=updated, themes=themes)
    return updated


def _editable_only(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ServiceError(_("These fields cannot be edited: %s") % ", ".join(sorted(unknown)))


def themes_apply(*, consultation: Consultation, themes: Sequence[Mapping[str, Any]]) -> None:
    """Make the consultation's themes these, in this order: an item with an `id` renames (and
    moves) that theme, one without adds a theme; a theme left out is removed — refused if it
    has proposals. Slugs stay as they were (links keep working); a new theme gets one from its
    name."""
    if not themes:
        raise ServiceError(str(THEMES_NEED_NAMES), field="themes")
    existing = {theme.pk: theme for theme in
                Theme.objects.select_for_update().filter(consultation=consultation)}
    kept = [item.get("id") for item in themes if item.get("id") is not None]
    if len(set(kept)) != len(kept) or not set(kept) <= set(existing):
        raise ServiceError(_("Name only themes of this consultation, each once."),
                           field="themes")
    removed = set(existing) - set(kept)
    in_use = (Theme.objects.filter(pk__in=removed, proposals__isnull=False)
              .order_by("position", "pk").first())
    if in_use is not None:
        raise ServiceError(str(THEME_HAS_PROPOSALS) % {"name": in_use.name}, field="themes")
    Theme.objects.filter(pk__in=removed).delete()
    slugs = {theme.slug for pk, theme in existing.items() if pk not in removed}
    changed, added = [], []
    for position, item in enumerate(themes):
        theme = existing[item["id"]] if item.get("id") is not None else Theme(
            consultation=consultation)
        if "name" in item:  # in the request's language
            theme.name = (item.get("name") or "").strip()
        if "description" in item:
            theme.description = (item.get("description") or "").strip()
        apply_translations(theme, item.get("translations"))
        if not any(text.strip() for text in translations(theme, "name").values()):
            raise ServiceError(str(THEMES_NEED_NAMES), field="themes")
        theme.position = position
        if theme.pk is None:
            theme.slug = _free_slug(str(theme.name), slugs)
        validated(theme)
        (changed if theme.pk else added).append(theme)
    Theme.objects.bulk_update(changed, [*language_columns("name", "description"), "position"])
    Theme.objects.bulk_create(added)


def _free_slug(name: str, taken: set[str]) -> str:
    base = slugify(name)[:70] or "theme"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug
