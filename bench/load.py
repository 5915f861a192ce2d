"""Chancery under load: many readers and a few writers at once, against gunicorn and PostgreSQL.

    make load                                  # 100,000 events, 50 readers + 5 writers for 60 s
    LOAD_EVENTS=20000 LOAD_SECONDS=30 make load

Builds a throw-away database (`chancery_load_bench`) with `generate_events`,
serves it with gunicorn (deploy/gunicorn.conf.py, DEBUG=0) and drives it with Locust, used
as a library: LOAD_READERS readers (an API token each) mixing filtered lists,
cursor pages, details, timelines and small exports, and LOAD_WRITERS writers
(a curator's token each) creating events and changing them with PATCH and
If-Match, several writers on the same events so that some changes conflict:
a 412 is a conflict caught, counted apart, not an error. Then a short phase
of anonymous clients over ANON_THROTTLE_RATE shows that throttling answers
429. Prints throughput, p50/p99 per kind of request, errors, 412s and 429s;
exits 1 on any error (a 5xx, a connection error, an unexpected status).
Runs in bench/.venv (Locust); Chancery's commands run in the project's .venv.
See bench/README.md.
"""

# Locust patches the standard library for gevent: it comes first.
import locust  # noqa: I001
from locust import FastHttpUser, between, task
from locust.env import Environment

import collections
import datetime
import json
import os
import random
import signal
import sys
import time
from pathlib import Path

import gevent

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import run  # noqa: E402  (the benchmark's PostgreSQL, manage.py and server helpers)
from mix import READER_TASKS, STATES, actor_pages_path, filtered_list_path, small_export_path, timeline_path  # noqa: E402

ROOT = BENCH.parent
WORK = BENCH / "work"
env_int = run.env_int

EVENTS = env_int("LOAD_EVENTS", 100_000)
SECONDS = env_int("LOAD_SECONDS", 60)
READERS = env_int("LOAD_READERS", 50)
WRITERS = env_int("LOAD_WRITERS", 5)
ANON_USERS = env_int("LOAD_ANON_USERS", 10)
ANON_SECONDS = env_int("LOAD_ANON_SECONDS", 15)
# Low enough that the anonymous phase crosses it; the workers count in the database, together.
ANON_RATE = os.environ.get("LOAD_ANON_RATE", "120/minute")
DB = os.environ.get("LOAD_DB", "chancery_load_bench")
PORT = env_int("LOAD_PORT", 8767)
REUSE = os.environ.get("LOAD_REUSE") == "1"
KEEP = os.environ.get("LOAD_KEEP") == "1"
TIMEOUT = 30
"""Seconds a request may take before it counts as an error (connection and response alike)."""

HOST = f"http://127.0.0.1:{PORT}"
log = run.log


# ---------------------------------------------------------------- what the users do


class Tally:
    """What Locust's own statistics do not keep: conflicts, throttled answers, errors by kind and status."""

    def __init__(self):
        self.conflicts = 0
        self.throttled = 0
        self.statuses = collections.Counter()
        self.errors = collections.Counter()


tally = Tally()
tokens = {}
seen_ids = collections.deque(maxlen=2000)  # published events the readers' lists returned, for details
hot_ids = collections.deque(maxlen=5)  # the writers' latest events: changed by several writers at once


def check(response, kind, expected, conflict=False):
    """Mark a response (`catch_response=True`) as a success when its status is expected; tally the rest."""
    status = response.status_code
    tally.statuses[(kind, status)] += 1
    if status in expected:
        response.success()
    elif conflict and status == 412:
        tally.conflicts += 1
        response.success()
    elif status == 429 and kind == "anonymous":
        tally.throttled += 1
        response.success()
    else:
        reason = f"status {status}" if status else f"no response ({response.error!r})"
        tally.errors[(kind, status)] += 1
        response.failure(reason)


