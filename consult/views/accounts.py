"""Sign-up, the participant's profile, their data download, account deletion and their
participation."""
from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.web import render, submit

from .. import selectors, services
from ..forms import (
    DEMOGRAPHICS_HELP,
    DeleteAccountForm,
    LoginForm,
    ProfileForm,
    SignupForm,
)
from ..middleware import remember_zone
from ._common import login_required, participant_of, safe_next

# --- accounts ----------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Django's login page behind the login limits: a locked-out attempt is a 429 that says
    when to try again (`Retry-After` too)."""

    authentication_form = LoginForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked_for:
            response.status_code = 429
            response["Retry-After"] = str(form.locked_for)
        return response


def _profile_fields(form) -> dict:
    return {name: form.cleaned_data[name]
            for name in ("city", "public_name", "district", "age_band", "gender", "consent")}


PROFILE_SAVED = gettext_lazy("Your profile was saved.")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("consult:profile")
    form = SignupForm(request.POST or None)

    @transaction.atomic
    def register(form):
        user = form.save()
        services.participant_register(user=user, **_profile_fields(form))
        return user

    if request.method == "POST":
        submitted = submit(form, register)
        if submitted.ok:
            login(request, submitted.result, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect(safe_next(request, reverse("consult:home")))
    status = 400 if form.is_bound else 200
    return render(request, "registration/signup.html",
                  {"form": form, "demographics_help": DEMOGRAPHICS_HELP}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    participant = participant_of(request)
    if participant is None:
        return complete_profile(request)
    form = ProfileForm(
        request.POST or None,
        initial={"public_name": participant.public_name, "district": participant.district,
                 "age_band": participant.age_band, "gender": participant.gender},
    )
    if request.method == "POST" and submit(form, lambda form: services.participant_update(
            participant=participant, **form.cleaned_data)).ok:
        messages.success(request, PROFILE_SAVED)
        return redirect("consult:profile")
    return render(
        request, "consult/profile.html",
        {"form": form, "participant": participant, "demographics_help": DEMOGRAPHICS_HELP,
         "verification": selectors.verification_of(participant=participant)},
        status=400 if form.is_bound and form.errors else 200,
    )


def complete_profile(request: HttpRequest) -> HttpResponse:
    """An account without a participant profile (e.g. created by an administrator)."""
    form = SignupForm(request.POST or None)
    for name in ("username", "email", "password1", "password2"):
        form.fields.pop(name, None)
    if request.method == "POST" and submit(form, lambda form: services.participant_register(
            user=request.user, **_profile_fields(form))).ok:
        remember_zone(request, request.user)  # their city's time from now on
        messages.success(request, PROFILE_SAVED)
        return redirect("consult:profile")
    return render(request, "consult/profile_complete.html", {"form": form},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@require_GET
def data_download(request: HttpRequest) -> HttpResponse:
    participant = participant_of(request)
    if participant is None:
        data = {"account": {"username": request.user.get_username(),
                            "email": request.user.email}}
    else:
        data = selectors.participant_data(participant=participant)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="cabildo-my-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and submit(form, lambda form: services.account_delete(
            user=request.user, password=form.cleaned_data["password"])).ok:
        logout(request)
        messages.success(
            request, _("Your account was deleted. Your contributions stay, anonymised.")
        )
        return redirect("consult:home")
    return render(request, "consult/account_delete.html", {"form": form},
                  status=400 if form.is_bound else 200)


@login_required
@require_GET
def my_participation(request: HttpRequest) -> HttpResponse:
    participant = participant_of(request)
    if participant is None:
        return redirect("consult:profile")
    return render(request, "consult/my_participation.html",
                  {"participant": participant,
                   **selectors.participation_of(participant=participant)})
