"""The Content-Security-Policy and the Permissions-Policy: every kind of page is sent both, the
script policy never allows inline or eval'd code, and no page carries what the policy would
block (an inline <script>, an on… handler, a javascript: address, an inline style) — a test that
fails when someone adds one. The browser side is tests/browser/test_csp.py."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.test import Client, override_settings

from core.security import PermissionsPolicyMiddleware, permissions_policy
from reports import services as report_services
from tests.reports.conftest import approved_plan, closed, counted, people  # noqa: F401

#: Pages whose policy allows inline styles (Redoc's styled-components, api/docs.py).
INLINE_STYLES_ALLOWED = {"/api/redoc/"}


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@dataclass
class Blocked(HTMLParser):
    """What a page's HTML holds that a strict policy blocks."""

    found: list[str] = field(default_factory=list)

    def __post_init__(self):
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src") and (
                attributes.get("type") or "").lower() != "application/json":
            self.found.append(f"inline <script> {attrs}")
        if tag == "style":
            self.found.append("inline <style>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…> handler")
            if name == "style":
                self.found.append(f"<{tag} style=…> attribute")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower(
                    ).startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")


def blocked(html: str) -> list[str]:
    parser = Blocked()
    parser.feed(html)
    return parser.found


@pytest.fixture
def pages(counted, people, approved_plan):  # noqa: F811
    """(description, user or None, address) of every kind of page."""
    consultation = counted.consultation
    city = consultation.city.slug
    base = f"/{city}/{consultation.slug}"
    proposal = counted.proposals["a"]
    published = report_services.report_publish(user=people.planner, consultation=consultation)
    return [
        ("home", None, "/"),
        ("consultation", None, f"{base}/"),
        ("proposal list", None, f"{base}/proposals/"),
        ("proposal", None, f"{base}/proposals/{proposal.pk}/"),
        ("results", None, f"{base}/results/"),
        ("ballot", people.participant, f"{base}/vote/"),
        ("profile", people.participant, "/accounts/profile/"),
        ("log in", None, "/accounts/login/"),
        ("sign up", None, "/accounts/signup/"),
        ("plan list", None, "/plans/"),
        ("public plan", None, f"/plans/public/{approved_plan.pk}/"),
        ("proposal fate", None, f"/plans/proposal/{proposal.pk}/fate/"),
        ("plan workspace", people.planner, f"/plans/{approved_plan.pk}/"),
        ("plan versions", people.planner, f"/plans/{approved_plan.pk}/versions/"),
        ("reports", None, "/reports/"),
        ("consultation report (charts)", people.planner,
         f"/reports/consultation/{consultation.pk}/"),
        ("plan report (charts)", people.planner, f"/reports/plan/{approved_plan.pk}/"),
        ("network dashboard (charts)", None, "/reports/network/"),
        ("published report (charts)", None, f"/reports/published/{published.pk}/"),
        ("council pack (charts)", None, f"/reports/published/{published.pk}/pack/"),
        ("API docs: Swagger UI", None, "/api/docs/"),
        ("API docs: Redoc", None, "/api/redoc/"),
        ("admin log in", None, "/admin/login/"),
        ("not found", None, "/no/such/page/here/"),
    ]


def fetch(user, address):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(address)


@pytest.mark.django_db
def test_every_kind_of_page_is_sent_both_policies(pages):
    for what, user, address in pages:
        response = fetch(user, address)
        assert response.status_code == (404 if what == "not found" else 200), what
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], what
        assert policy["default-src"] == ["'self'"], what
        assert policy["object-src"] == ["'none'"], what
        assert policy["base-uri"] == ["'self'"], what
        assert policy["frame-ancestors"] == ["'none'"], what
        assert policy["form-action"] == ["'self'"], what
        assert policy["img-src"] == ["'self'", "data:"], what
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], what
        expected_styles = ["'self'", "'unsafe-inline'"] if address in INLINE_STYLES_ALLOWED \
            else ["'self'"]
        assert policy["style-src"] == expected_styles, what
        features = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()",
                        "usb=()"):
            assert feature in features, (what, features)


