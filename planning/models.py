"""Planning records. A CountRun is the immutable record of one count of a consultation; a
StrategyPlan is drafted from it and frozen into PlanVersions for the council's review."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.models import (
    CURRENCY_VALIDATOR,
    MONEY,
    City,
    Consultation,
    CountingRule,
    Proposal,
    Theme,
)
from core.formatting import format_money, format_number
from core.validation import period_ordered

from .immutable import FrozenManager, FrozenRecord

NEGATIVE_AMOUNT = _("An amount cannot be negative.")
#: The severity of a plan check that breaks a limit (planning.selectors.checks); submitting or
#: approving a version with such a finding needs an explicit override with a reason.
CHECK_ERROR = "error"
OVERRIDE_NEEDS_REASON = _("Overriding the checks needs a reason.")
RETURN_NEEDS_REASON = _("Returning a plan needs a reason.")


class TieBreak(models.TextChoices):
    """How a count breaks ties (the engine's `planning.counting.TieBreak`), in the planners'
    words; `TIE_BREAK_WORDS` says the same for the public."""

    LEXICOGRAPHIC = "lexicographic", _("By proposal id (pabutools' default)")
    VOTES_THEN_COST = "votes-then-cost", _("Most votes, then lowest cost")


#: A tie-break explained to anybody reading a report or a results page (docs/counting.md).
TIE_BREAK_WORDS = {
    TieBreak.LEXICOGRAPHIC: _("Ties go to the proposal whose id in the ballot file comes first, "
                              "read as text (so 10 comes before 9)"),
    TieBreak.VOTES_THEN_COST: _("Ties go to the proposal with more votes, then to the cheaper "
                                "one, then to the one whose id comes first"),
}


class Add1Stop(models.TextChoices):
    """When the Method of Equal Shares with the budget raised stops raising it."""

    EXHAUSTIVE = "exhaustive", _("When the selection is exhaustive")
    OVERSPEND = "overspend", _("Just before the budget would be overspent")


class Comparison(models.TextChoices):
    """How an Equal Shares outcome is compared with the greedy one."""

    SATISFACTION = "satisfaction", _("By satisfaction")
    EXCLUSION = "exclusion", _("By exclusion")


#: A count's options (CountRun.options) in words: the option's name and its values' labels.
COUNT_OPTIONS = {
    "add1_stop": (_("Raising the budget stops"), dict(Add1Stop.choices)),
    "comparison": (_("Comparison with greedy"), dict(Comparison.choices)),
}


def count_options_text(options: dict | None) -> list[str]:
    """A count's options as "name: value" phrases in the active language (an option the code
    does not know is shown as it is)."""
    phrases = []
    for name, value in (options or {}).items():
        label, values = COUNT_OPTIONS.get(name, (name, {}))
        phrases.append(f"{label}: {values.get(value, value)}")
    return phrases


class ImmutableModel(models.Model):
    """A record that is written once: counts, plan versions, review decisions, published
    reports. Changing one would change what somebody already saw or decided on.

    Frozen three times over (planning/immutable.py): the instance refuses save() once saved
    and delete(); the manager refuses update(), delete() and bulk updates; database triggers
    (migration operation FreezeRecords) refuse UPDATE and DELETE from anywhere. The one change
    allowed everywhere: ``frozen_person_field`` becomes NULL when that person's account is
    deleted."""

    immutable_message = "{name} records are immutable; create a new one."
    #: The person who made the record (on_delete=SET_NULL): the one field that may change,
    #: to NULL, when their account is deleted.
    frozen_person_field = "created_by"

    objects = FrozenManager()

    class Meta:
        abstract = True
        # Related lookups and the deletion collector go through the base manager: frozen too.
        base_manager_name = "objects"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FrozenRecord(self.immutable_message.format(name=type(self).__name__))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenRecord(self.immutable_message.format(name=type(self).__name__))


class CountRunManager(FrozenManager):
    """Every CountRun read says whether it is *now* the official count: ``is_official`` is
    annotated from the consultation's latest OfficialChoice (so ``filter(is_official=True)``
    works and is never stale; the choice, not the count, records who decided and why)."""

    def get_queryset(self):
        latest = (OfficialChoice.objects.filter(consultation_id=OuterRef("consultation_id"))
                  .order_by("-created_at", "-pk").values("count_run_id")[:1])
        return super().get_queryset().annotate(is_official=Case(
            When(pk=Subquery(latest), then=Value(True)), default=Value(False),
            output_field=models.BooleanField()))


#: The key of a count's outcome that holds the plain greedy count of the same ballots (same
#: minimum votes and tie-break), counted with it (``planning.services.greedy_comparison``):
#: ``selected``, ``selected_proposal_ids``, ``n_selected``, ``allocated`` (a decimal string),
#: ``voters_funded``. Greedy counts and counts made before it was recorded have none.
COMPARED_WITH_GREEDY = "compared_with_greedy"


class CountRun(ImmutableModel):
    """Rule, parameters, a hash of the inputs, the outcome and its explanation, time taken.

    Anyone can re-count from the exported anonymised ballots and get the same set: the hash lets
    them check they counted the same ballots. Which count is official is not part of the count:
    it is the consultation's latest OfficialChoice (``is_official`` is annotated by the manager).
    """

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="count_runs"
    )
    rule = models.CharField(_("rule"), max_length=16, choices=CountingRule.choices)
    min_votes = models.PositiveIntegerField(_("minimum votes"), default=0)
    tie_break = models.CharField(_("tie-break"), max_length=32, default="lexicographic")
    options = models.JSONField(_("rule options"), default=dict, blank=True)
    input_hash = models.CharField(_("input hash (sha256)"), max_length=64)
    n_ballots = models.PositiveIntegerField(_("ballots"))
    n_projects = models.PositiveIntegerField(_("proposals counted"))
    budget = models.DecimalField(_("budget"), **MONEY)
    total_cost = models.DecimalField(_("money allocated"), **MONEY)
    selected = models.JSONField(_("selected project ids"), default=list)
    selected_proposal_ids = models.JSONField(_("selected proposals"), default=list)
    outcome = models.JSONField(_("outcome and explanation"), default=dict)
    voters_funded = models.PositiveIntegerField(
        _("voters with a funded proposal"), null=True, blank=True,
        help_text=_("Ballots with at least one selected proposal, counted with the count."),
    )
    engine_version = models.CharField(_("engine version"), max_length=32)
    duration_ms = models.PositiveIntegerField(_("time taken (ms)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("counted at"), auto_now_add=True)

    objects = CountRunManager()

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

    immutable_message = "Count runs are immutable records; count again instead."

    @property
    def explanations(self) -> dict[str, dict]:
        return self.outcome.get("explanations", {})

    @property
    def money_left(self):
        return self.budget - self.total_cost

    @property
    def compared_with_greedy(self) -> dict | None:
        """The plain greedy count stored with this count (None for greedy counts and old ones)."""
        return self.outcome.get(COMPARED_WITH_GREEDY) or None

    @property
    def share_funded(self) -> float | None:
        """The share of ballots with at least one selected proposal (None for counts made
        before it was recorded)."""
        if self.voters_funded is None:
            return None
        return self.voters_funded / self.n_ballots if self.n_ballots else 0.0


class OfficialChoice(ImmutableModel):
    """A planner's choice of the count that decides a consultation, with the reason. Choosing
    again is a new choice with its own reason; the latest one is the official count and the
    earlier ones stay as its history."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="official_choices"
    )
    count_run = models.ForeignKey(
        CountRun, on_delete=models.PROTECT, related_name="official_choices",
        verbose_name=_("count"),
    )
    reason = models.TextField(_("reason"), max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("chosen at"), default=timezone.now, editable=False)

    immutable_message = "Official choices are immutable records; choose again instead."

    class Meta:
        verbose_name = _("official count choice")
        verbose_name_plural = _("official count choices")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["consultation", "-created_at", "-id"],
                                name="official_choice_latest")]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="official_choice_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.consultation} · {self.count_run_id}"


