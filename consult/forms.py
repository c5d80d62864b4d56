"""Web forms. They only shape input; the rules live in services.py and surface here as errors."""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from core import login_limits
from core.forms import LocalizedAmountField, OtherLanguageFields

from .models import (
    COMMENT_BODY_MAX_CHARS,
    PROPOSAL_BODY_MAX_CHARS,
    City,
    Consultation,
    Flag,
    ModerationDecision,
    Participant,
    Proposal,
    ProposalAssessment,
)

DEMOGRAPHICS_HELP = _(
    "Optional. We use these answers only to show, in aggregate, whether the people taking part "
    "reflect the city (groups of fewer than 10 people are never shown). They are never shown "
    "next to your name or your vote, and you can change or remove them at any time."
)


class ProfileFields(forms.Form):
    public_name = forms.CharField(
        label=_("Name shown with your proposals and comments"), max_length=60, required=False,
        help_text=_("Optional. Without one you appear as “a participant of” your city. Your "
                    "user name is never shown."),
    )
    district = forms.CharField(
        label=_("District or neighbourhood"), max_length=120, required=False,
        help_text=_("Optional. Helps find proposals near you."),
    )
    age_band = forms.ChoiceField(
        label=_("Age"), required=False,
        choices=[("", _("I prefer not to say"))] + list(Participant.AgeBand.choices),
    )
    gender = forms.ChoiceField(
        label=_("Gender"), required=False,
        choices=[("", _("I prefer not to say"))] + list(Participant.Gender.choices),
    )


class LimitedLogin:
    """A login form behind the login limits (`core.login_limits`): while the username or the
    address is locked out, the password is not even checked, and the form says when to try
    again — the same for an account that exists and one that does not."""

    locked_for: int | None = None

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = login_limits.client_address(self.request)
        self.locked_for = login_limits.retry_after(username=username, address=address)
        if self.locked_for:
            raise forms.ValidationError(login_limits.locked_message(self.locked_for),
                                        code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if self.cleaned_data.get("password"):
                login_limits.record_failure(username=username, address=address)
            raise
        login_limits.record_success(username=username)
        return cleaned


class LoginForm(LimitedLogin, AuthenticationForm):
    """The site's login form."""


class AdminLoginForm(LimitedLogin, AdminAuthenticationForm):
    """The Django admin's login form, behind the same limits."""


class SignupForm(UserCreationForm):
    """A new account and its participant profile (created by services.participant_register)."""

    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("Only used to reset your password. Never shown to anyone."),
    )
    city = forms.ModelChoiceField(
        label=_("Your city"), queryset=City.objects.filter(kind=City.Kind.CITY),
        empty_label=_("Choose your city"),
        help_text=_("You take part in the consultations of this city."),
    )
    public_name = ProfileFields.base_fields["public_name"]
    district = ProfileFields.base_fields["district"]
    age_band = ProfileFields.base_fields["age_band"]
    gender = ProfileFields.base_fields["gender"]
    consent = forms.BooleanField(
        label=_("I agree that Cabildo stores my answers to run the consultation."),
        help_text=_(
            "Your proposals and comments are public under the name you choose. Your votes are "
            "secret: only totals are published. You can download your data or delete your "
            "account at any time."
        ),
    )

    field_order = ["username", "public_name", "email", "password1", "password2", "city",
                   "district", "age_band", "gender", "consent"]

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists."))
        return email


class ProfileForm(ProfileFields):
    pass


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account is deleted for good."),
    )



class YearCostFields:
    """One optional cost field per plan year of the form's consultation (``cost_<year>``)."""

    consultation: Consultation

    def add_year_fields(self) -> None:
        for year in self.years:
            self.fields[f"cost_{year}"] = LocalizedAmountField(
                label=str(year), required=False, max_digits=16, decimal_places=2,
                validators=[MinValueValidator(Decimal("0"))],
            )

    @property
    def years(self) -> range:
        return range(self.consultation.plan_start_year, self.consultation.plan_end_year + 1)

    def year_fields(self):
        return [self[f"cost_{year}"] for year in self.years]

    def main_fields(self):
        years = {f"cost_{year}" for year in self.years}
        languages = getattr(self, "language_field_names", set)()
        return [field for field in self if field.name not in years | languages]

    def year_costs(self, data=None) -> dict[int, Decimal]:
        data = data if data is not None else self.cleaned_data
        return {year: data[f"cost_{year}"] for year in self.years
                if data.get(f"cost_{year}") is not None}


