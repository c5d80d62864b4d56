"""The form a participant verifies their residence with. It only shapes input; the matching,
the throttle and the one message for every failure are `consult.services.census`'s."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services.census import IDENTIFIER_MAX

BIRTH_DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class VerifyResidenceForm(forms.Form):
    identifier = forms.CharField(
        label=_("Document number"), max_length=IDENTIFIER_MAX * 2, strip=True,
        help_text=_("As printed on your identity document; spaces, dots and dashes do not "
                    "matter."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    birth_date = forms.DateField(
        label=_("Birth date"), input_formats=BIRTH_DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"},
                               format="%Y-%m-%d"),
    )

    def __init__(self, *args, asks_birth_date: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not asks_birth_date:
            del self.fields["birth_date"]
