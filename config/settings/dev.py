"""The embedded default: SQLite, debug on, a throw-away secret key."""
from .base import *  # noqa: F403
from .base import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