class Reader(FastHttpUser):
    """An analyst's script: authenticated with a token, reading."""

    fixed_count = READERS
    wait_time = between(0.1, 0.5)
    network_timeout = connection_timeout = TIMEOUT

    def on_start(self):
        self.headers = {"Authorization": f"Token {tokens['load-reader']}"}

    def get(self, path, kind, expected=(200,)):
        with self.client.get(path, name=kind, headers=self.headers, catch_response=True) as response:
            check(response, kind, expected)
            return response if response.status_code == 200 else None

    @task(READER_TASKS["filtered_list"])
    def filtered_list(self):
        response = self.get(filtered_list_path(), "list")
        if response is not None:
            seen_ids.extend(event["id"] for event in response.json()["results"])

    @task(READER_TASKS["cursor_pages"])
    def cursor_pages(self):
        response = self.get(actor_pages_path(), "list")
        for _ in range(random.randint(1, 3)):
            url = response is not None and response.json()["next"]
            if not url:
                break
            response = self.get(url, "cursor page")

    @task(READER_TASKS["detail"])
    def detail(self):
        event_id = random.choice(seen_ids) if seen_ids else "gen-1-0000001"
        self.get(f"/api/v1/events/{event_id}/", "detail", expected=(200,) if seen_ids else (200, 404))

    @task(READER_TASKS["timeline"])
    def timeline(self):
        self.get(timeline_path(), "timeline")

    @task(READER_TASKS["small_export"])
    def small_export(self):
        self.get(small_export_path(), "export")


class Writer(FastHttpUser):
    """A curator's script: creates draft events and changes them, with If-Match, as other curators do too."""

    fixed_count = WRITERS
    wait_time = between(0.2, 1.0)
    network_timeout = connection_timeout = TIMEOUT
    numbers = iter(range(1, 10**9))

    def on_start(self):
        self.username = f"load-writer-{next(Writer.numbers)}"
        self.headers = {"Authorization": f"Token {tokens[self.username]}"}
        self.created = 0

    @task(1)
    def create(self):
        self.created += 1
        event_id = f"{self.username}-{self.created}-{random.randrange(16**6):06x}"
        a, b = random.sample(STATES, 2)
        record = run.draft_talks(
            event_id,
            a,
            b,
            title=f"Load test: {a} and {b} hold talks",
            start=f"{random.randint(2000, 2026)}-0{random.randint(1, 9)}",
            url=f"https://example.org/load/{event_id}",
            published="2025-02-19",
        )
        with self.client.post(
            "/api/v1/events/", name="create", json=record, headers=self.headers, catch_response=True
        ) as response:
            check(response, "create", (201,))
            if response.status_code == 201:
                hot_ids.append(event_id)

    @task(3)
    def change(self):
        if not hot_ids:
            return self.create()
        event_id = random.choice(hot_ids)
        path = f"/api/v1/events/{event_id}/"
        with self.client.get(path, name="read for change", headers=self.headers, catch_response=True) as response:
            check(response, "read for change", (200,))
            etag = response.headers.get("ETag") if response.status_code == 200 else None
        if not etag:
            return
        # A curator reads, thinks, writes: meanwhile another may have changed the event.
        gevent.sleep(random.uniform(0, 0.3))
        body = {"title": f"Load test: talks, revision {random.randrange(10**6)}"}
        headers = {**self.headers, "If-Match": etag}
        with self.client.patch(
            path, name="change (If-Match)", json=body, headers=headers, catch_response=True
        ) as response:
            check(response, "change (If-Match)", (200,), conflict=True)


class Anonymous(FastHttpUser):
    """A client without a token, as fast as it can: over the anonymous rate, it gets 429."""

    wait_time = between(0, 0.05)
    network_timeout = connection_timeout = TIMEOUT

    @task
    def read(self):
        with self.client.get("/api/v1/event-types/", name="anonymous", catch_response=True) as response:
            check(response, "anonymous", (200,))


# ---------------------------------------------------------------- running it


def drive(user_classes, users, seconds):
    """Run Locust's users for `seconds`; its statistics and the wall time."""
    environment = Environment(user_classes=user_classes, host=HOST)
    runner = environment.create_local_runner()
    started = time.perf_counter()
    runner.start(users, spawn_rate=users)
    gevent.sleep(seconds)
    runner.quit()
    return environment.stats, time.perf_counter() - started