@pytest.mark.django_db
def test_no_page_holds_inline_script_handlers_or_styles(pages):
    for what, user, address in pages:
        response = fetch(user, address)
        html = response.content.decode()
        found = blocked(html)
        if address in INLINE_STYLES_ALLOWED:
            found = [item for item in found if "style" not in item]
        assert found == [], (what, found)
        if "(charts)" in what:  # the figure travels as data, drawn by static/reports/reports.js
            assert 'type="application/json"' in html and "reports/reports.js" in html, what


@pytest.mark.django_db
def test_admin_pages_hold_nothing_the_policy_blocks(django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    for address in ("/admin/", "/admin/auth/user/", f"/admin/auth/user/{admin.pk}/change/",
                    "/admin/auth/user/add/"):
        response = fetch(admin, address)
        assert response.status_code == 200, address
        assert directives(response["Content-Security-Policy"])["script-src"] == ["'self'"], address
        assert blocked(response.content.decode()) == [], address


@pytest.mark.django_db
def test_the_csrf_failure_page_holds_no_inline_style():
    """Django's own CSRF failure page has an inline <style>: templates/403_csrf.html replaces
    it."""
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "Content-Security-Policy" in response and "Permissions-Policy" in response
    assert blocked(response.content.decode()) == []
    assert "The form could not be checked" in response.content.decode()


def test_the_scan_finds_what_the_policy_blocks():
    assert blocked('<script src="/static/a.js"></script>'
                   '<script type="application/json">{"a": 1}</script>') == []
    assert blocked("<script>alert(1)</script>") == ["inline <script> []"]
    assert blocked('<script type="module">x()</script>')
    assert blocked('<button onclick="go()">Go</button>') == ["<button onclick=…> handler"]
    assert blocked('<body onload="go()">') == ["<body onload=…> handler"]
    assert blocked('<a href=" JavaScript:go()">x</a>') == ["<a href=javascript:…>"]
    assert blocked('<p style="color: red">x</p>') == ["<p style=…> attribute"]
    assert blocked("<style>p { color: red }</style>") == ["inline <style>"]


def test_permissions_policy_header_syntax():
    assert permissions_policy({"camera": [], "fullscreen": ["self"], "autoplay": ["*"],
                               "geolocation": ["self", "https://maps.example"]}) == (
        'camera=(), fullscreen=(self), autoplay=*, geolocation=(self "https://maps.example")')


def test_the_permissions_policy_names_only_features_browsers_know():
    """An unknown feature makes Chromium log an error on every page (interest-cohort was
    dropped, for one): the list stays within the features the specification and Chromium
    define."""
    from django.conf import settings

    known = {
        "accelerometer", "ambient-light-sensor", "autoplay", "bluetooth", "browsing-topics",
        "camera", "display-capture", "encrypted-media", "fullscreen", "gamepad",
        "geolocation", "gyroscope", "hid", "identity-credentials-get", "idle-detection",
        "local-fonts", "magnetometer", "microphone", "midi", "otp-credentials", "payment",
        "picture-in-picture", "publickey-credentials-create", "publickey-credentials-get",
        "screen-wake-lock", "serial", "storage-access", "usb", "web-share",
        "window-management", "xr-spatial-tracking",
    }
    assert set(settings.PERMISSIONS_POLICY) <= known
    assert all(origins == [] for origins in settings.PERMISSIONS_POLICY.values())


def test_a_view_may_set_its_own_permissions_policy():
    from django.http import HttpResponse

    def view(request):
        response = HttpResponse()
        response["Permissions-Policy"] = "fullscreen=(self)"
        return response

    with override_settings(PERMISSIONS_POLICY={"camera": []}):
        middleware = PermissionsPolicyMiddleware(view)
        assert middleware(None)["Permissions-Policy"] == "fullscreen=(self)"
        assert PermissionsPolicyMiddleware(lambda request: HttpResponse())(None)[
            "Permissions-Policy"] == "camera=()"


def test_an_operator_can_send_reports_somewhere(monkeypatch):
    """CSP_REPORT_URI adds report-uri to the policy (config/settings/base.py)."""
    import importlib

    import config.settings.base as base

    monkeypatch.setenv("CSP_REPORT_URI", "https://reports.example/csp")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] == \
            "https://reports.example/csp"
    finally:
        monkeypatch.delenv("CSP_REPORT_URI")
        importlib.reload(base)
