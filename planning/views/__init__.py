"""Plan pages. Thin: they load, check the predicate, turn forms into service calls and service
errors into form errors (ServiceError, 400) or an error page (NotAllowed, 403)."""
from __future__ import annotations

import functools
import math
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consult.models import City, Consultation, Proposal
from core import web
from core.errors import NotAllowed, ServiceError
from core.login_limits import client_address
from core.web import form_error

from .. import forms, selectors, services
from .. import rules as plan_rules
from ..diff import plan_diff
from ..models import (
    CHECK_ERROR,
    Action,
    BudgetLine,
    CouncilRule,
    Indicator,
    Objective,
    PlanStatus,
    PlanVersion,
    StrategyPlan,
)
from .counting import (  # noqa: F401
    counting_compare,
    counting_official,
    counting_page,
    counting_publish,
)


def error_page(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return web.error_page(request, message, status=status, template="planning/error.html")


def plan_view(ensure: Callable[..., None] | None = None):
    """Load the plan; anonymous visitors log in first; only the city's planners and council
    members see the workspace. `ensure` is the service's own check of who and when (its
    NotAllowed is a 403 page, its ServiceError a 400 page), so the page refuses with the
    service's words before it shows a form. Service errors raised inside the view become pages
    too."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request, pk: int, *args, **kwargs):
            try:
                plan = selectors.plan_get(pk=pk)
            except StrategyPlan.DoesNotExist as error:
                raise Http404(selectors.NO_SUCH_PLAN) from error
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("login"))
            if not plan_rules.can_view_workspace(request.user, plan):
                return error_page(request, _("Only the city's planners and council members can "
                                             "open this plan's workspace."), status=403)
            try:
                if ensure is not None:
                    ensure(plan=plan, user=request.user)
                return view(request, plan, *args, **kwargs)
            except NotAllowed as error:
                return error_page(request, error.message, status=403)
            except ServiceError as error:
                return error_page(request, error.message, status=400)

        return wrapped

    return decorator


editing = plan_view(services.ensure_editable)


def workspace_url(plan: StrategyPlan, anchor: str = "") -> str:
    url = reverse("planning:workspace", args=[plan.pk])
    return f"{url}#{anchor}" if anchor else url


def _form_page(request, plan, form, *, title: str, apply: Callable, done: str,
               anchor: str = "", delete_url: str = "") -> HttpResponse:
    """The shared shape of the edit pages: GET shows the form, a valid POST calls the service;
    its error comes back on the form (status 400)."""
    status = 200
    if request.method == "POST":
        submitted = web.submit(form, apply)  # a NotAllowed becomes plan_view's 403 page
        if submitted.ok:
            messages.success(request, done)
            return redirect(workspace_url(plan, anchor(submitted.result) if callable(anchor)
                                          else anchor))
        status = 400
    return render(request, "planning/form.html", {
        "plan": plan, "city": plan.city, "form": form, "title": title,
        "delete_url": delete_url,
    }, status=status)


# --- lists and drafting ------------------------------------------------------------------------


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = selectors.plans_for(request.user)
    can_draft = request.user.is_authenticated and selectors.consultations_to_plan(
        request.user).exists()
    return render(request, "planning/plan_list.html", {**plans, "can_draft": can_draft})


@require_GET
def draft_start(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("login"))
    consultations = selectors.consultations_to_plan(request.user)
    return render(request, "planning/draft_start.html", {"consultations": consultations})


@require_http_methods(["GET", "POST"])
def draft_create(request: HttpRequest, consultation_pk: int) -> HttpResponse:
    consultation = get_object_or_404(Consultation.objects.select_related("city"),
                                     pk=consultation_pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("login"))
    try:
        services.ensure_can_draft(user=request.user, city=consultation.city)
    except NotAllowed as error:
        return error_page(request, error.message, status=403)
    years = list(range(consultation.plan_start_year, consultation.plan_end_year + 1))
    form = forms.DraftForm(request.POST or None, years=years)
    official = selectors.count_run_official(consultation=consultation)
    job = None if official else selectors.count_job_latest(consultation=consultation)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                plan, conflicts = services.plan_draft_for_consultation(
                    consultation=consultation, user=request.user,
                    title=form.cleaned_data["title"], ceilings=form.ceilings(),
                )
            except NotAllowed as error:
                return error_page(request, error.message, status=403)
            except ServiceError as error:
                form_error(form, error)
            else:
                if conflicts:
                    messages.warning(request, _(
                        "The draft plan is ready, but %(n)s year(s) stay over their ceiling: "
                        "see the conflicts below.") % {"n": len(conflicts)})
                else:
                    messages.success(request, _("The draft plan is ready."))
                return redirect(workspace_url(plan))
        status = 400
    return render(request, "planning/draft_create.html", {
        "consultation": consultation, "city": consultation.city, "form": form,
        "official": official, "job": job,
    }, status=status)


@require_POST
def count_request(request: HttpRequest, consultation_pk: int) -> HttpResponse:
    """The draft page's "Count the votes": a worker makes the official count; the draft page
    shows how far it is and offers the draft once it is done."""
    consultation = get_object_or_404(Consultation.objects.select_related("city"),
                                     pk=consultation_pk)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("planning:draft_create", args=[consultation.pk]),
                                 reverse("login"))
    try:
        services.count_job_request(consultation=consultation, user=request.user, official=True)
    except NotAllowed as error:
        return error_page(request, error.message, status=403)
    except ServiceError as error:  # voting still open, or a count already under way
        messages.error(request, error.message)
    return redirect("planning:draft_create", consultation_pk=consultation.pk)


# --- the workspace -----------------------------------------------------------------------------


@require_GET
@plan_view()
def workspace(request: HttpRequest, plan: StrategyPlan) -> HttpResponse:
    data = selectors.plan_workspace(plan)
    return render(request, "planning/workspace.html", {
        "plan": plan, "city": plan.city, **data,
        "years": plan.years,
        "can_edit": plan_rules.can_edit_plan(request.user, plan),
        "can_submit": plan_rules.can_submit_plan(request.user, plan),
        "can_review": plan_rules.can_review_plan(request.user, plan),
        "can_comment": plan_rules.can_comment_plan(request.user, plan),
        "can_revise": plan_rules.can_start_revision(request.user, plan),
        "can_monitor": plan_rules.can_monitor_plan(request.user, plan),
        "submit_form": forms.SubmitForm(has_check_errors=any(
            check.severity == CHECK_ERROR for check in data["checks"])),
        "comment_form": forms.CommentForm(plan=plan),
    })


@require_http_methods(["GET", "POST"])
@editing
def plan_edit(request: HttpRequest, plan: StrategyPlan) -> HttpResponse:
    form = forms.PlanForm(request.POST or None, plan=plan)
    return _form_page(
        request, plan, form, title=_("Edit the plan"), done=_("The plan was saved."),
        apply=lambda f: services.plan_update(plan=plan, user=request.user, **f.service_fields()),
        anchor="budget",
    )


def _item(model, plan: StrategyPlan, item: int, **lookup):
    lookup = lookup or {"plan": plan}
    return get_object_or_404(model, pk=item, **lookup)


@require_http_methods(["GET", "POST"])
@editing
def objective_form(request: HttpRequest, plan: StrategyPlan, item: int | None = None):
    objective = _item(Objective, plan, item) if item else None
    form = forms.ObjectiveForm(request.POST or None, objective=objective)

    def apply(f):
        if objective:
            return services.objective_update(objective=objective, user=request.user,
                                             **f.service_fields())
        return services.objective_create(plan=plan, user=request.user, **f.service_fields())

    return _form_page(
        request, plan, form, apply=apply, done=_("The objective was saved."),
        title=_("Edit the objective") if objective else _("Add an objective"),
        anchor=lambda o: f"objective-{o.pk}",
        delete_url=reverse("planning:objective_delete", args=[plan.pk, objective.pk])
        if objective else "",
    )


@require_http_methods(["GET", "POST"])
@editing
def action_form(request: HttpRequest, plan: StrategyPlan, item: int | None = None):
    action = _item(Action, plan, item) if item else None
    form = forms.ActionForm(request.POST or None, plan=plan, action=action)

    def apply(f):
        if action:
            return services.action_update(action=action, user=request.user, **f.service_fields())
        return services.action_create(plan=plan, user=request.user, **f.service_fields())

    return _form_page(
        request, plan, form, apply=apply, done=_("The action was saved."),
        title=_("Edit the action") if action else _("Add an action"),
        anchor=lambda a: f"action-{a.pk}",
        delete_url=reverse("planning:action_delete", args=[plan.pk, action.pk])
        if action else "",
    )


@require_http_methods(["GET", "POST"])
@editing
def line_form(request: HttpRequest, plan: StrategyPlan, item: int | None = None):
    line = _item(BudgetLine, plan, item, action__plan=plan) if item else None
    initial = None
    if line:
        initial = {name: getattr(line, name) for name in
                   ("action", "year", "amount", "source", "type", "status")}
    elif request.GET.get("action", "").isdigit():
        initial = {"action": request.GET["action"], "year": request.GET.get("year")}
    form = forms.BudgetLineForm(request.POST or None, plan=plan, initial=initial)

    def apply(f):
        data = dict(f.cleaned_data)
        action = data.pop("action")
        if line:
            if action.pk != line.action_id:
                raise ServiceError(_("A budget line stays with its action; add a line to the "
                                     "other action instead."), field="action")
            return services.budget_line_update(line=line, user=request.user, **data)
        return services.budget_line_create(action=action, user=request.user, **data)

    return _form_page(
        request, plan, form, apply=apply, done=_("The budget line was saved."),
        title=_("Edit the budget line") if line else _("Add a budget line"), anchor="budget",
        delete_url=reverse("planning:line_delete", args=[plan.pk, line.pk]) if line else "",
    )


@require_http_methods(["GET", "POST"])
@editing
def indicator_form(request: HttpRequest, plan: StrategyPlan, item: int | None = None):
    indicator = _item(Indicator, plan, item) if item else None
    initial = forms.IndicatorForm.initial_for(indicator) if indicator else None
    if not indicator and request.GET.get("attach"):
        initial = {"attached_to": request.GET["attach"]}
    form = forms.IndicatorForm(request.POST or None, plan=plan, initial=initial)

    def apply(f):
        if indicator:
            return services.indicator_update(indicator=indicator, user=request.user,
                                             **f.service_kwargs())
        return services.indicator_create(plan=plan, user=request.user, **f.service_kwargs())

    return _form_page(
        request, plan, form, apply=apply, done=_("The indicator was saved."),
        title=_("Edit the indicator") if indicator else _("Add an indicator"),
        anchor=lambda i: f"indicator-{i.pk}",
        delete_url=reverse("planning:indicator_delete", args=[plan.pk, indicator.pk])
        if indicator else "",
    )


def _deleter(model, service, keyword: str, done: str, lookup: str = "plan"):
    @require_POST
    @editing
    def view(request: HttpRequest, plan: StrategyPlan, item: int) -> HttpResponse:
        obj = get_object_or_404(model, pk=item, **{lookup: plan})
        service(**{keyword: obj}, user=request.user)
        messages.success(request, done)
        return redirect(workspace_url(plan))

    return view


objective_delete = _deleter(Objective, services.objective_delete, "objective",
                            gettext_lazy("The objective was removed."))
action_delete = _deleter(Action, services.action_delete, "action",
                         gettext_lazy("The action was removed."))
line_delete = _deleter(BudgetLine, services.budget_line_delete, "line",
                       gettext_lazy("The budget line was removed."), lookup="action__plan")
indicator_delete = _deleter(Indicator, services.indicator_delete, "indicator",
                            gettext_lazy("The indicator was removed."))


# --- versions and council review ---------------------------------------------------------------


@require_POST
@plan_view(services.ensure_can_submit)
def plan_submit(request: HttpRequest, plan: StrategyPlan) -> HttpResponse:
    form = forms.SubmitForm(request.POST)
    submitted = web.submit(form, lambda f: services.plan_submit(
        plan=plan, user=request.user, note=f.cleaned_data["note"],
        override_checks=f.cleaned_data["override_checks"],
        override_reason=f.cleaned_data["override_reason"]))
    if not submitted.ok:  # e.g. the checks found errors and were not overridden
        return error_page(request, " ".join(e for errs in form.errors.values() for e in errs),
                          status=400)
    messages.success(request, _("Version %(n)s was sent to the council.")
                     % {"n": submitted.result.number})
    return redirect(workspace_url(plan))


@require_POST
@plan_view()  # plan_comment_create refuses those who may not comment
def comment_create(request: HttpRequest, plan: StrategyPlan) -> HttpResponse:
    form = forms.CommentForm(request.POST, plan=plan)
    if not form.is_valid():
        return error_page(request, " ".join(e for errs in form.errors.values() for e in errs),
                          status=400)
    services.plan_comment_create(plan=plan, user=request.user, body=form.cleaned_data["body"],
                                 action=form.cleaned_data["action"])
    messages.success(request, _("Your comment was added."))
    return redirect(workspace_url(plan, "comments"))


def council_context(version: PlanVersion | None, city) -> dict:
    """The council's vote on a version, for a page: the votes cast (names and comments), the
    tally, the city's rule and, once decided, the decision."""
    if version is None:
        return {}
    votes = list(selectors.version_votes(version))
    decision = selectors.version_decision(version)
    recorded = decision.tally if decision and decision.tally else None
    if decision and not recorded:  # decided before votes were recorded: no tally to show
        return {"votes": votes, "decision": decision, "tally": {},
                "rule_text": _("Decided before the council's votes were recorded.")}
    rule = (CouncilRule.from_dict(recorded["rule"]) if recorded
            else selectors.council_rule_of(city))
    return {
        "votes": votes, "decision": decision, "rule": rule, "rule_text": rule.describe(),
        "tally": recorded or selectors.version_tally(version).as_dict(),
    }


def _ensure_council_member(*, plan: StrategyPlan, user) -> None:
    if not plan_rules.is_plan_reviewer(user, plan):
        services.ensure_can_review(plan=plan, user=user)  # refuses with the service's words


@require_http_methods(["GET", "POST"])
@plan_view(_ensure_council_member)
def review(request: HttpRequest, plan: StrategyPlan) -> HttpResponse:
    latest = plan.versions.order_by("-number").first()
    if (request.method == "GET" and latest is not None
            and not plan_rules.can_review_plan(request.user, plan)
            and selectors.version_decision(latest) is not None):
        # An old link (the notification of a vote since decided): show what was decided.
        messages.info(request, _("The council has already decided on this version: here is "
                                 "the decision."))
        return redirect(reverse("planning:version", args=[plan.pk, latest.number]))
    services.ensure_can_review(plan=plan, user=request.user)
    version = plan.versions.order_by("-number").first()
    own_vote = version.votes.filter(member=request.user).first() if version else None
    form = forms.VoteForm(request.POST or None,
                          has_check_errors=bool(version and version.has_check_errors))
    status = 200
    if request.method == "POST":
        submitted = web.submit(form, lambda f: services.plan_vote_cast(
            plan=plan, user=request.user, vote=f.cleaned_data["vote"],
            comment=f.cleaned_data["comment"],
            override_checks=f.cleaned_data.get("override_checks", False),
            override_reason=f.cleaned_data.get("override_reason", "")))
        if submitted.ok:
            plan.refresh_from_db()
            if plan.status == PlanStatus.APPROVED:
                messages.success(request, _("Your vote was recorded: the council approved the "
                                            "plan."))
            elif plan.status == PlanStatus.RETURNED:
                messages.success(request, _("Your vote was recorded: the council returned the "
                                            "plan to the planners."))
            else:
                messages.success(request, _("Your vote was recorded. The council has not "
                                            "decided yet."))
                return redirect(reverse("planning:review", args=[plan.pk]))
            return redirect(reverse("planning:version", args=[plan.pk, version.number]))
        status = 400
    previous = plan.versions.filter(number__lt=version.number).order_by("-number").first() \
        if version else None
    return render(request, "planning/review.html", {
        "plan": plan, "city": plan.city, "form": form, "version": version,
        "own_vote": own_vote, **council_context(version, plan.city),
        "view": selectors.snapshot_view(version.snapshot, with_proposals=True) if version else None,
        "checks": [selectors.Check.from_dict(c) for c in version.checks] if version else [],
        "diff": plan_diff(previous.snapshot, version.snapshot) if previous else None,
        "previous": previous,
        "comments": selectors.plan_comments(plan),
        "comment_form": forms.CommentForm(plan=plan),
    }, status=status)


@require_http_methods(["GET", "POST"])
def council_rule(request: HttpRequest, city_slug: str) -> HttpResponse:
    """The city's administrators set how its council decides (everybody may read it)."""
    city = get_object_or_404(City, slug=city_slug)
    rule = selectors.council_rule_of(city)
    can_edit = plan_rules.can_edit_council_rule(request.user, city)
    form = forms.CouncilRuleForm(request.POST or None, instance=rule) if can_edit else None
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("login"))
        try:
            services.ensure_can_edit_council_rule(city=city, user=request.user)
        except NotAllowed as error:
            return error_page(request, error.message, status=403)
        submitted = web.submit(form, lambda f: services.council_rule_update(
            city=city, user=request.user, **f.cleaned_data))
        if submitted.ok:
            messages.success(request, _("The council rule was saved."))
            return redirect(reverse("planning:council_rule", args=[city.slug]))
        status = 400
    return render(request, "planning/council_rule.html", {
        "city": city, "rule": rule, "form": form,
        "members": len(selectors.council_member_ids(city)),
    }, status=status)