def cpu_seconds(pids):
    """CPU time (user + system) the processes have used so far; those that ended count for nothing."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def who_works(server):
    """{who: pids}: gunicorn's workers, PostgreSQL's backends for this database, and this process (Locust)."""
    conn = run.connect(DB)
    with conn.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [DB])
        backends = [pid for (pid,) in cursor.fetchall()]
    conn.close()
    return {"gunicorn workers": server.children(), "PostgreSQL backends": backends, "Locust": [os.getpid()]}


def summarize(stats, seconds):
    kinds = {}
    for (name, method), entry in sorted(stats.entries.items(), key=lambda item: -item[1].num_requests):
        kinds[name] = {
            "method": method,
            "requests": entry.num_requests,
            "per_second": round(entry.num_requests / seconds, 1),
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p99_ms": entry.get_response_time_percentile(0.99),
            "max_ms": round(entry.max_response_time or 0),
            "failures": entry.num_failures,
        }
    total = stats.total
    return {
        "seconds": round(seconds, 1),
        "requests": total.num_requests,
        "per_second": round(total.num_requests / seconds, 1),
        "p50_ms": total.get_response_time_percentile(0.5),
        "p99_ms": total.get_response_time_percentile(0.99),
        "failures": total.num_failures,
        "kinds": kinds,
        "failure_reasons": {
            f"{error.method} {error.name}: {error.error}": error.occurrences for error in stats.errors.values()
        },
    }


def build_database():
    run.ensure_role()
    if REUSE:
        conn = run.connect(DB)
        count = run.scalar(conn, "SELECT count(*) FROM events_event WHERE id LIKE 'gen-1-%%'")
        conn.close()
        if count != EVENTS:
            raise run.BenchError(f"LOAD_REUSE=1 but {DB} holds {count} generated events, not {EVENTS}")
        log(f"reusing {DB} ({count} generated events)")
    else:
        log(f"creating {DB}: migrate, demo, generate_events --events {EVENTS} --seed 1")
        run.generated_database(DB, EVENTS)
    # One reader token, one curator (a superuser: no review rule stands in the way) per writer.
    code = f"""
import json
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
tokens = {{}}
for name in ["load-reader"] + [f"load-writer-{{n}}" for n in range(1, {WRITERS} + 1)]:
    user = User.objects.filter(username=name).first()
    if user is None:
        staff = name != "load-reader"
        user = User.objects.create_superuser(name, None, None) if staff else User.objects.create_user(name)
    tokens[name] = Token.objects.get_or_create(user=user)[0].key
