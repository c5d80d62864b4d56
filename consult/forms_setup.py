"""The set-up forms: a consultation and its themes. They only shape input; the rules (phases in
order, a positive budget, a voting method with its limit, the voting rules frozen once voting
opened) are the services' (consult.services.setup) and come back here as errors on their field.

Dates are entered and shown in the city's local time (`City.timezone`)."""
from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import OtherLanguageFields, localized_amount

from . import services
from .models import City, Consultation

LOCAL_INPUT = "%Y-%m-%dT%H:%M"
PHASE_FIELDS = ("proposals_open_at", "proposals_close_at", "voting_opens_at",
                "voting_closes_at", "results_at")
TEXT_FIELDS = ("title", "description", "plan_start_year", "plan_end_year")
RULE_FIELDS = ("voting_method", "max_choices", "max_points", "counting_rule", "budget",
               "currency", "min_supports", "min_votes", "proposing_eligibility",
               "supporting_eligibility", "eligibility", "minimum_age", "requires_assessment")
MODERATION_FIELDS = ("flags_to_hide",)
FIELDS = (*TEXT_FIELDS, *PHASE_FIELDS, *RULE_FIELDS, *MODERATION_FIELDS)

#: Shown next to the voting rules once voting has opened.
RULES_FROZEN = _("Voting has opened: the voting rules are fixed, so that every ballot is "
                 "counted under the rules it was cast under. The other fields can still change.")


class ConsultationForm(OtherLanguageFields, forms.Form):
    """A consultation's fields, built from the model's (labels, help, choices, limits), its
    title and description also in the site's other languages. Once voting has opened the
    voting rules are shown disabled; a request that sends them anyway hands them to the
    service, which refuses a change."""

    TRANSLATED = ("title", "description")

    def __init__(self, *args, city: City, consultation: Consultation | None = None,
                 frozen: bool = False, **kwargs):
        self.city = city
        self.consultation = consultation
        self.frozen = frozen
        if consultation is not None:
            kwargs.setdefault("initial", {name: getattr(consultation, name) for name in FIELDS})
        else:
            kwargs.setdefault("initial", {"currency": city.currency})
        super().__init__(*args, **kwargs)
        if consultation is None:
            self.fields["slug"] = forms.SlugField(
                label=_("Address"), max_length=120, required=False,
                help_text=_("The last part of the consultation's web address; leave it empty "
                            "to make it from the title. It cannot change later."))
        for name in FIELDS:
            self.fields[name] = field = Consultation._meta.get_field(name).formfield()
            if isinstance(field, forms.DecimalField):  # the budget, typed the reader's way
                self.fields[name] = field = localized_amount(field)
            if name in PHASE_FIELDS:
                field.widget = forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                   format=LOCAL_INPUT)
                field.input_formats = [LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
                field.help_text = _("In %(zone)s local time.") % {"zone": city.timezone}
            if name == "description":
                field.widget.attrs["rows"] = 6
            if name in ("max_choices", "max_points", "flags_to_hide"):
                field.validators.append(MinValueValidator(1))
                field.widget.attrs["min"] = 1
            if frozen and name in Consultation.VOTING_RULE_FIELDS:
                field.required = False
                field.widget.attrs["disabled"] = True
                field.widget.attrs["aria-describedby"] = " ".join(
                    ["rules-frozen", *([f"id_{name}_helptext"] if field.help_text else [])])
        self.add_language_fields(written=consultation)

    def full_clean(self):
        with timezone.override(self.city.tzinfo):  # the dates typed are the city's local time
            super().full_clean()
        if self.frozen:  # shown again with their stored values, whatever was sent
            for name in Consultation.VOTING_RULE_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True

    def service_fields(self) -> dict[str, Any]:
        """The fields for the service. A frozen field the request did not send (a browser does
        not send disabled fields) keeps its stored value; one it sent goes to the service, which
        refuses a change."""
        data = self.cleaned_data
        fields = {name: data.get(name) for name in FIELDS}
        if self.frozen:
            for name in Consultation.VOTING_RULE_FIELDS:
                if name in fields and self.add_prefix(name) not in self.data:
                    fields[name] = getattr(self.consultation, name)
        for name in ("description", "currency"):
            fields[name] = fields[name] or ""
        return self.service_texts(fields)

    def groups(self) -> list[tuple[str, list[forms.BoundField], bool]]:
        """The fields in fieldsets: legend, fields, whether it holds the frozen rules."""
        slug = ["slug"] if "slug" in self.fields else []
        return [
            (_("The consultation"), [self[n] for n in ("title", *slug, *TEXT_FIELDS[1:])],
             False),
            (_("Phases"), [self[n] for n in PHASE_FIELDS], False),
            (_("Voting rules"), [self[n] for n in RULE_FIELDS], self.frozen),
            (_("Moderation"), [self[n] for n in MODERATION_FIELDS], False),
        ]


class ThemeForm(OtherLanguageFields, forms.Form):
    """One theme: its name and description in the form's writing language (the consultation
    form's), and optionally in the others."""

    TRANSLATED = ("name", "description")

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Theme"), max_length=120, required=False)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)

    def __init__(self, *args, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_language_fields(language=language)

    def named(self) -> bool:
        return any(self.cleaned_data.get(name) for name in
                   ("name", *(f for f in self.language_field_names() if f.startswith("name_"))))

    def spec(self) -> dict[str, Any]:
        data = self.cleaned_data
        return self.service_texts({"id": data.get("id"), "name": data.get("name", ""),
                                   "description": data.get("description", "")})


class BaseThemeFormSet(forms.BaseFormSet):
    def specs(self) -> list[dict[str, Any]]:
        """The themes to keep, in the order given: removed rows and empty new rows left out."""
        return [form.spec() for form in self.ordered_forms
                if form.cleaned_data.get("id") is not None or form.named()]


ThemeFormSet = forms.formset_factory(ThemeForm, formset=BaseThemeFormSet, extra=2,
                                     can_order=True, can_delete=True, max_num=50,
                                     validate_max=True)


def theme_formset(data=None, *, city: City, consultation: Consultation | None,
                  language: str) -> BaseThemeFormSet:
    """The themes in ``language`` (the consultation form's writing language) and the others;
    a new consultation starts with the network's themes, named in every language."""
    if consultation is None:
        themes = services.default_themes(Consultation(city=city))
    else:
        themes = list(consultation.themes.all())
    initial = [{"id": theme.pk, "ORDER": position + 1,
                **ThemeForm.language_initial(theme, language)}
               for position, theme in enumerate(themes)]
    return ThemeFormSet(data, initial=initial, prefix="themes",
                        form_kwargs={"language": language})
