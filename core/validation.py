"""Model validation as the services use it: one ServiceError naming the first field at fault."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from .errors import ServiceError


def validated(instance: models.Model) -> None:
    """Run model validation (fields and check constraints) and turn it into a ServiceError."""
    try:
        instance.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        field_name = None if field == "__all__" else field
        raise ServiceError(" ".join(messages), field=field_name) from error
