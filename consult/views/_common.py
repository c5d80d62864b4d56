"""What the consultation pages share: the participant of a request, error pages, the once-only form
token, the visitor's stable random order, loading a consultation or a proposal the reader may
open, and the phase timeline."""
from __future__ import annotations

import secrets

from django.contrib.auth.decorators import login_required as django_login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import web

from .. import rules as perms
from .. import selectors
from ..models import (
    Consultation,
    Participant,
    Phase,
    Proposal,
)

PAGE_SIZE = 20
SEED_KEY = "cabildo_order_seed"
ONCE_KEY = "cabildo_once"

login_required = django_login_required(login_url=reverse_lazy("login"))

#: What an edit page says once the changes are stored.
CHANGES_SAVED = gettext_lazy("Your changes are saved.")


# --- helpers -----------------------------------------------------------------------------------


def participant_of(request: HttpRequest) -> Participant | None:
    return perms.participant_of(request.user)


def error_page(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return web.error_page(request, message, status=status, template="consult/error.html")


#: Errors the services raise outside a form become a clear 403 / 400 page.
service_errors = web.service_errors(template="consult/error.html")


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def once_token(request: HttpRequest) -> str:
    """A one-time token for a form that creates something: a second submission is refused."""
    token = secrets.token_urlsafe(16)
    request.session[ONCE_KEY] = request.session.get(ONCE_KEY, [])[-19:] + [token]
    return token


def once_valid(request: HttpRequest) -> bool:
    return request.POST.get("once", "") in request.session.get(ONCE_KEY, [])


def once_spend(request: HttpRequest) -> None:
    token = request.POST.get("once", "")
    request.session[ONCE_KEY] = [t for t in request.session.get(ONCE_KEY, []) if t != token]


def already_sent(request: HttpRequest, what: str) -> HttpResponse:
    return error_page(
        request,
        _("%(what)s was already sent once; it was not sent again. Reload the page to start "
          "anew.") % {"what": what},
        status=409,
    )


def order_seed(request: HttpRequest) -> int:
    """A random seed kept in the visitor's session: a stable random order per visitor."""
    seed = request.session.get(SEED_KEY)
    if not isinstance(seed, int):
        seed = secrets.randbelow(2**62)
        request.session[SEED_KEY] = seed
    return seed


def consultation_or_404(city: str, slug: str) -> Consultation:
    try:
        return selectors.consultation_get(city_slug=city, slug=slug)
    except Consultation.DoesNotExist as error:
        raise Http404(selectors.NO_SUCH_CONSULTATION) from error


def proposal_or_404(request: HttpRequest, consultation: Consultation, pk: int) -> Proposal:
    """A proposal the viewer may open (`rules.can_see_proposal`)."""
    try:
        return selectors.proposal_for_reader(user=request.user, consultation=consultation, pk=pk)
    except Proposal.DoesNotExist as error:
        raise Http404(selectors.NO_SUCH_PROPOSAL) from error


def phase_steps(consultation: Consultation) -> list[dict]:
    """The timeline: each phase with its start and end, and which one is current."""
    current = consultation.phase
    steps = [
        (Phase.PROPOSALS, consultation.proposals_open_at, consultation.proposals_close_at,
         _("Submit and support proposals")),
        (Phase.REVIEW, consultation.proposals_close_at, consultation.voting_opens_at,
         _("The city checks feasibility and prepares the ballot")),
        (Phase.VOTING, consultation.voting_opens_at, consultation.voting_closes_at,
         _("Vote for the proposals you want")),
        (Phase.COUNTING, consultation.voting_closes_at, consultation.results_at,
         _("Votes are counted")),
        (Phase.RESULTS, consultation.results_at, None, _("Results are published")),
    ]
    order = [step[0] for step in steps]
    current_index = order.index(current) if current in order else -1
    return [
        {
            "phase": phase, "starts": starts, "ends": ends, "what": what,
            "is_current": phase == current,
            "is_past": current_index > index,
        }
        for index, (phase, starts, ends, what) in enumerate(steps)
    ]
