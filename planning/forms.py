"""Forms of the plan pages. They only parse input; the services decide (and their errors come
back as form errors). Fields come from the models so labels and limits stay in one place."""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from consult.models import City, Proposal
from core.forms import LocalizedAmountField, OtherLanguageFields, localize_amounts
from core.i18n import text_order

from .models import (
    Action,
    Add1Stop,
    BudgetLine,
    Comparison,
    CouncilRule,
    CouncilVote,
    Indicator,
    Objective,
    StrategyPlan,
    TieBreak,
)

MONEY_FIELD = {"max_digits": 16, "decimal_places": 2, "min_value": Decimal("0")}


def _ceiling_fields(form: forms.Form, years: list[int], initial: dict | None = None) -> None:
    initial = initial or {}
    for year in years:
        form.fields[f"ceiling_{year}"] = LocalizedAmountField(
            label=_("Ceiling for %(year)s") % {"year": year}, required=False,
            initial=initial.get(year), **MONEY_FIELD,
        )


def ceilings_of(form: forms.Form, years: list[int]) -> dict[int, Decimal | None]:
    return {year: form.cleaned_data.get(f"ceiling_{year}") for year in years}


class DraftForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the plan"), max_length=200, required=False,
        help_text=_("Leave empty to name it after the consultation."),
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        _ceiling_fields(self, years)
        self.years = years

    def ceilings(self) -> dict[int, Decimal | None]:
        return ceilings_of(self, self.years)


class PlanForm(OtherLanguageFields, forms.Form):
    TRANSLATED = ("title", "description")

    def __init__(self, *args, plan: StrategyPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(
            StrategyPlan, fields=["title", "description", "envelope"]
        ))
        self.initial.update({"envelope": plan.envelope})
        _ceiling_fields(self, plan.years,
                        {c.year: c.amount for c in plan.ceilings.all()})
        localize_amounts(self)  # the envelope
        self.add_language_fields(written=plan)
        self.years = plan.years

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return self.service_texts({"title": data["title"], "description": data["description"],
                                   "envelope": data["envelope"], "ceilings": self.ceilings()})

    def ceilings(self) -> dict[int, Decimal | None]:
        return ceilings_of(self, self.years)


class ObjectiveForm(OtherLanguageFields, forms.Form):
    TRANSLATED = ("title", "description")

    def __init__(self, *args, objective: Objective | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(
            Objective, fields=["title", "description", "result_level", "position"]
        ))
        if objective is not None:
            self.initial.update({"result_level": objective.result_level,
                                 "position": objective.position})
        self.add_language_fields(written=objective)

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return self.service_texts({name: data[name] for name in
                                   ("title", "description", "result_level", "position")})


class ActionForm(OtherLanguageFields, forms.Form):
    TRANSLATED = ("title", "description")
    FIELDS = ("objective", "title", "description", "department", "partners", "partner_cities",
              "proposals", "rank")

    def __init__(self, *args, plan: StrategyPlan, action: Action | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(
            Action, fields=["objective", "title", "description", "department", "partners",
                            "partner_cities", "proposals", "rank"]
        ))
        self.fields["objective"].queryset = plan.objectives.all()
        self.fields["objective"].empty_label = None
        self.fields["partner_cities"].queryset = City.objects.exclude(pk=plan.city_id)
        self.fields["partner_cities"].required = False
        self.fields["proposals"].queryset = Proposal.objects.filter(
            consultation__in=plan.consultations.all()
        ).order_by(text_order("title"))
        self.fields["proposals"].required = False
        self.fields["proposals"].help_text = _("Hold Ctrl (or Cmd) to choose several.")
        if action is not None:
            self.initial.update({name: getattr(action, name) for name in
                                 ("objective", "department", "partners", "rank")})
            self.initial["partner_cities"] = list(action.partner_cities.all())
            self.initial["proposals"] = list(action.proposals.all())
        self.add_language_fields(written=action)

    def service_fields(self) -> dict:
        return self.service_texts({name: self.cleaned_data[name] for name in self.FIELDS})


class BudgetLineForm(forms.Form):
    def __init__(self, *args, plan: StrategyPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"] = forms.ModelChoiceField(
            label=_("Action"), queryset=plan.actions.all(), empty_label=None
        )
        self.fields["year"] = forms.TypedChoiceField(
            label=_("Year"), coerce=int, choices=[(y, y) for y in plan.years]
        )
        self.fields["amount"] = LocalizedAmountField(label=_("Amount"), **MONEY_FIELD)
        self.fields.update(forms.fields_for_model(BudgetLine, fields=["source", "type", "status"]))


