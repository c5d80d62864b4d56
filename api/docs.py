"""The OpenAPI schema and its documentation pages (Swagger UI and Redoc), with the JavaScript
served by this site from the drf-spectacular-sidecar package, never from a CDN.

Once settings list ``"drf_spectacular_sidecar"`` in INSTALLED_APPS, the assets are static files
like any other (collectstatic, WhiteNoise). Until then, and as a fallback, they are served from
the installed package by ``sidecar_asset`` (a read-only view limited to that directory)."""
from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.http import Http404
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from .exceptions import handler

SIDECAR_APP = "drf_spectacular_sidecar"


def _sidecar_root() -> Path | None:
    try:
        import drf_spectacular_sidecar
    except ImportError:  # pragma: no cover - the package is a dependency of the API docs
        return None
    return Path(drf_spectacular_sidecar.__file__).resolve().parent / "static" / SIDECAR_APP


def sidecar_url(path: str) -> str:
    if apps.is_installed(SIDECAR_APP):
        return static(f"{SIDECAR_APP}/{path}")
    return reverse("api:sidecar-asset", args=[path])


@require_GET
@cache_control(max_age=86400, public=True)
def sidecar_asset(request, path: str):
    root = _sidecar_root()
    if root is None:
        raise Http404("No documentation assets installed.")
    return serve(request, path, document_root=str(root))


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema (YAML by default, JSON with ``?format=json``)."""

    def get_exception_handler(self):
        return handler


class SwaggerView(SpectacularSwaggerView):
    url_name = "api:schema"

    @staticmethod
    def _swagger_ui_resource(filename):
        return sidecar_url(f"swagger-ui-dist/{filename}")

    @staticmethod
    def _swagger_ui_favicon():
        return sidecar_url("swagger-ui-dist/favicon-32x32.png")


class RedocView(SpectacularRedocView):
    url_name = "api:schema"
    template_name = "api/redoc.html"

    @staticmethod
    def _redoc_standalone():
        return sidecar_url("redoc/bundles/redoc.standalone.js")
