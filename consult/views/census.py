"""Verifying one's residence against the city's census (docs/eligibility.md)."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import web
from core.errors import ServiceError
from core.web import render

from .. import selectors, services
from ..forms_census import VerifyResidenceForm
from ._common import login_required, participant_of


@login_required
@require_http_methods(["GET", "POST"])
def verify_residence(request: HttpRequest) -> HttpResponse:
    participant = participant_of(request)
    if participant is None:
        return redirect("consult:profile")  # which asks for the city first
    city = participant.city
    context = {"participant": participant, "census_city": city,
               "verification": selectors.verification_of(participant=participant)}
    try:
        services.ensure_can_verify(participant=participant)
    except ServiceError as refusal:
        context["refusal"] = refusal.message
        return render(request, "consult/verify_residence.html", context,
                      status=400 if request.method == "POST" else 200)
    facts = selectors.census_facts(city=city)
    form = VerifyResidenceForm(request.POST or None, asks_birth_date=facts.asks_birth_date)
    context["form"] = form
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.verify_residence(participant=participant,
                                          identifier=form.cleaned_data["identifier"],
                                          birth_date=form.cleaned_data.get("birth_date"))
            except services.TooManyAttempts as error:
                form.add_error(None, error.message)
                response = render(request, "consult/verify_residence.html", context, status=429)
                response["Retry-After"] = str(error.wait)
                return response
            except ServiceError as error:
                web.form_error(form, error)
            else:
                messages.success(request, _("You are now a verified resident of %(city)s.")
                                 % {"city": city.name})
                return redirect("consult:profile")
    return render(request, "consult/verify_residence.html", context, status=status)
