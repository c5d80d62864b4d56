"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

They skip, with the reason, where /usr/bin/chromium or the playwright package is absent.
No browser is downloaded: Playwright launches the system Chromium.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="package")
def _allow_orm_beside_playwright():
    """Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
    inside one unless told it is safe (the tests are single-threaded). Set for this package's
    tests only, so that no other test (or subprocess such as `check --deploy`) inherits it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield

from tests.needs import CHROMIUM, IN_CI  # noqa: E402

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


def pytest_collection_modifyitems(config, items):
    reason = None
    if sync_playwright is None:
        reason = "playwright is not installed (pip install playwright)"
    elif not CHROMIUM.exists():
        reason = f"{CHROMIUM} is absent (apt-get install chromium)"
    if reason is None:
        return
    reason = f"browser tests need Chromium: {reason}"
    # In CI a missing browser is a failure, not a skip (tests/needs.py).
    skip = pytest.mark.skip(reason=reason) if not IN_CI else pytest.mark.usefixtures(
        "_browser_missing")
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(scope="package")  # stops the event loop before other packages run
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Factory of pages, each in its own context (own cookies): one per person."""
    contexts = []

    def make(*, javascript: bool = True, locale: str = "en-GB", width: int = 1280):
        context = browser.new_context(
            locale=locale, java_script_enabled=javascript,
            viewport={"width": width, "height": 900},
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shot():
    """Save a full-page screenshot under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def _browser_missing():
    pytest.fail("CI needs Chromium and Playwright for the browser tests "
                f"({CHROMIUM}, set CHROMIUM_PATH)", pytrace=False)