@require_POST
@plan_view(services.ensure_can_revise)
def revision_start(request: HttpRequest, plan: StrategyPlan) -> HttpResponse:
    services.plan_revision_start(plan=plan, user=request.user)
    messages.success(request, _("A revision has started. The approved version stays in force "
                                "until the council approves the next one."))
    return redirect(workspace_url(plan))


@require_GET
@plan_view()
def versions(request: HttpRequest, plan: StrategyPlan) -> HttpResponse:
    items = selectors.plan_versions(plan)
    for version in items:
        version.status_label = selectors.version_status(version, plan)
    return render(request, "planning/versions.html", {
        "plan": plan, "city": plan.city, "versions": items,
        "decisions": selectors.plan_decisions(plan),
    })


@require_GET
@plan_view()
def version_detail(request: HttpRequest, plan: StrategyPlan, number: int) -> HttpResponse:
    version = get_object_or_404(PlanVersion.objects.select_related("created_by"), plan=plan,
                                number=number)
    return render(request, "planning/version_detail.html", {
        "plan": plan, "city": plan.city, "version": version,
        **council_context(version, plan.city),
        "view": selectors.snapshot_view(version.snapshot, with_proposals=True),
        "checks": [selectors.Check.from_dict(c) for c in version.checks],
        "status": selectors.version_status(version, plan),
    })