class IndicatorForm(forms.Form):
    attached_to = forms.ChoiceField(label=_("Measures the results of"))

    def __init__(self, *args, plan: StrategyPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attached_to"].choices = [
            (_("Actions"), [(f"action-{a.pk}", a.title) for a in plan.actions.all()]),
            (_("Objectives"), [(f"objective-{o.pk}", o.title) for o in plan.objectives.all()]),
        ]
        self.fields.update(forms.fields_for_model(Indicator, fields=[
            "title", "measure", "unit_label", "ascending", "baseline_year", "baseline_value",
            "baseline_comment", "means_of_verification", "assumptions",
        ]))
        self.years = plan.years
        for year in plan.years:
            self.fields[f"target_{year}"] = LocalizedAmountField(
                label=_("Target for %(year)s") % {"year": year}, required=False,
                max_digits=16, decimal_places=4,
            )
            self.fields[f"target_comment_{year}"] = forms.CharField(
                label=_("Target for %(year)s, in words") % {"year": year}, required=False,
                max_length=300,
            )
        localize_amounts(self)  # the baseline value
        self.plan = plan

    def clean_attached_to(self):
        kind, _sep, pk = self.cleaned_data["attached_to"].partition("-")
        model = {"action": Action, "objective": Objective}.get(kind)
        found = None
        if model is not None and pk.isdigit():
            found = model.objects.filter(pk=int(pk), plan=self.plan).first()
        if found is None:
            raise forms.ValidationError(_("Choose an action or an objective of this plan."))
        return found

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        target = data.pop("attached_to")
        kwargs = {
            "action": target if isinstance(target, Action) else None,
            "objective": target if isinstance(target, Objective) else None,
            "targets": {year: data.pop(f"target_{year}") for year in self.years},
            "target_comments": {year: data.pop(f"target_comment_{year}") for year in self.years},
        }
        return {**data, **kwargs}

    @staticmethod
    def initial_for(indicator: Indicator) -> dict:
        initial = {
            name: getattr(indicator, name) for name in (
                "title", "measure", "unit_label", "ascending", "baseline_year",
                "baseline_value", "baseline_comment", "means_of_verification", "assumptions")
        }
        initial["attached_to"] = (f"action-{indicator.action_id}" if indicator.action_id
                                  else f"objective-{indicator.objective_id}")
        for period in indicator.periods.all():
            initial[f"target_{period.year}"] = period.target
            initial[f"target_comment_{period.year}"] = period.target_comment
        return initial


class SubmitForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the council (optional)"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    override_checks = forms.BooleanField(
        label=_("Submit despite the checks"), required=False,
        help_text=_("Only when the checks found errors; the reason is public."),
    )
    override_reason = forms.CharField(
        label=_("Why the plan is submitted despite the checks"), required=False,
        max_length=4000, widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, has_check_errors: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_check_errors:  # the workspace offers the override only when it is needed
            del self.fields["override_checks"]
            del self.fields["override_reason"]


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, plan: StrategyPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"] = forms.ModelChoiceField(
            label=_("About"), queryset=plan.actions.all(), required=False,
            empty_label=_("The plan as a whole"),
        )


