"""The inbox, its links, the choices of how to be told, and the e-mails' unsubscribe links."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import web

from . import selectors, services
from .forms import PreferencesForm
from .messages import worded
from .models import Kind, Notification, Recipient

PER_PAGE = 30


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox(user=request.user), PER_PAGE).get_page(
        request.GET.get("page"))
    items = [(n, worded(n)) for n in page.object_list]
    return render(request, "notifications/inbox.html", {"page": page, "items": items})


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notification = services.notification_open(user=request.user, pk=pk)
    except Notification.DoesNotExist as error:
        raise Http404(_("No such notification.")) from error
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect("notifications:inbox")
    return redirect(notification.url)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("All your notifications are marked as read."))
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    language = Recipient.objects.filter(user=request.user).values_list(
        "language", flat=True).first() or ""
    form = PreferencesForm(request.POST or None, channels=services.channels_of(
        user=request.user), language=language)
    if request.method == "POST":
        saved = web.submit(form, lambda form: services.preferences_set(
            user=request.user, channels=form.channels(),
            language=form.cleaned_data["language"]))
        if saved.ok:
            messages.success(request, _("Your choices are saved."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@csrf_exempt  # the signed token is the proof; mail clients post here without a session
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (link checkers must not unsubscribe anybody); POST — the button, or
    a mail client's one-click request (RFC 8058) — stops the e-mails of that kind."""
    target = services.unsubscribe_target(token=token)
    if target is None:
        raise Http404(_("This unsubscribe link is not valid."))
    user, kind = target
    label = _("the daily digest") if kind == services.DIGEST else Kind(kind).label
    if request.method == "POST":
        services.unsubscribe(user=user, kind=kind)
        return render(request, "notifications/unsubscribed.html", {"label": label})
    return render(request, "notifications/unsubscribe.html", {"label": label})
