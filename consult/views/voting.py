"""The ballot, its receipt and the public results."""
from __future__ import annotations

import hashlib
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import NotAllowed, ServiceError
from core.i18n import text_order
from core.web import render

from .. import eligibility, selectors, services, tasks
from .. import rules as perms
from ..filters import shuffled
from ..models import (
    Phase,
    Proposal,
    VotingMethod,
)
from ._common import (
    consultation_or_404,
    error_page,
    login_required,
    order_seed,
    participant_of,
)

# --- voting ------------------------------------------------------------------------------------


def choices_from_post(post, method: str) -> dict[int, int]:
    """Ballot choices from the form; malformed input becomes a ServiceError."""
    choices: dict[int, int] = {}
    try:
        if method == VotingMethod.CUMULATIVE:
            for key, raw in post.items():
                if not key.startswith("points_") or not raw.strip():
                    continue
                points = int(raw)
                if points < 0:
                    raise ServiceError(_("Points cannot be negative."))
                if points:
                    choices[int(key.removeprefix("points_"))] = points
        else:
            for raw in post.getlist("choice"):
                choices[int(raw)] = 1
    except ValueError as error:
        raise ServiceError(_("Points must be whole numbers.")) from error
    return choices


@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, city: str, slug: str) -> HttpResponse:
    consultation = consultation_or_404(city, slug)
    participant = participant_of(request)
    ballot = selectors.ballot_of(participant=participant, consultation=consultation)
    current = selectors.ballot_choices_of(ballot=ballot) if ballot else {}
    error = error_field = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        try:
            services.ensure_can_vote(user=request.user, consultation=consultation)
            choices = choices_from_post(request.POST, consultation.voting_method)
            ballot = services.ballot_submit(
                participant=participant, consultation=consultation, choices=choices,
                voting_code=request.POST.get("voting_code", ""),
            )
        except NotAllowed as exc:
            return error_page(request, exc.message, status=403)
        except ServiceError as exc:
            error, error_field = exc.message, exc.field
            current = choices_from_post_lenient(request.POST, consultation.voting_method)
        else:
            messages.success(request, _("Your ballot is saved."))
            return redirect("consult:vote_receipt", city=city, slug=slug)
    can_vote = perms.can_vote(request.user, consultation)
    need = eligibility.requirement(user=request.user, consultation=consultation,
                                   action=eligibility.VOTE)
    if request.method == "GET" and can_vote and ballot is None:
        # Ballots are saved only when submitted: remember the start (one query), so that the
        # closing reminder can say it was not submitted.
        services.ballot_start_record(participant=participant, consultation=consultation)
    proposals = list(shuffled(
        selectors.proposals_on_ballot(consultation=consultation)
        .select_related("theme", "organisation"),
        order_seed(request),
    ))
    used_cost = sum((p.ballot_cost for p in proposals if p.pk in current), Decimal("0"))
    return render(request, "consult/vote.html", {
        "consultation": consultation,
        "city": consultation.city,
        "phase": consultation.phase,
        "proposals": proposals,
        "current": current,
        "ballot": ballot,
        "error": error,
        "can_vote": can_vote,
        "need": need,
        "asks_code": need is not None and need.code == "voting_code" and not (
            ballot and selectors.ballot_has_code(ballot=ballot)),
        "code_error": error if error_field == "voting_code" else "",
        "method": consultation.voting_method,
        "used_points": sum(current.values()),
        "used_choices": len(current),
        "used_cost": used_cost,
        "left_cost": consultation.budget - used_cost,
        "left_points": (consultation.max_points or 0) - sum(current.values()),
        "left_choices": (consultation.max_choices or 0) - len(current),
    }, status=400 if error else 200)


def choices_from_post_lenient(post, method: str) -> dict[int, int]:
    """What the voter sent, as far as it can be read, to pre-fill the form again."""
    try:
        return choices_from_post(post, method)
    except ServiceError:
        return {}


@login_required
@require_GET
def vote_receipt(request: HttpRequest, city: str, slug: str) -> HttpResponse:
    consultation = consultation_or_404(city, slug)
    ballot = selectors.ballot_of(participant=participant_of(request), consultation=consultation)
    if ballot is None:
        raise Http404(selectors.NOT_VOTED)
    chosen = (
        Proposal.objects.filter(ballot_choices__ballot=ballot)
        .select_related("theme").annotate(ballot_cost=selectors.ballot_cost())
        .order_by(text_order("title"))
    )
    points = selectors.ballot_choices_of(ballot=ballot)
    return render(request, "consult/vote_receipt.html", {
        "consultation": consultation, "city": consultation.city, "ballot": ballot,
        "chosen": chosen, "points": points,
        "can_change": perms.can_vote(request.user, consultation),
    })


def hash_ids(ids: set[int]) -> str:
    return hashlib.sha256(",".join(map(str, sorted(ids))).encode()).hexdigest()[:16]


@require_GET
def results(request: HttpRequest, city: str, slug: str) -> HttpResponse:
    consultation = consultation_or_404(city, slug)
    phase = consultation.phase
    closed = phase in (Phase.COUNTING, Phase.RESULTS)
    tally = tasks.stored_tally(consultation=consultation) if closed else None
    # HOOK for the counting engine (planning/): once a CountRun exists, planning marks the
    # winners with status SELECTED. consult must not import planning, so the page reads the
    # statuses only. Replace this line if planning later exposes a selected-ids read in consult.
    selected_ids = set(
        Proposal.objects.filter(consultation=consultation, status=Proposal.Status.SELECTED)
        .values_list("pk", flat=True)
    ) if closed else set()
    return render(request, "consult/results.html", {
        "consultation": consultation, "city": consultation.city, "phase": phase,
        "closed": closed, "selected_ids": selected_ids,
        # Read only when the table is not in the cache: the table of a stored tally changes
        # only with the selection, so tally and selection name its cached copy.
        "totals": lambda: selectors.vote_totals(consultation=consultation),
        "table_version": f"{tally.pk}-{hash_ids(selected_ids)}" if tally is not None else "",
        "counts": tally.counts() if tally is not None else None,
        "paper_ballots": (selectors.paper_ballot_count(consultation=consultation)
                          if tally is not None else 0),
        "pending": tasks.TALLY_PENDING if closed and tally is None else "",
    })
