"""The database restarting under load: what Chancery's clients see, and what is left in the database.

    make faults                       # 5,000 events, a 10 s outage
    FAULTS_OUTAGE=30 make faults

Starts a throw-away PostgreSQL cluster of its own (bench/pgcluster.py: initdb
into a temporary folder, on port FAULTS_PG_PORT), so that the shared
server is never stopped; fills it with `generate_events`; serves it with
gunicorn (2 workers, DEBUG=0); and keeps a light load on it: FAULTS_READERS
readers (lists, details, timelines, small exports) and FAULTS_WRITERS writers
(creating events, changing them with If-Match). After a while it stops the
cluster (`pg_ctl stop -m fast`: open connections are cut), waits
FAULTS_OUTAGE seconds, and starts it again. It checks that

- every request made while the database was down answered 503 with
  Retry-After, none a 500 and none later than the client's timeout;
- requests succeed again once the database is back, without restarting gunicorn;
- no half-written event exists: every event a writer got 201 for is there with
  its participants and its source, and no event of the writers' lacks them.

Prints the counts and exits 1 if any check fails. Needs PostgreSQL's server
binaries (FAULTS_PG_BIN, /usr/lib/postgresql/15/bin); run as root, the cluster
runs as the `postgres` user, through runuser. See bench/README.md.
"""

import collections
import datetime
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import run  # noqa: E402  (the benchmark's server and logging helpers)
from pgcluster import Cluster, ClusterError  # noqa: E402

ROOT = BENCH.parent
WORK = BENCH / "work"
PY = ROOT / ".venv" / "bin" / "python"
env_int = run.env_int
log = run.log