print(json.dumps(tokens))
"""
    tokens.update(json.loads(run.manage(DB, "shell", "-c", code).strip().splitlines()[-1]))


def start_server():
    env = run.chancery_env(DB)
    env["ANON_THROTTLE_RATE"] = ANON_RATE
    # Each worker keeps one connection for the whole run, so that its backend's CPU time can be read.
    env["CONN_MAX_AGE"] = "600"
    # The deployment's settings (deploy/gunicorn.conf.py); LOAD_WORKERS, LOAD_WORKER_CLASS and LOAD_THREADS
    # try others.
    for name in ("WORKERS", "WORKER_CLASS", "THREADS"):
        if os.environ.get(f"LOAD_{name}"):
            env[f"GUNICORN_{name}"] = os.environ[f"LOAD_{name}"]
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
    command += ["tracker.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{PORT}", "--timeout", "120", "--graceful-timeout", "5", "--log-level", "warning"]
    return run.Server(
        "gunicorn", command, env, f"{HOST}/api/v1/event-types/", WORK / "load-gunicorn.log", setting="LOAD_PORT"
    )


def gunicorn_settings():
    """The worker class, workers and threads the server runs with, as deploy/gunicorn.conf.py reads them."""
    names = {name: os.environ.get(f"LOAD_{name}") for name in ("WORKERS", "WORKER_CLASS", "THREADS")}
    workers, worker_class, threads = (names["WORKERS"], names["WORKER_CLASS"], names["THREADS"])
    config = {}
    exec((ROOT / "deploy" / "gunicorn.conf.py").read_text(), config)
    workers = workers or config["workers"]
    worker_class = worker_class or config["worker_class"]
    threads = threads or config["threads"]
    return f"{worker_class}, {workers} workers" + (f" x {threads} threads" if worker_class == "gthread" else "")


def print_report(results):
    main, anonymous = results["load"], results["anonymous"]
    print(
        f"\nChancery under load, {results['date']}: {results['events']:,} events, {READERS} readers + {WRITERS} writers"
        f"; gunicorn {results['gunicorn']}"
    )
    print(f"for {main['seconds']} s; load average {results['load_before']} before, {results['load_after']} after\n")
    print("| request | requests | per second | p50 ms | p99 ms | max ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, kind in main["kinds"].items():
        print(
            f"| {name} | {kind['requests']:,} | {kind['per_second']} | {kind['p50_ms']:.0f} | {kind['p99_ms']:.0f} "
            f"| {kind['max_ms']} | {kind['failures']} |"
        )
    print(
        f"| **all** | {main['requests']:,} | {main['per_second']} | {main['p50_ms']:.0f} | {main['p99_ms']:.0f} "
        f"| | {main['failures']} |"
    )
    print(f"\nerrors: {results['errors']}; 412 (conflicts caught): {results['conflicts']}")
    cpu = ", ".join(f"{who} {seconds} s" for who, seconds in results["cpu_seconds"].items())
    print(f"CPU used during the {main['seconds']} s: {cpu} (2 cores: {2 * main['seconds']:.0f} s in all)")
    print(
        f"anonymous phase ({ANON_USERS} clients, {anonymous['seconds']} s, ANON_THROTTLE_RATE={ANON_RATE}): "
        f"{anonymous['requests']:,} requests, {results['answered_200']:,} answered 200, "
        f"{results['throttled']:,} answered 429, {anonymous['failures']} errors"
    )
    for reason, count in {**main["failure_reasons"], **anonymous["failure_reasons"]}.items():
        print(f"  error x{count}: {reason}")


def main():
    signal.signal(signal.SIGTERM, run.on_signal)
    signal.signal(signal.SIGINT, run.on_signal)
    WORK.mkdir(exist_ok=True)
    results = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "events": EVENTS,
        "readers": READERS,
        "writers": WRITERS,
        "locust": locust.__version__,
        "command": " ".join(
            [*(f"{name}={os.environ[name]}" for name in sorted(os.environ) if name[:5] == "LOAD_"), "make load"]
        ),
    }
    # Before the database is built: the port must be free (checked again as the server starts).
    run.ensure_port_free("gunicorn", "127.0.0.1", PORT, "LOAD_PORT")
    try:
        build_database()
        server = start_server()
        results["gunicorn"] = gunicorn_settings()
        # Each worker opens its connection (kept: CONN_MAX_AGE) before the run, so its backend is counted.
        for _ in range(8):
            run.get_ok(
                f"{HOST}/api/v1/events/?page_size=1", headers={"Authorization": f"Token {tokens['load-reader']}"}
            )
        working = who_works(server)
        cpu_before = {who: cpu_seconds(pids) for who, pids in working.items()}
        results["load_before"] = run.load_average()
        log(f"{READERS} readers and {WRITERS} writers for {SECONDS} s")
        stats, seconds = drive([Reader, Writer], READERS + WRITERS, SECONDS)
        results["load_after"] = run.load_average()
        results["load"] = summarize(stats, seconds)
        results["cpu_seconds"] = {who: round(cpu_seconds(pids) - cpu_before[who], 1) for who, pids in working.items()}
        # Requests the readers left queued in gunicorn's backlog are answered first: wait for them.
        run.get_ok(f"{HOST}/api/v1/event-types/", headers={"Authorization": f"Token {tokens['load-reader']}"})
        log(f"{ANON_USERS} anonymous clients for {ANON_SECONDS} s, over ANON_THROTTLE_RATE={ANON_RATE}")
        stats, seconds = drive([Anonymous], ANON_USERS, ANON_SECONDS)
        results["anonymous"] = summarize(stats, seconds)
    finally:
        run.Server.stop_all()
        if not KEEP:
            run.drop(DB)
    results["errors"] = results["load"]["failures"] + results["anonymous"]["failures"]
    results["conflicts"] = tally.conflicts
    results["throttled"] = tally.throttled
    results["answered_200"] = tally.statuses[("anonymous", 200)]
    results["statuses"] = {f"{kind} {status}": count for (kind, status), count in sorted(tally.statuses.items())}
    (WORK / "load.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print_report(results)
    if results["errors"] or not results["throttled"]:
        log("FAILED: " + ("errors under load" if results["errors"] else "the anonymous phase was never throttled"))
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except run.BenchError as exc:
        log(f"FAILED: {exc}")
        sys.exit(1)
