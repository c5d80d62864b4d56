from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import City, Consultation


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The network's cities with their consultations."""
    consultations = Consultation.objects.annotate(
        proposal_count=Count("proposals", distinct=True)
    ).order_by("-voting_opens_at")
    cities = City.objects.prefetch_related(
        Prefetch("consultations", queryset=consultations)
    ).order_by("kind", "name")
    return render(request, "consult/home.html", {"cities": cities})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
