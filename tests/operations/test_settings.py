"""Settings come from the environment: safe for production once DEBUG=0, loud about bad values.

Each case runs `manage.py` in a subprocess, since settings are read once per process.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Every variable tracker/settings.py reads: a case sets only what it means to.
SETTINGS_VARIABLES = {
    "DATABASE_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "HTTPS_ONLY",
    "HSTS_SECONDS",
    "CSRF_TRUSTED_ORIGINS",
    "STATIC_MANIFEST",
    "CONN_MAX_AGE",
    "LOG_LEVEL",
}
CLEAN = "System check identified no issues (0 silenced).\n"


@pytest.fixture
def manage(tmp_path):
    """Run manage.py with exactly these settings variables, on a temporary SQLite file."""

    def run(*args, **variables):
        env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
        env.update(variables)
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def production(**variables):
    settings = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "example.org"}
    settings.update(variables)
    return settings


def warning_ids(output):
    return sorted(set(re.findall(r"\((security\.W\d+)\)", output)))


def last_line(output):
    return output.strip().splitlines()[-1]


def test_the_deployment_check_is_clean_with_debug_off(manage):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production())

    assert (result.returncode, result.stdout, result.stderr) == (0, CLEAN, "")


def test_the_deployment_check_warns_when_https_only_is_turned_off(manage):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production(HTTPS_ONLY="0"))

    assert result.returncode == 1
    # No HSTS, no redirect to HTTPS, cookies sent over plain HTTP: what HTTPS_ONLY=0 means.
    assert warning_ids(result.stderr) == ["security.W004", "security.W008", "security.W012", "security.W016"]
    assert "System check identified 4 issues (0 silenced)." in result.stderr


def test_https_only_is_on_by_default_with_debug_off_even_when_given_empty(manage):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production(HTTPS_ONLY=""))

    assert (result.returncode, result.stdout) == (0, CLEAN)


def test_the_deployment_check_warns_about_a_short_secret_key(manage):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production(SECRET_KEY="short"))

    assert result.returncode == 1
    assert warning_ids(result.stderr) == ["security.W009"]


def test_debug_off_without_a_secret_key_fails_naming_it(manage):
    variables = production()
    del variables["SECRET_KEY"]

    result = manage("check", **variables)

    assert result.returncode != 0
    assert last_line(result.stderr) == (
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set when DEBUG=0"
    )


def test_debug_off_with_an_empty_secret_key_fails_naming_it(manage):
    result = manage("check", **production(SECRET_KEY=""))

    assert result.returncode != 0
    assert last_line(result.stderr) == (
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set when DEBUG=0"
    )


def test_debug_that_is_not_a_boolean_fails_naming_it(manage):
    result = manage("check", DEBUG="maybe")

    assert result.returncode != 0
    assert last_line(result.stderr) == (
        "django.core.exceptions.ImproperlyConfigured: DEBUG='maybe': use 1/0 or true/false"
    )


def test_https_only_that_is_not_a_boolean_fails_naming_it(manage):
    result = manage("check", **production(HTTPS_ONLY="sometimes"))

    assert result.returncode != 0
    assert last_line(result.stderr) == (
        "django.core.exceptions.ImproperlyConfigured: HTTPS_ONLY='sometimes': use 1/0 or true/false"
    )


def test_the_local_defaults_need_no_variables(manage):
    result = manage("check")

    assert (result.returncode, result.stdout, result.stderr) == (0, CLEAN, "")
