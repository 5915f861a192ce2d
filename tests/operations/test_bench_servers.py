"""The benchmarks' servers (bench/run.py, used by make bench, make load and make faults) measure only
themselves: a port already taken, or a server that is not the one they started answering on it, stops
them with a message saying so, before anything is measured."""

import http.server
import importlib.util
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import pytest

from tests.servers import ROOT, free_port

spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
bench_run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench_run)


class Answer200(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"not Chancery")

    def log_message(self, *args):
        pass


@contextmanager
def another_listener():
    """An HTTP server of someone else's on a loopback port, answering 200 to everything; yields the port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Answer200)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_make_faults_refuses_a_port_already_taken():
    with another_listener() as port:
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "bench/faults.py"],
            cwd=ROOT,
            env={**os.environ, "FAULTS_PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1, done.stderr
    assert f"127.0.0.1:{port} is already in use (by pid {os.getpid()}" in done.stderr
    assert "choose another with FAULTS_PORT" in done.stderr
    # Refused at once, before making a PostgreSQL cluster and a database for minutes.
    assert time.monotonic() - started < 30


def test_a_server_refuses_a_port_already_taken(tmp_path):
    with another_listener() as port, pytest.raises(bench_run.BenchError) as refused:
        bench_run.Server(
            "gunicorn",
            [sys.executable, "-c", "import time; time.sleep(60)"],
            dict(os.environ),
            f"http://127.0.0.1:{port}/",
            tmp_path / "server.log",
            setting="BENCH_PORT",
        )
    assert str(refused.value).startswith(f"gunicorn: 127.0.0.1:{port} is already in use (by pid {os.getpid()}")
    assert bench_run.Server.running == []


# Starts, in a session of its own, a listener on the port that is not its child (it forks twice), and stays:
# what a server that lost the race for its port to another process looks like from outside.
IMPOSTOR = """
import http.server, os, sys, time
if os.fork() == 0:
    if os.fork() == 0:
        class Answer(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.end_headers()
            def log_message(self, *args):
                pass
        http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Answer).serve_forever()
    os._exit(0)
os.wait()
time.sleep(60)
"""


def test_a_server_that_is_not_the_one_answering_on_its_port_is_refused(tmp_path):
    port = free_port()
    with pytest.raises(bench_run.BenchError) as refused:
        bench_run.Server(
            "gunicorn",
            [sys.executable, "-c", IMPOSTOR, str(port)],
            dict(os.environ),
            f"http://127.0.0.1:{port}/",
            tmp_path / "server.log",
            setting="BENCH_PORT",
        )
    assert str(refused.value).startswith(f"gunicorn: what answers on 127.0.0.1:{port} is not the process started")
    # The impostor, in the started process's group, was stopped with it.
    assert bench_run.Server.running == []
    with pytest.raises(OSError):
        bench_run.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_a_server_that_answers_on_its_own_port_is_accepted(tmp_path):
    port = free_port()
    server = bench_run.Server(
        "http.server",
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
        dict(os.environ),
        f"http://127.0.0.1:{port}/",
        tmp_path / "server.log",
        setting="BENCH_PORT",
    )
    try:
        assert bench_run.get(f"http://127.0.0.1:{port}/", timeout=5)[0] == 200
    finally:
        server.stop()
