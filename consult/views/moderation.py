"""The city's moderation queue and the decision on one proposal or comment."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import NotAllowed
from core.web import render, submit

from .. import rules as perms
from .. import selectors, services
from ..forms import (
    ModerationForm,
    RejectForm,
)
from ..models import (
    City,
    Comment,
    Proposal,
)
from ._common import consultation_or_404, login_required, proposal_or_404, service_errors

# --- moderation --------------------------------------------------------------------------------


@login_required
@require_GET
@service_errors
def moderation_queue(request: HttpRequest, city: str) -> HttpResponse:
    city_obj = get_object_or_404(City, slug=city)
    if not perms.can_moderate(request.user, city_obj):
        raise NotAllowed(_("Only the city's moderators can open this page."))
    queue = selectors.moderation_queue(city=city_obj)
    return render(request, "consult/moderation_queue.html", {
        "city": city_obj, **queue,
        "decisions": selectors.recent_decisions(city=city_obj),
    })


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def moderate(request: HttpRequest, city: str, kind: str, pk: int) -> HttpResponse:
    city_obj = get_object_or_404(City, slug=city)
    if kind not in ("proposal", "comment"):
        raise Http404(_("Page not found"))
    if kind == "proposal":
        target = get_object_or_404(
            Proposal.objects.select_related("consultation__city", "author__user", "author__city"),
            pk=pk, consultation__city=city_obj,
        )
    else:
        target = get_object_or_404(
            Comment.objects.select_related("proposal__consultation__city", "author__user",
                                           "author__city"),
            pk=pk, proposal__consultation__city=city_obj,
        )
    services.ensure_can_moderate(user=request.user, target=target)
    form = ModerationForm(
        request.POST or None,
        initial={"action": "restore" if target.is_hidden else "hide"},
    )
    if request.method == "POST" and submit(form, lambda form: services.moderation_decide(
            moderator=request.user, action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
            proposal=target if kind == "proposal" else None,
            comment=target if kind == "comment" else None)).ok:
        messages.success(request, _("Your decision is recorded."))
        return redirect("consult:moderation", city=city)
    flags = target.flags.select_related("reporter__user").order_by("-created_at")
    return render(request, "consult/moderate.html", {
        "city": city_obj, "target": target, "kind": kind, "form": form, "flags": flags,
        "decisions": target.decisions.select_related("moderator"),
        "can_reject": kind == "proposal" and perms.can_reject_proposal(request.user, target)
        and perms.is_rejectable(request.user, target),
    }, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def proposal_reject(request: HttpRequest, city: str, slug: str, pk: int) -> HttpResponse:
    """A moderator or planner rejects a proposal before voting, with a reason its author and
    the public read on the proposal's page."""
    consultation = consultation_or_404(city, slug)
    proposal = proposal_or_404(request, consultation, pk)
    services.ensure_can_reject_proposal(user=request.user, proposal=proposal)
    form = RejectForm(request.POST or None)
    if request.method == "POST" and submit(form, lambda form: services.proposal_reject(
            proposal=proposal, user=request.user, reason=form.cleaned_data["reason"])).ok:
        messages.success(request, _("The proposal is rejected; its author can read why."))
        return redirect("consult:proposal", city=city, slug=slug, pk=proposal.pk)
    return render(request, "consult/proposal_reject.html", {
        "consultation": consultation, "city": consultation.city, "form": form,
        "proposal": proposal, "rejectable": perms.is_rejectable(request.user, proposal),
        "not_rejectable": (services.BALLOT_FIXED if consultation.voting_has_opened()
                           else services.PROPOSAL_NOT_REJECTABLE),
    }, status=400 if form.is_bound else 200)
