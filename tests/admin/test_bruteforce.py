"""Brute-force protection of the admin login (django-axes; docs/security.md).

Every case posts the admin's own login form through the whole middleware stack:
five failed logins as one username from one address lock that pair out for the
cool-off; other usernames and addresses go on as before.
"""

import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "lockout-pass-8429!x"
LOCKED = (
    "Too many failed logins: this username is locked out from your address for 15 minutes. "
    "Each further attempt meanwhile starts the wait again."
)
WRONG = "Please enter the correct username and password for a staff account."


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # Each attempt checks a password: the production hasher would take a second per attempt here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def curator(db):
    return User.objects.create_user("curator", password=PASSWORD, is_staff=True)


def log_in(username, password, client=None, **headers):
    """Post the admin login form; returns the response."""
    client = client or Client()
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, **headers)


def fail(times, username="curator", **headers):
    return [log_in(username, "not the password", **headers).status_code for _ in range(times)]


def test_four_failed_logins_show_the_usual_error_and_the_fifth_locks_out(curator):
    for _ in range(4):
        response = log_in("curator", "not the password")
        assert response.status_code == 200
        assert WRONG in response.content.decode()

    response = log_in("curator", "not the password")

    assert response.status_code == 429
    assert response.content.decode() == LOCKED


def test_a_locked_out_username_cannot_log_in_even_with_its_password(curator):
    fail(5)
    client = Client()

    response = log_in("curator", PASSWORD, client=client)

    assert response.status_code == 429
    assert response.content.decode() == LOCKED
    assert client.get("/admin/").status_code == 302  # still not logged in


def test_other_usernames_from_the_same_address_are_not_locked_out(curator):
    User.objects.create_user("reviewer", password=PASSWORD, is_staff=True)
    fail(5)

    response = log_in("reviewer", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_the_same_username_from_another_address_is_not_locked_out(curator):
    fail(5, REMOTE_ADDR="203.0.113.5")

    assert log_in("curator", PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 429
    assert log_in("curator", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_a_successful_login_resets_the_count(curator):
    assert fail(4) == [200] * 4
    assert log_in("curator", PASSWORD).status_code == 302

    assert fail(4) == [200] * 4
    assert log_in("curator", PASSWORD).status_code == 302


def test_the_lockout_ends_after_fifteen_minutes(curator):
    fail(5)
    attempt = AccessAttempt.objects.get(username="curator")
    attempt.attempt_time -= timedelta(minutes=14, seconds=50)
    attempt.save()
    assert log_in("curator", PASSWORD).status_code == 429

    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - timedelta(minutes=1))

    assert log_in("curator", PASSWORD).status_code == 302


def test_x_forwarded_for_is_ignored_when_no_proxy_is_trusted(curator):
    # Without TRUSTED_PROXY_COUNT, a client that writes a new header each time is still one address.
    for number in range(5):
        log_in("curator", "not the password", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")

    assert log_in("curator", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


@pytest.fixture
def one_trusted_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def test_behind_one_trusted_proxy_the_address_it_forwards_is_the_client(curator, one_trusted_proxy):
    # The proxy appends the address it saw; what the client wrote before it is not trusted.
    for number in range(5):
        log_in(
            "curator", "not the password", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.5"
        )

    assert log_in("curator", PASSWORD, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    assert log_in("curator", PASSWORD, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]


def test_api_tokens_keep_working_for_a_locked_out_username(curator):
    # The lockout guards the password form; a token is a separate, revocable credential.
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=curator)
    fail(5)

    assert Client().get("/api/v1/events/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    assert Client().get("/api/v1/events/", HTTP_AUTHORIZATION="Token not-a-token").status_code == 401


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_lockout_page_over_real_http(live_server):
    User.objects.create_user("curator", password=PASSWORD, is_staff=True)
    cookies = urllib.request.HTTPCookieProcessor()
    opener = urllib.request.build_opener(cookies)
    login_url = f"{live_server.url}/admin/login/"

    def post(password):
        opener.open(login_url).read()  # the form's CSRF cookie
        csrf = next(cookie.value for cookie in cookies.cookiejar if cookie.name == "csrftoken")
        body = urllib.parse.urlencode({"username": "curator", "password": password, "csrfmiddlewaretoken": csrf})
        request = urllib.request.Request(login_url, data=body.encode(), headers={"Referer": login_url})
        try:
            with opener.open(request) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    statuses = [post("not the password")[0] for _ in range(4)]
    status, text = post("not the password")

    assert statuses == [200] * 4
    assert (status, text) == (429, LOCKED)
    assert post(PASSWORD) == (429, LOCKED)


def settings_of(**variables):
    """Read the lockout settings in a fresh process with these variables."""
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}}
    env["DATABASE_URL"] = "sqlite://:memory:"  # nothing is read from it; no file left behind
    env.update(variables)
    code = (
        "from django.conf import settings; "
        "print(settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME, settings.REST_FRAMEWORK['NUM_PROXIES'])"
    )
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_limit_the_cool_off_and_the_proxies_come_from_the_environment():
    result = settings_of(AXES_FAILURE_LIMIT="3", AXES_COOLOFF_MINUTES="60", TRUSTED_PROXY_COUNT="1")
    assert result.stdout == "3 1:00:00 1\n", result.stderr

    assert settings_of().stdout == "5 0:15:00 0\n"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("AXES_FAILURE_LIMIT", "0", "AXES_FAILURE_LIMIT='0': expected a whole number of at least 1"),
        ("AXES_COOLOFF_MINUTES", "soon", "AXES_COOLOFF_MINUTES='soon': expected a whole number"),
        ("TRUSTED_PROXY_COUNT", "-1", "TRUSTED_PROXY_COUNT='-1': expected a whole number of at least 0"),
    ],
)
def test_a_bad_lockout_setting_fails_naming_it(variable, value, message):
    result = settings_of(**{variable: value})

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == f"django.core.exceptions.ImproperlyConfigured: {message}"
