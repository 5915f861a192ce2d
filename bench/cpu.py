"""CPU per API request: the readers' mix of `make load`, replayed in one process, its CPU time measured.

    .venv/bin/python bench/cpu.py                      # 20,000 events, 1,200 requests
    .venv/bin/python bench/cpu.py --reuse --profile    # the database kept from a run before; cProfile's top list

Wall times mean little on a machine whose cores other work shares; the CPU time a request costs
does not depend on it much. This builds a throw-away database (`chancery_cpu_bench`, `generate_events
--seed 1`), then calls Chancery's WSGI application (what gunicorn calls, the whole middleware stack,
DEBUG=0) in this process for the readers' questions of bench/load.py (bench/mix.py: the same URLs,
in the same proportions, with an API token), and reports per kind of request the CPU milliseconds
this process spent (`time.process_time`), and those of its PostgreSQL backend (/proc), per kind and
for the whole mix. Anonymous reads (the throttled event types) are measured apart, outside the mix. See
bench/README.md.
"""

import argparse
import collections
import cProfile
import datetime
import io
import json
import os
import pstats
import random
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))
import mix  # noqa: E402
import run  # noqa: E402  (the benchmark's PostgreSQL and manage.py helpers)

log = run.log


def build_database(db, events):
    run.ensure_role()
    log(f"creating {db}: migrate, demo, generate_events --events {events} --seed 1")
    run.generated_database(db, events)


class Caller:
    """Requests to the WSGI application in this process, each one's CPU time added to its kind."""

    def __init__(self, application, token, backend=None):
        self.application = application
        self.token = token
        self.backend = backend  # the PostgreSQL backend's pid: its CPU time is added to each kind too
        self.cpu = collections.Counter()
        self.backend_cpu = collections.Counter()
        self.count = collections.Counter()
        self.statuses = collections.Counter()

    def get(self, url, kind, token=True):
        path, _, query = url.removeprefix("http://127.0.0.1").partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if token:
            environ["HTTP_AUTHORIZATION"] = f"Token {self.token}"
        status = []
        backend_before = backend_cpu(self.backend) if self.backend else 0
        started = time.process_time()
        chunks = self.application(environ, lambda line, headers, exc_info=None: status.append(line))
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        self.cpu[kind] += time.process_time() - started
        if self.backend:
            self.backend_cpu[kind] += backend_cpu(self.backend) - backend_before
        self.count[kind] += 1
        code = int(status[0].split()[0])
        self.statuses[(kind, code)] += 1
        if code != 200:
            raise run.BenchError(f"GET {url} answered {status[0]}: {body[:300]!r}")
        return body

    def json(self, url, kind):
        return json.loads(self.get(url, kind))


def reader_round(caller, rng, seen_ids):
    """One task of a reader, drawn with load's weights; the same requests as bench/load.py's Reader."""
    task = rng.choices(list(mix.READER_TASKS), weights=list(mix.READER_TASKS.values()))[0]
    if task == "filtered_list":
        page = caller.json(mix.filtered_list_path(rng), "list")
        seen_ids.extend(event["id"] for event in page["results"])
    elif task == "cursor_pages":
        page = caller.json(mix.actor_pages_path(rng), "list")
        for _ in range(rng.randint(1, 3)):
            if not page["next"]:
                break
            page = caller.json(page["next"], "cursor page")
    elif task == "detail":
        event_id = rng.choice(seen_ids) if seen_ids else "us-ru-talks-riyadh-2025"
        caller.get(f"/api/v1/events/{event_id}/", "detail")
    elif task == "timeline":
        caller.get(mix.timeline_path(rng), "timeline")
    else:
        caller.get(mix.small_export_path(rng), "export")


