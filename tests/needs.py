"""Tests that need a tool or data from outside the project say so with `needs`: locally a
missing one skips the test with the reason; in CI (`CI` set, not "0"/"false") it fails, so a CI
run cannot go green by skipping."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
#: The Chromium every browser test drives (Debian's package by default).
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def needs(available: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) the current test or module when `available` is false."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI needs this: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)
