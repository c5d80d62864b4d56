"""The public pages: home, health check, a consultation, its proposal list and a proposal."""
from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET

from core.web import render

from .. import eligibility, selectors, tasks
from .. import rules as perms
from ..filters import ProposalFilter
from ..forms import (
    CommentForm,
)
from ..models import (
    Phase,
)
from ._common import (
    PAGE_SIZE,
    consultation_or_404,
    once_token,
    order_seed,
    participant_of,
    phase_steps,
    proposal_or_404,
)

# --- home and health ---------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The network's cities with their open and past consultations."""
    cities = []
    for city in selectors.cities_with_consultations():
        consultations = list(city.consultations.all())
        cities.append({
            "city": city,
            "open": [c for c in consultations if c.phase != Phase.RESULTS],
            "past": [c for c in consultations if c.phase == Phase.RESULTS],
        })
    return render(request, "consult/home.html", {"cities": cities})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# --- consultations -----------------------------------------------------------------------------


@require_GET
def consultation_detail(request: HttpRequest, city: str, slug: str) -> HttpResponse:
    consultation = consultation_or_404(city, slug)
    participant = participant_of(request)
    context = {
        "consultation": consultation,
        "city": consultation.city,
        "phase": consultation.phase,
        "steps": phase_steps(consultation),
        "counts": tasks.headline_counts(consultation=consultation),
        "pending": tasks.TALLY_PENDING,
        "themes": consultation.themes.all(),
        "can_submit": perms.can_submit_proposal(request.user, consultation),
        "can_vote": perms.can_vote(request.user, consultation),
        "can_edit_consultation": perms.can_edit_consultation(request.user, consultation),
        "need": phase_requirement(request.user, consultation),
        "can_enter_paper_ballots": perms.can_enter_paper_ballots(request.user, consultation),
        "ballot": selectors.ballot_of(participant=participant, consultation=consultation),
        "plan_years": range(consultation.plan_start_year, consultation.plan_end_year + 1),
    }
    return render(request, "consult/consultation_detail.html", context)


def phase_requirement(user, consultation):
    """What the person lacks for what the consultation's phase invites (proposing and
    discussing before the vote, voting during it)."""
    phase = consultation.phase
    if phase in (Phase.UPCOMING, Phase.PROPOSALS, Phase.REVIEW):
        action = eligibility.PROPOSE
    elif phase == Phase.VOTING:
        action = eligibility.VOTE
    else:
        return None
    return eligibility.requirement(user=user, consultation=consultation, action=action)


class CountCachedPaginator(Paginator):
    """A paginator whose total comes from the shared cache, under the consultation's current
    list version: counting a large consultation's proposals on every view costs as much as the
    rest of the page."""

    def __init__(self, *args, count_key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        return cache.get_or_set(self.count_key, lambda: Paginator.count.func(self),
                                selectors.LIST_FIGURES_SECONDS)


def filter_key(request: HttpRequest) -> str:
    """The filters of a list request, without the page and the order (which keep the total)."""
    params = sorted((k, v) for k, v in request.GET.lists() if k not in ("page", "order"))
    return hashlib.sha256(repr(params).encode()).hexdigest()[:16]


@require_GET
def proposal_list(request: HttpRequest, city: str, slug: str) -> HttpResponse:
    consultation = consultation_or_404(city, slug)
    participant = participant_of(request)
    queryset = selectors.proposals_listed(consultation=consultation, participant=participant)
    proposal_filter = ProposalFilter(
        request.GET or None, queryset=queryset, consultation=consultation,
        seed=order_seed(request),
    )
    paginator = CountCachedPaginator(
        proposal_filter.qs, PAGE_SIZE,
        count_key=f"proposal-count:{consultation.pk}:"
                  f"v{selectors.proposal_list_version(consultation_id=consultation.pk)}:"
                  f"{filter_key(request)}")
    page = paginator.get_page(request.GET.get("page"))
    can_support_here = (
        participant is not None
        and consultation.phase == Phase.PROPOSALS
        and perms.may_support(request.user, consultation)
    )
    return render(request, "consult/proposal_list.html", {
        "consultation": consultation,
        "city": consultation.city,
        "filter": proposal_filter,
        "page": page,
        "ordering": proposal_filter.ordering,
        "can_support_here": can_support_here,
        "can_submit": perms.can_submit_proposal(request.user, consultation),
        # before anyone tries to support: what they lack for it (signed-in people only)
        "need": eligibility.requirement(user=request.user, consultation=consultation,
                                        action=eligibility.SUPPORT)
        if consultation.phase == Phase.PROPOSALS and request.user.is_authenticated else None,
    })


@require_GET
def proposal_detail(request: HttpRequest, city: str, slug: str, pk: int) -> HttpResponse:
    consultation = consultation_or_404(city, slug)
    proposal = proposal_or_404(request, consultation, pk)
    participant = participant_of(request)
    is_author = perms.is_author(request.user, proposal)
    can_moderate = perms.can_moderate(request.user, proposal)
    if not perms.can_read_proposal(request.user, proposal):
        return render(request, "consult/proposal_hidden.html",
                      {"consultation": consultation, "city": consultation.city,
                       "proposal": proposal})
    comment_form = CommentForm()
    return render(request, "consult/proposal_detail.html", {
        "consultation": consultation,
        "city": consultation.city,
        "proposal": proposal,
        "participant": participant,
        "is_author": is_author,
        "can_moderate": can_moderate,
        "comments": selectors.comments_of(proposal=proposal),
        "supports_it": selectors.supports_proposal(participant=participant, proposal=proposal),
        "can_support": perms.can_support(request.user, proposal),
        "support_need": eligibility.requirement(
            user=request.user, consultation=consultation, action=eligibility.SUPPORT)
        if consultation.phase == Phase.PROPOSALS and request.user.is_authenticated else None,
        "can_unsupport": participant is not None and perms.is_proposals_phase(
            request.user, proposal),
        "can_comment": perms.can_comment(request.user, proposal) and not proposal.is_hidden,
        "can_flag": perms.can_flag(request.user, proposal),
        "can_edit": perms.can_edit_proposal(request.user, proposal),
        "can_withdraw": perms.can_withdraw_proposal(request.user, proposal),
        "can_reject": (perms.can_reject_proposal(request.user, proposal)
                       and perms.is_rejectable(request.user, proposal)),
        "assessment": selectors.assessment_public(proposal=proposal),
        "can_read_notes": perms.can_read_assessment_notes(request.user, proposal),
        "can_assess": perms.can_assess_proposal(request.user, proposal),
        "comment_form": comment_form,
        "once": once_token(request) if request.user.is_authenticated else "",
    })
