from django.contrib import admin

from .models import PopulationGroup, PublishedReport


@admin.register(PopulationGroup)
class PopulationGroupAdmin(admin.ModelAdmin):
    list_display = ("city", "dimension", "group", "population", "source")
    list_editable = ("population",)
    list_filter = ("city", "dimension")
    search_fields = ("group", "city__name")


@admin.register(PublishedReport)
class PublishedReportAdmin(admin.ModelAdmin):
    """Read-only: published reports are immutable (publish a new version from the report)."""

    list_display = ("title", "kind", "city", "version", "published_at", "published_by")
    list_filter = ("kind", "city")
    readonly_fields = [f.name for f in PublishedReport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
