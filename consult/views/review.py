"""The review of proposals before the vote: the city's dashboard (progress per consultation),
a consultation's proposals under review with filters and the assignment to reviewers, and the
assessment form of one proposal. Rules and messages are `consult.services.review`'s."""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import NotAllowed
from core.web import render, submit

from .. import rules as perms
from .. import selectors, services
from ..filters import ReviewFilter
from ..forms import AssessmentForm, AssignForm
from ..models import City
from ._common import consultation_or_404, login_required, proposal_or_404, service_errors

REVIEW_PAGE_SIZE = 50


def _ensure_can_open_review(request: HttpRequest, target) -> None:
    if not perms.can_open_review(request.user, target):
        raise NotAllowed(services.ONLY_REVIEW_STAFF)


@login_required
@require_GET
@service_errors
def review_home(request: HttpRequest, city: str) -> HttpResponse:
    """Per consultation of the city: how many proposals are assessed, how many to assess."""
    city_obj = get_object_or_404(City, slug=city)
    _ensure_can_open_review(request, city_obj)
    return render(request, "consult/review/home.html", {
        "city": city_obj, "consultations": selectors.review_progress(city=city_obj),
    })


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def review_consultation(request: HttpRequest, city: str, slug: str) -> HttpResponse:
    """The proposals of one consultation under review, filtered by theme, reviewer and state;
    a city administrator assigns the ticked ones, or all those the filter shows, to a reviewer
    (POST, with the filter in the query string)."""
    consultation = consultation_or_404(city, slug)
    _ensure_can_open_review(request, consultation)
    reviewers = list(selectors.reviewers_of(city=consultation.city))
    review_filter = ReviewFilter(
        request.GET or None, queryset=selectors.proposals_for_review(consultation=consultation),
        consultation=consultation, reviewers=reviewers)
    can_assign = perms.can_assign_reviewers(request.user, consultation)
    form = None
    if can_assign:
        all_ids = selectors.proposals_for_review(consultation=consultation).values_list(
            "pk", flat=True)
        form = AssignForm(request.POST if request.method == "POST" else None,
                          reviewers=selectors.reviewers_of(city=consultation.city),
                          proposal_ids=list(all_ids))
    elif request.method == "POST":
        raise NotAllowed(services.ONLY_ADMINS_ASSIGN)
    if request.method == "POST":
        def assign(form):
            if request.POST.get("scope") == AssignForm.FILTERED:
                ids = list(review_filter.qs.values_list("pk", flat=True))
            else:
                ids = form.cleaned_data["proposals"]
            return services.assessment_assign(
                user=request.user, consultation=consultation, proposal_ids=ids,
                reviewer=form.cleaned_data["reviewer"])
        done = submit(form, assign)
        if done.ok:
            messages.success(request, ngettext(
                "%(count)d proposal assigned.", "%(count)d proposals assigned.", done.result)
                % {"count": done.result})
            return redirect(request.get_full_path())
    page = Paginator(review_filter.qs, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "consult/review/consultation.html", {
        "consultation": consultation, "city": consultation.city, "filter": review_filter,
        "page": page, "form": form, "can_assign": can_assign, "query": query.urlencode(),
        "can_assess": perms.is_review_phase(request.user, consultation),
        "assessment_closed": (services.ASSESSMENT_BALLOT_FIXED if consultation.voting_has_opened()
                              else services.ASSESSMENT_CLOSED),
        "progress": selectors.review_progress(city=consultation.city).get(pk=consultation.pk),
    }, status=400 if form is not None and form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def proposal_assess(request: HttpRequest, city: str, slug: str, pk: int) -> HttpResponse:
    """Assess one proposal: feasible or not, the validated cost and its split per year."""
    consultation = consultation_or_404(city, slug)
    proposal = proposal_or_404(request, consultation, pk)
    services.ensure_can_assess(user=request.user, proposal=proposal)
    assessment = selectors.assessment_of(proposal=proposal)
    form = AssessmentForm(request.POST or None, consultation=consultation,
                          initial=AssessmentForm.initial_from(assessment, proposal))
    if request.method == "POST" and submit(form, lambda form: services.assessment_save(
            user=request.user, proposal=proposal, **form.service_fields())).ok:
        messages.success(request, _("The assessment is saved."))
        return redirect("consult:review_consultation", city=city, slug=slug)
    return render(request, "consult/review/assess.html", {
        "consultation": consultation, "city": consultation.city, "proposal": proposal,
        "assessment": assessment, "form": form,
    }, status=400 if form.is_bound else 200)