@require_GET
@plan_view()
def version_diff(request: HttpRequest, plan: StrategyPlan) -> HttpResponse:
    numbers = dict(PlanVersion.objects.filter(plan=plan).values_list("number", "pk"))
    try:
        old_n, new_n = int(request.GET.get("from", "")), int(request.GET.get("to", ""))
    except ValueError:
        old_n = new_n = None
    if old_n not in numbers or new_n not in numbers:
        if len(numbers) < 2:
            return error_page(request, _("A comparison needs two versions of the plan."),
                              status=400)
        ordered = sorted(numbers)
        if request.GET.get("from") or request.GET.get("to"):
            return error_page(request, _("Choose two versions of this plan to compare."),
                              status=400)
        old_n, new_n = ordered[-2], ordered[-1]
    old = PlanVersion.objects.get(pk=numbers[old_n])
    new = PlanVersion.objects.get(pk=numbers[new_n])
    return render(request, "planning/diff.html", {
        "plan": plan, "city": plan.city, "old": old, "new": new,
        "diff": plan_diff(old.snapshot, new.snapshot), "numbers": sorted(numbers),
    })


@require_GET
@plan_view()
def history(request: HttpRequest, plan: StrategyPlan) -> HttpResponse:
    return render(request, "planning/history.html", {
        "plan": plan, "city": plan.city, "changes": selectors.plan_history(plan)[:500],
        "decisions": selectors.plan_decisions(plan),
    })