EVENTS = env_int("FAULTS_EVENTS", 5000)
READERS = env_int("FAULTS_READERS", 4)
WRITERS = env_int("FAULTS_WRITERS", 2)
BEFORE = env_int("FAULTS_BEFORE", 10)  # seconds of load before the outage
OUTAGE = env_int("FAULTS_OUTAGE", 10)
AFTER = env_int("FAULTS_AFTER", 15)  # seconds of load after the database is back
TIMEOUT = env_int("FAULTS_TIMEOUT", 10)  # a request not answered within this many seconds is an error (a hang)
PG_BIN = Path(os.environ.get("FAULTS_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_PORT = env_int("FAULTS_PG_PORT", 55432)
PORT = env_int("FAULTS_PORT", 8768)
DB = "chancery_faults"
HOST = "127.0.0.1"
STATES = ("united-states", "russia", "china", "united-kingdom", "france", "germany", "ukraine", "iran")

# What each kind of request answers while the database is up.
EXPECTED = {
    "list": {200},
    "detail": {200},
    "timeline": {200},
    "export": {200},
    "create": {201},
    "read for change": {200},
    "change (If-Match)": {200, 412},
}


def database_url(user="chancery"):
    return f"postgres://{user}@{HOST}:{PG_PORT}/{DB}"


def connect():
    conn = psycopg2.connect(database_url(), connect_timeout=10)
    conn.autocommit = True
    return conn


def chancery_env():
    env = run.chancery_env(DB)
    env["DATABASE_URL"] = database_url()
    return env


def manage(*args, timeout=1800):
    done = subprocess.run(
        [str(PY), "manage.py", *args], cwd=ROOT, env=chancery_env(), capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise run.BenchError(f"manage.py {' '.join(args)} failed: {(done.stdout + done.stderr).strip()[-800:]}")
    return done.stdout


def build_database(cluster):
    cluster.start()
    admin = psycopg2.connect(database_url("postgres").replace(f"/{DB}", "/postgres"), connect_timeout=10)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("CREATE ROLE chancery LOGIN PASSWORD 'chancery' CREATEDB")
        cursor.execute(f"CREATE DATABASE {DB} OWNER chancery")
    admin.close()
    manage("migrate", "--noinput")
    manage("load_demo")
    manage("generate_events", "--events", str(EVENTS), "--seed", "1")
    code = """
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
user = User.objects.create_superuser("faults-writer", None, None)
print(Token.objects.create(user=user).key)
"""
    return manage("shell", "-c", code).strip().splitlines()[-1]


# ---------------------------------------------------------------- the load


class Record(collections.namedtuple("Record", "kind started ended status retry_after error")):
    """One request: its kind, when it started and ended (monotonic seconds), its status or the error instead."""


class Load:
    def __init__(self, token):
        self.token = token
        self.records = []
        self.created = {}  # event id -> the status its POST got
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.ids = ["gen-1-0000001"]

    def request(self, kind, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        started = time.monotonic()
        status, retry_after, error, data, response_headers = None, None, None, b"", {}
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=TIMEOUT)
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                status, response_headers = response.status, dict(response.getheaders())
                retry_after = response_headers.get("Retry-After")
            finally:
                conn.close()
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
        with self.lock:
            self.records.append(Record(kind, started, time.monotonic(), status, retry_after, error))
        return status, data, response_headers

    def reader(self, seed):
        rng = random.Random(seed)
        while not self.stopping.is_set():
            choice = rng.random()
            actor = rng.choice(STATES)
            if choice < 0.4:
                status, data, _ = self.request("list", "GET", f"/api/v1/events/?actor={actor}&page_size=20")
                if status == 200:
                    with self.lock:
                        self.ids = [event["id"] for event in json.loads(data)["results"]] or self.ids
            elif choice < 0.7:
                self.request("detail", "GET", f"/api/v1/events/{rng.choice(self.ids)}/")
            elif choice < 0.9:
                self.request("timeline", "GET", f"/api/v1/timeline/?actor={actor}&interval=year")
            else:
                path = f"/api/v1/events/export/?format=csv&actor={actor}&type=talks&date_from=2020"
                self.request("export", "GET", path)
            time.sleep(rng.uniform(0.05, 0.2))

    def writer(self, number):
        rng = random.Random(1000 + number)
        auth = {"Authorization": f"Token {self.token}"}
        mine = []
        count = 0
        while not self.stopping.is_set():
            if not mine or rng.random() < 0.5:
                count += 1
                event_id = f"faults-{number}-{count}"
                a, b = rng.sample(STATES, 2)
                record = run.draft_talks(
                    event_id,
                    a,
                    b,
                    title=f"{a} and {b} hold talks",
                    start="2025-06",
                    url=f"https://example.org/faults/{event_id}",
                    published="2025-06-02",
                )
                status, _, _ = self.request("create", "POST", "/api/v1/events/", body=record, headers=auth)
                with self.lock:
                    self.created[event_id] = status
                if status == 201:
                    mine.append(event_id)
            else:
                path = f"/api/v1/events/{rng.choice(mine[-3:])}/"
                status, _, headers = self.request("read for change", "GET", path, headers=auth)
                if status == 200:
                    change = {"title": f"Talks, revision {count}-{rng.randrange(1000)}"}
                    self.request(
                        "change (If-Match)", "PATCH", path, body=change, headers={**auth, "If-Match": headers["ETag"]}
                    )
            time.sleep(rng.uniform(0.1, 0.3))

    def start(self):
        self.threads = [threading.Thread(target=self.reader, args=(n,), daemon=True) for n in range(READERS)]
        self.threads += [threading.Thread(target=self.writer, args=(n,), daemon=True) for n in range(1, WRITERS + 1)]
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=TIMEOUT + 5)


# ---------------------------------------------------------------- the checks


def judge(records, stop_began, stop_done, start_began, start_done):
    """Sort the requests by when they ran against the outage; what each phase answered, and what is wrong."""
    phases = collections.defaultdict(collections.Counter)
    problems = collections.Counter()
    first_success_after = None
    for r in sorted(records, key=lambda r: r.started):
        answer = r.status if r.error is None else r.error.split(":")[0]
        ok = r.error is None and r.status in EXPECTED[r.kind]
        unavailable = r.status == 503 and r.retry_after is not None
        if r.ended < stop_began:
            phase = "before"
            wrong = not ok
        elif r.started >= stop_done and r.ended <= start_began:
            phase = "outage"
            wrong = not unavailable
        elif r.started >= start_done:
            phase = "after"
            if ok and first_success_after is None:
                first_success_after = r.ended - start_done
            # Until the first success, a 503 is the database still coming back; after it, nothing but success.
            wrong = not ok and not (unavailable and first_success_after is None)
        else:
            phase = "stopping or starting"
            # An export streaming when the database stops is cut short: its 200 went out before the
            # rows, and a cut body is all that is left to tell the client (docs/performance.md, Faults).
            cut_export = r.kind == "export" and (r.error or "").startswith("IncompleteRead")
            wrong = not (ok or unavailable or cut_export)
        phases[phase][answer] += 1
        if wrong:
            problems[f"{phase}: {r.kind} answered {answer}"] += 1
    return phases, problems, first_success_after


def integrity(created):
    """Every event of the writers complete; every 201 there."""
    conn = connect()
    with conn.cursor() as cursor:
        cursor.execute(
            """
            SELECT e.id,
                   (SELECT count(*) FROM events_participant p WHERE p.event_id = e.id),
                   (SELECT count(*) FROM events_citation c WHERE c.event_id = e.id)
            FROM events_event e WHERE e.id LIKE 'faults-%%'
            """
        )
        stored = {event_id: (participants, citations) for event_id, participants, citations in cursor.fetchall()}
    conn.close()
    acknowledged = {event_id for event_id, status in created.items() if status == 201}
    return {
        "events stored": len(stored),
        "creations acknowledged (201)": len(acknowledged),
        "acknowledged but missing": sorted(acknowledged - stored.keys()),
        "stored without 2 participants and 1 source": sorted(i for i, counts in stored.items() if counts != (2, 1)),
        # A commit whose answer was lost with the connection: complete, but the writer was told 503.
        "stored though the writer was not told 201": sorted(
            f"{i} ({created.get(i)})" for i in stored.keys() - acknowledged
        ),
    }


def main():
    signal.signal(signal.SIGTERM, run.on_signal)
    signal.signal(signal.SIGINT, run.on_signal)
    WORK.mkdir(exist_ok=True)
    results = {"date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"), "events": EVENTS}
    results["command"] = " ".join(f"{k}={os.environ[k]}" for k in sorted(os.environ) if k.startswith("FAULTS_"))
    results["command"] = (results["command"] + " make faults").strip()
    # Before anything is built: the scenario must stop and measure its own servers, not others on these ports.
    run.ensure_port_free("gunicorn", HOST, PORT, "FAULTS_PORT")
    run.ensure_port_free("the throw-away PostgreSQL", HOST, PG_PORT, "FAULTS_PG_PORT")
    cluster = Cluster.initdb(PG_PORT, pg_bin=PG_BIN)
    try:
        log(f"throw-away PostgreSQL on {HOST}:{PG_PORT} in {cluster.folder}; {EVENTS} events")
        token = build_database(cluster)
        command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "tracker.wsgi:application", "--workers", "2"]
        command += ["--bind", f"{HOST}:{PORT}", "--timeout", "30", "--graceful-timeout", "5", "--log-level", "warning"]
        run.Server(
            "gunicorn",
            command,
            chancery_env(),
            f"http://{HOST}:{PORT}/api/v1/event-types/",
            WORK / "faults-gunicorn.log",
            setting="FAULTS_PORT",
        )
        results["load_before"] = run.load_average()
        load = Load(token)
        load.start()
        log(f"{READERS} readers and {WRITERS} writers; the database stops in {BEFORE} s for {OUTAGE} s")
        time.sleep(BEFORE)
        stop_began = time.monotonic()
        cluster.stop()
        stop_done = time.monotonic()
        log(f"database stopped ({stop_done - stop_began:.1f} s)")
        time.sleep(OUTAGE)
        start_began = time.monotonic()
        cluster.start()
        start_done = time.monotonic()
        log(f"database started again ({start_done - start_began:.1f} s); {AFTER} s more of load")
        time.sleep(AFTER)
        load.stop()
        results["load_after"] = run.load_average()
        run.Server.stop_all()
        phases, problems, first_success = judge(load.records, stop_began, stop_done, start_began, start_done)
        results["outage_seconds"] = round(start_began - stop_done, 1)
        results["stop_seconds"] = round(stop_done - stop_began, 1)
        results["start_seconds"] = round(start_done - start_began, 1)
        results["phases"] = {phase: dict(counts) for phase, counts in phases.items()}
        results["problems"] = dict(problems)
        results["first_success_after_start_seconds"] = None if first_success is None else round(first_success, 2)
        results["slowest_outage_answer_ms"] = round(
            1000
            * max(
                (r.ended - r.started for r in load.records if stop_done <= r.started and r.ended <= start_began),
                default=0,
            )
        )
        results["integrity"] = integrity(load.created)
        results["kinds"] = dict(collections.Counter(r.kind for r in load.records))
    finally:
        run.Server.stop_all()
        cluster.destroy()
    (WORK / "faults.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    report(results)
    check = results["integrity"]
    failed = (
        results["problems"]
        or results["first_success_after_start_seconds"] is None
        or not results["phases"].get("outage")
        or check["acknowledged but missing"]
        or check["stored without 2 participants and 1 source"]
    )
    if failed:
        log("FAILED: see above")
        sys.exit(1)


def report(results):
    print(f"\nThe database restarting under load, {results['date']}: {results['events']:,} events,")
    loads = f"load average {results['load_before']} before, {results['load_after']} after"
    print(f"{READERS} readers and {WRITERS} writers; {loads}")
    print(
        f"pg_ctl stop -m fast took {results['stop_seconds']} s; down for {results['outage_seconds']} s; "
        f"pg_ctl start took {results['start_seconds']} s\n"
    )
    print("| phase | answers |")
    print("|---|---|")
    for phase in ("before", "stopping or starting", "outage", "after"):
        counts = results["phases"].get(phase, {})
        shown = ", ".join(f"{count} x {answer}" for answer, count in sorted(counts.items(), key=lambda i: str(i[0])))
        print(f"| {phase} | {shown or '-'} |")
    print(f"\nslowest answer during the outage: {results['slowest_outage_answer_ms']} ms (client timeout {TIMEOUT} s)")
    first = results["first_success_after_start_seconds"]
    after_503 = results["phases"].get("after", {}).get(503, 0)
    print(
        f"503s after the database was back: {after_503}; the first success ended {first} s after pg_ctl start returned"
    )
    print("requests by kind: " + ", ".join(f"{kind} {count}" for kind, count in results["kinds"].items()))
    print(f"problems: {results['problems'] or 'none'}")
    for name, value in results["integrity"].items():
        print(f"{name}: {value if isinstance(value, int) else (len(value), value[:5])}")


if __name__ == "__main__":
    try:
        main()
    except (run.BenchError, ClusterError) as exc:
        log(f"FAILED: {exc}")
        sys.exit(1)
