"""Report records: the population a city compares its participants with, and published reports
whose figures are frozen at the moment of publication (what the council saw stays what it saw).

Workflows live in services.py, reads in the selectors package, permissions in rules.py.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consult.models import City, Consultation
from planning.models import ImmutableModel, StrategyPlan


class Dimension(models.TextChoices):
    DISTRICT = "district", _("District")
    AGE_BAND = "age_band", _("Age band")
    GENDER = "gender", _("Gender")
    ORGANISATION_KIND = "organisation_kind", _("Kind of organisation")


class PopulationGroup(models.Model):
    """How many inhabitants of a city belong to a group (e.g. district "Coyoacán", age band
    "18-29"), to compare participation with. ``group`` holds the value stored on participants
    (the district name, or the code of the age band, gender or kind of organisation)."""

    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="population_groups", verbose_name=_("city")
    )
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    group = models.CharField(
        _("group"), max_length=120,
        help_text=_("As stored on participants: the district's name, or the code of the age "
                    "band (u18, 18-29, 30-44, 45-64, 65+), gender or kind of organisation."),
    )
    population = models.PositiveIntegerField(_("population"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("population group")
        verbose_name_plural = _("population groups")
        ordering = ["city", "dimension", "group"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "dimension", "group"], name="unique_population_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city} · {self.get_dimension_display()} · {self.group}"


class PublishedReport(ImmutableModel):
    """A report frozen when a planner published it: all its tables and chart specifications
    in ``data``. Immutable: republishing creates a new, dated version."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Consultation results")
        PLAN = "plan", _("Strategy plan")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="published_reports", verbose_name=_("city")
    )
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, null=True, blank=True,
        related_name="published_reports", verbose_name=_("consultation"),
    )
    plan = models.ForeignKey(
        StrategyPlan, on_delete=models.PROTECT, null=True, blank=True,
        related_name="published_reports", verbose_name=_("plan"),
    )
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language"), max_length=8, blank=True)
    data = models.JSONField(_("frozen figures"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("published report")
        verbose_name_plural = _("published reports")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="consultation", consultation__isnull=False, plan__isnull=True)
                | Q(kind="plan", plan__isnull=False, consultation__isnull=True),
                name="published_report_subject_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["consultation", "version"], condition=Q(consultation__isnull=False),
                name="unique_consultation_report_version",
            ),
            models.UniqueConstraint(
                fields=["plan", "version"], condition=Q(plan__isnull=False),
                name="unique_plan_report_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} · v{self.version}"

    immutable_message = "Published reports are immutable; publish a new version instead."
    frozen_person_field = "published_by"

    @property
    def subject(self):
        return self.consultation if self.kind == self.Kind.CONSULTATION else self.plan
