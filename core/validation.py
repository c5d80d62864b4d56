"""Model validation as the services use it: one ServiceError naming the first field at fault."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import ServiceError

#: The message of every plan period's constraint (and of the services' check on its end year).
PERIOD_ORDERED = gettext_lazy("The plan cannot end before it starts.")


def validated(instance: models.Model) -> None:
    """Run model validation (fields and check constraints) and turn it into a ServiceError."""
    try:
        instance.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        field_name = None if field == "__all__" else field
        raise ServiceError(" ".join(messages), field=field_name) from error


def in_period(year: int, *, start: int, end: int, field: str) -> int:
    """A year of a plan period (a consultation's or a plan's), or a ServiceError on `field`."""
    if not start <= year <= end:
        raise ServiceError(
            _("%(year)s is outside the plan period %(start)s–%(end)s.")
            % {"year": year, "start": start, "end": end},
            field=field,
        )
    return year


def written(text: str | None, *, field: str = "body") -> str:
    """Text a person wrote (a comment, a remark), stripped; empty text is a ServiceError."""
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Write something before sending."), field=field)
    return text


def period_ordered(*, start: str, end: str, name: str) -> models.CheckConstraint:
    """The database rule behind every plan period: it cannot end before it starts."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{end}__gte": models.F(start)}), name=name,
        violation_error_message=PERIOD_ORDERED,
    )
