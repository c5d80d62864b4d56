"""Test settings: fast password hashing, in-memory e-mail."""
from .base import *  # noqa: F403
from .base import env_str

SECRET_KEY = env_str("SECRET_KEY") or "test-only-insecure-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Assertions read messages in English; translations are tested explicitly per language.
LANGUAGE_CODE = "en"
