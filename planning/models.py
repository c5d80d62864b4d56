"""Planning records. A CountRun is the immutable record of one count of a consultation."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consult.models import MONEY, Consultation, CountingRule


class CountRun(models.Model):
    """Rule, parameters, a hash of the inputs, the outcome and its explanation, time taken.

    Anyone can re-count from the exported anonymised ballots and get the same set: the hash lets
    them check they counted the same ballots.
    """

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="count_runs"
    )
    rule = models.CharField(_("rule"), max_length=16, choices=CountingRule.choices)
    min_votes = models.PositiveIntegerField(_("minimum votes"), default=0)
    tie_break = models.CharField(_("tie-break"), max_length=32, default="lexicographic")
    is_official = models.BooleanField(
        _("official"),
        default=False,
        help_text=_("The count that decides the consultation; others are comparisons."),
    )
    input_hash = models.CharField(_("input hash (sha256)"), max_length=64)
    n_ballots = models.PositiveIntegerField(_("ballots"))
    n_projects = models.PositiveIntegerField(_("proposals counted"))
    budget = models.DecimalField(_("budget"), **MONEY)
    total_cost = models.DecimalField(_("money allocated"), **MONEY)
    selected = models.JSONField(_("selected project ids"), default=list)
    selected_proposal_ids = models.JSONField(_("selected proposals"), default=list)
    outcome = models.JSONField(_("outcome and explanation"), default=dict)
    engine_version = models.CharField(_("engine version"), max_length=32)
    duration_ms = models.PositiveIntegerField(_("time taken (ms)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("counted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("count run")
        verbose_name_plural = _("count runs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_cost__lte=models.F("budget")), name="count_within_budget"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation} · {self.get_rule_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Count runs are immutable records; count again instead.")
        super().save(*args, **kwargs)

    @property
    def explanations(self) -> dict[str, dict]:
        return self.outcome.get("explanations", {})
