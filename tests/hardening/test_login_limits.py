"""Passwords cannot be guessed: after LOGIN_FAILURES_PER_ACCOUNT failures on one username, or
LOGIN_FAILURES_PER_ADDRESS from one address, attempts are refused for LOGIN_LOCKOUT_SECONDS —
the right password included — on the login page, the admin's login, the API's token endpoint
and account deletion; the refusal says when to try again and is the same whether or not the
account exists. (Across app servers: tests/stack/test_two_servers.py.)"""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from core import login_limits
from tests.factories import ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "s3cret-pass"  # the factories' password
LIMITS = {"LOGIN_FAILURES_PER_ACCOUNT": 5, "LOGIN_FAILURES_PER_ADDRESS": 30,
          "LOGIN_FAILURE_WINDOW": 900, "LOGIN_LOCKOUT_SECONDS": 900, "TRUSTED_PROXY_COUNT": 0}


@pytest.fixture(autouse=True)
def _limits(settings):
    for name, value in LIMITS.items():
        setattr(settings, name, value)


@pytest.fixture
def clock(monkeypatch):
    """Time as the login limits see it, moved on by the test."""
    now = [1_800_000_000.0]
    monkeypatch.setattr(login_limits.time, "time", lambda: now[0])
    return now


def log_in(client, username: str, password: str, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_the_fifth_failure_is_answered_and_then_even_the_right_password_is_refused(client):
    UserFactory(username="ana")
    for _ in range(5):
        response = log_in(client, "ana", "wrong")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    refused = log_in(client, "ana", PASSWORD)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 900
    assert "try again in 15 minutes" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_then_the_right_password_logs_in_and_starts_the_count_again(client):
    UserFactory(username="ana")
    for _ in range(4):
        log_in(client, "ana", "wrong")
    assert log_in(client, "ana", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert log_in(client, "ana", "wrong").status_code == 200
    assert log_in(client, "ana", PASSWORD).status_code == 302


def test_the_lockout_ends_and_the_full_allowance_returns(client, clock):
    UserFactory(username="ana")
    for _ in range(5):
        log_in(client, "ana", "wrong")
    clock[0] += 899
    refused = log_in(client, "ana", PASSWORD)
    assert refused.status_code == 429 and refused["Retry-After"] == "1"
    assert "try again in 1 minute." in refused.content.decode()
    clock[0] += 1
    assert log_in(client, "ana", PASSWORD).status_code == 302


def test_a_refusal_does_not_tell_whether_the_account_exists(client):
    UserFactory(username="ana")
    answers = {}
    for username in ("ana", "nobody-by-this-name"):
        for _ in range(5):
            log_in(client, username, "wrong")
        refused = log_in(client, username, "wrong")
        page = refused.content.decode().replace(username, "USERNAME")
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
        answers[username] = (refused.status_code, refused["Retry-After"], page)
    assert answers["ana"] == answers["nobody-by-this-name"]
    assert answers["ana"][0] == 429


def test_the_username_is_counted_however_it_is_capitalised(client):
    UserFactory(username="ana")
    for spelling in ("ana", "ANA", "Ana", " ana", "aNa"):
        log_in(client, spelling, "wrong")
    assert log_in(client, "ana", PASSWORD).status_code == 429


def test_one_address_trying_many_usernames_is_locked_out_and_others_are_not(client):
    UserFactory(username="ana")
    for i in range(30):  # 30 usernames, one guess each: no account reaches its limit
        assert log_in(client, f"person{i}", "wrong").status_code == 200
    assert log_in(client, "ana", PASSWORD).status_code == 429  # the address is locked
    elsewhere = log_in(client, "ana", PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert elsewhere.status_code == 302


def test_a_locked_account_is_locked_from_every_address(client):
    UserFactory(username="ana")
    for i in range(5):
        log_in(client, "ana", "wrong", REMOTE_ADDR=f"10.0.1.{i}")
    assert log_in(client, "ana", PASSWORD, REMOTE_ADDR="10.0.2.1").status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw_not_one_the_client_chose(client):
    UserFactory(username="ana")
    for i in range(30):
        # The client forges a different first hop each time; the proxy appends the real one.
        log_in(client, f"person{i}", "wrong", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 203.0.113.7")
    locked = log_in(client, "ana", PASSWORD, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7")
    assert locked.status_code == 429
    other = log_in(client, "ana", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 302


def test_an_empty_password_is_not_counted(client):
    UserFactory(username="ana")
    for _ in range(10):
        assert log_in(client, "ana", "").status_code == 200
    assert log_in(client, "ana", PASSWORD).status_code == 302


def test_the_admin_login_is_behind_the_same_limits(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(5):
        assert client.post(url, {"username": "root", "password": "wrong"}).status_code == 200
    refused = client.post(url, {"username": "root", "password": PASSWORD})
    assert "try again in 15 minutes" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # The same account is locked on the site's login page too.
    assert log_in(client, "root", PASSWORD).status_code == 429


def obtain_token(username: str, password: str, **extra):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password},
                            format="json", **extra)


def test_the_api_token_endpoint_is_locked_with_retry_after_in_the_api_error_format():
    UserFactory(username="ana")
    for _ in range(5):
        assert obtain_token("ana", "wrong").status_code == 400
    refused = obtain_token("ana", PASSWORD)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    body = refused.json()
    assert body["detail"] == "Too many failed attempts to log in: try again in 15 minutes."
    assert "errors" in body
    assert "token" not in body


def test_failures_on_the_api_and_the_site_add_up(client):
    UserFactory(username="ana")
    for _ in range(3):
        obtain_token("ana", "wrong")
    for _ in range(2):
        log_in(client, "ana", "wrong")
    assert obtain_token("ana", PASSWORD).status_code == 429
    assert log_in(client, "ana", PASSWORD).status_code == 429


def test_a_token_request_without_a_password_is_a_400_and_not_counted():
    UserFactory(username="ana")
    for _ in range(6):
        assert obtain_token("ana", "").status_code == 400
    assert obtain_token("ana", PASSWORD).status_code == 200


def test_account_deletion_cannot_be_used_to_guess_the_password(client):
    participant = ParticipantFactory()
    client.force_login(participant.user)
    url = reverse("consult:account_delete")
    for _ in range(5):
        wrong = client.post(url, {"password": "nope", "confirm": "on"})
        assert "This is not your password." in wrong.content.decode()
    refused = client.post(url, {"password": PASSWORD, "confirm": "on"})
    assert refused.status_code == 400
    assert "try again in 15 minutes" in refused.content.decode()
    assert get_user_model().objects.filter(pk=participant.user.pk).exists()


def test_the_refusal_is_translated(client):
    UserFactory(username="ana")
    for _ in range(5):
        log_in(client, "ana", "wrong")
    refused = log_in(client, "ana", PASSWORD, HTTP_ACCEPT_LANGUAGE="es")
    assert refused.status_code == 429
    assert "Too many failed attempts" not in refused.content.decode()
    assert "15 minutos" in refused.content.decode()