class VoteForm(forms.Form):
    """A council member's vote; the override fields only when the version's checks found
    errors (approving it then needs them)."""

    vote = forms.ChoiceField(
        label=_("Your vote"), choices=CouncilVote.Vote.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you vote to return the plan: tell the planners what to "
                    "change. Votes and comments are public once the council has decided."),
    )
    override_checks = forms.BooleanField(
        label=_("Approve despite the checks"), required=False,
        help_text=_("The checks found errors in this version; approving it overrides them."),
    )
    override_reason = forms.CharField(
        label=_("Why you approve despite the checks"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, has_check_errors: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_check_errors:
            del self.fields["override_checks"]
            del self.fields["override_reason"]


class CouncilRuleForm(forms.ModelForm):
    class Meta:
        model = CouncilRule
        fields = ["quorum", "quorum_count", "quorum_percent", "majority",
                  "single_member_decides"]
        widgets = {"quorum": forms.RadioSelect, "majority": forms.RadioSelect}


class SpendingForm(forms.Form):
    """Spending per budget line, one field per line."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"spent_{line.pk}"] = LocalizedAmountField(
                label=_("Spent: %(action)s, %(year)s") % {"action": line.action.title,
                                                          "year": line.year},
                required=False, initial=line.spent, **MONEY_FIELD,
            )

    def changed_lines(self):
        for line in self.lines:
            value = self.cleaned_data.get(f"spent_{line.pk}")
            if value != line.spent:
                yield line, value


class ActualsForm(forms.Form):
    """Actual values per indicator and year."""

    def __init__(self, *args, indicators, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.cells = []
        for indicator in indicators:
            periods = {p.year: p for p in indicator.periods.all()}
            for year in years:
                period = periods.get(year)
                name = f"actual_{indicator.pk}_{year}"
                self.fields[name] = LocalizedAmountField(
                    label=_("Actual: %(indicator)s, %(year)s") % {
                        "indicator": indicator.title, "year": year},
                    required=False, max_digits=16, decimal_places=4,
                    initial=period.actual if period else None,
                )
                self.fields[f"{name}_comment"] = forms.CharField(
                    label=_("Actual: %(indicator)s, %(year)s, in words") % {
                        "indicator": indicator.title, "year": year},
                    required=False, max_length=300,
                    initial=period.actual_comment if period else "",
                )
                self.cells.append((indicator, year, period, name))

    def changed_cells(self):
        for indicator, year, period, name in self.cells:
            value = self.cleaned_data.get(name)
            comment = self.cleaned_data.get(f"{name}_comment") or ""
            old = (period.actual, period.actual_comment) if period else (None, "")
            if (value, comment) != old:
                yield indicator, year, value, comment


# --- counting ----------------------------------------------------------------------------------

#: The options' choices (the engine checks the values too; which rule takes which option is
#: the engine's RULE_OPTIONS).
TIE_BREAKS = TieBreak.choices


class CountForm(forms.Form):
    """A count to ask for: the rules that apply to the consultation's ballots, the minimum
    votes (the consultation's own by default), the tie-break, and the options of the rules
    that take them (sent only for those rules)."""

    min_votes = forms.IntegerField(label=_("Minimum votes"), min_value=0, max_value=2**31 - 1)
    tie_break = forms.ChoiceField(label=_("Tie-break"), choices=TIE_BREAKS,
                                  initial="lexicographic")
    add1_stop = forms.ChoiceField(
        label=_("Raising the budget stops (equal shares with the budget increased: mes-add1, "
                "mes-add1u)"),
        required=False,
        choices=[("", _("Rule's default")), *Add1Stop.choices],
    )
    comparison = forms.ChoiceField(
        label=_("Compare with greedy (the Method of Equal Shares rules)"), required=False,
        choices=[("", _("No comparison")), *Comparison.choices],
    )

    def __init__(self, *args, rules: list[str], rule_labels: dict[str, str], rule: str,
                 min_votes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "rule": forms.ChoiceField(label=_("Rule"), initial=rule if rule in rules else None,
                                      choices=[(r, rule_labels.get(r, r)) for r in rules]),
            **self.fields,
        }
        self.fields["min_votes"].initial = min_votes

    def options(self) -> dict[str, str]:
        """The options chosen that the chosen rule takes (others are left out, not refused:
        the form shows every option whatever the rule)."""
        from planning.counting import RULE_OPTIONS

        takes = RULE_OPTIONS.get(self.cleaned_data["rule"], ())
        return {name: self.cleaned_data[name] for name in takes if self.cleaned_data.get(name)}


def run_label(run) -> str:
    return _("Count %(number)s: %(rule)s") % {"number": run.pk, "rule": run.get_rule_display()}


class OfficialForm(forms.Form):
    count_run = forms.TypedChoiceField(label=_("Count"), coerce=int)
    reason = forms.CharField(label=_("Why this count is the official one"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, runs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["count_run"].choices = [(run.pk, run_label(run)) for run in runs]


class CompareForm(forms.Form):
    runs = forms.TypedMultipleChoiceField(label=_("Counts to compare"), coerce=int,
                                          widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, runs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["runs"].choices = [(run.pk, run_label(run)) for run in runs]

    def clean_runs(self):
        runs = self.cleaned_data["runs"]
        if len(runs) < 2:
            raise forms.ValidationError(_("Choose at least two counts to compare."))
        return runs


class ReceiptCheckForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"), max_length=40,
        help_text=_("As printed on your receipt, e.g. ABCD-EFGH-JK23 (capitals or not)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}),
    )
