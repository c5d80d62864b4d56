"""CI replays fixed examples: a red build always points at a change, never at luck."""
import pytest
from hypothesis import settings

from tests.needs import IN_CI


def test_ci_runs_the_derandomised_hypothesis_profile():
    if not IN_CI:
        pytest.skip("outside CI the property tests keep exploring new examples")
    assert settings.default.derandomize is True
