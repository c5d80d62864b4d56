"""Filter sets of the API. The proposal list reuses the web's `consult.filters.ProposalFilter`
(same search, theme, status, organisation, district and order); this module only adapts it to
DRF's filter backend and adds the filters the web has no page for."""
from __future__ import annotations

import hashlib

import django_filters
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_filters.utils import translate_validation
from rest_framework.filters import BaseFilterBackend

from consult.filters import ProposalFilter
from consult.models import City, Consultation, Phase
from planning.models import CountRun

SEED_MAX = 2**62


def order_seed(request, consultation: Consultation) -> int:
    """The seed of the random order (used during voting): the `seed` parameter when given, else
    stable per user (or per session), so that pages of the same list never overlap."""
    raw = request.query_params.get("seed", "")
    if raw.isdigit() and len(raw) < 20:
        return int(raw) % SEED_MAX
    session = getattr(request._request, "session", None)
    if request.user.is_authenticated:
        key = f"{settings.SECRET_KEY}:user:{request.user.pk}"
    elif session is not None and session.session_key:
        key = f"{settings.SECRET_KEY}:session:{session.session_key}"
    else:
        return 0
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % SEED_MAX


class ProposalFilterBackend(BaseFilterBackend):
    """Filters with `ProposalFilter`, which needs the consultation and a seed.

    Deliberately not a DjangoFilterBackend: drf-spectacular introspects those filter sets'
    class-level filters, which caches a form field on `ProposalFilter.base_filters["district"]`
    with no choices, and every later list (web included) would then refuse any district. The
    view documents the parameters itself."""

    def filter_queryset(self, request, queryset, view):
        filterset = ProposalFilter(
            request.query_params, queryset, consultation=view.consultation,
            seed=order_seed(request, view.consultation),
        )
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filterset.qs


class ConsultationFilter(django_filters.FilterSet):
    city = django_filters.ModelChoiceFilter(queryset=City.objects.all(), label="City id")
    city_slug = django_filters.CharFilter(field_name="city__slug", label="City slug")
    phase = django_filters.ChoiceFilter(choices=Phase.choices, method="filter_phase",
                                        label="Phase now")

    class Meta:
        model = Consultation
        fields = ["city", "city_slug", "phase"]

    def filter_phase(self, queryset, name, value):
        """The database form of `Consultation.phase_at(now)` (tests check they agree): each
        phase includes its start and excludes its end."""
        now = timezone.now()
        bounds = {
            Phase.UPCOMING: (None, "proposals_open_at"),
            Phase.PROPOSALS: ("proposals_open_at", "proposals_close_at"),
            Phase.REVIEW: ("proposals_close_at", "voting_opens_at"),
            Phase.VOTING: ("voting_opens_at", "voting_closes_at"),
            Phase.COUNTING: ("voting_closes_at", "results_at"),
            Phase.RESULTS: ("results_at", None),
        }
        start, end = bounds[Phase(value)]
        condition = Q()
        if start:
            condition &= Q(**{f"{start}__lte": now})
        if end:
            condition &= Q(**{f"{end}__gt": now})
        return queryset.filter(condition)


class CountRunFilter(django_filters.FilterSet):
    #: Annotated by CountRun's manager from the consultation's latest OfficialChoice.
    is_official = django_filters.BooleanFilter(field_name="is_official")

    class Meta:
        model = CountRun
        fields = ["consultation", "rule", "is_official"]
