"""Setting up consultations: the city's list for its staff, a new consultation, editing one, and
the preview of its public page (unsaved changes or what is stored). Who may: the city's
administrators, and its planners where the city allows it (`rules.can_set_up_consultations`)."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.i18n import apply_translations
from core.web import Submitted, render, submit

from .. import selectors, services, tasks
from ..forms_setup import RULES_FROZEN, ConsultationForm, theme_formset
from ..models import City, Consultation, Theme
from ._common import CHANGES_SAVED, login_required, phase_steps, service_errors

NO_COUNTS = {"proposals": 0, "participants": 0, "supports": 0, "ballots": 0}


def _city(request: HttpRequest, slug: str) -> City:
    city = get_object_or_404(City, slug=slug)
    services.ensure_can_set_up(user=request.user, city=city)
    return city


def _consultation(request: HttpRequest, city: City, slug: str) -> Consultation:
    """A consultation of this city (another city's is not found here) the user may edit."""
    try:
        consultation = Consultation.objects.select_related("city").get(city=city, slug=slug)
    except Consultation.DoesNotExist as error:
        raise Http404(selectors.NO_SUCH_CONSULTATION) from error
    services.ensure_can_edit_consultation(user=request.user, consultation=consultation)
    return consultation


@login_required
@require_GET
@service_errors
def setup_list(request: HttpRequest, city: str) -> HttpResponse:
    city_obj = _city(request, city)
    return render(request, "consult/setup/list.html", {
        "city": city_obj,
        "consultations": selectors.consultations_for_setup(city=city_obj),
    })


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def setup_create(request: HttpRequest, city: str) -> HttpResponse:
    city_obj = _city(request, city)
    form = ConsultationForm(request.POST or None, city=city_obj)
    themes = theme_formset(request.POST or None, city=city_obj, consultation=None,
                           language=form.own_language)
    if request.method == "POST":
        if "back" in request.POST:  # from the preview, to the form again, nothing saved
            return _form_page(request, form, themes, city=city_obj, consultation=None,
                              status=200)
        if "preview" in request.POST:
            return _preview_unsaved(request, form, themes, city=city_obj, consultation=None)
        done = _submitted(form, themes, lambda fields, specs: services.consultation_set_up(
            user=request.user, city=city_obj, slug=form.cleaned_data.get("slug") or "",
            themes=specs, **fields))
        if done.ok:
            messages.success(request, _("The consultation is created."))
            return redirect("consult:setup_edit", city=city, slug=done.result.slug)
    return _form_page(request, form, themes, city=city_obj, consultation=None)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def setup_edit(request: HttpRequest, city: str, slug: str) -> HttpResponse:
    city_obj = _city_of_consultation(city)
    consultation = _consultation(request, city_obj, slug)
    frozen = consultation.voting_has_opened()
    form = ConsultationForm(request.POST or None, city=city_obj, consultation=consultation,
                            frozen=frozen)
    themes = theme_formset(request.POST or None, city=city_obj, consultation=consultation,
                           language=form.own_language)
    if request.method == "POST":
        if "back" in request.POST:
            return _form_page(request, form, themes, city=city_obj, consultation=consultation,
                              status=200)
        if "preview" in request.POST:
            return _preview_unsaved(request, form, themes, city=city_obj,
                                    consultation=consultation)
        done = _submitted(form, themes, lambda fields, specs: services.consultation_edit(
            user=request.user, consultation=consultation, themes=specs, **fields))
        if done.ok:
            messages.success(request, CHANGES_SAVED)
            return redirect("consult:setup_edit", city=city, slug=slug)
    return _form_page(request, form, themes, city=city_obj, consultation=consultation)


@login_required
@require_GET
@service_errors
def setup_preview(request: HttpRequest, city: str, slug: str) -> HttpResponse:
    """The stored consultation's public page, as the public sees it, marked as a preview (also
    before it opens)."""
    consultation = _consultation(request, _city_of_consultation(city), slug)
    return _preview(request, consultation, themes=list(consultation.themes.all()),
                    counts=tasks.headline_counts(consultation=consultation), saved=True)


# --- helpers -----------------------------------------------------------------------------------


def _city_of_consultation(slug: str) -> City:
    return get_object_or_404(City, slug=slug)


def _submitted(form, themes, apply) -> Submitted:
    """The form and its themes to the service; the themes' own errors first."""
    themes_ok = themes.is_valid()
    if not themes_ok:
        form.is_valid()
        return Submitted(ok=False)
    return submit(form, lambda form: apply(form.service_fields(), themes.specs()))


def _form_page(request, form, themes, *, city, consultation,
               status: int | None = None) -> HttpResponse:
    return render(request, "consult/setup/form.html", {
        "city": city, "consultation": consultation, "form": form, "themes": themes,
        "frozen": form.frozen, "rules_frozen": RULES_FROZEN,
    }, status=status or (400 if form.is_bound else 200))


def _preview_unsaved(request, form, themes, *, city, consultation) -> HttpResponse:
    """The public page with the form's values, nothing saved; the form again if they break a
    rule (the services' own check, `consultation_check`)."""
    unsaved: dict = {}

    def build(form):
        fields = form.service_fields()
        texts = fields.pop("translations", None)
        slug = consultation.slug if consultation else (
            form.cleaned_data.get("slug") or slugify(form.cleaned_data["title"])[:120]
            or "preview")
        unsaved["consultation"] = preview = Consultation(city=city, slug=slug, **fields)
        apply_translations(preview, texts)
        if consultation is not None:
            preview.pk = consultation.pk
        services.consultation_check(preview)

    if not _submitted(form, themes, lambda fields, specs: build(form)).ok:
        return _form_page(request, form, themes, city=city, consultation=consultation)
    preview = unsaved["consultation"]
    shown = [_unsaved_theme(spec, position=n) for n, spec in enumerate(themes.specs())]
    counts = (tasks.headline_counts(consultation=consultation) if consultation is not None
              else NO_COUNTS)
    posted = [(key, value) for key, values in request.POST.lists()
              if key not in ("csrfmiddlewaretoken", "preview") for value in values]
    return _preview(request, preview, themes=shown, counts=counts, saved=False, posted=posted,
                    action=request.path)


def _unsaved_theme(spec: dict, *, position: int) -> Theme:
    theme = Theme(position=position)
    for name in ("name", "description"):
        if name in spec:
            setattr(theme, name, spec[name])
    apply_translations(theme, spec.get("translations"))
    theme.slug = slugify(str(theme.name)) or "theme"
    return theme


def _preview(request, consultation, *, themes, counts, saved: bool, posted=(),
             action: str = "") -> HttpResponse:
    """The public consultation page (consult/consultation_detail.html) as an anonymous visitor
    sees it, with a preview banner and nothing to act on."""
    return render(request, "consult/consultation_detail.html", {
        "consultation": consultation,
        "city": consultation.city,
        "phase": consultation.phase,
        "steps": phase_steps(consultation),
        "counts": counts,
        "pending": tasks.TALLY_PENDING,
        "themes": themes,
        "can_submit": False,
        "can_vote": False,
        "ballot": None,
        "plan_years": range(consultation.plan_start_year, consultation.plan_end_year + 1),
        "preview": {"saved": saved, "posted": posted, "action": action},
    })
