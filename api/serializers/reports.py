"""Published reports."""
from __future__ import annotations

from rest_framework import serializers


class PublishedReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=[("consultation", "consultation"), ("plan", "plan")])
    title = serializers.CharField()
    version = serializers.IntegerField()
    language = serializers.CharField(allow_blank=True)
    city = serializers.CharField(source="city.slug", help_text="The city's slug.")
    consultation = serializers.IntegerField(source="consultation_id", allow_null=True)
    plan = serializers.IntegerField(source="plan_id", allow_null=True)
    published_at = serializers.DateTimeField()


class PublishedReportDataSerializer(serializers.Serializer):
    """`reports.selectors.published_report_data`: the frozen figures of a published report."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    version = serializers.IntegerField()
    language = serializers.CharField(allow_blank=True)
    city = serializers.CharField()
    consultation = serializers.IntegerField(allow_null=True)
    plan = serializers.IntegerField(allow_null=True)
    published_at = serializers.CharField()
    published_by = serializers.CharField(allow_null=True)
    meta = serializers.JSONField()
    summary = serializers.JSONField()
    tables = serializers.JSONField(help_text="Tables by name: title, columns, rows.")
    charts = serializers.JSONField(help_text="Plotly chart specifications.")
