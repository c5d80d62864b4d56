"""Test settings: fast password hashing, in-memory e-mail."""
from .base import *  # noqa: F403
from .base import env_str

SECRET_KEY = env_str("SECRET_KEY") or "test-only-insecure-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The suite runs tasks in-process unless a test starts a real worker (tests/stack/).
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Assertions read messages in English; translations are tested explicitly per language.
LANGUAGE_CODE = "en"
