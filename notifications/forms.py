from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Channel, Kind


class PreferencesForm(forms.Form):
    """One choice per kind of notification, and the language of the e-mails."""

    language = forms.ChoiceField(
        label=_("Language of e-mails"), required=False,
        choices=[("", _("The site's default language")), *settings.LANGUAGES])

    def __init__(self, *args, channels: dict[str, str], language: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = language
        for kind, label in Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=Channel.choices, initial=channels[kind],
                widget=forms.Select)

    def channels(self) -> dict[str, str]:
        return {kind: self.cleaned_data[kind] for kind in Kind.values}
