"""The demo (`make demo`): the embedded defaults of dev.py with DEBUG off, so that an unknown
address or a refused page shows the site's own error pages (templates/404.html, 403.html, 500.html)
as a visitor of the real site would see them, not Django's debug page.

With DEBUG off runserver no longer serves the static files: WhiteNoise does, straight from the
apps' and the project's static folders (no collectstatic needed), re-reading them when they
change."""
from .dev import *  # noqa: F403
from .dev import MIDDLEWARE, env_bool

DEBUG = env_bool("DEBUG", False)
# Right after the security middleware, as in production.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
