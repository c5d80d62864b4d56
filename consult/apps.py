from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultConfig(AppConfig):
    name = "consult"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        from . import middleware, signals  # noqa: F401  (connect the support counter and the
        # reader's time zone at login)
