import os

import pytest
from django.db import connection
from hypothesis import settings as hypothesis_settings

# In CI the property tests replay the same examples on every run, so that a red build always
# points at a change; locally they keep exploring new examples.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    """Concurrency tests need row locks and parallel transactions: PostgreSQL only."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (row locks, concurrent transactions); SQLite serialises writers. "
        "Run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/cabildo"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
