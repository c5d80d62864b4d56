"""/plans/counting/<consultation>/… — the planners' counting page: ask for counts (on a worker),
compare them side by side, choose the official one with a reason, publish the results."""
from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consult.models import Consultation, CountingRule, Phase
from core import web
from core.errors import Conflict, NotAllowed, ServiceError

from .. import forms, selectors, services

TEMPLATE = "planning/counting.html"


def error_page(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return web.error_page(request, message, status=status, template="planning/error.html")


def counting_view(view: Callable) -> Callable:
    """Load the consultation; only the city's planners (the service's check and words)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, consultation_pk: int, *args, **kwargs):
        consultation = get_object_or_404(Consultation.objects.select_related("city"),
                                         pk=consultation_pk)
        if not request.user.is_authenticated:
            return redirect_to_login(reverse("planning:counting", args=[consultation.pk]),
                                     reverse("login"))
        try:
            services.ensure_counter(user=request.user, consultation=consultation)
        except NotAllowed as error:
            return error_page(request, error.message, status=403)
        return view(request, consultation, *args, **kwargs)

    return wrapped


def count_form(consultation: Consultation, data=None) -> forms.CountForm:
    return forms.CountForm(
        data, rules=services.rules_for(consultation=consultation),
        rule_labels=dict(CountingRule.choices), rule=consultation.counting_rule,
        min_votes=getattr(consultation, "min_votes", 0))


def _page(request: HttpRequest, consultation: Consultation, *, status: int = 200,
          form=None, official_form=None) -> HttpResponse:
    runs = list(selectors.count_runs_of(consultation=consultation)[:selectors.COUNTS_LISTED])
    jobs = selectors.count_jobs_of(consultation=consultation)
    return web.render(request, TEMPLATE, {
        "consultation": consultation, "city": consultation.city,
        "closed": consultation.phase in (Phase.COUNTING, Phase.RESULTS),
        "form": form or count_form(consultation),
        "official_form": official_form or forms.OfficialForm(runs=runs),
        "compare_form": forms.CompareForm(runs=runs),
        "runs": runs, "under_way": jobs["under_way"], "failed": jobs["failed"],
        "choices": list(selectors.official_choices(consultation=consultation)),
        "publication": selectors.results_publication_of(consultation=consultation),
    }, status=status)


@require_http_methods(["GET", "POST"])
@counting_view
def counting_page(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    """GET: the page. POST: ask a worker for a count (a CountJob); a count under way already is
    the service's Conflict, on the form (409)."""
    if request.method == "GET":
        return _page(request, consultation)
    form = count_form(consultation, request.POST)
    if not form.is_valid():
        return _page(request, consultation, form=form, status=400)
    try:
        services.count_job_request(
            consultation=consultation, user=request.user, rule=form.cleaned_data["rule"],
            min_votes=form.cleaned_data["min_votes"], tie_break=form.cleaned_data["tie_break"],
            options=form.options())
    except NotAllowed as error:
        return error_page(request, error.message, status=403)
    except ServiceError as error:  # voting open, a rule that does not apply; Conflict: 409
        web.form_error(form, error)
        return _page(request, consultation, form=form,
                     status=409 if isinstance(error, Conflict) else 400)
    messages.success(request, _("The count was asked for; this page shows how it goes."))
    return redirect("planning:counting", consultation_pk=consultation.pk)


@require_POST
@counting_view
def counting_official(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    runs = list(selectors.count_runs_of(consultation=consultation)[:selectors.COUNTS_LISTED])
    form = forms.OfficialForm(request.POST, runs=runs)
    try:
        done = web.submit(form, lambda f: services.official_choose(
            consultation=consultation, count_run_id=f.cleaned_data["count_run"],
            user=request.user, reason=f.cleaned_data["reason"]))
    except NotAllowed as error:
        return error_page(request, error.message, status=403)
    if done.ok:
        messages.success(request, _("The official count was chosen."))
        return redirect("planning:counting", consultation_pk=consultation.pk)
    return _page(request, consultation, official_form=form, status=400)


@require_POST
@counting_view
def counting_publish(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    try:
        services.results_publish(consultation=consultation, user=request.user)
    except NotAllowed as error:
        return error_page(request, error.message, status=403)
    except Conflict as error:
        return error_page(request, error.message, status=409)
    except ServiceError as error:
        return error_page(request, error.message, status=400)
    messages.success(request, _("The results are published."))
    return redirect("planning:counting", consultation_pk=consultation.pk)


@require_GET
@counting_view
def counting_compare(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    runs = list(selectors.count_runs_of(consultation=consultation)[:selectors.COUNTS_LISTED])
    form = forms.CompareForm(request.GET, runs=runs)
    columns = (selectors.count_runs_compare(consultation=consultation,
                                            run_ids=form.cleaned_data["runs"])
               if form.is_valid() else [])
    return web.render(request, "planning/compare.html", {
        "consultation": consultation, "city": consultation.city, "form": form,
        "columns": columns,
    }, status=200 if form.is_valid() else 400)