class ProposalForm(OtherLanguageFields, YearCostFields, forms.Form):
    """A proposal with one optional cost field per plan year, and its texts in the site's
    other languages."""

    TRANSLATED = ("title", "summary", "body")

    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences shown in the list of proposals."),
    )
    body = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 10}),
        max_length=PROPOSAL_BODY_MAX_CHARS,
        help_text=_(
            "What you propose, with whom and what it should achieve. You can use Markdown: "
            "## heading, **bold**, - list item, [link](https://…). At most 20,000 characters."
        ),
    )
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=None, empty_label=None)
    action_kind = forms.ChoiceField(
        label=_("Kind of international action"), choices=Proposal.ActionKind.choices
    )
    estimated_cost = LocalizedAmountField(
        label=_("Estimated cost"), max_digits=16, decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    partners = forms.CharField(
        label=_("Partner cities or networks"), max_length=300, required=False,
        help_text=_("Optional, e.g. Montevideo, Eurocities."),
    )
    district = forms.CharField(
        label=_("District"), max_length=120, required=False,
        help_text=_("Optional: the district most concerned."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Submit as"), queryset=None, required=False, empty_label=_("Myself"),
    )

    def __init__(self, *args, consultation: Consultation, user,
                 proposal: Proposal | None = None, **kwargs):
        if proposal is not None:
            kwargs.setdefault("initial", self.initial_from(proposal))
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        self.fields["theme"].queryset = consultation.themes.all()
        organisations = user.organisations.filter(city_id=consultation.city_id)
        self.fields["organisation"].queryset = organisations
        if not organisations.exists():
            del self.fields["organisation"]
        self.fields["estimated_cost"].label = _("Estimated cost (%(currency)s)") % {
            "currency": consultation.currency
        }
        self.add_year_fields()
        self.add_language_fields(written=proposal)

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in ("title", "summary", "body", "theme", "action_kind", "estimated_cost",
                         "partners", "district")
        }
        fields["organisation"] = data.get("organisation")
        return self.service_texts(fields)

    @classmethod
    def initial_from(cls, proposal: Proposal) -> dict:
        initial = {
            name: getattr(proposal, name)
            for name in ("title", "summary", "body", "theme", "action_kind", "estimated_cost",
                         "partners", "district", "organisation")
        }
        for cost in proposal.year_costs.all():
            initial[f"cost_{cost.year}"] = cost.amount
        return initial


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw the proposal?"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to everyone on the proposal's page."),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the proposal rejected?"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to its author and to everyone on the proposal's page."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), max_length=COMMENT_BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with it?"), choices=Flag.Reason.choices, widget=forms.RadioSelect
    )
    detail = forms.CharField(
        label=_("Details (optional)"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ModerationForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Decision"), choices=ModerationDecision.Action.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason shown to the author"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssessmentForm(YearCostFields, forms.Form):
    """A reviewer's assessment of one proposal; the rules are `services.assessment_save`'s."""

    verdict = forms.ChoiceField(
        label=_("Verdict"), widget=forms.RadioSelect,
        choices=[(value, label) for value, label in ProposalAssessment.Verdict.choices if value],
    )
    reason = forms.CharField(
        label=_("Public reason"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the proposal is not feasible. Shown to everyone on the "
                    "proposal's page."),
    )
    validated_cost = LocalizedAmountField(
        label=_("Validated cost"), required=False, max_digits=16, decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("For a feasible proposal: what it will really cost. Public."),
    )
    cost_reason = forms.CharField(
        label=_("Why the cost differs from the author's estimate"), max_length=2000,
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the validated cost differs from the estimate. Public."),
    )
    notes = forms.CharField(
        label=_("Notes for the planners"), max_length=4000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Not public: only the city's staff read them."),
    )

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        self.fields["validated_cost"].label = _("Validated cost (%(currency)s)") % {
            "currency": consultation.currency}
        self.add_year_fields()

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "verdict": data["verdict"], "reason": data["reason"],
            "validated_cost": data["validated_cost"], "cost_reason": data["cost_reason"],
            "notes": data["notes"], "year_costs": self.year_costs(),
        }

    @classmethod
    def initial_from(cls, assessment: ProposalAssessment | None, proposal: Proposal) -> dict:
        if assessment is None or not assessment.is_assessed:
            return {"validated_cost": proposal.estimated_cost, **{
                f"cost_{cost.year}": cost.amount for cost in proposal.year_costs.all()}}
        initial = {name: getattr(assessment, name) for name in (
            "verdict", "reason", "validated_cost", "cost_reason", "notes")}
        for cost in assessment.year_costs.all():
            initial[f"cost_{cost.year}"] = cost.amount
        return initial


class AssignForm(forms.Form):
    """Assign the chosen proposals, or all those the filter shows, to one reviewer."""

    CHOSEN, FILTERED = "chosen", "filtered"

    reviewer = forms.ModelChoiceField(
        label=_("Reviewer"), queryset=None, required=False,
        empty_label=_("Nobody (take the proposals back)"),
    )
    proposals = forms.TypedMultipleChoiceField(
        label=_("Proposals"), coerce=int, required=False, widget=forms.MultipleHiddenInput,
    )
    scope = forms.ChoiceField(choices=[(CHOSEN, CHOSEN), (FILTERED, FILTERED)],
                              widget=forms.HiddenInput, initial=CHOSEN)

    def __init__(self, *args, reviewers, proposal_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers
        self.fields["proposals"].choices = [(pk, pk) for pk in proposal_ids]


class PaperEntryForm(forms.Form):
    """One clerk's entry of a paper ballot, typed from the keyboard: Enter sends it."""

    serial = forms.CharField(
        label=_("Serial number"), max_length=40,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off",
                                      "spellcheck": "false", "autocapitalize": "characters"}),
        help_text=_("As printed on the ballot."))
    choices = forms.CharField(
        label=_("Proposal numbers"), max_length=2000, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "inputmode": "text"}),
        help_text=_("The numbers of the marked proposals, separated by spaces or commas: "
                    "12 15 31. With points: 12:3 15:2."))
    identifier = forms.CharField(
        label=_("Document number"), max_length=60, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Optional: the voter's document, as written on the ballot's stub."))
    code = forms.CharField(
        label=_("Voting code"), max_length=40, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}),
        help_text=_("Optional: the voting code written on the ballot, instead of a document."))


class PaperImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns serial, choices, and optionally identifier or code; one ballot "
                    "per line, the first line naming the columns. At most 2 MB."))
