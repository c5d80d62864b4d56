"""The consultation domain: cities, people, consultations, proposals and the votes on them.

Models hold fields, constraints and small derived properties. Workflows live in services.py,
reads in selectors.py, permissions in rules.py.
"""
from __future__ import annotations

import secrets
import zoneinfo
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validation import period_ordered

CURRENCY_VALIDATOR = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code, e.g. MXN."))
COUNTRY_VALIDATOR = RegexValidator(r"^[A-Z]{2}$", _("Use a two-letter ISO 3166 code, e.g. MX."))
MONEY = {"max_digits": 16, "decimal_places": 2}

#: The messages of the consultation's constraints; the services give the same ones on the field
#: at fault (consult.services.consultation_check).
BUDGET_POSITIVE = _("The budget envelope must be positive.")
PHASES_ORDERED = _(
    "Phases must follow each other: proposals open < proposals close ≤ "
    "voting opens < voting closes ≤ results."
)
APPROVAL_NEEDS_MAX_CHOICES = _("Approval voting needs a maximum number of choices.")
CUMULATIVE_NEEDS_POINTS = _("Cumulative voting needs a number of points.")


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


#: The first parts of addresses that other pages use: a city called so would be unreachable
#: (its pages are /<city>/<consultation>/). tests/consult/test_models.py checks the list
#: against the URL configuration.
RESERVED_CITY_SLUGS = frozenset({
    "accounts", "admin", "api", "healthz", "i18n", "moderation", "notifications", "paper",
    "plans", "receipts", "reports", "review", "setup", "static", "waiting",
})


def validate_city_slug(value: str) -> None:
    if value in RESERVED_CITY_SLUGS:
        raise ValidationError(_("“%(value)s” is taken by other pages of the site; choose "
                                "another address for the city."), params={"value": value})


#: The longest texts a person may write (characters; docs/domain.md). The forms, the API and the
#: services refuse longer ones with a message; a database constraint backs them.
PROPOSAL_BODY_MAX_CHARS = 20_000
COMMENT_BODY_MAX_CHARS = 4_000


class City(models.Model):
    """The tenant: consultations, plans and roles belong to a city."""

    class Kind(models.TextChoices):
        CITY = "city", _("City")
        NETWORK = "network", _("Partner network")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True,
                            validators=[validate_city_slug])
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CITY)
    country = models.CharField(_("country"), max_length=2, validators=[COUNTRY_VALIDATOR])
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="es"
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    planners_may_set_up = models.BooleanField(
        _("planners may set up consultations"), default=False,
        help_text=_("If set, the city's planners may create and edit consultations, as its "
                    "administrators always may."),
    )

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class CityRole(models.Model):
    """A role held by a user in one city; rights never cross cities."""

    class Role(models.TextChoices):
        MODERATOR = "moderator", _("Moderator")
        PLANNER = "planner", _("Planner")
        COUNCIL = "council", _("Council member")
        ADMIN = "admin", _("City administrator")
        REVIEWER = "reviewer", _("Reviewer")
        #: Enters paper ballots (docs/eligibility.md).
        CLERK = "clerk", _("Ballot clerk")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="city_roles"
    )
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("city role")
        verbose_name_plural = _("city roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "city", "role"], name="unique_city_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.city}"


