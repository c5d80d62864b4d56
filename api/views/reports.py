"""Published reports (frozen tables, charts and summary)."""
from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from reports import selectors as report_selectors
from reports.models import PublishedReport

from .. import serializers as s
from ._common import ApiDefaults, ApiView


class PublishedReportList(ApiDefaults, generics.ListAPIView):
    """Published reports (frozen: what the council saw stays what it saw), newest first."""

    serializer_class = s.PublishedReportSerializer
    filterset_fields = ["kind", "city", "consultation", "plan"]

    def get_queryset(self):
        return report_selectors.published_reports()

    queryset = PublishedReport.objects.none()  # for the schema; get_queryset() decides


class PublishedReportDetail(ApiView):
    """A published report's frozen tables, charts and summary."""

    @extend_schema(responses=s.PublishedReportDataSerializer)
    def get(self, request, pk: int):
        try:
            report = report_selectors.published_report_get(pk=pk)
        except PublishedReport.DoesNotExist as error:
            raise Http404(report_selectors.NO_SUCH_REPORT) from error
        return Response(s.PublishedReportDataSerializer(
            report_selectors.published_report_data(report)).data)
