from django.contrib import admin

from planning.admin import FrozenRecordAdmin

from .models import PopulationGroup, PublishedReport


@admin.register(PopulationGroup)
class PopulationGroupAdmin(admin.ModelAdmin):
    list_display = ("city", "dimension", "group", "population", "source")
    list_editable = ("population",)
    list_filter = ("city", "dimension")
    search_fields = ("group", "city__name")


@admin.register(PublishedReport)
class PublishedReportAdmin(FrozenRecordAdmin):
    """Read-only: published reports are frozen records (publish a new version from the
    report)."""

    list_display = ("title", "kind", "city", "version", "published_at", "published_by")
    list_filter = ("kind", "city")
    readonly_fields = [f.name for f in PublishedReport._meta.fields]