class Organisation(models.Model):
    """A civil-society organisation that can submit proposals on behalf of its members."""

    class Kind(models.TextChoices):
        NGO = "ngo", _("NGO")
        ACADEMIA = "academia", _("Academia")
        BUSINESS = "business", _("Business")
        NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood association")
        PUBLIC_BODY = "public_body", _("Public body")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="organisations")
    website = models.URLField(_("website"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="organisations", blank=True
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="unique_organisation_slug"),
        ]

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    """A person taking part. Contributions point here, not at the user account, so that deleting
    an account anonymises (user becomes NULL, personal answers cleared) without changing totals."""

    class AgeBand(models.TextChoices):
        UNDER_18 = "u18", _("Under 18")
        AGE_18_29 = "18-29", _("18 to 29")
        AGE_30_44 = "30-44", _("30 to 44")
        AGE_45_64 = "45-64", _("45 to 64")
        AGE_65_PLUS = "65+", _("65 or older")

    class Gender(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        NON_BINARY = "non_binary", _("Non-binary")
        OTHER = "other", _("Another identity")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participant",
    )
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="participants")
    #: What others read next to the person's proposals and comments; without one, "a
    #: participant of <city>" (a user name is a login, never shown to the public).
    public_name = models.CharField(_("public name"), max_length=60, blank=True)
    district = models.CharField(_("district"), max_length=120, blank=True)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, blank=True)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    is_verified = models.BooleanField(_("verified"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        """How others read the person: their public name, or "a participant of <city>"
        (callers listing many select_related the city)."""
        if self.user_id is None:
            return _("Former participant #%(id)s") % {"id": self.pk}
        return self.public_name or _("A participant of %(city)s") % {"city": self.city.name}

    @property
    def is_anonymised(self) -> bool:
        return self.user_id is None


class Phase(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    PROPOSALS = "proposals", _("Proposals")
    REVIEW = "review", _("Review")
    VOTING = "voting", _("Voting")
    COUNTING = "counting", _("Counting")
    RESULTS = "results", _("Results")


class VotingMethod(models.TextChoices):
    APPROVAL = "approval", _("Approval (at most N choices)")
    KNAPSACK = "knapsack", _("Budget (choices must fit the envelope)")
    CUMULATIVE = "cumulative", _("Cumulative (distribute N points)")


class CountingRule(models.TextChoices):
    GREEDY = "greedy", _("Greedy (most votes first)")
    MES = "mes", _("Method of Equal Shares")
    MES_ADD1 = "mes-add1", _("Method of Equal Shares, budget increased until exhaustive")
    MES_ADD1U = "mes-add1u", _(
        "Method of Equal Shares, budget increased until exhaustive, then completed greedily"
    )
    MES_GREEDY = "mes-greedy", _("Method of Equal Shares, completed greedily")
    PHRAGMEN = "phragmen", _("Sequential Phragmén")


class Eligibility(models.TextChoices):
    """Who may propose, support or vote in a consultation (docs/eligibility.md)."""

    REGISTERED = "registered", _("Registered participants")
    #: Participants who declared the city as theirs when they signed up.
    RESIDENTS = "residents", _("Residents of the city (as declared)")
    #: Residents matched against the city's census (`Verification`).
    VERIFIED = "verified", _("Verified residents of the city")
    #: Holders of a voting code of the consultation (voting only).
    CODE = "code", _("Holders of a voting code")
    VERIFIED_OR_CODE = "verified_or_code", _("Verified residents or holders of a voting code")

    @classmethod
    def for_proposing(cls) -> list[tuple[str, str]]:
        """The choices that make sense before the vote (codes are for voting)."""
        return [(value, label) for value, label in cls.choices
                if value not in (cls.CODE, cls.VERIFIED_OR_CODE)]


#: The options for proposing and supporting: voting codes are for voting only.
ELIGIBILITY_BEFORE_VOTE = Eligibility.for_proposing()


class Consultation(models.Model):
    """A public consultation. Its phase follows from its dates; nobody switches it by hand."""

    VOTING_RULE_FIELDS = (
        "voting_method",
        "max_choices",
        "max_points",
        "budget",
        "currency",
        "counting_rule",
        "min_supports",
        "min_votes",
        "eligibility",
        "proposing_eligibility",
        "supporting_eligibility",
        "minimum_age",
        "voting_opens_at",
        "requires_assessment",
    )

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="consultations")
    slug = models.SlugField(_("slug"), max_length=120)
    #: The foreign keys to the city whose default language its texts fall back to (core.i18n).
    CONTENT_CITY = ("city",)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    plan_start_year = models.PositiveSmallIntegerField(_("plan start year"))
    plan_end_year = models.PositiveSmallIntegerField(_("plan end year"))
    budget = models.DecimalField(_("budget envelope"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])

    proposals_open_at = models.DateTimeField(_("proposals open"))
    proposals_close_at = models.DateTimeField(_("proposals close"))
    voting_opens_at = models.DateTimeField(_("voting opens"))
    voting_closes_at = models.DateTimeField(_("voting closes"))
    results_at = models.DateTimeField(_("results published"))

    voting_method = models.CharField(
        _("voting method"),
        max_length=16,
        choices=VotingMethod.choices,
        default=VotingMethod.APPROVAL,
    )
    max_choices = models.PositiveSmallIntegerField(
        _("maximum choices"), null=True, blank=True, help_text=_("For approval voting.")
    )
    max_points = models.PositiveSmallIntegerField(
        _("points to distribute"), null=True, blank=True, help_text=_("For cumulative voting.")
    )
    counting_rule = models.CharField(
        _("counting rule"), max_length=16, choices=CountingRule.choices, default=CountingRule.MES
    )
    min_supports = models.PositiveIntegerField(
        _("minimum supports to reach the vote"), default=0
    )
    min_votes = models.PositiveIntegerField(
        _("minimum votes to be selected"), default=0,
        help_text=_("The minimum votes a proposal needs to be selected."),
    )
    eligibility = models.CharField(
        _("who may vote"),
        max_length=16,
        choices=Eligibility.choices,
        default=Eligibility.REGISTERED,
    )
    proposing_eligibility = models.CharField(
        _("who may submit proposals"), max_length=16, choices=ELIGIBILITY_BEFORE_VOTE,
        default=Eligibility.REGISTERED,
    )
    supporting_eligibility = models.CharField(
        _("who may support proposals"), max_length=16, choices=ELIGIBILITY_BEFORE_VOTE,
        default=Eligibility.REGISTERED,
    )
    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True,
        help_text=_("Optional. Checked against the census's birth dates, so it needs verified "
                    "residents; voting codes are handed only to people of age."),
    )
    flags_to_hide = models.PositiveSmallIntegerField(
        _("flags that hide content until review"), default=3
    )
    requires_assessment = models.BooleanField(
        _("only assessed proposals reach the vote"),
        default=False,
        help_text=_("When set, a proposal reaches the ballot only once a reviewer has found it "
                    "feasible. Assessments count in every consultation: a proposal found not "
                    "feasible never reaches the ballot, and a validated cost replaces the "
                    "estimate."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-voting_opens_at"]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="unique_consultation_slug"),
            period_ordered(start="plan_start_year", end="plan_end_year",
                           name="consultation_plan_period_ordered"),
            models.CheckConstraint(
                condition=Q(budget__gt=0),
                name="consultation_budget_positive",
                violation_error_message=BUDGET_POSITIVE,
            ),
            models.CheckConstraint(
                condition=Q(proposals_close_at__gt=models.F("proposals_open_at"))
                & Q(voting_opens_at__gte=models.F("proposals_close_at"))
                & Q(voting_closes_at__gt=models.F("voting_opens_at"))
                & Q(results_at__gte=models.F("voting_closes_at")),
                name="consultation_phases_ordered",
                violation_error_message=PHASES_ORDERED,
            ),
            models.CheckConstraint(
                condition=~Q(voting_method="approval")
                | Q(max_choices__isnull=False, max_choices__gte=1),
                name="consultation_approval_has_max_choices",
                violation_error_message=APPROVAL_NEEDS_MAX_CHOICES,
            ),
            models.CheckConstraint(
                condition=~Q(voting_method="cumulative")
                | Q(max_points__isnull=False, max_points__gte=1),
                name="consultation_cumulative_has_points",
                violation_error_message=CUMULATIVE_NEEDS_POINTS,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def phase_at(self, moment: datetime) -> Phase:
        """The phase at a moment. Each phase includes its start and excludes its end."""
        if moment < self.proposals_open_at:
            return Phase.UPCOMING
        if moment < self.proposals_close_at:
            return Phase.PROPOSALS
        if moment < self.voting_opens_at:
            return Phase.REVIEW
        if moment < self.voting_closes_at:
            return Phase.VOTING
        if moment < self.results_at:
            return Phase.COUNTING
        return Phase.RESULTS

    @property
    def phase(self) -> Phase:
        return self.phase_at(timezone.now())

    def voting_has_opened(self, moment: datetime | None = None) -> bool:
        return (moment or timezone.now()) >= self.voting_opens_at

    def voting_has_closed(self, moment: datetime | None = None) -> bool:
        return (moment or timezone.now()) >= self.voting_closes_at

    def local(self, moment: datetime) -> datetime:
        """A moment in the city's local time, for display."""
        return moment.astimezone(self.city.tzinfo)


class Theme(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="themes")
    #: The foreign keys to the city whose default language its texts fall back to (core.i18n).
    CONTENT_CITY = ("consultation", "city")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "slug"], name="unique_theme_slug"),
        ]

    def __str__(self) -> str:
        return self.name


class Proposal(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        SELECTED = "selected", _("Selected")

    class ActionKind(models.TextChoices):
        COOPERATION = "cooperation", _("Cooperation project")
        PROMOTION = "promotion", _("City promotion")
        ADVOCACY = "advocacy", _("Advocacy on the global agenda")
        CAPACITY = "capacity", _("Capacity building")
        EXCHANGE = "exchange", _("Cultural or academic exchange")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="proposals"
    )
    author = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("author")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("on behalf of"),
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("theme")
    )
    #: The foreign keys to the city whose default language its texts fall back to (core.i18n).
    CONTENT_CITY = ("consultation", "city")
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500)
    body = models.TextField(
        _("description (Markdown)"), blank=True, max_length=PROPOSAL_BODY_MAX_CHARS,
        validators=[MaxLengthValidator(PROPOSAL_BODY_MAX_CHARS)],
    )
    estimated_cost = models.DecimalField(
        _("estimated cost"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    partners = models.CharField(
        _("partner cities or networks"), max_length=300, blank=True
    )
    action_kind = models.CharField(
        _("kind of international action"), max_length=16, choices=ActionKind.choices,
        blank=True,
    )
    reference = models.CharField(
        _("external reference"),
        max_length=64,
        blank=True,
        help_text=_("The project id in an imported file (e.g. Pabulib); counts and exports "
                    "use it so that ties break as in the original election."),
    )
    district = models.CharField(_("district"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    status_reason = models.TextField(
        _("public reason for the status"),
        blank=True,
        help_text=_("Shown to everyone when a proposal is rejected or withdrawn."),
    )
    is_hidden = models.BooleanField(_("hidden by moderation"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    #: Kept equal to the proposal's Support rows in the transaction that adds or removes one
    #: (`consult.signals`), so that lists sort by support without counting;
    #: `manage.py reconcile_support_counts` checks it.
    support_count = models.PositiveIntegerField(_("supports"), default=0, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["consultation", "status"]),
            models.Index(fields=["consultation", "-support_count", "-published_at", "-id"],
                         name="proposal_by_support"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "reference"],
                condition=~Q(reference=""),
                name="unique_proposal_reference",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), PROPOSAL_BODY_MAX_CHARS),
                name="proposal_body_within_limit",
            ),
            # The same limit for the text in each language (consult/translation.py).
            *(models.CheckConstraint(
                condition=LessThanOrEqual(Length(f"body_{code.replace('-', '_')}"),
                                          PROPOSAL_BODY_MAX_CHARS),
                name=f"proposal_body_{code.replace('-', '_')}_within_limit",
            ) for code, _name in settings.LANGUAGES),
            models.CheckConstraint(
                condition=Q(estimated_cost__gte=0),
                name="proposal_cost_not_negative",
                violation_error_message=_("The cost cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["rejected", "withdrawn"]) | ~Q(status_reason=""),
                name="proposal_rejection_has_reason",
                violation_error_message=_("A rejected or withdrawn proposal needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        """Saving a proposal loaded earlier never writes back its support counter: supports
        change it in their own transactions (`consult.signals`), and a stale copy (an admin
        form, a service's row) must not undo them."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "support_count"
            ]
        super().save(*args, **kwargs)

    @property
    def count_id(self) -> str:
        """The project id this proposal has in counts and Pabulib exports."""
        return self.reference or str(self.pk)


class ProposalYearCost(models.Model):
    """The part of a proposal's cost that falls in one plan year."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="year_costs")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(
        _("amount"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = _("cost per year")
        verbose_name_plural = _("costs per year")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "year"], name="unique_proposal_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="year_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"


class ProposalAssessment(models.Model):
    """The city's review of one proposal before the vote (CONSUL's "valuation"): who reviews
    it, whether it is feasible and at what validated cost, split over the plan years. The
    verdict, its reason and the validated cost are public; the notes are for the city's
    staff. Written by `consult.services.review`."""

    class Verdict(models.TextChoices):
        PENDING = "", _("To assess")
        FEASIBLE = "feasible", _("Feasible")
        NOT_FEASIBLE = "not_feasible", _("Not feasible")

    #: One per proposal: the one-to-one field is a unique constraint in the database.
    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, related_name="assessment"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="proposals_to_review", verbose_name=_("assigned reviewer"),
    )
    verdict = models.CharField(
        _("verdict"), max_length=16, choices=Verdict.choices, blank=True, default=""
    )
    reason = models.TextField(
        _("public reason"), blank=True,
        help_text=_("Required when the proposal is not feasible; shown to everyone."),
    )
    validated_cost = models.DecimalField(
        _("validated cost"), **MONEY, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    cost_reason = models.TextField(
        _("why the cost differs from the estimate"), blank=True,
    )
    notes = models.TextField(_("notes for the planners"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="assessments_made", verbose_name=_("assessed by"),
    )
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposal assessment")
        verbose_name_plural = _("proposal assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(validated_cost__isnull=True) | Q(validated_cost__gte=0),
                name="assessment_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(verdict="not_feasible") | ~Q(reason=""),
                name="assessment_not_feasible_has_reason",
            ),
            models.CheckConstraint(  # only a feasible proposal has a validated cost
                condition=Q(verdict="feasible", validated_cost__isnull=False)
                | (~Q(verdict="feasible") & Q(validated_cost__isnull=True)),
                name="assessment_cost_iff_feasible",
            ),
            models.CheckConstraint(
                condition=Q(verdict="") | Q(assessed_at__isnull=False),
                name="assessment_verdict_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.get_verdict_display()}"

    @property
    def is_assessed(self) -> bool:
        return self.verdict != self.Verdict.PENDING

    @property
    def cost_changed(self) -> bool:
        return (self.verdict == self.Verdict.FEASIBLE
                and self.validated_cost != self.proposal.estimated_cost)


class AssessmentYearCost(models.Model):
    """The part of a validated cost that falls in one plan year."""

    assessment = models.ForeignKey(
        ProposalAssessment, on_delete=models.CASCADE, related_name="year_costs"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(
        _("amount"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = _("validated cost per year")
        verbose_name_plural = _("validated costs per year")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "year"],
                                    name="unique_assessment_year"),
            models.CheckConstraint(condition=Q(amount__gte=0),
                                   name="assessment_year_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"


class Support(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="supports")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "proposal"], name="one_support_per_participant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} → {self.proposal_id}"


class ProposalFollow(models.Model):
    """A participant follows a proposal: they are told what becomes of it (its fate at the
    results, the progress of the plan actions born from it) without supporting it."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="follows")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "proposal"], name="one_follow_per_participant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} ☞ {self.proposal_id}"


def new_receipt_code() -> str:
    """A short code the voter can keep; unambiguous letters only."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class Ballot(models.Model):
    """A ballot, cast online by a participant or on paper (entered by two clerks, with the
    paper's serial number and no participant); both are counted one by one by every rule."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper")

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="ballots",
                                    null=True, blank=True)
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="ballots")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices,
                               default=Channel.ONLINE)
    serial = models.CharField(_("serial number"), max_length=40, blank=True,
                              help_text=_("The number printed on a paper ballot."))
    receipt_code = models.CharField(
        _("receipt code"), max_length=14, unique=True, default=new_receipt_code
    )
    created_at = models.DateTimeField(_("cast at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "consultation"], name="one_ballot_per_participant"
            ),
            models.UniqueConstraint(
                fields=["consultation", "serial"], condition=models.Q(channel="paper"),
                name="one_ballot_per_paper_serial"),
            models.CheckConstraint(
                condition=(models.Q(channel="online", participant__isnull=False, serial="")
                           | models.Q(channel="paper", participant__isnull=True)
                           & ~models.Q(serial="")),
                name="ballot_online_has_participant_paper_has_serial"),
        ]

    def __str__(self) -> str:
        return self.receipt_code


class BallotStart(models.Model):
    """A participant opened the ballot of a consultation during voting without having a ballot
    (ballots are saved only when submitted): the closing reminder tells them they did not
    submit it (`consult.services.voting_reminders_send`)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="ballot_starts"
    )
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="ballot_starts"
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)

    class Meta:
        verbose_name = _("ballot started")
        verbose_name_plural = _("ballots started")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "consultation"], name="one_ballot_start_per_participant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} · {self.consultation_id}"


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="ballot_choices")
    points = models.PositiveSmallIntegerField(_("points"), default=1)

    class Meta:
        verbose_name = _("ballot choice")
        verbose_name_plural = _("ballot choices")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "proposal"], name="one_choice_per_proposal"),
            models.CheckConstraint(condition=Q(points__gte=1), name="choice_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} × {self.points}"


class ConsultationTally(models.Model):
    """The totals of a consultation whose voting has closed, computed once (by a worker, soon
    after closing) and read by every results and consultation page, so that their cost does not
    grow with ballots. Ballots cannot change after closing; if the closing time is moved, the
    tally no longer matches `voting_closes_at` and is computed again."""

    consultation = models.OneToOneField(
        Consultation, on_delete=models.CASCADE, related_name="tally"
    )
    voting_closes_at = models.DateTimeField(_("for voting closed at"))
    proposals = models.PositiveIntegerField(_("proposals"))
    supports = models.PositiveIntegerField(_("supports"))
    ballots = models.PositiveIntegerField(_("ballots"))
    participants = models.PositiveIntegerField(_("participants"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("consultation tally")
        verbose_name_plural = _("consultation tallies")

    def __str__(self) -> str:
        return f"{self.consultation_id}: {self.ballots} ballots"

    def counts(self) -> dict[str, int]:
        return {"proposals": self.proposals, "supports": self.supports, "ballots": self.ballots,
                "participants": self.participants}


class ProposalTally(models.Model):
    """Votes (ballots naming the proposal) and points of one proposal in a closed consultation."""

    tally = models.ForeignKey(ConsultationTally, on_delete=models.CASCADE, related_name="rows")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    votes = models.PositiveIntegerField(_("votes"))
    points = models.PositiveBigIntegerField(_("points"))

    class Meta:
        verbose_name = _("proposal tally")
        verbose_name_plural = _("proposal tallies")
        constraints = [
            models.UniqueConstraint(fields=["tally", "proposal"],
                                    name="one_tally_row_per_proposal"),
        ]
        indexes = [models.Index(fields=["tally", "-points", "proposal"], name="tally_rank")]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.votes} votes"


class Comment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(_("comment"), max_length=COMMENT_BODY_MAX_CHARS,
                            validators=[MaxLengthValidator(COMMENT_BODY_MAX_CHARS)])
    is_hidden = models.BooleanField(_("hidden by moderation"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), COMMENT_BODY_MAX_CHARS),
                name="comment_body_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.body[:60]


class Flag(models.Model):
    """A participant's report of a proposal or a comment (exactly one of the two)."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        OFFENSIVE = "offensive", _("Offensive or hateful")
        PERSONAL_DATA = "personal_data", _("Reveals personal data")
        OFF_TOPIC = "off_topic", _("Off topic")
        OTHER = "other", _("Other")

    reporter = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="flags")
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    detail = models.CharField(_("details"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.CheckConstraint(
                condition=Q(proposal__isnull=True, comment__isnull=False)
                | Q(proposal__isnull=False, comment__isnull=True),
                name="flag_targets_one_thing",
            ),
            models.UniqueConstraint(
                fields=["reporter", "proposal"],
                condition=Q(proposal__isnull=False),
                name="one_flag_per_proposal",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(comment__isnull=False),
                name="one_flag_per_comment",
            ),
        ]

    def __str__(self) -> str:
        return self.get_reason_display()


class ModerationDecision(models.Model):
    """Hide or restore a proposal or comment, with a reason its author can read."""

    class Action(models.TextChoices):
        HIDE = "hide", _("Hide")
        RESTORE = "restore", _("Restore")

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="moderation_decisions",
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, null=True, blank=True, related_name="decisions"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="decisions"
    )
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    reason = models.TextField(_("reason shown to the author"))
    created_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation decisions")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(proposal__isnull=True, comment__isnull=False)
                | Q(proposal__isnull=False, comment__isnull=True),
                name="decision_targets_one_thing",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="decision_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.reason[:60]}"


# --- eligibility: the census, verified residents, voting codes, paper ballots -------------------
# (docs/eligibility.md). Identifiers and codes are stored only as keyed hashes (HMAC-SHA256 with
# settings.ELIGIBILITY_KEY, consult.identity): the raw document numbers and codes never reach the
# database.


class CensusEntry(models.Model):
    """One resident of a city's census, as the city imported it (`manage.py census_import`)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="census")
    identifier_hash = models.CharField(_("identifier (keyed hash)"), max_length=64)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    district = models.CharField(_("district"), max_length=120, blank=True)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("census entry")
        verbose_name_plural = _("census entries")
        constraints = [
            models.UniqueConstraint(fields=["city", "identifier_hash"],
                                    name="one_census_entry_per_identifier"),
        ]

    def __str__(self) -> str:
        return f"{self.city_id} · {self.identifier_hash[:8]}…"


class Verification(models.Model):
    """A participant matched against their city's census. One census identifier verifies one
    participant only; the verification survives a new import of the census (it keeps the
    identifier's hash, not the row)."""

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE,
                                       related_name="verification")
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="verifications")
    identifier_hash = models.CharField(_("identifier (keyed hash)"), max_length=64)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), default=timezone.now)

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        constraints = [
            models.UniqueConstraint(fields=["city", "identifier_hash"],
                                    name="one_participant_per_census_identifier"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} ✓ {self.city_id}"


class VotingCode(models.Model):
    """A single-use code of a consultation (`manage.py voting_codes`); the plain code exists
    only in the file printed for the letters."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE,
                                     related_name="voting_codes")
    code_hash = models.CharField(_("code (keyed hash)"), max_length=64, unique=True)
    batch = models.CharField(_("batch"), max_length=40, blank=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        verbose_name = _("voting code")
        verbose_name_plural = _("voting codes")

    def __str__(self) -> str:
        return f"{self.consultation_id} · {self.code_hash[:8]}…"


class CastIdentity(models.Model):
    """Who has voted, as the consultation knows them: a census identifier (a verified
    participant online, or the document shown at a polling station) or a voting code. One row
    per identity and consultation, whatever the channel: a person cannot vote twice, online and
    on paper. The ballot is bound to the identity, not to a person's name."""

    class Kind(models.TextChoices):
        CENSUS = "census", _("Census identifier")
        CODE = "code", _("Voting code")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE,
                                     related_name="cast_identities")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    identity_hash = models.CharField(_("identity (keyed hash)"), max_length=64)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="identities")
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("identity that voted")
        verbose_name_plural = _("identities that voted")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "kind", "identity_hash"],
                                    name="one_ballot_per_identity"),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} · {self.kind} · {self.identity_hash[:8]}…"


class PaperEntry(models.Model):
    """One clerk's entry of a paper ballot. Two clerks enter the same serial; a matching pair
    becomes a `Ballot` (channel paper), a mismatch waits for a third look."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE,
                                     related_name="paper_entries")
    serial = models.CharField(_("serial number"), max_length=40)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="paper_entries")
    #: {proposal id (as a string): points}, as the clerk typed it (1 point in approval voting).
    choices = models.JSONField(_("choices"), default=dict)
    identity_kind = models.CharField(_("identity shown"), max_length=8,
                                     choices=CastIdentity.Kind.choices, blank=True)
    identity_hash = models.CharField(_("identity (keyed hash)"), max_length=64, blank=True)
    ballot = models.ForeignKey(Ballot, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="paper_entries")
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("paper ballot entry")
        verbose_name_plural = _("paper ballot entries")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "serial", "clerk"],
                                    name="one_entry_per_clerk_and_serial"),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} · {self.serial} · {self.clerk_id}"