class ResultsPublication(ImmutableModel):
    """Publishing a consultation's results: from then on its public results show the official
    count (whichever it is: the latest OfficialChoice). At most one per consultation."""

    consultation = models.OneToOneField(
        Consultation, on_delete=models.PROTECT, related_name="results_publication"
    )
    official_choice = models.ForeignKey(
        OfficialChoice, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("official count when published"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("published at"), default=timezone.now, editable=False)

    immutable_message = "Results publications are immutable records."

    class Meta:
        verbose_name = _("results publication")
        verbose_name_plural = _("results publications")

    def __str__(self) -> str:
        return f"{self.consultation} · {self.created_at:%Y-%m-%d}"


class CountJob(models.Model):
    """A request to count a consultation, carried out by a worker: counting reads every ballot,
    which at city scale takes seconds, so it never runs in a web request. The job says where the
    count is (queued, running, done with its CountRun, or failed with the reason); at most one
    job per consultation is under way at a time (a database constraint)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Counting")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    UNDER_WAY = (State.QUEUED, State.RUNNING)

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="count_jobs"
    )
    rule = models.CharField(_("rule"), max_length=16, choices=CountingRule.choices)
    min_votes = models.PositiveIntegerField(_("minimum votes"), default=0)
    tie_break = models.CharField(_("tie-break"), max_length=32, default="lexicographic")
    options = models.JSONField(_("rule options"), default=dict, blank=True)
    official = models.BooleanField(_("official"), default=False)
    state = models.CharField(_("state"), max_length=8, choices=State.choices,
                             default=State.QUEUED)
    error = models.TextField(_("why it failed"), blank=True)
    count_run = models.OneToOneField(
        CountRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="job"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("count job")
        verbose_name_plural = _("count jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation"], condition=Q(state__in=["queued", "running"]),
                name="one_count_under_way_per_consultation",
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | Q(count_run__isnull=False),
                name="done_count_job_has_its_run",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation} · {self.get_state_display()}"

    @property
    def under_way(self) -> bool:
        return self.state in self.UNDER_WAY


# --- strategy plans ----------------------------------------------------------------------------
# A plan drafted from a count: objectives (strategic axes), actions (plan lines traceable to the
# citizens' proposals), budget lines per year and indicators, IATI-aligned where it fits.
# Workflows live in services.py; these models hold fields, constraints and small properties.


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


class StrategyPlan(models.Model):
    """A city's multiannual strategy plan. The live, editable working copy; what the council
    reviewed and approved is kept in frozen PlanVersion snapshots."""

    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="plans", verbose_name=_("city")
    )
    #: The foreign keys to the city whose default language its texts fall back to (core.i18n).
    CONTENT_CITY = ("city",)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    envelope = models.DecimalField(
        _("total envelope"), **MONEY, null=True, blank=True,
        help_text=_("The money available over the whole period; empty for no limit."),
    )
    consultations = models.ManyToManyField(
        Consultation, related_name="plans", blank=True, verbose_name=_("source consultations")
    )
    count_run = models.ForeignKey(
        CountRun, on_delete=models.PROTECT, null=True, blank=True, related_name="plans",
        verbose_name=_("source count"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    approved_version = models.ForeignKey(
        "PlanVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("approved version"),
        help_text=_("The version in force: public, and the basis for monitoring."),
    )
    draft_report = models.JSONField(
        _("draft report"), default=dict, blank=True,
        help_text=_("What drafting from the count did: actions shifted, conflicts left."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("strategy plan")
        verbose_name_plural = _("strategy plans")
        ordering = ["-start_year", "-pk"]
        constraints = [
            period_ordered(start="start_year", end="end_year", name="plan_period_ordered"),
            models.CheckConstraint(
                condition=Q(envelope__isnull=True) | Q(envelope__gte=0),
                name="plan_envelope_not_negative",
                violation_error_message=_("The envelope cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    @property
    def is_editable(self) -> bool:
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)


class PlanYearCeiling(models.Model):
    """The most the plan may spend in one year."""

    plan = models.ForeignKey(StrategyPlan, on_delete=models.CASCADE, related_name="ceilings")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("ceiling"), **MONEY)

    class Meta:
        verbose_name = _("annual ceiling")
        verbose_name_plural = _("annual ceilings")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="unique_plan_year_ceiling"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="plan_ceiling_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"


class ResultLevel(models.TextChoices):
    OUTPUT = "output", _("Output")
    OUTCOME = "outcome", _("Outcome")
    IMPACT = "impact", _("Impact")


class Objective(models.Model):
    """A strategic axis of the plan (by default one per consultation theme)."""

    plan = models.ForeignKey(StrategyPlan, on_delete=models.CASCADE, related_name="objectives")
    #: The foreign keys to the city whose default language its texts fall back to (core.i18n).
    CONTENT_CITY = ("plan", "city")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("consultation theme"),
    )
    result_level = models.CharField(
        _("result level"), max_length=8, choices=ResultLevel.choices,
        default=ResultLevel.OUTCOME,
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Action(models.Model):
    """A plan line, traceable to the proposals it comes from."""

    plan = models.ForeignKey(StrategyPlan, on_delete=models.CASCADE, related_name="actions")
    objective = models.ForeignKey(
        Objective, on_delete=models.PROTECT, related_name="actions", verbose_name=_("objective")
    )
    #: The foreign keys to the city whose default language its texts fall back to (core.i18n).
    CONTENT_CITY = ("plan", "city")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    department = models.CharField(_("responsible department"), max_length=200, blank=True)
    partner_cities = models.ManyToManyField(
        City, related_name="partner_actions", blank=True, verbose_name=_("partner cities")
    )
    partners = models.CharField(
        _("partner organisations and networks"), max_length=300, blank=True
    )
    proposals = models.ManyToManyField(
        Proposal, related_name="plan_actions", blank=True,
        verbose_name=_("citizens' proposals behind it"),
    )
    rank = models.PositiveIntegerField(
        _("rank in the count"), null=True, blank=True,
        help_text=_("Position in the count's selection order; empty for actions added by hand."),
    )

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = [models.F("rank").asc(nulls_last=True), "pk"]

    def __str__(self) -> str:
        return self.title


class FundingSource(models.TextChoices):
    MUNICIPAL = "municipal", _("Municipal budget")
    NATIONAL = "national", _("National government")
    INTERNATIONAL = "international", _("EU / international cooperation")
    PARTNER_CITY = "partner_city", _("Partner city")
    PRIVATE = "private", _("Private")
    OTHER = "other", _("Other")


class BudgetLine(models.Model):
    """Money for one action in one year (IATI: budget per period of at most one year)."""

    class Type(models.TextChoices):
        ORIGINAL = "original", _("Original")
        REVISED = "revised", _("Revised")

    class Status(models.TextChoices):
        INDICATIVE = "indicative", _("Indicative")
        COMMITTED = "committed", _("Committed")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    source = models.CharField(
        _("funding source"), max_length=16, choices=FundingSource.choices,
        default=FundingSource.MUNICIPAL,
    )
    type = models.CharField(_("type"), max_length=8, choices=Type.choices, default=Type.ORIGINAL)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.INDICATIVE
    )
    spent = models.DecimalField(
        _("spent"), **MONEY, null=True, blank=True, help_text=_("Recorded during monitoring.")
    )

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["year", "source", "type", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "year", "source", "type"], name="unique_budget_line"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="budget_line_amount_not_negative",
                violation_error_message=NEGATIVE_AMOUNT,
            ),
            models.CheckConstraint(
                condition=Q(spent__isnull=True) | Q(spent__gte=0),
                name="budget_line_spent_not_negative",
                violation_error_message=_("Spending cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} · {self.year} · {self.amount} {self.currency}"


class Indicator(models.Model):
    """How progress is measured, for an action or an objective (exactly one)."""

    class Measure(models.TextChoices):
        UNIT = "unit", _("Unit (count)")
        PERCENTAGE = "percentage", _("Percentage")
        NOMINAL = "nominal", _("Nominal")
        ORDINAL = "ordinal", _("Ordinal")
        QUALITATIVE = "qualitative", _("Qualitative")

    plan = models.ForeignKey(StrategyPlan, on_delete=models.CASCADE, related_name="indicators")
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="indicators",
        verbose_name=_("action"),
    )
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, null=True, blank=True, related_name="indicators",
        verbose_name=_("objective"),
    )
    title = models.CharField(_("title"), max_length=200)
    measure = models.CharField(
        _("measure"), max_length=12, choices=Measure.choices, default=Measure.UNIT
    )
    unit_label = models.CharField(_("unit"), max_length=60, blank=True)
    ascending = models.BooleanField(
        _("higher is better"), default=True,
        help_text=_("Untick when progress means the value goes down."),
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    baseline_comment = models.CharField(_("baseline (in words)"), max_length=300, blank=True)
    means_of_verification = models.TextField(_("means of verification"), blank=True)
    assumptions = models.TextField(_("assumptions"), blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__isnull=False, objective__isnull=True)
                | Q(action__isnull=True, objective__isnull=False),
                name="indicator_targets_one_thing",
                violation_error_message=_(
                    "An indicator belongs to an action or to an objective, not both."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_baseline(self) -> bool:
        return self.baseline_year is not None and (
            self.baseline_value is not None or bool(self.baseline_comment)
        )


class IndicatorPeriod(models.Model):
    """Target (set when planning) and actual (recorded in monitoring) of an indicator in a year."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="periods")
    year = models.PositiveSmallIntegerField(_("year"))
    target = models.DecimalField(
        _("target"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    target_comment = models.CharField(_("target (in words)"), max_length=300, blank=True)
    actual = models.DecimalField(
        _("actual"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    actual_comment = models.CharField(_("actual (in words)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("indicator period")
        verbose_name_plural = _("indicator periods")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="unique_indicator_year"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.year}"

    @property
    def has_target(self) -> bool:
        return self.target is not None or bool(self.target_comment)


class PlanVersion(ImmutableModel):
    """A frozen snapshot of the whole plan, made when it is submitted for review. Immutable like
    CountRun: what the council saw stays what it saw."""

    plan = models.ForeignKey(StrategyPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("snapshot"))
    checks = models.JSONField(_("checks at submission"), default=list)
    note = models.TextField(_("note to the council"), blank=True)
    checks_overridden = models.BooleanField(
        _("submitted despite its checks"), default=False,
        help_text=_("The planners submitted it although its checks found errors."),
    )
    override_reason = models.TextField(_("why it was submitted despite its checks"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="unique_plan_version"),
            models.CheckConstraint(
                condition=Q(checks_overridden=False) | ~Q(override_reason=""),
                name="version_override_has_reason",
                violation_error_message=OVERRIDE_NEEDS_REASON,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · v{self.number}"

    @property
    def has_check_errors(self) -> bool:
        """Whether the checks at submission found an error (a broken limit: envelope, ceiling,
        period). Warnings (something missing) are not problems that need an override."""
        return any(check.get("severity") == CHECK_ERROR for check in self.checks)


class ReviewDecision(ImmutableModel):
    """The council's decision on a submitted version: approve or return, with a reason. Recorded
    by the vote that decided it under the city's CouncilRule (`reviewer` is the member who cast
    that vote); `tally` keeps the counts, the number of members and the rule applied, and the
    ids of the CouncilVotes counted (who voted what: `version.votes`)."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        RETURN = "return", _("Return for changes")

    frozen_person_field = "reviewer"

    plan = models.ForeignKey(StrategyPlan, on_delete=models.PROTECT, related_name="decisions")
    version = models.OneToOneField(
        PlanVersion, on_delete=models.PROTECT, related_name="decision"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("council member whose vote decided"),
    )
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    tally = models.JSONField(_("tally"), default=dict, blank=True)
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="return") | ~Q(reason=""),
                name="review_return_has_reason",
                violation_error_message=RETURN_NEEDS_REASON,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.get_decision_display()}"


class CouncilRule(models.Model):
    """How a city's council decides on a plan version (one per city; without one, the defaults
    below apply). "Members" are the users holding the council role in the city who do not also
    plan for it (planner or city administrator: they never vote on their own plan), counted when
    each vote is evaluated, plus anybody who already voted on that version."""

    class Quorum(models.TextChoices):
        MORE_THAN_HALF = "more_than_half", _("More than half of the members")
        COUNT = "count", _("At least a number of members")
        PERCENT = "percent", _("At least a percentage of the members")

    class Majority(models.TextChoices):
        SIMPLE = "simple", _("Simple majority of the votes cast")
        TWO_THIRDS = "two_thirds", _("Two thirds of the votes cast")
        ABSOLUTE = "absolute", _("Absolute majority of all members")

    city = models.OneToOneField(
        City, on_delete=models.CASCADE, related_name="council_rule", verbose_name=_("city")
    )
    quorum = models.CharField(_("quorum"), max_length=16, choices=Quorum.choices,
                              default=Quorum.MORE_THAN_HALF)
    quorum_count = models.PositiveSmallIntegerField(
        _("quorum: members"), null=True, blank=True,
        help_text=_("With “at least a number of members”."),
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum: percentage of the members"), null=True, blank=True,
        help_text=_("With “at least a percentage of the members”, 1 to 100 (rounded up)."),
    )
    majority = models.CharField(_("majority"), max_length=12, choices=Majority.choices,
                                default=Majority.SIMPLE)
    single_member_decides = models.BooleanField(
        _("one member decides alone"), default=False,
        help_text=_("The first approve or return vote decides; quorum and majority do not "
                    "apply."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("council rule")
        verbose_name_plural = _("council rules")
        constraints = [
            models.CheckConstraint(
                condition=~Q(quorum="count")
                | Q(quorum_count__isnull=False, quorum_count__gte=1),
                name="council_quorum_count_set",
                violation_error_message=_("Give the quorum as a number of members (1 or more)."),
            ),
            models.CheckConstraint(
                condition=~Q(quorum="percent")
                | Q(quorum_percent__isnull=False, quorum_percent__gte=1, quorum_percent__lte=100),
                name="council_quorum_percent_set",
                violation_error_message=_("Give the quorum as a percentage from 1 to 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city} · {self.get_majority_display()}"

    @classmethod
    def from_dict(cls, data: dict) -> CouncilRule:
        """The rule as a decision's tally recorded it (unsaved)."""
        names = ("quorum", "quorum_count", "quorum_percent", "majority", "single_member_decides")
        return cls(**{name: data[name] for name in names if name in data})

    def describe(self) -> str:
        """The rule in one sentence, for the pages."""
        if self.single_member_decides:
            return str(_("One member decides alone: the first approve or return vote decides."))
        if self.quorum == self.Quorum.COUNT:
            quorum = _("quorum of at least %(n)s members") % {"n": self.quorum_count}
        elif self.quorum == self.Quorum.PERCENT:
            quorum = _("quorum of at least %(n)s%% of the members") % {"n": self.quorum_percent}
        else:
            quorum = _("quorum of more than half of the members")
        return _("%(majority)s, %(quorum)s.") % {"majority": self.get_majority_display(),
                                                  "quorum": quorum}

    def as_dict(self) -> dict:
        return {"quorum": self.quorum, "quorum_count": self.quorum_count,
                "quorum_percent": self.quorum_percent, "majority": self.majority,
                "single_member_decides": self.single_member_decides}


class CouncilVote(ImmutableModel):
    """One council member's vote on a version under review: approve, return (with a reason the
    planners can act on) or abstain. Public once the version is decided. One per member and
    version; never changed. Approving a version whose checks found errors overrides them, with a
    reason."""

    class Vote(models.TextChoices):
        APPROVE = "approve", _("Approve")
        RETURN = "return", _("Return for changes")
        ABSTAIN = "abstain", _("Abstain")

    frozen_person_field = "member"
    immutable_message = "Council votes are immutable records; a vote cannot be changed."

    plan = models.ForeignKey(StrategyPlan, on_delete=models.PROTECT, related_name="votes")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="votes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("council member"),
    )
    vote = models.CharField(_("vote"), max_length=8, choices=Vote.choices)
    comment = models.TextField(_("comment"), blank=True)
    overrides_checks = models.BooleanField(_("approves despite the checks"), default=False)
    override_reason = models.TextField(_("why it approves despite the checks"), blank=True)
    created_at = models.DateTimeField(_("voted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("council vote")
        verbose_name_plural = _("council votes")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "member"], name="one_vote_per_member"),
            models.CheckConstraint(
                condition=~Q(vote="return") | ~Q(comment=""),
                name="council_return_vote_has_reason",
                violation_error_message=RETURN_NEEDS_REASON,
            ),
            models.CheckConstraint(
                condition=Q(overrides_checks=False)
                | (Q(vote="approve") & ~Q(override_reason="")),
                name="council_vote_override_has_reason",
                violation_error_message=OVERRIDE_NEEDS_REASON,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.member} · {self.get_vote_display()}"


class PlanComment(models.Model):
    """A remark on the plan or on one of its actions, during review."""

    plan = models.ForeignKey(StrategyPlan, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(
        PlanVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments",
        verbose_name=_("version"),
    )
    action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments",
        verbose_name=_("action"),
    )
    action_title = models.CharField(_("action (as it was titled)"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=4000)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan comment")
        verbose_name_plural = _("plan comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:60]


class PlanChange(models.Model):
    """The audit log: who changed what in a plan, when. Written by every plan service."""

    class Kind(models.TextChoices):
        DRAFTED = "drafted", _("Drafted from the count")
        PLAN_EDITED = "plan_edited", _("Plan details edited")
        OBJECTIVE_ADDED = "objective_added", _("Objective added")
        OBJECTIVE_EDITED = "objective_edited", _("Objective edited")
        OBJECTIVE_REMOVED = "objective_removed", _("Objective removed")
        ACTION_ADDED = "action_added", _("Action added")
        ACTION_EDITED = "action_edited", _("Action edited")
        ACTION_REMOVED = "action_removed", _("Action removed")
        LINE_ADDED = "line_added", _("Budget line added")
        LINE_EDITED = "line_edited", _("Budget line edited")
        LINE_REMOVED = "line_removed", _("Budget line removed")
        INDICATOR_ADDED = "indicator_added", _("Indicator added")
        INDICATOR_EDITED = "indicator_edited", _("Indicator edited")
        INDICATOR_REMOVED = "indicator_removed", _("Indicator removed")
        SUBMITTED = "submitted", _("Submitted for review")
        COMMENTED = "commented", _("Commented")
        VOTED = "voted", _("Council member voted")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded by a later plan")
        REVISION_STARTED = "revision_started", _("Revision started")
        SPENDING_RECORDED = "spending_recorded", _("Spending recorded")
        ACTUAL_RECORDED = "actual_recorded", _("Indicator actual recorded")

    plan = models.ForeignKey(StrategyPlan, on_delete=models.CASCADE, related_name="changes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan change")
        verbose_name_plural = _("plan changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.plan} · {self.get_kind_display()}"

    @property
    def figure(self) -> str:
        """The change's amount or number (kept in `data`, apart from `detail`), written for the
        reader's language: "25 000 000 MXN", "12,5"; "—" for a figure cleared. Empty for a
        change without one (and for changes logged before figures were kept apart, whose
        `detail` holds its figure as it was typed)."""
        if "figure" not in self.data:
            return ""
        value = self.data["figure"]
        if value is None:
            return "—"
        number = Decimal(value)
        currency = self.data.get("currency") or ""
        if currency:
            return format_money(number, currency)
        places = max(0, -number.normalize().as_tuple().exponent)
        return format_number(number, places)
