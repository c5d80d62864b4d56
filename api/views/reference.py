"""Reference data: cities, organisations, consultations and their themes."""
from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from consult import services as consult_services
from consult.models import City, Consultation, Organisation, Theme

from .. import serializers as s
from ..filters import ConsultationFilter
from ._common import ApiDefaults, consultation_or_404, load, parsed


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
    """Consultations with their current phase (filter by city and by phase now). POST: the
    city's administrators (and its planners where the city allows it) set one up."""

    queryset = Consultation.objects.select_related("city").order_by("-voting_opens_at", "pk")
    serializer_class = s.ConsultationSerializer
    filterset_class = ConsultationFilter

    @extend_schema(request=s.ConsultationWriteSerializer,
                   responses={201: s.ConsultationDetailSerializer})
    def post(self, request):
        city = load(City, parsed(s.ConsultationWriteSerializer, request)["city"], "city")
        with timezone.override(city.tzinfo):  # times without an offset are the city's
            data = parsed(s.ConsultationWriteSerializer, request)
        data.pop("city")
        consultation = consult_services.consultation_set_up(
            user=request.user, city=city, themes=data.pop("themes", None),
            translations=s.translations_of(data, "title", "description"), **data)
        return consultation_response(consultation.pk, status=status.HTTP_201_CREATED)


def consultation_response(pk: int, *, status: int = 200) -> Response:
    consultation = (Consultation.objects.select_related("city").prefetch_related("themes")
                    .get(pk=pk))
    return Response(s.ConsultationDetailSerializer(consultation).data, status=status)


class ConsultationDetail(ApiDefaults, generics.RetrieveAPIView):
    """A consultation with its phase, themes and headline counts. PATCH: the city's
    administrators (and its planners where the city allows it) change it; its voting rules
    are frozen once voting has opened."""

    queryset = Consultation.objects.select_related("city").prefetch_related("themes")
    serializer_class = s.ConsultationDetailSerializer

    @extend_schema(request=s.ConsultationUpdateSerializer,
                   responses=s.ConsultationDetailSerializer)
    def patch(self, request, pk: int):
        consultation = consultation_or_404(pk)
        with timezone.override(consultation.city.tzinfo):
            data = parsed(s.ConsultationUpdateSerializer, request, partial=True)
        consult_services.consultation_edit(
            user=request.user, consultation=consultation, themes=data.pop("themes", None),
            translations=s.translations_of(data, "title", "description"), **data)
        return consultation_response(pk)


class ThemeList(ApiDefaults, generics.ListAPIView):
    queryset = Theme.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.ThemeSerializer

    def get_queryset(self):
        consultation = consultation_or_404(self.kwargs["pk"])
        return consultation.themes.order_by("position", "name", "pk")
