"""docker-compose.yml run for real: build, start, ask the API, restart, scale out, take down.

    make compose-check                  # what CI runs (.ci/run)
    COMPOSE_CHECK_SCALE=0 make compose-check   # without the scale profile

With the Docker engine of this machine (started here when it is installed but
not running, and stopped again afterwards) and Compose v1 (`docker-compose`),
as the project `chancery-check`, so that a stack of one's own is never touched:

1. the base image: deploy/base-image, which keeps chancery-base:bookworm when
   the engine already has it (debootstrap and `docker import` otherwise);
2. the images of every service, the scale profile's included;
3. `up -d`: db and web; web migrates and loads the demo data; the API, asked
   on the loopback port web listens on, lists exactly the demo's published events;
4. an editor's API token, made with `manage.py shell` in the web container,
   creates a draft event through the API;
5. `down` (the containers go, the pgdata volume stays) and `up -d` again:
   the demo events are there once, and so is the draft;
6. `--profile scale up -d`: requests through nginx are all answered, and
   nginx's log shows that each of the three scaled web servers answered some;
7. `down -v`: containers and the volume are gone.

Every service uses the host's network and listens on 127.0.0.1, on ports
picked free here (or WEB_LISTEN, DB_PORT, PROXY_LISTEN and SCALED_LISTEN_1..3
from the environment). Prints how long each part took. Where Docker cannot be
installed or its engine cannot start, it says so and exits 0: the check is
skipped, not failed. Needs root and python3 (no packages).
"""

import collections
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "chancery-check"
SCALE = os.environ.get("COMPOSE_CHECK_SCALE", "1") != "0"
WAIT = int(os.environ.get("COMPOSE_CHECK_WAIT", "300"))  # seconds for the site to answer after `up`
SCALED = ("SCALED_LISTEN_1", "SCALED_LISTEN_2", "SCALED_LISTEN_3")

timings = []


class Skip(Exception):
    """Docker is not usable on this machine: nothing to check."""


class Failed(Exception):
    pass


def say(message):
    print(f"-- {message}", flush=True)


class part:
    """Times a part of the check and reports it."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        say(self.name)
        self.start = time.monotonic()

    def __exit__(self, kind, error, trace):
        took = time.monotonic() - self.start
        outcome = "ok" if kind is None else "skipped" if kind is Skip else "FAILED"
        timings.append((self.name, took, outcome))
        say(f"{self.name}: {outcome} in {took:.1f} s")


def run(*command, check=True, capture=False, timeout=1800, env=None):
    output = subprocess.PIPE if capture else None
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT if capture else None,
    )
    if check and done.returncode != 0:
        output = f":\n{done.stdout[-3000:]}" if capture else ""
        raise Failed(f"{' '.join(command)} exited {done.returncode}{output}")
    return done


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Engine:
    """The Docker engine: the running one, or one started here (and stopped by stop())."""

    def __init__(self, work):
        self.work = work
        self.daemon = None

    def installed(self):
        return all(shutil.which(tool) for tool in ("docker", "dockerd", "docker-compose", "debootstrap"))

    def install(self):
        if self.installed():
            return
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            raise Skip("docker.io, docker-compose or debootstrap is missing, and apt-get cannot install them here")
        quiet = {"DEBIAN_FRONTEND": "noninteractive", **os.environ}
        packages = ["docker.io", "docker-compose", "debootstrap"]
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
            done = run(*command, check=False, capture=True, env=quiet)
            if done.returncode != 0:
                raise Skip(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}")
        if not self.installed():
            raise Skip("apt-get installed docker.io, docker-compose and debootstrap, yet one of them is not on PATH")

    def answers(self):
        return run("docker", "info", check=False, capture=True, timeout=60).returncode == 0

    def start(self):
        if self.answers():
            say("the Docker engine is running already")
            return
        if os.geteuid() != 0:
            raise Skip("the Docker engine is not running, and only root may start dockerd")
        log = self.work / "dockerd.log"
        self.daemon = subprocess.Popen(
            ["dockerd"],
            stdin=subprocess.DEVNULL,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(60):
            if self.daemon.poll() is not None:
                break
            if self.answers():
                say(f"dockerd started (pid {self.daemon.pid}); its log: {log}")
                return
            time.sleep(0.5)
        tail = log.read_text(errors="replace")[-2000:]
        self.stop()
        raise Skip(f"dockerd did not start; the end of its log:\n{tail}")

    def stop(self):
        if self.daemon is None:
            return
        if self.daemon.poll() is not None:
            self.daemon = None
            return
        self.daemon.terminate()
        try:
            self.daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.daemon.kill()
            self.daemon.wait()
        say(f"dockerd (pid {self.daemon.pid}) stopped")
        self.daemon = None


class Stack:
    """docker-compose.yml as the project chancery-check."""

    def __init__(self, work):
        self.no_env_file = work / "empty.env"
        self.no_env_file.touch()
        self.env = dict(os.environ)
        self.env["SECRET_KEY"] = secrets.token_urlsafe(50)
        self.env["COMPOSE_PROJECT_NAME"] = PROJECT
        self.env["COMPOSE_FILE"] = str(ROOT / "docker-compose.yml")
        # docker-compose's own builder: the docker CLI's, its default, builds one image at a time.
        self.env["COMPOSE_DOCKER_CLI_BUILD"] = "0"
        self.env.setdefault("WEB_LISTEN", f"127.0.0.1:{free_port()}")
        self.env.setdefault("DB_PORT", str(free_port()))
        self.env.setdefault("PROXY_LISTEN", f"127.0.0.1:{free_port()}")
        for name in SCALED:
            self.env.setdefault(name, f"127.0.0.1:{free_port()}")
        self.web = f"http://{self.env['WEB_LISTEN']}"
        self.proxy = f"http://{self.env['PROXY_LISTEN']}"

    def ports(self, scale):
        names = ["WEB_LISTEN", "DB_PORT"] + (["PROXY_LISTEN", *SCALED] if scale else [])
        return {name: int(self.env[name].rsplit(":", 1)[-1]) for name in names}

    def compose(self, *args, scale=False, **options):
        profile = ("--profile", "scale") if scale else ()
        # Not the .env file a stack of one's own may keep beside docker-compose.yml: the defaults.
        return run("docker-compose", "--env-file", str(self.no_env_file), *profile, *args, env=self.env, **options)

    def refuse_taken_ports(self, scale):
        # With host networking a server that cannot bind its port exits, and whatever else
        # listens there would answer the check in its place.
        taken = {name: port for name, port in self.ports(scale).items() if listening(port)}
        if taken:
            raise Failed(f"ports already in use on 127.0.0.1: {taken}; free them or set other ones")

    def images(self):
        listed = run("docker", "images", "-q", "--filter", f"reference={PROJECT}_*", capture=True).stdout
        return set(listed.split())

    def container(self, service):
        return self.compose("ps", "-q", service, capture=True).stdout.strip()

    def logs(self, service):
        return self.compose("logs", "--no-color", service, scale=True, capture=True, check=False).stdout

    def down(self, volumes):
        self.compose("down", "--remove-orphans", *(["-v"] if volumes else []), scale=True, capture=True, timeout=300)


def request(url, method="GET", body=None, token=None):
    """(status, parsed JSON body or None) of one request on a new connection."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body).encode()
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=body, method=method, headers=headers), timeout=30
        ) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, None


