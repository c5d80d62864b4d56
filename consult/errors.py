"""The consultation's own service error; the shared ones live in `core.errors`."""
from __future__ import annotations

from core.errors import ServiceError


class BallotError(ServiceError):
    """A ballot that breaks the consultation's voting rules."""
