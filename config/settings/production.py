"""Production settings. Required environment: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL.

`DJANGO_SETTINGS_MODULE=config.settings.production manage.py check --deploy` passes with no
warnings when those are set (see docs/deployment.md).
"""
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import MIDDLEWARE, SECRET_KEY, env_bool, env_list, env_str

DEBUG = env_bool("DEBUG", False)
if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of 50+ characters.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# API throttles, login limits and sessions must count in one place for every process: with the
# per-process cache each gunicorn worker would count alone (four workers, four times every
# limit). ALLOW_PER_PROCESS_CACHE=true is for a deliberate single-process deployment.
if not env_str("REDIS_URL", "") and not env_bool("ALLOW_PER_PROCESS_CACHE", False):
    raise ImproperlyConfigured(
        "REDIS_URL must be set: throttles, login limits and sessions are shared through it "
        "(ALLOW_PER_PROCESS_CACHE=true only for a single-process deployment).")

# WhiteNoise serves the collected static files (plotly.js and the stylesheet included) right
# after the security middleware; in development runserver serves them from the apps.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