def backend_cpu(pid):
    """CPU seconds (user + system) the PostgreSQL backend `pid` has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def replay(caller, requests, seed):
    rng = random.Random(seed)
    seen_ids = collections.deque(maxlen=2000)
    while sum(caller.count.values()) < requests:
        reader_round(caller, rng, seen_ids)


def measure(application, token, requests, anonymous, seed, profile_top):
    from django.db import connection

    # A warm-up round: imports, the first connection, the caches of the filter set and serializers.
    replay(Caller(application, token), max(100, requests // 10), seed + 1)
    for _ in range(20):
        Caller(application, token).get("/api/v1/event-types/", "anonymous", token=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    caller = Caller(application, token, backend)
    backend_before = backend_cpu(backend)
    replay(caller, requests, seed)
    backend_seconds = backend_cpu(backend) - backend_before
    # Each request must have kept the one connection: else its backend's CPU is not all counted.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        if cursor.fetchone()[0] != backend:
            raise run.BenchError("the database connection changed during the run: CONN_MAX_AGE")

    anonymous_caller = Caller(application, token)
    for _ in range(anonymous):
        anonymous_caller.get("/api/v1/event-types/", "anonymous (event types)", token=False)

    total = sum(caller.count.values())
    results = {
        "kinds": {
            kind: {
                "requests": caller.count[kind],
                "cpu_ms": round(1000 * caller.cpu[kind] / caller.count[kind], 2),
                "postgresql_ms": round(1000 * caller.backend_cpu[kind] / caller.count[kind], 2),
            }
            for kind in sorted(caller.count, key=lambda kind: -caller.count[kind])
        },
        "requests": total,
        "python_ms": round(1000 * sum(caller.cpu.values()) / total, 2),
        "postgresql_ms": round(1000 * backend_seconds / total, 2),
        "anonymous": {
            kind: {"requests": anonymous_caller.count[kind], "cpu_ms": round(1000 * seconds / anonymous, 2)}
            for kind, seconds in anonymous_caller.cpu.items()
        },
    }
    if profile_top:
        profiler = cProfile.Profile(time.process_time)  # CPU time: not the waits for PostgreSQL
        profiler.enable()
        replay(Caller(application, token), requests, seed)
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("tottime").print_stats(profile_top)
        stats.sort_stats("cumulative").print_stats(profile_top)
        results["profile"] = text.getvalue()
    return results


def print_report(results):
    print(
        f"\nCPU per request, {results['date']}: {results['events']:,} events, {results['requests']:,} requests "
        f"of load's readers' mix (seed {results['seed']}); commit {results['commit']}; "
        f"load average {results['load_before']} before"
    )
    print("\n| request | requests | CPU ms per request (Python) | PostgreSQL |")
    print("|---|---:|---:|---:|")
    for kind, entry in {**results["kinds"], **results["anonymous"]}.items():
        backend = f"{entry['postgresql_ms']:.2f}" if "postgresql_ms" in entry else ""
        print(f"| {kind} | {entry['requests']:,} | {entry['cpu_ms']:.2f} | {backend} |")
    print(
        f"\nmix: {results['python_ms']:.2f} ms in Python + {results['postgresql_ms']:.2f} ms in PostgreSQL "
        f"= {results['python_ms'] + results['postgresql_ms']:.2f} ms of CPU per request"
    )
    if "profile" in results:
        print(results["profile"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000, help="events generated (default 20000)")
    parser.add_argument("--requests", type=int, default=1200, help="requests of the mix measured (default 1200)")
    parser.add_argument("--anonymous", type=int, default=200, help="anonymous requests measured (default 200)")
    parser.add_argument("--seed", type=int, default=1, help="the mix's random seed (default 1)")
    parser.add_argument("--db", default="chancery_cpu_bench", help="the throw-away database")
    parser.add_argument("--reuse", action="store_true", help="keep the database a run before left (--keep)")
    parser.add_argument("--keep", action="store_true", help="leave the database behind")
    parser.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=30,
        default=0,
        metavar="N",
        help="a second pass under cProfile: its top N functions (default 30)",
    )
    args = parser.parse_args()

    if not args.reuse:
        build_database(args.db, args.events)
    env = run.chancery_env(args.db)
    # Anonymous reads pass the throttle's count without reaching its rate; one connection kept throughout.
    env.update(ANON_THROTTLE_RATE="1000000/minute", CONN_MAX_AGE="3600", DJANGO_SETTINGS_MODULE="tracker.settings")
    os.environ.update(env)
    os.chdir(ROOT)
    import django

    django.setup()
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from tracker.wsgi import application

    user = User.objects.filter(username="cpu-reader").first() or User.objects.create_user("cpu-reader")
    token = Token.objects.get_or_create(user=user)[0].key
    import subprocess

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    results = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "events": args.events,
        "seed": args.seed,
        "commit": commit.stdout.strip(),
        "load_before": run.load_average(),
    }
    try:
        results |= measure(application, token, args.requests, args.anonymous, args.seed, args.profile)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            run.drop(args.db)
    (run.WORK).mkdir(exist_ok=True)
    (run.WORK / "cpu.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print_report(results)


if __name__ == "__main__":
    try:
        main()
    except run.BenchError as exc:
        log(f"FAILED: {exc}")
        sys.exit(1)