def wait_for(url, stack, services):
    """Waits until url answers 200; fails early when one of the services' containers has exited."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            if request(url)[0] == 200:
                return
        except OSError:
            pass
        states = stack.compose("ps", *services, scale=True, capture=True, check=False).stdout
        if "Exit" in states:
            raise Failed(f"a container exited while waiting for {url}:\n{states}")
        time.sleep(1)
    raise Failed(f"{url} did not answer 200 within {WAIT} s")


def published_demo_ids():
    demo = json.loads((ROOT / "events" / "data" / "demo.json").read_text(encoding="utf-8"))
    return sorted(event["id"] for event in demo["events"] if event.get("review_state") == "published")


def listed_ids(base):
    status, body = request(f"{base}/api/v1/events/?page_size=1000")
    if status != 200:
        raise Failed(f"{base}/api/v1/events/ answered {status}: {body}")
    return sorted(event["id"] for event in body["results"])


def expect(what, actual, expected):
    if actual != expected:
        raise Failed(f"{what}: expected {expected!r}, got {actual!r}")
    say(f"{what}: {actual!r}" if len(repr(actual)) < 200 else f"{what}: as expected")


EDITOR_TOKEN = """
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
user, _ = User.objects.get_or_create(username="compose-check", defaults={"is_staff": True})
user.groups.add(Group.objects.get(name="editor"))
print("token", Token.objects.get_or_create(user=user)[0].key)
"""


def check(stack):
    demo = published_demo_ids()
    draft = {
        "id": f"compose-check-{secrets.token_hex(4)}",
        "title": "Russian and US diplomats consult in Istanbul",
        "type": "talks",
        "status": "occurred",
        "start": "2025-06",
        "start_precision": "month",
        "participants": [{"actor": "russia", "role": "participant"}, {"actor": "united-states", "role": "participant"}],
        "review_state": "draft",
    }

    with part("base image (deploy/base-image)"):
        run(str(ROOT / "deploy" / "base-image"), env=stack.env)

    with part("build the images" + (" (scale profile included)" if SCALE else "")):
        before = stack.images()
        # One image at a time would leave the machine idle while apt and pip download; the scaled
        # servers' image is web's, so they come after it, from its cache.
        stack.compose("build", "--parallel", "db", "web", *(["proxy"] if SCALE else []), scale=SCALE, capture=True)
        if SCALE:
            stack.compose("build", "web-scaled-1", "web-scaled-2", "web-scaled-3", scale=True, capture=True)
        # The check's images of an earlier version, replaced now: gone, with the layers only they used.
        for image in before - stack.images():
            run("docker", "rmi", image, check=False, capture=True)

    with part("up: db and web, the demo loaded"):
        stack.refuse_taken_ports(scale=SCALE)
        stack.compose("up", "-d")
        wait_for(f"{stack.web}/api/v1/events/", stack, ["db", "web"])
        expect(f"published events listed at {stack.web}/api/v1/events/", listed_ids(stack.web), demo)

    with part("a draft created through the API"):
        output = stack.compose("exec", "-T", "web", "python", "manage.py", "shell", "-c", EDITOR_TOKEN, capture=True)
        token = output.stdout.split("token ", 1)[1].split()[0]
        status, body = request(f"{stack.web}/api/v1/events/", "POST", draft, token)
        expect("POST /api/v1/events/", status, 201)
        db_before = stack.container("db")

    with part("down (the pgdata volume kept) and up again"):
        stack.down(volumes=False)
        stack.compose("up", "-d")
        wait_for(f"{stack.web}/api/v1/events/", stack, ["db", "web"])
        if stack.container("db") == db_before:
            raise Failed("the db container was not made anew")
        expect("published events listed after the restart", listed_ids(stack.web), demo)
        status, body = request(f"{stack.web}/api/v1/events/{draft['id']}/", token=token)
        expect(f"the draft {draft['id']} after the restart", (status, body and body["title"]), (200, draft["title"]))

    if not SCALE:
        return
    with part("scale profile: three more web servers behind nginx"):
        stack.compose("up", "-d", scale=True)
        # Each scaled server listening first: nginx takes one that refused a connection out of
        # its turns for a while, and the spread below would then leave it out.
        for name in SCALED:
            deadline = time.monotonic() + WAIT
            while not listening(stack.ports(scale=True)[name]):
                if time.monotonic() > deadline:
                    raise Failed(f"nothing listens on {stack.env[name]} ({name})")
                time.sleep(1)
        wait_for(f"{stack.proxy}/api/v1/events/", stack, ["web-scaled-1", "web-scaled-2", "web-scaled-3", "proxy"])
        expect("published events listed through nginx", listed_ids(stack.proxy), demo)
        # A query no other request makes, to find these requests in nginx's log; a tag no event has, as the
        # API answers 400 to a parameter it does not take.
        probe = f"/api/v1/events/?page_size=1&tag=probe-{secrets.token_hex(4)}"
        statuses = [request(f"{stack.proxy}{probe}")[0] for _ in range(12)]
        expect(f"12 requests through nginx at {stack.proxy}", statuses, [200] * 12)
        answered = collections.Counter()
        for _ in range(20):  # the engine collects the proxy's log a moment after nginx writes it
            answered = collections.Counter(
                # "upstream=A 0.012", or "upstream=A, B 0.012" when A failed and B answered
                re.search(r"upstream=(.*) \S+$", line).group(1).split(", ")[-1]
                for line in stack.logs("proxy").splitlines()
                if f'"GET {probe} HTTP/1.1" 200 ' in line
            )
            if answered.total() == 12:
                break
            time.sleep(0.5)
        say(f"the web servers that answered them: {dict(answered)}")
        # Each nginx worker takes turns on its own: the shares need not be equal, but none is left out.
        expect("the web servers that answered", sorted(answered), sorted(stack.env[name] for name in SCALED))
        expect("the requests found in nginx's log", answered.total(), 12)


def main():
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="chancery-compose-check."))
    engine = Engine(work)
    stack = None
    failed = None
    try:
        with part("the Docker engine"):
            engine.install()
            engine.start()
            for tool in ("docker-compose", "dockerd"):
                say(run(tool, "--version", capture=True).stdout.strip())
        stack = Stack(work)
        # What a run cut short left behind.
        stack.down(volumes=True)
        check(stack)
    except Skip as reason:
        say(f"SKIPPED: Docker cannot run here, so docker-compose.yml was not run: {reason}")
    except (Failed, subprocess.SubprocessError, OSError) as error:
        failed = error
        if stack is not None:
            for service in ("db", "web", "proxy"):
                say(f"the end of {service}'s log:\n{stack.logs(service)[-3000:]}")
    finally:
        if stack is not None:
            try:
                with part("down -v: containers and volumes removed"):
                    stack.down(volumes=True)
                    mine = f"label=com.docker.compose.project={PROJECT}"
                    left = run("docker", "volume", "ls", "-q", "--filter", mine, capture=True)
                    if left.stdout.strip():
                        raise Failed(f"volumes left behind: {left.stdout.split()}")
            except (Failed, subprocess.SubprocessError, OSError) as error:
                failed = failed or error
        engine.stop()
        shutil.rmtree(work, ignore_errors=True)
    for name, took, outcome in timings:
        print(f"   {took:6.1f} s  {name}{'' if outcome == 'ok' else f'  ({outcome})'}")
    print(f"   {time.monotonic() - started:6.1f} s  in all")
    if failed is not None:
        print(f"compose check FAILED: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