# --- monitoring --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@plan_view()
def monitoring(request: HttpRequest, plan: StrategyPlan) -> HttpResponse:
    if plan.approved_version_id is None:
        return error_page(request, _("Execution is followed once the plan is approved."),
                          status=400)
    can_monitor = plan_rules.can_monitor_plan(request.user, plan)
    lines = list(BudgetLine.objects.filter(action__plan=plan).select_related("action")
                 .order_by("action__rank", "action_id", "year", "source"))
    execution = selectors.plan_execution(plan)
    data = request.POST if request.method == "POST" else None
    spending = forms.SpendingForm(data if request.POST.get("form") == "spending" else None,
                                  lines=lines, prefix="s")
    actuals = forms.ActualsForm(data if request.POST.get("form") == "actuals" else None,
                                indicators=execution["indicators"], years=plan.years,
                                prefix="a")
    status = 200
    if request.method == "POST":
        services.ensure_can_monitor(plan=plan, user=request.user)  # a 403/400 page if not
        form = spending if request.POST.get("form") == "spending" else actuals
        if form.is_bound and form.is_valid():
            try:
                if form is spending:
                    for line, value in spending.changed_lines():
                        services.budget_line_record_spending(line=line, user=request.user,
                                                             spent=value)
                else:
                    for indicator, year, value, comment in actuals.changed_cells():
                        services.indicator_record_actual(
                            indicator=indicator, user=request.user, year=year, actual=value,
                            actual_comment=comment)
            except NotAllowed as error:
                return error_page(request, error.message, status=403)
            except ServiceError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The monitoring data was saved."))
                return redirect(reverse("planning:monitoring", args=[plan.pk]))
        status = 400
    return render(request, "planning/monitoring.html", {
        "plan": plan, "city": plan.city, "execution": execution, "can_monitor": can_monitor,
        "spending": spending, "actuals": actuals, "lines": lines,
        "spending_rows": [(line, spending[f"spent_{line.pk}"]) for line in lines],
        "actual_rows": [
            (indicator, [(year, actuals[f"actual_{indicator.pk}_{year}"],
                          actuals[f"actual_{indicator.pk}_{year}_comment"])
                         for year in plan.years])
            for indicator in execution["indicators"]
        ],
    }, status=status)


