"""Paper ballots: the clerks' keyboard-only entry form, the mismatches waiting for a third look
and the import of a CSV file of scanned ballots. Rules and messages are
`consult.services.paper`'s."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import NotAllowed, ServiceError
from core.web import form_error, render

from .. import selectors, services
from ..forms import PaperEntryForm, PaperImportForm
from ..models import VotingMethod
from ._common import consultation_or_404, login_required, service_errors


def _printed_ballot(consultation) -> list:
    """The proposals on the ballot in the order of their numbers, as the printed ballot lists
    them (the number is the proposal's id)."""
    return list(selectors.proposals_on_ballot(consultation=consultation)
                .select_related("consultation__city").order_by("pk"))


def _page(request: HttpRequest, consultation, template: str, context: dict, *,
          status: int = 200) -> HttpResponse:
    return render(request, template, {
        "consultation": consultation, "city": consultation.city,
        "progress": selectors.paper_progress(consultation=consultation),
        "with_points": consultation.voting_method == VotingMethod.CUMULATIVE,
        **context,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def paper_entry(request: HttpRequest, city: str, slug: str) -> HttpResponse:
    """One clerk's entry of one paper ballot; after each one the form comes back empty with
    what became of it (a status line)."""
    consultation = consultation_or_404(city, slug)
    services.ensure_can_enter_paper_ballots(user=request.user, consultation=consultation)
    form = PaperEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = services.paper_entry_record(
                clerk=request.user, consultation=consultation, serial=data["serial"],
                choices=services.paper_choices(data["choices"]),
                identifier=data["identifier"], code=data["code"])
        except ServiceError as error:
            if isinstance(error, NotAllowed):
                raise
            form_error(form, error)
        else:
            messages.success(request, outcome.message)
            return redirect("consult:paper_entry", city=city, slug=slug)
    return _page(request, consultation, "consult/paper/entry.html", {
        "form": form, "proposals": _printed_ballot(consultation),
    }, status=400 if form.is_bound else 200)


@login_required
@require_GET
@service_errors
def paper_mismatches(request: HttpRequest, city: str, slug: str) -> HttpResponse:
    """The serials whose clerks' entries disagree, each entry with its choices as titles."""
    consultation = consultation_or_404(city, slug)
    services.ensure_can_review_paper_ballots(user=request.user, consultation=consultation)
    return _page(request, consultation, "consult/paper/mismatches.html", {
        "mismatches": selectors.paper_mismatches(consultation=consultation),
    })


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def paper_import(request: HttpRequest, city: str, slug: str) -> HttpResponse:
    """A CSV file of scanned ballots, entered row by row as this clerk's entries."""
    consultation = consultation_or_404(city, slug)
    services.ensure_can_enter_paper_ballots(user=request.user, consultation=consultation)
    form = PaperImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        # One byte more than the limit is enough for the service to refuse a larger file.
        data = form.cleaned_data["file"].read(services.IMPORT_MAX_BYTES + 1)
        try:
            report = services.paper_import(clerk=request.user, consultation=consultation,
                                           data=data)
        except ServiceError as error:
            if isinstance(error, NotAllowed):
                raise
            form_error(form, error)
    return _page(request, consultation, "consult/paper/import.html", {
        "form": PaperImportForm() if report is not None else form, "report": report,
    }, status=400 if form.is_bound and report is None else 200)
