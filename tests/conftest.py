
import pytest
from django.conf import settings as django_settings
from django.db import connection
from hypothesis import settings as hypothesis_settings

from tests.needs import IN_CI

# In CI the property tests replay the same examples on every run, so that a red build always
# points at a change; locally they keep exploring new examples.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if IN_CI:
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _english_unless_a_test_says_otherwise():
    """Requests through the test client activate the visitor's language in this thread and
    leave it active; start every test in the settings' language so that no test depends on
    which ran before it."""
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


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


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache outlives a test's database rollback (ids are reused): start each test with an
    empty one, as a fresh server would."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
