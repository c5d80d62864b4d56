"""The shape every server-rendered page shares: render in the city's time, one error page per
status, and the form → service → error-message round trip.

Services own their checks and messages; a view validates its form, calls the service and shows
what the service said: a ServiceError on the form (or a 400 page), a NotAllowed as a 403 page.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render as django_render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .errors import NotAllowed, ServiceError

ERROR_TITLES = {
    400: gettext_lazy("This request could not be carried out"),
    403: gettext_lazy("You cannot do this here, now"),
    404: gettext_lazy("Page not found"),
    409: gettext_lazy("This form was already sent"),
}


def render(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    """Render a page; pages about a city show every date and time in the city's local time."""
    city = context.get("city")
    tzinfo = getattr(city, "tzinfo", None)
    if tzinfo is not None:
        with timezone.override(tzinfo):
            return django_render(request, template, context, status=status)
    return django_render(request, template, context, status=status)


def error_page(
    request: HttpRequest, message: str, *, status: int, template: str,
    title: str | None = None, **context: Any,
) -> HttpResponse:
    """The page that says, in the person's words, why nothing was done."""
    return render(request, template, {
        "title": title or ERROR_TITLES.get(status, ERROR_TITLES[400]), "message": message,
        "status": status, **context,
    }, status=status)


def form_error(form: forms.BaseForm, error: ServiceError) -> None:
    """Put a service's message on the field it names, or on the form as a whole (also when the
    field is hidden: the person cannot correct it there)."""
    named = form.fields.get(error.field) if error.field else None
    field = error.field if named is not None and not named.widget.is_hidden else None
    form.add_error(field, error.message)


@dataclass(frozen=True)
class Submitted:
    """What became of a submitted form: `ok` with the service's result, or errors on the form."""

    ok: bool
    result: Any = None


def submit(form: forms.BaseForm, apply: Callable[[forms.BaseForm], Any]) -> Submitted:
    """Validate the form and hand it to the service. A ServiceError lands on the form; a
    NotAllowed goes up to the view's `service_errors` (a 403 page)."""
    if not form.is_valid():
        return Submitted(ok=False)
    try:
        return Submitted(ok=True, result=apply(form))
    except NotAllowed:
        raise
    except ServiceError as error:
        form_error(form, error)
        return Submitted(ok=False)


def service_errors(*, template: str) -> Callable[[Callable], Callable]:
    """Turn what the services refuse outside a form into a clear 403 / 400 page."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except NotAllowed as error:
                return error_page(request, error.message, status=403, template=template)
            except ServiceError as error:
                return error_page(request, error.message, status=400, template=template)

        return wrapped

    return decorator