# --- transparency (public) ---------------------------------------------------------------------


@require_GET
def public_plan(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        plan, version = selectors.public_plan(pk=pk)
    except StrategyPlan.DoesNotExist as error:
        raise Http404(_("No approved plan here.")) from error
    return render(request, "planning/public_plan.html", {
        "plan": plan, "city": plan.city, "version": version,
        **council_context(version, plan.city),
        "view": selectors.snapshot_view(version.snapshot, with_proposals=True),
        "execution": selectors.plan_execution(plan),
        "decisions": selectors.plan_decisions(plan),
        "can_open_workspace": plan_rules.can_view_workspace(request.user, plan),
    })


@require_GET
def proposal_fate(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(
        Proposal.objects.select_related("consultation__city").filter(is_hidden=False)
        .exclude(status=Proposal.Status.DRAFT), pk=pk)
    return render(request, "planning/proposal_fate.html", {
        "proposal": proposal, "city": proposal.consultation.city,
        "fate": selectors.proposal_fate(proposal),
    })


@require_GET
def waiting(request: HttpRequest) -> HttpResponse:
    """What waits for a member of staff, per role and city."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("login"))
    return render(request, "planning/waiting.html",
                  {"waiting": selectors.waiting_for(user=request.user)})


@require_http_methods(["GET", "POST"])
def receipt_check(request: HttpRequest) -> HttpResponse:
    """Anyone checks a receipt code: is that ballot in the official count? (POST, so that codes
    stay out of addresses and server logs.)"""
    form = forms.ReceiptCheckForm(request.POST or None)
    context: dict = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        wait = selectors.receipt_lookup_wait(address=client_address(request))
        if wait is not None:
            context["refused"] = too_many_receipt_checks(wait)
            status = 429
        else:
            check = selectors.receipt_check(code=form.cleaned_data["code"], user=request.user)
            if check is None:
                form.add_error("code", selectors.RECEIPT_NOT_FOUND)
                status = 404
            else:
                context |= {"check": check, "consultation": check.consultation,
                            "city": check.consultation.city}
    return web.render(request, "planning/receipt_check.html", context, status=status)


def too_many_receipt_checks(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many receipt codes checked from your address: try again in %(n)s minute.",
        "Too many receipt codes checked from your address: try again in %(n)s minutes.",
        minutes) % {"n": minutes}
