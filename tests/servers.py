"""Chancery served as in production, for the tests that need a real server: gunicorn (DEBUG=0) in a process
group of its own on a free loopback port, and plain HTTP requests to it over fresh connections."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(settings_dict, **query):
    """A postgres:// URL for the test database, with connection options (application_name, ...) as the query."""
    user = urllib.parse.quote(settings_dict["USER"] or "")
    password = urllib.parse.quote(settings_dict["PASSWORD"] or "")
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    credentials = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}?{urllib.parse.urlencode(query)}"


@contextmanager
def serving(command, database_url, log_path, **env):
    """The site served by `command` (its argv, "{port}" standing for a free port) on DATABASE_URL, DEBUG=0 as in
    production; `env` adds to or overrides its environment (no throttle by default). Yields the port; stopped,
    with every process it started, after."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "tests-only-not-a-secret",
        "HTTPS_ONLY": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_MANIFEST": "0",
        "ANON_THROTTLE_RATE": "",
        "CONN_MAX_AGE": "60",
        **env,
    }
    command = [part.format(port=port) for part in command]
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, f"{command[0]} exited with {server.returncode}:\n{log_path.read_text()}"
            try:
                # Needs no database: the login form of the admin, for an anonymous visitor.
                request(port, "GET", "/admin/login/", timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, f"{command[0]} did not answer within 60 s:\n{log_path.read_text()}"
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def gunicorn(database_url, log_path, workers=1, **env):
    """gunicorn with `workers` (sync) workers, DEBUG=0; yields its port, stopped (with its workers) after."""
    command = [str(GUNICORN), "tracker.wsgi:application", "--workers", str(workers), "--bind", "127.0.0.1:{port}"]
    command += ["--timeout", "60", "--graceful-timeout", "2", "--log-level", "warning"]
    return serving(command, database_url, log_path, **env)


def request(port, method, path, headers=None, body=None, timeout=15):
    """(status, headers with lower-case names, body bytes), the whole body read, over a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()
    finally:
        conn.close()


def manage(database_url, *args, **env):
    """Run a manage.py command against a database, DEBUG=0; fail naming its output."""
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "SECRET_KEY": "tests-only-not-a-secret", **env}
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


def security_headers(path):
    """The headers every response carries, whatever made it (docs/security.md)."""
    from events.security import CONTENT_SECURITY_POLICY, SWAGGER_POLICY

    return {
        "content-security-policy": SWAGGER_POLICY if path == "/api/docs/" else CONTENT_SECURITY_POLICY,
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        "cross-origin-opener-policy": "same-origin",
    }


def sent_security_headers(headers):
    """The security headers among a response's (lower-case names)."""
    return {name: value for name, value in headers.items() if name in security_headers("/")}
