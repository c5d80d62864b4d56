"""The OpenAPI schema and its documentation pages (Swagger UI and Redoc), with the JavaScript
served by this site from the drf-spectacular-sidecar package, never from a CDN.

Once settings list ``"drf_spectacular_sidecar"`` in INSTALLED_APPS, the assets are static files
like any other (collectstatic, WhiteNoise). Until then, and as a fallback, they are served from
the installed package by ``sidecar_asset`` (a read-only view limited to that directory)."""
from __future__ import annotations

from pathlib import Path

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.apps import apps
from django.http import Http404
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.static import serve
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
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


def _setting(value):
    """A Swagger UI or Redoc setting as data for a JSON block: a dict stays a dict; JavaScript
    source (drf-spectacular accepts a string) cannot run under the Content-Security-Policy."""
    if isinstance(value, str):
        raise ValueError("API docs settings must be dicts: inline JavaScript is not allowed")
    return value or None


class SwaggerView(SpectacularSwaggerView):
    """Swagger UI with its settings in a JSON data block and started by a static script
    (static/api/swagger-init.js), not by drf-spectacular's inline script."""

    url_name = "api:schema"
    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data["swagger_config"] = {
            "schemaUrl": response.data["schema_url"],
            "settings": _setting(spectacular_settings.SWAGGER_UI_SETTINGS),
            "oauth2Config": _setting(spectacular_settings.SWAGGER_UI_OAUTH2_CONFIG),
            "csrfHeaderName": self._get_csrf_header_name(),
            "csrfToken": get_token(request),
            "schemaAuthNames": self._get_schema_auth_names(),
        }
        return response

    @staticmethod
    def _swagger_ui_resource(filename):
        return sidecar_url(f"swagger-ui-dist/{filename}")

    @staticmethod
    def _swagger_ui_favicon():
        return sidecar_url("swagger-ui-dist/favicon-32x32.png")


@method_decorator(csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}),
                  name="dispatch")
class RedocView(SpectacularRedocView):
    """Redoc with its settings in a JSON data block and started by a static script
    (static/api/redoc-init.js). Redoc draws with styled-components, which insert <style>
    elements (no nonce can reach them inside the prebuilt bundle), and runs its search index in a
    worker made from a blob: URL: this page alone allows inline styles and blob: workers.
    Scripts stay 'self' only. (Its hard-coded "API docs by Redocly" logo from cdn.redoc.ly is
    refused by img-src; the image hides itself.)"""

    url_name = "api:schema"
    template_name = "api/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data["redoc_config"] = {
            "schemaUrl": response.data["schema_url"],
            "settings": _setting(spectacular_settings.REDOC_UI_SETTINGS),
        }
        response.data["favicon_href"] = sidecar_url("swagger-ui-dist/favicon-32x32.png")
        return response

    @staticmethod
    def _redoc_standalone():
        return sidecar_url("redoc/bundles/redoc.standalone.js")
