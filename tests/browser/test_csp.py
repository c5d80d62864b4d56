"""Browser test of the Content-Security-Policy: the pages that run the most JavaScript — the
reports with plotly charts (bars, treemap, sankey), the council pack, Swagger UI and Redoc —
work under the policy the site sends, with no `securitypolicyviolation` event, no console error
or warning and no page error, and they really drew (plotly's SVG, Swagger's operations, Redoc's
menu). Uses tests/browser/conftest.py (Debian Chromium through Playwright) and the consultation
of tests/reports/conftest.py."""
from __future__ import annotations

import importlib.util
from urllib.parse import urlparse

import pytest

from tests.needs import CHROMIUM, needs

needs(importlib.util.find_spec("playwright") is not None, "playwright is not installed")
needs(CHROMIUM.exists(), f"{CHROMIUM} is absent (apt-get install chromium, or set CHROMIUM_PATH)")

from reports import services  # noqa: E402
from tests.browser.test_reports import page_as  # noqa: E402
from tests.reports.conftest import approved_plan, closed, counted, people  # noqa: E402,F401

pytestmark = pytest.mark.django_db(transaction=True)

# Runs before any of the page's scripts (Playwright's init scripts are not subject to the CSP).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " blocked " + event.blockedURI +
                              " (" + event.sourceFile + ":" + event.lineNumber + ")");
});
"""


def watch(page) -> list[str]:
    """The addresses the page fetched (a request the policy refused never finishes)."""
    fetched: list[str] = []
    page.on("requestfinished", lambda request: fetched.append(request.url))
    return fetched


def only_local(fetched: list[str]) -> None:
    hosts = {urlparse(url).hostname for url in fetched if not url.startswith(("data:", "blob:"))}
    assert hosts <= {"127.0.0.1", "localhost"}, hosts


class Watched:
    """A page whose CSP violations, console errors and warnings and uncaught errors are kept."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message) -> None:
        if message.type not in ("error", "warning"):
            return
        if message.location.get("url", "").endswith("/favicon.ico"):
            return  # the site has no favicon: the browser's guess is a 404, not a policy matter
        self.console.append(f"{message.type}: {message.text}")

    def goto(self, url: str):
        response = self.page.goto(url)
        assert response.status == 200, url
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-eval" not in policy, policy
        assert "camera=()" in response.headers["permissions-policy"]
        return response

    def assert_clean(self, what: str, *, known: str = "") -> None:
        """Nothing was blocked or went wrong, but for messages that contain `known`."""
        violations = [v for v in self.page.evaluate("window.__cspViolations")
                      if not known or known not in v]
        console = [message for message in self.console if not known or known not in message]
        assert violations == [], f"{what}: {violations}"
        assert console == [], f"{what}: {console}"
        assert self.errors == [], f"{what}: {self.errors}"
        self.console.clear()


def test_plotly_charts_draw_under_the_policy(live_server, counted, people, approved_plan,  # noqa: F811
                                             new_page):
    page = page_as(new_page, live_server, people.planner)
    requests = watch(page)
    watched = Watched(page)

    watched.goto(f"{live_server.url}/reports/consultation/{counted.consultation.pk}/")
    page.wait_for_selector("#chart-votes.is-drawn svg.main-svg")
    page.wait_for_selector("#chart-rule_comparison.is-drawn svg.main-svg")
    assert page.locator("#chart-votes .plot-container .bars path").count() >= 4
    # A hover label and the mode bar: more of plotly's drawing, styled by static/reports/plotly.css.
    page.locator("#chart-votes .bars path").first.hover(force=True)
    page.wait_for_selector("#chart-votes .hoverlayer .hovertext")
    assert page.locator("#chart-votes .modebar").count() == 1
    # plotly.js inserted no <style>: its styles are the linked files (reports/plotly_css.py).
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    watched.assert_clean("consultation report")

    watched.goto(f"{live_server.url}/reports/plan/{approved_plan.pk}/")
    page.wait_for_selector("#chart-budget_year_objective.is-drawn svg.main-svg")
    page.wait_for_selector("#chart-proposal_flows.is-drawn .sankey")  # sankey
    drawn = page.locator(".plotly-chart.is-drawn").count()
    assert drawn == page.locator(".plotly-chart").count() and drawn >= 2
    watched.assert_clean("plan report")

    published = services.report_publish(user=people.planner, consultation=counted.consultation)
    watched.goto(f"{live_server.url}/reports/published/{published.pk}/pack/")
    page.wait_for_selector("#chart-votes.is-drawn svg.main-svg")
    assert page.locator(".js-print").is_visible()  # reports.js ran in the pack too
    watched.assert_clean("council pack")
    only_local(requests)


def test_api_docs_render_under_the_policy(live_server, new_page):
    page = new_page()
    requests = watch(page)
    watched = Watched(page)

    watched.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector("#swagger-ui .opblock", timeout=20_000)
    assert page.locator("#swagger-ui .opblock").count() > 10
    page.locator("#swagger-ui .opblock-summary").first.click()  # expand an operation
    page.wait_for_selector("#swagger-ui .opblock.is-open")
    watched.assert_clean("Swagger UI")

    watched.goto(f"{live_server.url}/api/redoc/")
    page.wait_for_selector("#redoc-container .menu-content", timeout=20_000)
    page.wait_for_selector("#redoc-container h2")
    page.fill("#redoc-container [role=search] input", "plan")  # the search runs in a worker
    page.wait_for_selector("#redoc-container [data-role='search:results'] li")
    assert page.locator("#redoc-container [role=menuitem], #redoc-container li").count() > 10
    # Redoc's sidebar links "API docs by Redocly" with a logo from its CDN: the policy refuses
    # it (nothing is fetched from another site) and the image hides itself. That is the one
    # refusal expected, and it is the policy doing its work.
    watched.assert_clean("Redoc", known="https://cdn.redoc.ly/redoc/logo-mini.svg")
    only_local(requests)
