"""Reference data: cities, organisations, consultations and their themes."""
from __future__ import annotations

from rest_framework import generics

from consult.models import City, Consultation, Organisation, Theme

from .. import serializers as s
from ..filters import ConsultationFilter
from ._common import ApiDefaults, consultation_or_404


class CityList(ApiDefaults, generics.ListAPIView):
    """The network's cities."""

    queryset = City.objects.order_by("kind", "name")
    serializer_class = s.CitySerializer
    filterset_fields = ["kind", "country", "slug"]


class CityDetail(ApiDefaults, generics.RetrieveAPIView):
    queryset = City.objects.all()
    serializer_class = s.CitySerializer


class OrganisationList(ApiDefaults, generics.ListAPIView):
    """Civil-society organisations (their members are not shown)."""

    queryset = Organisation.objects.order_by("name", "pk")
    serializer_class = s.OrganisationSerializer
    filterset_fields = ["city", "kind"]


class OrganisationDetail(ApiDefaults, generics.RetrieveAPIView):
    queryset = Organisation.objects.all()
    serializer_class = s.OrganisationSerializer


class ConsultationList(ApiDefaults, generics.ListAPIView):
    """Consultations with their current phase (filter by city and by phase now)."""

    queryset = Consultation.objects.select_related("city").order_by("-voting_opens_at", "pk")
    serializer_class = s.ConsultationSerializer
    filterset_class = ConsultationFilter


class ConsultationDetail(ApiDefaults, generics.RetrieveAPIView):
    """A consultation with its phase, themes and headline counts."""

    queryset = Consultation.objects.select_related("city").prefetch_related("themes")
    serializer_class = s.ConsultationDetailSerializer


class ThemeList(ApiDefaults, generics.ListAPIView):
    queryset = Theme.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.ThemeSerializer

    def get_queryset(self):
        consultation = consultation_or_404(self.kwargs["pk"])
        return consultation.themes.order_by("position", "name", "pk")
