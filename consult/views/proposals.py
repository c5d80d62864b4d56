"""Writing on a proposal: submit, edit, withdraw, support, follow, comment and report."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import NotAllowed
from core.web import render, submit

from .. import selectors, services
from ..forms import (
    CommentForm,
    FlagForm,
    ProposalForm,
    WithdrawForm,
)
from ..models import (
    Comment,
    Consultation,
    Participant,
    Proposal,
)
from ._common import (
    CHANGES_SAVED,
    already_sent,
    consultation_or_404,
    login_required,
    once_spend,
    once_token,
    once_valid,
    proposal_or_404,
    safe_next,
    service_errors,
)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def proposal_create(request: HttpRequest, city: str, slug: str) -> HttpResponse:
    consultation = consultation_or_404(city, slug)
    try:
        participant = services.ensure_participant(user=request.user)
    except NotAllowed as refusal:
        messages.info(request, refusal.message)
        return redirect(f"{reverse('consult:profile')}?next={request.path}")
    services.ensure_can_submit_proposal(user=request.user, consultation=consultation)
    form = ProposalForm(request.POST or None, consultation=consultation, user=request.user)
    if request.method == "POST":
        if not once_valid(request):
            return already_sent(request, _("This proposal"))
        publish = "save_draft" not in request.POST
        submitted = submit(form, lambda form: services.proposal_create(
            author=participant, consultation=consultation, year_costs=form.year_costs(),
            publish=publish, **form.service_fields()))
        if submitted.ok:
            once_spend(request)
            messages.success(
                request,
                _("Your proposal is published.") if publish
                else _("Your draft is saved. Only you can see it until you publish it."),
            )
            return redirect("consult:proposal", city=city, slug=slug, pk=submitted.result.pk)
    return render(request, "consult/proposal_form.html", {
        "consultation": consultation, "city": consultation.city, "form": form,
        "once": request.POST.get("once") if request.method == "POST" else once_token(request),
        "creating": True,
    }, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def proposal_edit(request: HttpRequest, city: str, slug: str, pk: int) -> HttpResponse:
    consultation = consultation_or_404(city, slug)
    proposal = proposal_or_404(request, consultation, pk)
    services.ensure_can_edit_proposal(user=request.user, proposal=proposal)
    form = ProposalForm(
        request.POST or None, consultation=consultation, user=request.user, proposal=proposal,
    )
    if request.method == "POST" and submit(form, lambda form: services.proposal_update(
            proposal=proposal, user=request.user, year_costs=form.year_costs(),
            publish="publish" in request.POST, **form.service_fields())).ok:
        messages.success(request, CHANGES_SAVED)
        return redirect("consult:proposal", city=city, slug=slug, pk=proposal.pk)
    return render(request, "consult/proposal_form.html", {
        "consultation": consultation, "city": consultation.city, "form": form,
        "proposal": proposal, "creating": False,
    }, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def proposal_withdraw(request: HttpRequest, city: str, slug: str, pk: int) -> HttpResponse:
    consultation = consultation_or_404(city, slug)
    proposal = proposal_or_404(request, consultation, pk)
    services.ensure_can_withdraw_proposal(user=request.user, proposal=proposal)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and submit(form, lambda form: services.proposal_withdraw(
            proposal=proposal, user=request.user, reason=form.cleaned_data["reason"])).ok:
        messages.success(request, _("Your proposal is withdrawn."))
        return redirect("consult:proposal", city=city, slug=slug, pk=proposal.pk)
    return render(request, "consult/proposal_withdraw.html", {
        "consultation": consultation, "city": consultation.city, "form": form,
        "proposal": proposal,
    }, status=400 if form.is_bound else 200)


def _proposal_for_action(request, city, slug, pk) -> tuple[Consultation, Proposal, Participant]:
    consultation = consultation_or_404(city, slug)
    proposal = proposal_or_404(request, consultation, pk)
    return consultation, proposal, services.ensure_participant(user=request.user)


@login_required
@require_POST
@service_errors
def proposal_support(request: HttpRequest, city: str, slug: str, pk: int) -> HttpResponse:
    """Support a proposal. Supporting twice changes nothing (the second request is a no-op)."""
    _consultation, proposal, participant = _proposal_for_action(request, city, slug, pk)
    if selectors.supports_proposal(participant=participant, proposal=proposal):
        messages.info(request, _("You already support this proposal."))
    else:
        services.support_add(participant=participant, proposal=proposal)
        messages.success(request, _("You support “%(title)s”.") % {"title": proposal.title})
    return redirect(safe_next(request, reverse("consult:proposal", args=[city, slug, pk])))


@login_required
@require_POST
@service_errors
def proposal_unsupport(request: HttpRequest, city: str, slug: str, pk: int) -> HttpResponse:
    _consultation, proposal, participant = _proposal_for_action(request, city, slug, pk)
    if services.support_remove(participant=participant, proposal=proposal):
        messages.success(request, _("You no longer support “%(title)s”.") % {
            "title": proposal.title})
    else:
        messages.info(request, _("You did not support this proposal."))
    return redirect(safe_next(request, reverse("consult:proposal", args=[city, slug, pk])))


@login_required
@require_POST
@service_errors
def proposal_follow(request: HttpRequest, city: str, slug: str, pk: int) -> HttpResponse:
    """Follow a proposal: be told what becomes of it. Following twice changes nothing."""
    proposal = proposal_or_404(request, consultation_or_404(city, slug), pk)
    services.proposal_follow(user=request.user, proposal=proposal)
    messages.success(request, _("You follow “%(title)s”: you will be told what becomes of it.")
                     % {"title": proposal.title})
    return redirect(safe_next(request, reverse("consult:proposal", args=[city, slug, pk])))


@login_required
@require_POST
@service_errors
def proposal_unfollow(request: HttpRequest, city: str, slug: str, pk: int) -> HttpResponse:
    proposal = proposal_or_404(request, consultation_or_404(city, slug), pk)
    services.proposal_unfollow(user=request.user, proposal=proposal)
    messages.success(request, _("You no longer follow “%(title)s”.") % {"title": proposal.title})
    return redirect(safe_next(request, reverse("consult:proposal", args=[city, slug, pk])))


@login_required
@require_POST
@service_errors
def comment_create(request: HttpRequest, city: str, slug: str, pk: int) -> HttpResponse:
    consultation, proposal, participant = _proposal_for_action(request, city, slug, pk)
    if not once_valid(request):
        return already_sent(request, _("This comment"))
    form = CommentForm(request.POST)
    submitted = submit(form, lambda form: services.comment_create(
        author=participant, proposal=proposal, body=form.cleaned_data["body"],
        parent_id=form.cleaned_data.get("parent") or None))
    if submitted.ok:
        once_spend(request)
        messages.success(request, _("Your comment is published."))
        url = reverse("consult:proposal", args=[city, slug, pk])
        return redirect(f"{url}#comment-{submitted.result.pk}")
    return render(request, "consult/comment_form.html", {
        "consultation": consultation, "city": consultation.city, "proposal": proposal,
        "form": form, "once": request.POST.get("once", ""),
    }, status=400)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def flag(request: HttpRequest, city: str, slug: str, pk: int,
         comment_pk: int | None = None) -> HttpResponse:
    """Report a proposal, or one of its comments."""
    consultation, proposal, participant = _proposal_for_action(request, city, slug, pk)
    comment = None
    if comment_pk is not None:
        comment = get_object_or_404(Comment, pk=comment_pk, proposal=proposal)
    services.ensure_can_flag(user=request.user, target=comment or proposal)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and submit(form, lambda form: services.flag_create(
            reporter=participant, reason=form.cleaned_data["reason"],
            detail=form.cleaned_data["detail"],
            proposal=None if comment else proposal, comment=comment)).ok:
        messages.success(request, _("Thank you. The city's moderators will review your report."))
        return redirect("consult:proposal", city=city, slug=slug, pk=pk)
    return render(request, "consult/flag_form.html", {
        "consultation": consultation, "city": consultation.city, "proposal": proposal,
        "comment": comment, "form": form,
    }, status=400 if form.is_bound else 200)
