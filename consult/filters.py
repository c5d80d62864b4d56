"""Filters of the proposal list, shared by the web pages and (later) the REST API."""
from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Mod
from django.utils.translation import gettext_lazy as _

from core.i18n import any_language

from . import selectors
from .models import Consultation, Organisation, Phase, Proposal, ProposalAssessment, Theme

#: A Mersenne prime: (pk × a + b) mod P is a different, stable shuffle for every seed (a, b).
SHUFFLE_PRIME = 2_147_483_647


class Ordering:
    SUPPORTED = "supported"
    NEWEST = "newest"
    RANDOM = "random"

    CHOICES = [
        (SUPPORTED, _("Most supported")),
        (NEWEST, _("Newest")),
        (RANDOM, _("Random order")),
    ]


def shuffled(queryset: QuerySet, seed: int) -> QuerySet:
    """A per-visitor random order computed by the database, stable across pages."""
    a = 1 + seed % (SHUFFLE_PRIME - 2)
    b = (seed // SHUFFLE_PRIME) % SHUFFLE_PRIME
    return queryset.order_by(Mod(F("pk") * a + b, SHUFFLE_PRIME), "pk")


def default_ordering(consultation: Consultation) -> str:
    """During voting, random order avoids position bias; otherwise most supported first."""
    return Ordering.RANDOM if consultation.phase == Phase.VOTING else Ordering.SUPPORTED


class ProposalFilter(django_filters.FilterSet):
    """Filter and sort the proposals of one consultation.

    Pass `consultation` (for the choices) and, for the random order, `seed`.
    """

    q = django_filters.CharFilter(
        label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"), queryset=Theme.objects.none(), to_field_name="slug",
        empty_label=_("All themes"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(s.value, s.label) for s in selectors.VISIBLE_STATUSES],
        empty_label=_("All statuses"),
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=Organisation.objects.none(), to_field_name="slug",
        empty_label=_("Any author"),
    )
    district = django_filters.ChoiceFilter(
        label=_("District"), choices=[], empty_label=_("All districts")
    )
    order = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=Ordering.CHOICES, method="sort", empty_label=None
    )

    class Meta:
        model = Proposal
        fields = ["q", "theme", "status", "organisation", "district", "order"]

    def __init__(self, data=None, queryset=None, *, consultation: Consultation, seed: int = 0,
                 **kwargs):
        self.consultation = consultation
        self.seed = seed
        super().__init__(data, queryset, **kwargs)
        self.filters["theme"].queryset = consultation.themes.all()
        self.filters["organisation"].queryset = Organisation.objects.filter(
            city_id=consultation.city_id, proposals__consultation=consultation
        ).distinct()
        districts = selectors.proposal_districts(consultation=consultation)
        self.filters["district"].extra["choices"] = [(d, d) for d in districts]
        # A filter caches its form field once built (schema generation builds the class-level
        # ones); drop any copy so that the choices and querysets set above are used.
        for name in ("theme", "organisation", "district"):
            self.filters[name].__dict__.pop("_field", None)

    @property
    def ordering(self) -> str:
        value = self.form.cleaned_data.get("order") if self.form.is_valid() else None
        return value or default_ordering(self.consultation)

    @property
    def qs(self):
        queryset = super().qs
        # An absent "order" parameter never reaches sort(): apply the default here.
        if not (self.form.is_valid() and self.form.cleaned_data.get("order")):
            queryset = self.sort(queryset, "order", default_ordering(self.consultation))
        return queryset

    def search(self, queryset, name, value):
        for word in value.split()[:8]:
            queryset = queryset.filter(
                any_language("icontains", word, "title", "summary", "body")
            )
        return queryset

    def sort(self, queryset, name, value):
        if value == Ordering.RANDOM:
            return shuffled(queryset, self.seed)
        if value == Ordering.NEWEST:
            return queryset.order_by("-published_at", "-pk")
        return queryset.order_by("-support_count", "-published_at", "-pk")


class ReviewState:
    TO_ASSESS = "to_assess"
    FEASIBLE = "feasible"
    NOT_FEASIBLE = "not_feasible"

    CHOICES = [
        (TO_ASSESS, ProposalAssessment.Verdict.PENDING.label),
        (FEASIBLE, ProposalAssessment.Verdict.FEASIBLE.label),
        (NOT_FEASIBLE, ProposalAssessment.Verdict.NOT_FEASIBLE.label),
    ]


#: The reviewer filter's value for proposals assigned to nobody.
UNASSIGNED = "none"


class ReviewFilter(django_filters.FilterSet):
    """Filter the proposals of a consultation under review, for the review dashboard."""

    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"), queryset=Theme.objects.none(), to_field_name="slug",
        empty_label=_("All themes"),
    )
    reviewer = django_filters.ChoiceFilter(
        label=_("Reviewer"), choices=[], empty_label=_("Any reviewer"), method="by_reviewer",
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=ReviewState.CHOICES, empty_label=_("All states"),
        method="by_state",
    )

    class Meta:
        model = Proposal
        fields = ["theme", "reviewer", "state"]

    def __init__(self, data=None, queryset=None, *, consultation: Consultation, reviewers,
                 **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["theme"].queryset = consultation.themes.all()
        self.filters["reviewer"].extra["choices"] = [(UNASSIGNED, _("Nobody yet"))] + [
            (str(user.pk), user.get_username()) for user in reviewers]
        for name in ("theme", "reviewer"):
            self.filters[name].__dict__.pop("_field", None)

    def by_reviewer(self, queryset, name, value):
        if value == UNASSIGNED:
            return queryset.filter(assessment__reviewer__isnull=True)  # no row, or nobody
        return queryset.filter(assessment__reviewer_id=int(value))

    def by_state(self, queryset, name, value):
        if value == ReviewState.TO_ASSESS:
            return queryset.filter(Q(assessment__isnull=True) | Q(assessment__verdict=""))
        return queryset.filter(assessment__verdict=value)
