"""Web pages of the consultation domain. Views are thin: they turn forms into service calls and
service errors into form errors (ServiceError) or a 403 page (NotAllowed)."""
from __future__ import annotations

import json
import secrets
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required as django_login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import web
from core.errors import NotAllowed, ServiceError
from core.web import render, submit

from . import rules as perms
from . import selectors, services
from .filters import ProposalFilter, shuffled
from .forms import (
    DEMOGRAPHICS_HELP,
    CommentForm,
    DeleteAccountForm,
    FlagForm,
    ModerationForm,
    ProfileForm,
    ProposalForm,
    SignupForm,
    WithdrawForm,
)
from .models import (
    City,
    Comment,
    Consultation,
    Participant,
    Phase,
    Proposal,
    VotingMethod,
)

PAGE_SIZE = 20
SEED_KEY = "cabildo_order_seed"
ONCE_KEY = "cabildo_once"

login_required = django_login_required(login_url=reverse_lazy("login"))


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
        raise Http404(_("No such consultation.")) from error


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


# --- accounts ----------------------------------------------------------------------------------


def _profile_fields(form) -> dict:
    return {name: form.cleaned_data[name]
            for name in ("city", "district", "age_band", "gender", "consent")}


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
        initial={"district": participant.district, "age_band": participant.age_band,
                 "gender": participant.gender},
    )
    if request.method == "POST" and submit(form, lambda form: services.participant_update(
            participant=participant, **form.cleaned_data)).ok:
        messages.success(request, PROFILE_SAVED)
        return redirect("consult:profile")
    return render(
        request, "consult/profile.html",
        {"form": form, "participant": participant, "demographics_help": DEMOGRAPHICS_HELP},
        status=400 if form.is_bound and form.errors else 200,
    )


def complete_profile(request: HttpRequest) -> HttpResponse:
    """An account without a participant profile (e.g. created by an administrator)."""
    form = SignupForm(request.POST or None)
    for name in ("username", "email", "password1", "password2"):
        form.fields.pop(name, None)
    if request.method == "POST" and submit(form, lambda form: services.participant_register(
            user=request.user, **_profile_fields(form))).ok:
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
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        participant = participant_of(request)
        user = request.user
        logout(request)
        if participant is not None:
            services.participant_erase(participant=participant)
        else:
            user.delete()
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
        "counts": selectors.consultation_counts(consultation=consultation),
        "themes": consultation.themes.all(),
        "can_submit": perms.can_submit_proposal(request.user, consultation),
        "can_vote": perms.can_vote(request.user, consultation),
        "is_eligible": perms.is_eligible(request.user, consultation),
        "ballot": selectors.ballot_of(participant=participant, consultation=consultation),
        "plan_years": range(consultation.plan_start_year, consultation.plan_end_year + 1),
    }
    return render(request, "consult/consultation_detail.html", context)


@require_GET
def proposal_list(request: HttpRequest, city: str, slug: str) -> HttpResponse:
    consultation = consultation_or_404(city, slug)
    participant = participant_of(request)
    queryset = selectors.proposals_listed(consultation=consultation, participant=participant)
    proposal_filter = ProposalFilter(
        request.GET or None, queryset=queryset, consultation=consultation,
        seed=order_seed(request),
    )
    paginator = Paginator(proposal_filter.qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    can_support_here = (
        participant is not None
        and consultation.phase == Phase.PROPOSALS
        and perms.is_eligible(request.user, consultation)
    )
    return render(request, "consult/proposal_list.html", {
        "consultation": consultation,
        "city": consultation.city,
        "filter": proposal_filter,
        "page": page,
        "ordering": proposal_filter.ordering,
        "can_support_here": can_support_here,
        "can_submit": perms.can_submit_proposal(request.user, consultation),
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
        "can_unsupport": participant is not None and perms.is_proposals_phase(
            request.user, proposal),
        "can_comment": perms.can_comment(request.user, proposal) and not proposal.is_hidden,
        "can_flag": perms.can_flag(request.user, proposal),
        "can_edit": perms.can_edit_proposal(request.user, proposal),
        "can_withdraw": perms.can_withdraw_proposal(request.user, proposal),
        "comment_form": comment_form,
        "once": once_token(request) if request.user.is_authenticated else "",
    })


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
        request.POST or None, consultation=consultation, user=request.user,
        initial=ProposalForm.initial_from(proposal),
    )
    if request.method == "POST" and submit(form, lambda form: services.proposal_update(
            proposal=proposal, user=request.user, year_costs=form.year_costs(),
            publish="publish" in request.POST, **form.service_fields())).ok:
        messages.success(request, _("Your changes are saved."))
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
    error = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        try:
            services.ensure_can_vote(user=request.user, consultation=consultation)
            choices = choices_from_post(request.POST, consultation.voting_method)
            ballot = services.ballot_submit(
                participant=participant, consultation=consultation, choices=choices
            )
        except NotAllowed as exc:
            return error_page(request, exc.message, status=403)
        except ServiceError as exc:
            error = exc.message
            current = choices_from_post_lenient(request.POST, consultation.voting_method)
        else:
            messages.success(request, _("Your ballot is saved."))
            return redirect("consult:vote_receipt", city=city, slug=slug)
    proposals = list(shuffled(
        selectors.proposals_on_ballot(consultation=consultation)
        .select_related("theme", "organisation"),
        order_seed(request),
    ))
    used_cost = sum((p.estimated_cost for p in proposals if p.pk in current), Decimal("0"))
    return render(request, "consult/vote.html", {
        "consultation": consultation,
        "city": consultation.city,
        "phase": consultation.phase,
        "proposals": proposals,
        "current": current,
        "ballot": ballot,
        "error": error,
        "can_vote": perms.can_vote(request.user, consultation),
        "is_eligible": perms.is_eligible(request.user, consultation),
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
        .select_related("theme")
        .order_by("title")
    )
    points = selectors.ballot_choices_of(ballot=ballot)
    return render(request, "consult/vote_receipt.html", {
        "consultation": consultation, "city": consultation.city, "ballot": ballot,
        "chosen": chosen, "points": points,
        "can_change": perms.can_vote(request.user, consultation),
    })


@require_GET
def results(request: HttpRequest, city: str, slug: str) -> HttpResponse:
    consultation = consultation_or_404(city, slug)
    phase = consultation.phase
    closed = phase in (Phase.COUNTING, Phase.RESULTS)
    totals = selectors.vote_totals(consultation=consultation).select_related("theme") if closed \
        else Proposal.objects.none()
    # HOOK for the counting engine (planning/): once a CountRun exists, planning marks the
    # winners with status SELECTED. consult must not import planning, so the page reads the
    # statuses only. Replace this line if planning later exposes a selected-ids read in consult.
    selected_ids = set(
        Proposal.objects.filter(consultation=consultation, status=Proposal.Status.SELECTED)
        .values_list("pk", flat=True)
    ) if closed else set()
    return render(request, "consult/results.html", {
        "consultation": consultation, "city": consultation.city, "phase": phase,
        "closed": closed, "totals": totals, "selected_ids": selected_ids,
        "counts": selectors.consultation_counts(consultation=consultation) if closed else None,
    })


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
            Proposal.objects.select_related("consultation__city", "author__user"),
            pk=pk, consultation__city=city_obj,
        )
    else:
        target = get_object_or_404(
            Comment.objects.select_related("proposal__consultation__city", "author__user"),
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
    }, status=400 if form.is_bound else 200)
