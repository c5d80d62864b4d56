"""Browser test of the reports: the charts are drawn by the plotly.js Cabildo serves (no
request leaves 127.0.0.1), the tables are there with and without JavaScript, and a screenshot
of each report goes to test-artifacts/.

Uses tests/browser/conftest.py (Debian Chromium through Playwright, skipped with the reason
when either is missing) and the hand-computed fixture of tests/reports/conftest.py."""
from __future__ import annotations

import importlib.util
from urllib.parse import urlparse

import pytest

from tests.needs import CHROMIUM, needs  # noqa: E402

needs(importlib.util.find_spec("playwright") is not None, "playwright is not installed")
needs(CHROMIUM.exists(), f"{CHROMIUM} is absent (apt-get install chromium, or set CHROMIUM_PATH)")

from django.test import Client  # noqa: E402

from reports import services  # noqa: E402
from tests.browser.axe import assert_accessible  # noqa: E402
from tests.reports.conftest import approved_plan, closed, counted, people  # noqa: E402,F401

pytestmark = pytest.mark.django_db(transaction=True)


def page_as(new_page, live_server, user=None, **options):
    page = new_page(**options)
    if user is not None:
        client = Client()
        client.force_login(user)
        page.context.add_cookies([{"name": "sessionid",
                                   "value": client.cookies["sessionid"].value,
                                   "url": live_server.url}])
    return page


def watch(page) -> list[str]:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    return requests


def only_local(requests: list[str]) -> None:
    hosts = {urlparse(url).hostname for url in requests if not url.startswith("data:")}
    assert hosts <= {"127.0.0.1", "localhost"}, hosts


def test_charts_render_from_the_server(live_server, counted, people, approved_plan, new_page,  # noqa: F811
                                       shot):
    consultation = counted.consultation
    page = page_as(new_page, live_server, people.planner)
    requests = watch(page)
    page.goto(f"{live_server.url}/reports/consultation/{consultation.pk}/")
    page.wait_for_selector("#chart-votes.is-drawn .main-svg")
    page.wait_for_selector("#chart-rule_comparison.is-drawn .main-svg")
    assert any(url.endswith("/static/plotly/plotly.min.js") for url in requests)
    assert page.locator("#t-votes tbody tr").count() == 4
    assert page.locator("#t-inclusion_gender").get_by_text("< 10").count() >= 1
    only_local(requests)
    assert_accessible(page, "consultation report")
    shot(page, "reports-01-consultation-live")

    page.goto(f"{live_server.url}/reports/plan/{approved_plan.pk}/")
    page.wait_for_selector("#chart-budget_year_objective.is-drawn .main-svg")
    page.wait_for_selector("#chart-proposal_flows.is-drawn")
    only_local(requests)
    assert_accessible(page, "plan report")
    shot(page, "reports-02-plan-live")

    published = services.report_publish(user=people.planner, consultation=consultation)
    public = page_as(new_page, live_server)
    public_requests = watch(public)
    public.goto(f"{live_server.url}/reports/published/{published.pk}/")
    public.wait_for_selector("#chart-money_per_theme.is-drawn .main-svg")
    assert public.get_by_text("Published report, version 1").count() == 1
    only_local(public_requests)
    shot(public, "reports-03-consultation-published")

    public.goto(f"{live_server.url}/reports/network/")
    public.wait_for_selector("#chart-cities.is-drawn .main-svg")
    only_local(public_requests)
    assert_accessible(public, "network dashboard")
    shot(public, "reports-04-network")

    public.goto(f"{live_server.url}/reports/published/{published.pk}/pack/")
    public.wait_for_selector("#chart-votes.is-drawn")
    public.emulate_media(media="print")
    shot(public, "reports-05-council-pack-print")


def test_tables_without_javascript(live_server, counted, people, new_page, shot):  # noqa: F811
    page = page_as(new_page, live_server, people.council, javascript=False)
    page.goto(f"{live_server.url}/reports/consultation/{counted.consultation.pk}/")
    assert page.locator("#t-rule_comparison tbody tr").count() == 4
    assert not page.locator("#chart-votes").is_visible()  # empty chart box is hidden
    assert page.locator("#t-votes").is_visible()
    # (axe needs JavaScript: the same markup is checked with JavaScript on above.)
    shot(page, "reports-06-consultation-no-javascript")
