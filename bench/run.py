"""Chancery's benchmark: a million events on PostgreSQL, against the floor and against Datasette.

    make bench                        # BENCH_EVENTS=1000000 by default
    BENCH_EVENTS=100000 make bench    # a quick run

Builds a throw-away database (`chancery_bench`) with `generate_events`, serves
it with gunicorn (2 workers, DEBUG=0), serves the same published events with
Datasette from a SQLite file, and asks each question three ways, side by side
in the same run: through Chancery's API, as SQL straight to PostgreSQL (the
floor), and through Datasette. Writes docs/performance.md (between its
bench markers) and bench/work/results.json. See bench/README.md.
"""

import atexit
import datetime
import http.client
import io
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg2

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
import sql  # noqa: E402

WORK = BENCH / "work"
PY = ROOT / ".venv" / "bin" / "python"
DATASETTE = BENCH / ".venv" / "bin" / "datasette"
REPORT = Path(os.environ.get("BENCH_REPORT") or ROOT / "docs" / "performance.md").resolve()
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    try:
        return int(value.replace("_", "")) if value else default
    except ValueError:
        sys.exit(f"{name}={value!r}: expected a whole number")


EVENTS = env_int("BENCH_EVENTS", 1_000_000)
RUNS = env_int("BENCH_RUNS", 7)
EXPORT_RUNS = env_int("BENCH_EXPORT_RUNS", 1)
# 100,000 at a million events; a tenth of the events below that, so that a quick run stays quick.
IMPORT_EVENTS = env_int("BENCH_IMPORT_EVENTS", min(100_000, EVENTS // 10))
DEEP_PAGES = env_int("BENCH_DEEP_PAGES", 50)
IMPORT_TIMEOUT = env_int("BENCH_IMPORT_TIMEOUT", 600)
DB = os.environ.get("BENCH_DB", "chancery_bench")
DB_IMPORT = f"{DB}_import"
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = env_int("BENCH_PG_PORT", 5432)
PORT = env_int("BENCH_PORT", 8765)
DATASETTE_PORT = env_int("BENCH_DATASETTE_PORT", 8766)
REUSE = os.environ.get("BENCH_REUSE") == "1"  # keep a database that already holds BENCH_EVENTS events
KEEP = os.environ.get("BENCH_KEEP") == "1"  # leave the database behind, for EXPLAIN afterwards
ONLY = os.environ.get("BENCH_ONLY", "")  # "import": build the database and time the import alone
RELEASE = os.environ.get("BENCH_RELEASE", "1") != "0"  # "0": no release written (at a million it takes most of an hour)
ADMIN_USER, ADMIN_PASSWORD = "bench", "bench-only-password-4f1c"

# The questions' parameters: the busiest dyad of generated data, a mid-frequency word, the second busiest state.
A, B = "united-states", "russia"
PARAMS = {
    "a": A,
    "b": B,
    "type": "talks",
    "type_prefix": "talks.%",
    "date_from": "2010-01-01",
    "date_to": "2015-12-31",
    "q": "icebreaker",
    "country": "RUS",
    "actor": "russia",
    "since": "2022-01-01",
    "family": "sanctions",
    "family_prefix": "sanctions.%",
}


class BenchError(Exception):
    pass


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- PostgreSQL


def draft_talks(event_id, a, b, *, title, start, url, published):
    """A draft of talks between states `a` and `b` with one source, in the dataset shape: what the
    writers of the load and fault scenarios create."""
    return {
        "id": event_id,
        "title": title,
        "summary": "",
        "type": "talks",
        "status": "occurred",
        "start": start,
        "start_precision": "month",
        "end": None,
        "end_precision": None,
        "participants": [{"actor": a, "role": "participant"}, {"actor": b, "role": "participant"}],
        "location": None,
        "sources": [
            {
                "url": url,
                "title": "Delegations meet",
                "publisher": "Example News",
                "published": published,
                "quote": "The delegations met.",
                "claimed_by": None,
            }
        ],
        "tags": [],
        "related": [],
        "review_state": "draft",
    }


def dsn(db, user="chancery"):
    password = "chancery" if user == "chancery" else ""
    return f"postgresql://{user}{':' + password if password else ''}@{PG_HOST}:{PG_PORT}/{db}"


def connect(db, user="chancery", autocommit=True):
    conn = psycopg2.connect(dsn(db, user), connect_timeout=10)
    conn.autocommit = autocommit
    return conn


def ensure_role():
    """The `chancery` role with CREATEDB; made through the postgres superuser (trust auth) when missing."""
    try:
        connect("postgres").close()
        return
    except psycopg2.OperationalError as first:
        reason = str(first).strip()
    try:
        conn = connect("postgres", user="postgres")
    except psycopg2.OperationalError as exc:
        raise BenchError(
            f"cannot log in to PostgreSQL at {PG_HOST}:{PG_PORT} as chancery ({reason}) nor as postgres "
            f"({str(exc).strip()}). Start it (pg_ctlcluster --skip-systemctl-redirect 15 main start) and "
            "create the role: CREATE ROLE chancery LOGIN PASSWORD 'chancery' CREATEDB"
        ) from None
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = 'chancery'")
        verb = "ALTER" if cursor.fetchone() else "CREATE"
        cursor.execute(f"{verb} ROLE chancery LOGIN PASSWORD 'chancery' CREATEDB")
    conn.close()
    log("made the PostgreSQL role chancery")


def recreate(db):
    conn = connect("postgres")
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{db}"')
    conn.close()


def drop(db):
    conn = connect("postgres")
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    conn.close()


def scalar(conn, query, params=None):
    with conn.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()[0]


# ---------------------------------------------------------------- Chancery's commands and server


def chancery_env(db):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=dsn(db),
        DEBUG="0",
        SECRET_KEY="bench-only-not-a-secret",
        HTTPS_ONLY="0",
        ANON_THROTTLE_RATE="",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        STATIC_MANIFEST="0",
        PYTHONUNBUFFERED="1",
        DJANGO_SUPERUSER_USERNAME=ADMIN_USER,
        DJANGO_SUPERUSER_PASSWORD=ADMIN_PASSWORD,
        DJANGO_SUPERUSER_EMAIL="bench@example.org",
    )
    return env


def manage(db, *args, timeout=3600, stdin=None):
    """Run manage.py; its output, or a BenchError with its last lines."""
    try:
        done = subprocess.run(
            [str(PY), "manage.py", *args],
            cwd=ROOT,
            env=chancery_env(db),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"manage.py {' '.join(args)} took more than {timeout} s") from None
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise BenchError(f"manage.py {' '.join(args)} failed (exit {done.returncode}):\n{tail}")
    return done.stdout


def listening_sockets(port):
    """{socket inode: pid} of the TCP sockets listening on `port` (Linux's /proc; pids only of the
    processes this user may look into)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            # local address "0100007F:1F90", state 0A = LISTEN, inode tenth
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    found = dict.fromkeys(inodes)
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in found:
            found[target[8:-1]] = int(fd.parts[2])
    return found


def describe_pid(pid):
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return f"pid {pid}"
    return f"pid {pid}: {command[:100]}"


def ensure_port_free(name, host, port, setting):
    """Refuse to start a server where something already listens: the bench would measure that instead."""
    with socket.socket() as probe:
        # As the servers bind: a closed connection still in TIME_WAIT does not count, a listener does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
            return
        except OSError as exc:
            reason = exc.strerror
    holders = sorted({pid for pid in listening_sockets(port).values() if pid is not None})
    held = f" (by {', '.join(describe_pid(pid) for pid in holders)})" if holders else f" ({reason})"
    raise BenchError(f"{name}: {host}:{port} is already in use{held}; stop it, or choose another with {setting}")


class Server:
    """A server in its own process group, stopped (group and all) when the bench ends, however it ends.

    It must be the one answering at `ready_url`: the port is checked free before it starts, and once
    something answers there, the socket listening on the port must be the started process's (or a child's:
    gunicorn's workers share their master's). Otherwise the bench stops, naming `setting`, the variable
    that moves the port, rather than measure whatever else answers.
    """

    running = []

    def __init__(self, name, command, env, ready_url, log_path, setting):
        self.name, self.ready_url = name, ready_url
        parts = urllib.parse.urlsplit(ready_url)
        ensure_port_free(name, parts.hostname, parts.port, setting)
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        Server.running.append(self)
        try:
            self.wait_until_ready(log_path)
            self.check_owner(parts.hostname, parts.port, setting, log_path)
        except BaseException:
            self.stop()
            raise

    def wait_until_ready(self, log_path):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} exited with {self.process.returncode}: see {log_path}")
            try:
                if get(self.ready_url, timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise BenchError(f"{self.name} did not answer {self.ready_url} within 90 s: see {log_path}")

    def check_owner(self, host, port, setting, log_path):
        listeners = listening_sockets(port)
        ours = {self.process.pid, *self.children()}
        if not any(pid in ours for pid in listeners.values()):
            others = sorted({pid for pid in listeners.values() if pid is not None})
            held = f" but {', '.join(describe_pid(pid) for pid in others)}" if others else ""
            raise BenchError(
                f"{self.name}: what answers on {host}:{port} is not the process started (pid {self.process.pid})"
                f"{held}; stop it, or choose another port with {setting} (see {log_path})"
            )

    def children(self):
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def stop(self):
        if self.process.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.process.pid, sig)
                    self.process.wait(timeout=wait)
                    break
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    continue
        self.log.close()
        if self in Server.running:
            Server.running.remove(self)

    @classmethod
    def stop_all(cls):
        for server in list(cls.running):
            server.stop()


atexit.register(Server.stop_all)


def on_signal(signum, frame):
    raise SystemExit(128 + signum)


# ---------------------------------------------------------------- HTTP


def get(url, timeout=120, headers=None, sink=None):
    """(status, body or byte count, seconds): a fresh connection, the whole body read."""
    parts = urllib.parse.urlsplit(url)
    started = time.perf_counter()
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        response = conn.getresponse()
        if sink is None:
            body = response.read()
        else:
            body = 0
            while block := response.read(1 << 20):
                body += len(block)
                sink(block)
        return response.status, body, time.perf_counter() - started, response
    finally:
        conn.close()


def get_ok(url, **kwargs):
    status, body, seconds, response = get(url, **kwargs)
    if status != 200:
        shown = body[:300] if isinstance(body, bytes) else b""
        raise BenchError(f"GET {url} answered {status}: {shown!r}")
    return body, seconds, response


def chancery(path):
    return f"http://127.0.0.1:{PORT}{path}"


def datasette(path):
    return f"http://127.0.0.1:{DATASETTE_PORT}{path}"


def query_string(pairs):
    return urllib.parse.urlencode(pairs, doseq=True)


# ---------------------------------------------------------------- timing


def floor_query(conn, query, params=None):
    def run():
        started = time.perf_counter()
        with conn.cursor() as cursor:
            cursor.execute(query, params or PARAMS)
            rows = cursor.fetchall()
        return time.perf_counter() - started, rows

    return run


def http_question(url):
    def run():
        body, seconds, _ = get_ok(url)
        return seconds, body

    return run


def compare(ways, runs=RUNS):
    """Median seconds of each way, asked in turn in every round after one warm-up round."""
    times = {name: [] for name in ways}
    last = {}
    for round_number in range(runs + 1):
        for name, way in ways.items():
            if way is None:
                continue
            seconds, result = way()
            last[name] = result
            if round_number:
                times[name].append(seconds)
    return {name: statistics.median(values) if values else None for name, values in times.items()}, last


def chancery_ids(body):
    data = json.loads(body)
    return [event["id"] for event in (data["results"] if isinstance(data, dict) else data)]


def ratio(a, b):
    return a / b if a and b else None


# ---------------------------------------------------------------- the steps


def generated_database(db, events):
    """Make `db` anew: migrated, the demo, `events` generated events of seed 1, then analysed (bench/load.py,
    bench/cpu.py)."""
    recreate(db)
    manage(db, "migrate", "--noinput", timeout=600)
    manage(db, "load_demo", timeout=600)
    manage(db, "generate_events", "--events", str(events), "--seed", "1", timeout=3600)
    conn = connect(db)
    with conn.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    conn.close()


def build_database():
    conn = None
    if REUSE:
        try:
            conn = connect(DB)
            count = scalar(conn, "SELECT count(*) FROM events_event WHERE id LIKE 'gen-1-%%'")
            if count == EVENTS:
                log(f"reusing {DB} with its {count} generated events (BENCH_REUSE=1)")
                return None
        except psycopg2.Error:
            pass
        finally:
            if conn is not None:
                conn.close()
    log(f"creating {DB}")
    recreate(DB)
    manage(DB, "migrate", "--noinput", timeout=600)
    manage(DB, "load_demo", timeout=600)
    log(f"generating {EVENTS} events")
    started = time.perf_counter()
    output = manage(DB, "generate_events", "--events", str(EVENTS), "--seed", "1", timeout=3600)
    seconds = time.perf_counter() - started
    log(output.strip())
    manage(DB, "createsuperuser", "--noinput", timeout=120)
    conn = connect(DB)
    with conn.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    conn.close()
    return {"events": EVENTS, "seconds": seconds, "rate": EVENTS / seconds, "output": output.strip()}


def build_sqlite():
    path = WORK / "chancery.db"
    log(f"flattening the published events into {path.relative_to(ROOT)} for Datasette")
    started = time.perf_counter()
    done = subprocess.run(
        [str(PY), str(BENCH / "flatten.py"), dsn(DB), str(path)], capture_output=True, text=True, timeout=3600
    )
    if done.returncode != 0:
        raise BenchError(f"bench/flatten.py failed:\n{done.stderr[-2000:]}")
    return path, time.perf_counter() - started


IMPORT_TABLES = (
    # table, columns, SELECT from the scratch database (source ids and event history ids shifted past the
    # benchmark database's). The rows in the order Chancery writes them: sources, then each event's parts.
    (
        "events_source",
        "id, url, title, publisher, published, language, archive_url",
        "SELECT id + %(sources)s, url, title, publisher, published, language, archive_url FROM events_source "
        "WHERE id IN (SELECT source_id FROM events_citation WHERE event_id LIKE 'gen-2-%%')",
    ),
    (
        "events_historicalsource",
        "id, url, title, publisher, published, language, archive_url, history_date, history_change_reason, "
        "history_type, history_user_id",
        "SELECT id + %(sources)s, url, title, publisher, published, language, archive_url, history_date, "
        "history_change_reason, history_type, history_user_id FROM events_historicalsource "
        "WHERE id IN (SELECT source_id FROM events_citation WHERE event_id LIKE 'gen-2-%%')",
    ),
    (
        "events_participant",
        "event_id, actor_id, role",
        "SELECT event_id, actor_id, role FROM events_participant WHERE event_id LIKE 'gen-2-%%'",
    ),
    (
        "events_citation",
        "event_id, source_id, quote, claimed_by_id",
        "SELECT event_id, source_id + %(sources)s, quote, claimed_by_id FROM events_citation "
        "WHERE event_id LIKE 'gen-2-%%'",
    ),
    (
        "events_eventrelation",
        "from_event_id, to_event_id, relation",
        "SELECT from_event_id, to_event_id, relation FROM events_eventrelation WHERE from_event_id LIKE 'gen-2-%%'",
    ),
    (
        "events_event_tags",
        "event_id, tag_id",
        "SELECT event_id, tag_id FROM events_event_tags WHERE event_id LIKE 'gen-2-%%'",
    ),
    *(
        (
            f"events_historical{name}",
            f"id, {columns}, history_date, history_change_reason, history_type, history_user_id",
            f"SELECT id, {shifted or columns}, history_date, history_change_reason, history_type, history_user_id "
            f"FROM events_historical{name} WHERE {key} LIKE 'gen-2-%%'",
        )
        for name, columns, shifted, key in (
            ("participant", "event_id, actor_id, role", None, "event_id"),
            (
                "citation",
                "event_id, source_id, quote, claimed_by_id",
                "event_id, source_id + %(sources)s, quote, claimed_by_id",
                "event_id",
            ),
            ("eventrelation", "from_event_id, to_event_id, relation", None, "from_event_id"),
        )
    ),
    # The events last, as Chancery writes them: into a table of their own, from which one INSERT writes
    # them with their search columns (sql.IMPORT_EVENTS), computed from the rows above.
    (
        "import_event",
        sql.EVENT_COLUMNS,
        f"SELECT {sql.EVENT_COLUMNS} FROM events_event WHERE id LIKE 'gen-2-%%'",
    ),
    (
        "events_historicalevent",
        f"history_id, {sql.EVENT_COLUMNS}, history_date, history_change_reason, history_type, history_user_id",
        f"SELECT history_id + %(history)s, {sql.EVENT_COLUMNS}, history_date, history_change_reason, history_type, "
        "history_user_id FROM events_historicalevent WHERE id LIKE 'gen-2-%%'",
    ),
    (
        "events_historicalevent_tags",
        "history_id, id, event_id, tag_id",
        "SELECT history_id + %(history)s, id, event_id, tag_id FROM events_historicalevent_tags "
        "WHERE event_id LIKE 'gen-2-%%'",
    ),
)


def prepare_import():
    """A dataset file of IMPORT_EVENTS other events (seed 2), and the same rows as COPY data for the floor."""
    log(f"preparing the import: {IMPORT_EVENTS} events in {DB_IMPORT}, exported to a dataset file")
    recreate(DB_IMPORT)
    try:
        manage(DB_IMPORT, "migrate", "--noinput", timeout=600)
        manage(DB_IMPORT, "load_demo", timeout=600)
        manage(DB_IMPORT, "generate_events", "--events", str(IMPORT_EVENTS), "--seed", "2", timeout=3600)
        path = WORK / "import.json"
        manage(DB_IMPORT, "export_dataset", str(path), timeout=3600)
        bench = connect(DB)
        offsets = {
            "sources": scalar(bench, "SELECT coalesce(max(id), 0) + 1000 FROM events_source"),
            # Past the history rows the run writes after this (as_of corrects a tenth of the events, each with a
            # history row), so that the floor's rows never take an id one of them took.
            "history": scalar(
                bench, "SELECT coalesce(max(history_id), 0) + 1000 + %s FROM events_historicalevent", (EVENTS,)
            ),
        }
        bench.close()
        scratch = connect(DB_IMPORT)
        copies = []
        for table, columns, select in IMPORT_TABLES:
            data = io.BytesIO()
            with scratch.cursor() as cursor:
                cursor.copy_expert(cursor.mogrify(f"COPY ({select}) TO STDOUT", offsets).decode(), data)
            copies.append((f"COPY {table} ({columns}) FROM STDIN", data.getvalue()))
        scratch.close()
    finally:
        drop(DB_IMPORT)
    return path, copies


def floor_import(copies):
    """The same rows COPYed into the same tables with their history rows, the search columns given in bulk
    as Chancery's import gives them (the triggers deferred, sql.IMPORT_EVENTS), foreign keys checked, then
    rolled back."""
    conn = connect(DB, autocommit=False)
    try:
        started = time.perf_counter()
        with conn.cursor() as cursor:
            cursor.execute(sql.DEFER_SEARCH_COLUMNS)
            cursor.execute(sql.IMPORT_EVENT_TABLE)
            for statement, data in copies:
                cursor.copy_expert(statement, io.BytesIO(data))
            cursor.execute(sql.IMPORT_EVENTS)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds = time.perf_counter() - started
    finally:
        conn.rollback()
        conn.close()
    return seconds


def start_servers(sqlite_path):
    env = chancery_env(DB)
    gunicorn = Server(
        "gunicorn",
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "tracker.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--timeout",
            "1800",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ],  # fmt: skip
        env,
        chancery("/api/v1/event-types/"),
        WORK / "gunicorn.log",
        setting="BENCH_PORT",
    )
    peer = Server(
        "datasette",
        [
            str(DATASETTE),
            "serve",
            "-i",
            str(sqlite_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(DATASETTE_PORT),
            # Generous limits so that every question finishes, and no facet suggestions (Chancery makes none).
            "--setting",
            "sql_time_limit_ms",
            "600000",
            "--setting",
            "max_returned_rows",
            "100000",
            "--setting",
            "suggest_facets",
            "off",
            "--setting",
            "facet_time_limit_ms",
            "600000",
        ],  # fmt: skip
        dict(os.environ),
        datasette("/-/versions.json"),
        WORK / "datasette.log",
        setting="BENCH_DATASETTE_PORT",
    )
    return gunicorn, peer


def ask_questions(floor):
    """The list, search, country, deep page, timeline and detail questions, each asked three ways."""
    results = {}

    def question(name, api_path, floor_sql, datasette_path, same=None):
        log(f"question: {name}")
        medians, last = compare(
            {
                "chancery": http_question(chancery(api_path)),
                "floor": floor_query(floor, floor_sql),
                "datasette": http_question(datasette(datasette_path)) if datasette_path else None,
            }
        )
        entry = {"api": api_path, "datasette_path": datasette_path, **medians}
        if same:
            entry["same_rows"] = same(last)
        results[name] = entry

    def same_ids(last):
        """Chancery's page is the floor's, in order; Datasette's has the same start dates (it sorts by
        `start` alone, so events of one day may come in another order, and another of them end the page)."""
        ours = chancery_ids(last["chancery"])
        floor_ids = [row[0] for row in last["floor"]]
        if "datasette" in last:
            starts = [row[5].isoformat() for row in last["floor"]]
            if [row["start"] for row in json.loads(last["datasette"])] != starts:
                return False
        return ours == floor_ids and bool(ours)

    dyad = query_string(
        {
            "actor": [A, B],
            "type": PARAMS["type"],
            "date_from": PARAMS["date_from"],
            "date_to": PARAMS["date_to"],
            "page_size": 100,
        }
    )
    dyad_where = " and ".join([sql.SQLITE_DYAD.format(a=A, b=B), sql.SQLITE_TYPE.format(type=PARAMS["type"])])
    question(
        "dyad + type + dates, page of 100",
        f"/api/v1/events/?{dyad}",
        sql.page(
            None,
            rows=sql.posted_rows(
                sql.DYAD_KEY, f"{sql.TYPE} AND {sql.DATES}", f"{sql.POSTED_TYPE} AND {sql.POSTED_DATES}", "date_from"
            ),
        ),
        "/chancery/events.json?"
        + query_string(
            {
                "_where": dyad_where,
                "start__lte": PARAMS["date_to"],
                "span_end__gte": PARAMS["date_from"],
                "_sort": "start",
                "_size": 100,
                "_shape": "array",
                "_nocount": 1,
            }
        ),
        same_ids,
    )
    question(
        f"full text q={PARAMS['q']}, page of 100",
        f"/api/v1/events/?q={PARAMS['q']}&page_size=100",
        sql.page(sql.SEARCH),
        f"/chancery/events.json?_search={PARAMS['q']}&_sort=start&_size=100&_shape=array&_nocount=1",
        same_ids,
    )
    question(
        f"country={PARAMS['country']}, page of 100",
        f"/api/v1/events/?country={PARAMS['country']}&page_size=100",
        sql.page(sql.COUNTRY),
        "/chancery/events.json?"
        + query_string(
            {
                "_where": sql.SQLITE_COUNTRY.format(country=PARAMS["country"]),
                "_sort": "start",
                "_size": 100,
                "_shape": "array",
                "_nocount": 1,
            }
        ),
        same_ids,
    )

    question(
        f"actor={PARAMS['actor']} since {PARAMS['since']}, page of 100",
        f"/api/v1/events/?actor={PARAMS['actor']}&date_from={PARAMS['since']}&page_size=100",
        sql.page(None, rows=sql.posted_rows(sql.ACTOR_KEY, sql.SINCE, day="since")),
        "/chancery/events.json?"
        + query_string(
            {
                "_where": sql.SQLITE_ACTOR.format(actor=PARAMS["actor"]),
                "span_end__gte": PARAMS["since"],
                "_sort": "start",
                "_size": 100,
                "_shape": "array",
                "_nocount": 1,
            }
        ),
        same_ids,
    )

    # The deep page: follow `next` DEEP_PAGES - 1 times, then time that page.
    url = chancery("/api/v1/events/?page_size=100")
    for _ in range(DEEP_PAGES - 1):
        url = json.loads(get_ok(url)[0])["next"]
    deep_path = url.removeprefix(chancery(""))
    ds_url = datasette("/chancery/events.json?_sort=start&_size=100&_nocount=1&_shape=objects")
    for _ in range(DEEP_PAGES - 1):
        ds_url = json.loads(get_ok(ds_url)[0])["next_url"]
    with floor.cursor() as cursor:
        cursor.execute(
            "SELECT start, id FROM events_event WHERE review_state = 'published' ORDER BY start, id OFFSET %s LIMIT 1",
            [100 * (DEEP_PAGES - 1) - 1],
        )
        after_start, after_id = cursor.fetchone()
    params = {**PARAMS, "after_start": after_start, "after_id": after_id}
    log(f"question: page {DEEP_PAGES} by cursor")
    medians, last = compare(
        {
            "chancery": http_question(chancery(deep_path)),
            "floor": floor_query(floor, sql.page(sql.AFTER), params),
            "datasette": http_question(ds_url),
        }
    )
    results[f"page {DEEP_PAGES} by cursor"] = {
        "api": deep_path,
        "datasette_path": ds_url.removeprefix(datasette("")),
        **medians,
        # Datasette's next page goes on from its own last row: the same events, in its tie order.
        "same_rows": chancery_ids(last["chancery"]) == [row[0] for row in last["floor"]]
        and [row["start"] for row in json.loads(last["datasette"])["rows"]]
        == [row[5].isoformat() for row in last["floor"]],
    }

    question(
        "month timeline, all events",
        "/api/v1/timeline/?interval=month",
        sql.timeline_month(),
        "/chancery.json?" + query_string({"sql": sql.sqlite_timeline_month(), "_shape": "array"}),
    )
    question(
        "month timeline, the dyad",
        "/api/v1/timeline/?" + query_string({"actor": [A, B], "interval": "month"}),
        sql.timeline_month(sql.DYAD),
        "/chancery.json?"
        + query_string({"sql": sql.sqlite_timeline_month(sql.SQLITE_DYAD.format(a=A, b=B)), "_shape": "array"}),
    )
    detail = scalar(
        floor,
        "SELECT id FROM events_event WHERE review_state = 'published' AND id LIKE 'gen-1-%%' ORDER BY id "
        "OFFSET (SELECT count(*) / 2 FROM events_event WHERE id LIKE 'gen-1-%%') LIMIT 1",
    )
    PARAMS["id"] = detail
    question(
        "event detail",
        f"/api/v1/events/{detail}/",
        sql.page(sql.DETAIL),
        f"/chancery/events/{detail}.json?_shape=array",
    )
    return results


FACET_QUESTIONS = (
    # (name, the filters, the facets, Datasette's filter where it has the same question)
    ("facets type, country: the dyad", {"actor": [A, B]}, ("type", "country"), None),
    (f"facet type: country={PARAMS['country']}", {"country": PARAMS["country"]}, ("type",), "country"),
    ("facets type, actor, country, status, year: all events", {}, ("type", "actor", "country", "status", "year"), None),
)
RELATIONS_QUESTION = "relations index by month: the dyad (roll-up)"


def ask_analysts_questions(floor):
    """Facets and the relations index, each asked of Chancery and of the floor (one GROUP BY a facet), and
    of Datasette where it has the same question (`_facet=` on its flattened table)."""
    results = {}
    where = {"actor": sql.DYAD, "country": sql.COUNTRY}
    for name, filters, names, peer in FACET_QUESTIONS:
        log(f"question: {name}")
        path = "/api/v1/events/facets/?" + query_string({**filters, "facet": list(names)})
        condition = " AND ".join(where[key] for key in filters) or "TRUE"
        ds_path = None
        if peer == "country":
            ds_path = "/chancery/events.json?" + query_string(
                {
                    "_where": sql.SQLITE_COUNTRY.format(country=PARAMS["country"]),
                    "_facet": list(names),
                    "_size": 0,
                    "_facet_size": 30,
                }
            )
        medians, last = compare(
            {
                "chancery": http_question(chancery(path)),
                "floor": floor_query(floor, sql.facets(names, condition)),
                "datasette": http_question(datasette(ds_path)) if ds_path else None,
            }
        )
        results[name] = {"api": path, "datasette_path": ds_path, **medians, "same_rows": same_facets(last, names)}

    log(f"question: {RELATIONS_QUESTION}")
    path = "/api/v1/relations/?" + query_string({"a": A, "b": B, "interval": "month"})
    medians, last = compare(
        {"chancery": http_question(chancery(path)), "floor": floor_query(floor, sql.RELATIONS_MONTH)}
    )
    results[RELATIONS_QUESTION] = {
        "api": path,
        "datasette_path": None,
        **medians,
        "same_rows": same_index(last["chancery"], last["floor"]),
        "events": json.loads(last["chancery"])["count"],
    }
    return results


def same_index(body, floor_rows):
    """Chancery's relations index is the floor's, bucket by bucket: count, score, cooperation, conflict, events."""
    buckets = json.loads(body)["buckets"]
    ours = [(b["count"], b["score"], b["cooperation"], b["conflict"], b["events"]) for b in buckets]
    return bool(ours) and ours == [(row[2], float(row[3]), row[4], row[5], row[6]) for row in floor_rows]


def same_facets(last, names):
    """Chancery's counts are the floor's, facet by facet, in order; Datasette's (where asked) too."""
    answer = json.loads(last["chancery"])
    floor_rows = last["floor"]
    if [row[2] for row in floor_rows if row[0] == "count"] != [answer["count"]]:
        return False
    for name in names:
        ours = [(value["value"], value["count"]) for value in answer["facets"][name]]
        if not ours or ours != [(row[1], row[2]) for row in floor_rows if row[0] == name]:
            return False
    if "datasette" in last:
        theirs = json.loads(last["datasette"])["facet_results"]
        theirs = theirs.get("results", theirs)  # Datasette 1.0 puts the facets under "results"
        for name in names:
            counted = {(v["value"], v["count"]) for v in theirs[name]["results"]}
            if counted != {(value["value"], value["count"]) for value in answer["facets"][name]}:
                return False
    return True


AS_OF_PAGES = ("dyad + type + dates, page of 100", f"country={PARAMS['country']}, page of 100")
CORRECTED = " (corrected)"


def correct_a_tenth(floor):
    """A tenth of the published events corrected as curators' edits are: a new title, `updated_at`, and a
    history row for each ('~', with the snapshot of its tags), in one transaction. Returns the moment just
    before it and the number corrected."""
    with floor.cursor() as cursor:
        cursor.execute(sql.HISTORY_COLUMNS)
        (columns,) = cursor.fetchone()
        cursor.execute("SELECT clock_timestamp()")
        (moment,) = cursor.fetchone()
    time.sleep(0.01)
    conn = connect(DB, autocommit=False)
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql.correct_a_tenth(columns), {"corrected": CORRECTED})
            (count,) = cursor.fetchone()
        conn.commit()
    finally:
        conn.close()
    for table in ("events_event", "events_historicalevent", "events_historicalevent_tags"):
        with floor.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    return moment, count


def ask_as_of(floor, questions):
    """The dyad's and the country's pages as of the moment before a tenth of the events were corrected,
    against the same pages now; the answer of that moment must be the one given before the corrections."""
    before = {name: json.loads(get_ok(chancery(questions[name]["api"]))[0])["results"] for name in AS_OF_PAGES}
    log("as_of: correcting a tenth of the published events, with their history rows")
    started = time.perf_counter()
    moment, corrected = correct_a_tenth(floor)
    results = {"corrected": corrected, "seconds": time.perf_counter() - started, "moment": moment.isoformat()}
    for name in AS_OF_PAGES:
        path = questions[name]["api"]
        then_path = f"{path}&{query_string({'as_of': moment.isoformat()})}"
        log(f"question: as_of, {name}")
        medians, last = compare({"now": http_question(chancery(path)), "as_of": http_question(chancery(then_path))})
        now, then = json.loads(last["now"])["results"], json.loads(last["as_of"])["results"]
        results[name] = {
            "api": then_path,
            **medians,
            "same_ids": [e["id"] for e in then] == [e["id"] for e in before[name]] and bool(then),
            "same_answer": then == before[name],
            "corrected_on_page": sum(e["title"].endswith(CORRECTED) for e in now),
        }
    return results


def peak_rss(server, during):
    """Run `during()`, sampling the gunicorn workers' resident memory; (result, peak MB, baseline MB)."""
    samples, stop = [], threading.Event()

    def rss(pid):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return 0
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        return int(match.group(1)) / 1024 if match else 0

    baseline = max((rss(pid) for pid in server.children()), default=0)

    def sample():
        while not stop.is_set():
            samples.append(max((rss(pid) for pid in server.children()), default=0))
            stop.wait(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        result = during()
    finally:
        stop.set()
        thread.join()
    return result, max(samples, default=baseline), baseline


def run_exports(floor, gunicorn, published):
    results = {}

    class Counter:
        size = 0

        def write(self, data):
            self.size += len(data)

    def count(block):
        pass  # the body is only counted: an export of a million events need not sit in memory

    def chancery_export(fmt):
        def run():
            _, seconds, _ = get_ok(chancery(f"/api/v1/events/export/?format={fmt}"), timeout=3600, sink=count)
            return seconds

        return run

    def floor_copy(statement):
        def run():
            started = time.perf_counter()
            with floor.cursor() as cursor:
                cursor.copy_expert(statement, Counter())
            return time.perf_counter() - started

        return run

    ways = {
        "csv": (
            chancery_export("csv"),
            floor_copy(f"COPY ({sql.flat_events()}) TO STDOUT WITH (FORMAT csv, HEADER)"),
            lambda: get_ok(
                datasette("/chancery/events.csv?_stream=on&_sort=start&_size=max"), timeout=3600, sink=count
            )[1],
        ),
        "ndjson": (chancery_export("ndjson"), floor_copy(f"COPY ({sql.ndjson()}) TO STDOUT"), None),
    }
    for fmt, (ours, theirs_floor, theirs_peer) in ways.items():
        log(f"export: {fmt} ({EXPORT_RUNS} run(s) of {published} events each way)")
        times = {"chancery": [], "floor": [], "datasette": []}
        peaks, baselines = [], []
        for _ in range(EXPORT_RUNS):
            seconds, peak, baseline = peak_rss(gunicorn, ours)
            times["chancery"].append(seconds)
            peaks.append(peak)
            baselines.append(baseline)
            times["floor"].append(theirs_floor())
            if theirs_peer:
                times["datasette"].append(theirs_peer())
        medians = {name: statistics.median(values) if values else None for name, values in times.items()}
        results[fmt] = {
            **{f"{name}_rate": published / seconds if seconds else None for name, seconds in medians.items()},
            **medians,
            "peak_rss_mb": max(peaks),
            "baseline_rss_mb": min(baselines),
        }
    return results


def run_release(published):
    """`manage.py release` of the published events: its time and its peak memory (the process's own maximum
    resident set, from wait4), which stays flat whatever the number of events (docs/releases.md)."""
    releases = WORK / "releases"
    name = f"bench-{int(time.time())}"
    log(f"release: every format of {published} events, with the manifest")
    env = {**chancery_env(DB), "CHANCERY_RELEASES_DIR": str(releases)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(PY), "manage.py", "release", name],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise BenchError(f"manage.py release failed (exit {process.returncode}):\n{err.strip()[-2000:]}")
    manifest = json.loads((releases / name / "manifest.json").read_text(encoding="utf-8"))
    size = sum(entry["size"] for entry in manifest["files"])
    if not KEEP:
        for path in (releases / name).iterdir():
            path.unlink()
        (releases / name).rmdir()
    return {
        "events": manifest["counts"]["events"],
        "files": len(manifest["files"]),
        "bytes": size,
        "seconds": seconds,
        "rate": manifest["counts"]["events"] / seconds if seconds else None,
        "peak_rss_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
    }


def admin_session():
    """A logged-in session cookie for the admin, through the login form."""
    status, body, _, response = get(chancery("/admin/login/"))
    cookie = response.getheader("Set-Cookie", "")
    csrf_cookie = re.search(r"csrftoken=([^;]+)", cookie).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    try:
        conn.request(
            "POST",
            "/admin/login/?next=/admin/",
            body=query_string({"csrfmiddlewaretoken": token, "username": ADMIN_USER, "password": ADMIN_PASSWORD}),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_cookie}"},
        )
        response = conn.getresponse()
        response.read()
        session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie", "") or "")
    finally:
        conn.close()
    if response.status != 302 or not session:
        raise BenchError(f"could not log in to the admin as {ADMIN_USER} (status {response.status})")
    return f"sessionid={session.group(1)}; csrftoken={csrf_cookie}"


def admin_pages(floor):
    cookie = admin_session()
    results = {}
    pages = {
        "admin event list, first page": ("/admin/events/event/", "TRUE", "/chancery/events?_sort=start"),
        "admin event list, filtered (family=sanctions, country=RUS)": (
            "/admin/events/event/?family=sanctions&country=RUS",
            f"{sql.FAMILY} AND {sql.COUNTRY}",
            "/chancery/events?"
            + query_string(
                {
                    "_sort": "start",
                    "_where": " and ".join(
                        [sql.SQLITE_TYPE.format(type="sanctions"), sql.SQLITE_COUNTRY.format(country="RUS")]
                    ),
                }
            ),
        ),
        # The admin's search also matches actor names and ids; no actor's holds "icebreaker".
        f"admin event list, search (q={PARAMS['q']})": (
            f"/admin/events/event/?q={PARAMS['q']}",
            sql.SEARCH,
            f"/chancery/events?_search={PARAMS['q']}&_sort=start",
        ),
    }
    for name, (path, where, ds_path) in pages.items():
        log(f"question: {name}")

        def admin(path=path):
            _, seconds, _ = get_ok(chancery(path), headers={"Cookie": cookie})
            return seconds, None

        def both(where=where):
            started = time.perf_counter()
            with floor.cursor() as cursor:
                cursor.execute(sql.ADMIN_PAGE.format(where=where), PARAMS)
                cursor.fetchall()
                cursor.execute(sql.ADMIN_COUNT.format(where=where), PARAMS)
                cursor.fetchall()
            return time.perf_counter() - started, None

        medians, _ = compare({"chancery": admin, "floor": both, "datasette": http_question(datasette(ds_path))})
        results[name] = {"api": path, "datasette_path": ds_path, **medians}
    return results


def query_counts(questions, admin, extra=None):
    requests = [{"name": name, "path": entry["api"]} for name, entry in {**questions, **(extra or {})}.items()]
    requests += [{"name": name, "path": entry["api"], "admin": True} for name, entry in admin.items()]
    dyad_export = "/api/v1/events/export/?" + query_string(
        {"actor": [A, B], "type": PARAMS["type"], "date_from": PARAMS["date_from"], "date_to": PARAMS["date_to"]}
    )
    for fmt in ("csv", "ndjson"):
        requests.append({"name": f"export {fmt} (dyad)", "path": f"{dyad_export}&format={fmt}"})
    log("counting the SQL queries of each request (Django's test client)")
    done = subprocess.run(
        [str(PY), str(BENCH / "django_side.py")],
        input=json.dumps(requests),
        cwd=ROOT,
        env=chancery_env(DB),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        raise BenchError(f"bench/django_side.py failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def import_events(path, copies):
    log(f"import: the floor (COPY of the same {IMPORT_EVENTS} events' rows, rolled back)")
    floor_seconds = floor_import(copies)
    log(f"import: manage.py import_dataset of {path.name} (at most {IMPORT_TIMEOUT} s)")
    started = time.perf_counter()
    try:
        output = manage(DB, "import_dataset", str(path), timeout=IMPORT_TIMEOUT)
        seconds, finished = time.perf_counter() - started, True
    except BenchError as exc:
        if "took more than" not in str(exc):
            raise
        # Killed: its one transaction rolls back. What is known is a bound on its speed.
        output, seconds, finished = f"stopped after {IMPORT_TIMEOUT} s", float(IMPORT_TIMEOUT), False
    return {
        "events": IMPORT_EVENTS,
        "chancery": seconds,
        "finished": finished,
        "floor": floor_seconds,
        "chancery_rate": IMPORT_EVENTS / seconds,
        "floor_rate": IMPORT_EVENTS / floor_seconds,
        "output": output.strip(),
    }


# ---------------------------------------------------------------- the report


def import_lines(i):
    """The report's table of the import."""
    return [
        "",
        f"### Import ({i['events']:,} new events)",
        "",
        "| way | seconds | events/s |",
        "|---|---:|---:|",
        "| Chancery: `manage.py import_dataset` of a dataset file | "
        + (
            f"{i['chancery']:,.1f} | {rate(i['chancery_rate'])} |"
            if i["finished"]
            else f"more than {i['chancery']:,.0f} (stopped, rolled back) | less than {rate(i['chancery_rate'])} |"
        ),
        "| floor: COPY of the same rows and history rows into the same tables, search columns in bulk, "
        f"foreign keys checked | {i['floor']:,.1f} | "
        f"{rate(i['floor_rate'])} |",
        "",
        f"Chancery/floor: {times(ratio(i['chancery'], i['floor']))} the time. Datasette serves read-only "
        "data: no import.",
    ]


def machine(conn):
    memory = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
    versions = {}
    for name, command in {
        "datasette": [str(DATASETTE), "--version"],
        "gunicorn": [str(ROOT / ".venv" / "bin" / "gunicorn"), "--version"],
        "python": [str(PY), "--version"],
    }.items():
        try:
            versions[name] = subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip()
        except OSError:
            versions[name] = "?"
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(int(memory.group(1)) / 2**20, 1) if memory else None,
        "postgresql": scalar(conn, "SHOW server_version"),
        "shared_buffers": scalar(conn, "SHOW shared_buffers"),
        "work_mem": scalar(conn, "SHOW work_mem"),
        "kernel": platform.release(),
        "commit": commit.stdout.strip(),
        **versions,
    }


def ms(seconds):
    return "n/a" if seconds is None else f"{seconds * 1000:,.1f}"


def times(value):
    return "n/a" if value is None else f"{value:.2f}x"


def rate(value):
    return "n/a" if value is None else f"{value:,.0f}"


def targets(results):
    """Each target of docs/performance.md, met or missed, and by how much."""
    rows = []
    q = results["questions"]

    def add(name, value, limit, met, shown):
        rows.append((name, shown(value), limit, "met" if met else "**missed**"))

    for key in [k for k in q if k.startswith(("dyad", "full text", "country", "actor="))]:
        entry = q[key]
        add(f"{key}: API median < 30 ms", entry["chancery"], "30 ms", entry["chancery"] < 0.030, ms)
        r = ratio(entry["chancery"], entry["floor"])
        add(f"{key}: within 3x of the floor", r, "3x", r is not None and r <= 3, times)
    for key, entry in q.items():
        if entry.get("datasette"):
            r = ratio(entry["chancery"], entry["datasette"])
            add(f"{key}: faster than Datasette", r, "< 1x", r is not None and r < 1, times)
    limits = {
        FACET_QUESTIONS[0][0]: 0.1,
        FACET_QUESTIONS[1][0]: 0.1,
        FACET_QUESTIONS[2][0]: 1.0,
        RELATIONS_QUESTION: 0.2,
    }
    for key, limit in limits.items():
        if key in results.get("analyst", {}):
            value = results["analyst"][key]["chancery"]
            add(f"{key} < {limit * 1000:.0f} ms", value, f"{limit * 1000:.0f} ms", value < limit, ms)
    for key in AS_OF_PAGES:
        entry = results.get("as_of", {}).get(key)
        if entry:
            r = ratio(entry["as_of"], entry["now"])
            add(f"as_of, {key}: within 3x of the page now", r, "3x", r is not None and r < 3, times)
            add(
                f"as_of, {key}: the answer given before the corrections",
                entry["same_answer"],
                "same",
                entry["same_answer"],
                lambda v: "yes" if v else "no",
            )
    timeline = q["month timeline, all events"]
    add("month timeline over all events < 300 ms", timeline["chancery"], "300 ms", timeline["chancery"] < 0.3, ms)
    csv = results["exports"]["csv"]
    r = ratio(csv["chancery_rate"], csv["floor_rate"])
    add("CSV export at least half the floor's COPY", r, "0.5x", r is not None and r >= 0.5, times)
    add(
        "CSV export peak memory < 150 MB",
        csv["peak_rss_mb"],
        "150 MB",
        csv["peak_rss_mb"] < 150,
        lambda v: f"{v:.0f} MB",
    )
    if results.get("release"):
        release = results["release"]
        add(
            "release peak memory < 150 MB",
            release["peak_rss_mb"],
            "150 MB",
            release["peak_rss_mb"] < 150,
            lambda v: f"{v:.0f} MB",
        )
    if results.get("import"):
        value = results["import"]["chancery_rate"]
        bound = "" if results["import"]["finished"] else "< "
        add("import >= 10,000 events/s", value, "10,000/s", value >= 10_000, lambda v: f"{bound}{v:,.0f}/s")
    for key, entry in results["admin"].items():
        add(f"{key} < 500 ms", entry["chancery"], "500 ms", entry["chancery"] < 0.5, ms)
    counts = results["queries"]
    constant = all(c["queries"] <= 8 for name, c in counts.items() if name in q)
    add(
        "every API request a constant number of SQL queries",
        constant,
        "constant",
        constant,
        lambda v: "yes" if v else "no",
    )
    return rows


def question_row(name, entry, counts):
    """A question's line of its table: the three ways' medians, their ratios, its queries, same answers."""
    same = {True: "yes", False: "**no**", None: ""}[entry.get("same_rows")]
    return (
        f"| {name} | {ms(entry['chancery'])} | {ms(entry['floor'])} | {ms(entry.get('datasette'))} | "
        f"{times(ratio(entry['chancery'], entry['floor']))} | "
        f"{times(ratio(entry['chancery'], entry.get('datasette')))} | "
        f"{counts.get(name, {}).get('queries', '?')} | {same} |"
    )


def report(results):
    m = results["machine"]
    q = results["questions"]
    counts = results["queries"]
    lines = [
        BEGIN,
        "",
        f"## Results ({results['date']}, {results['events']:,} events)",
        "",
        f"Written by `make bench` (bench/run.py) on {m['cpus']} cores and {m['memory_gib']} GiB, PostgreSQL "
        f"{m['postgresql']} (shared_buffers {m['shared_buffers']}, work_mem {m['work_mem']}), {m['python']}, "
        f"{m['gunicorn']} (2 workers, DEBUG=0), {m['datasette']}; commit {m['commit']}. Load average "
        f"{results['load_before']} before the questions, {results['load_after']} after (other work on the "
        "machine shows here). Medians of "
        f"{RUNS} runs after a warm-up round, the three ways asked in turn; exports {EXPORT_RUNS} run(s) each "
        "way (a full export averages over every event by itself).",
        "",
    ]
    if results.get("generate"):
        g = results["generate"]
        lines += [
            f"`generate_events --events {g['events']:,}` took {g['seconds']:.0f} s ({g['rate']:,.0f} events/s, "
            f"indexes and foreign keys made after the load). The SQLite file for Datasette took "
            f"{results['sqlite_seconds']:.0f} s to write.",
            "",
        ]
    lines += [
        "### Questions (milliseconds, median)",
        "",
        "| question | Chancery | floor | Datasette | Chancery/floor | Chancery/Datasette | SQL queries | same rows |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, entry in q.items():
        lines.append(question_row(name, entry, counts))
    lines += [
        "",
        "### The analyst's questions (milliseconds, median)",
        "",
        "Facets (`/api/v1/events/facets/`) and the relations index (`/api/v1/relations/`). The floor: one "
        "GROUP BY a facet over the search columns' arrays (with the count), and for the index one GROUP BY "
        "month over the two actors' trees. Datasette where it has the same question (`_facet=` on its "
        "flattened table; its events have no participants' countries, actors or years to facet on).",
        "",
        "| question | Chancery | floor | Datasette | Chancery/floor | Chancery/Datasette | SQL queries | same counts |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, entry in results["analyst"].items():
        lines.append(question_row(name, entry, counts))
    a = results["as_of"]
    lines += [
        "",
        f"### As of a moment (a tenth of the published events, {a['corrected']:,}, corrected since)",
        "",
        f"After the questions a tenth of the published events got a new title, each with its history row as "
        f"a curator's edit writes it ({a['seconds']:.1f} s in one transaction); then each page is asked now and "
        f"with `as_of` the moment before the corrections ({a['moment']}), whose answer must be the page as "
        "it was given before them.",
        "",
        "| page | now | as_of | as_of/now | SQL queries (as_of) | corrected events on the page now | "
        "as_of = the page before |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name in AS_OF_PAGES:
        entry = a[name]
        same = "yes" if entry["same_answer"] else ("same ids only" if entry["same_ids"] else "**no**")
        lines.append(
            f"| {name} | {ms(entry['now'])} | {ms(entry['as_of'])} | {times(ratio(entry['as_of'], entry['now']))} | "
            f"{counts.get(f'as_of, {name}', {}).get('queries', '?')} | {entry['corrected_on_page']} | {same} |"
        )
    lines += [
        "",
        "### Exports (the whole published set, events per second)",
        "",
        "| format | Chancery | floor (COPY) | Datasette | Chancery/floor | Chancery/Datasette | server peak RSS "
        "| SQL queries |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for fmt, entry in results["exports"].items():
        dyad = counts.get(f"export {fmt} (dyad)", {})
        lines.append(
            f"| {fmt} | {rate(entry['chancery_rate'])} | {rate(entry['floor_rate'])} | "
            f"{rate(entry['datasette_rate'])} | "
            f"{times(ratio(entry['chancery_rate'], entry['floor_rate']))} | "
            f"{times(ratio(entry['chancery_rate'], entry['datasette_rate']))} | {entry['peak_rss_mb']:.0f} MB "
            f"(idle {entry['baseline_rss_mb']:.0f} MB) | {dyad.get('queries', '?')} for the dyad's export |"
        )
    if results.get("release"):
        r = results["release"]
        lines += [
            "",
            f"### Release ({r['events']:,} published events, {r['files']} files and the manifest)",
            "",
            "| way | seconds | events/s | files | peak memory |",
            "|---|---:|---:|---:|---:|",
            f"| `manage.py release NAME`: every format from one snapshot, hashed as written | {r['seconds']:,.1f} | "
            f"{rate(r['rate'])} | {r['bytes'] / 2**20:,.0f} MB | {r['peak_rss_mb']:.0f} MB |",
        ]
    if results.get("import"):
        lines += import_lines(results["import"])
    lines += [
        "",
        "### The admin (logged in as a superuser; milliseconds, median)",
        "",
        "| page | Chancery | floor (page + capped count) | Datasette's HTML table | Chancery/floor | SQL queries |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, entry in results["admin"].items():
        lines.append(
            f"| {name} | {ms(entry['chancery'])} | {ms(entry['floor'])} | {ms(entry['datasette'])} | "
            f"{times(ratio(entry['chancery'], entry['floor']))} | {counts.get(name, {}).get('queries', '?')} |"
        )
    lines += ["", "### Targets", "", "| target | measured | limit | |", "|---|---:|---:|---|"]
    lines += [f"| {name} | {value} | {limit} | {verdict} |" for name, value, limit, verdict in targets(results)]
    lines += [
        "",
        "### Plans of the slowest query of each request (EXPLAIN ANALYZE, through Django's test client)",
        "",
        "| request | query ms | what the plan reads |",
        "|---|---:|---|",
    ]
    for name, entry in counts.items():
        plan = entry.get("plan") or {}
        uses = ", ".join(plan.get("uses", [])) or "-"
        lines.append(f"| {name} | {plan.get('ms', '-')} | {uses} |")
    lines += [
        "",
        "The requests, as asked:",
        "",
    ]
    as_of_requests = {f"as_of, {name}": results["as_of"][name] for name in AS_OF_PAGES}
    for name, entry in {**q, **results["analyst"], **as_of_requests, **results["admin"]}.items():
        lines.append(
            f"- {name}: Chancery `{entry['api']}`"
            + (f"; Datasette `{entry['datasette_path']}`" if entry.get("datasette_path") else "")
        )
    lines += ["", END]
    block = "\n".join(lines)
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Performance\n\n" + BEGIN + "\n" + END + "\n"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    REPORT.write_text(text, encoding="utf-8")


def only_import(results):
    """BENCH_ONLY=import: the import's table alone, written where BENCH_REPORT says (between the markers)."""
    (WORK / "results.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    lines = [BEGIN, "", f"At {results['events']:,} events, {results['date']}.", *import_lines(results["import"]), END]
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
    if BEGIN not in text or END not in text:
        text = "# Performance\n\n" + BEGIN + "\n" + END + "\n"
    block = "\n".join(lines)
    text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
    REPORT.write_text(text, encoding="utf-8")
    for line in import_lines(results["import"]):
        if line:
            log(line)


def load_average():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main():
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if not PY.exists():
        raise BenchError(f"{PY} is missing: run `make bench` (it makes the project's .venv first)")
    if not DATASETTE.exists():
        raise BenchError(f"{DATASETTE} is missing: run `make bench` (it installs bench/requirements.txt)")
    WORK.mkdir(exist_ok=True)
    # Before the hour of building: the servers' ports must be free (checked again as each starts).
    ensure_port_free("gunicorn", "127.0.0.1", PORT, "BENCH_PORT")
    ensure_port_free("datasette", "127.0.0.1", DATASETTE_PORT, "BENCH_DATASETTE_PORT")
    started = time.perf_counter()
    ensure_role()
    results = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "events": EVENTS,
    }
    if ONLY not in ("", "import"):
        raise BenchError(f"BENCH_ONLY={ONLY!r}: expected import (or nothing, for every question)")
    try:
        results["generate"] = build_database()
        if ONLY == "import":
            results["import"] = import_events(*prepare_import()) if IMPORT_EVENTS else None
            return only_import(results)
        floor = connect(DB)
        results["machine"] = machine(floor)
        published = scalar(floor, "SELECT count(*) FROM events_event WHERE review_state = 'published'")
        sqlite_path, results["sqlite_seconds"] = build_sqlite()
        import_path, copies = prepare_import() if IMPORT_EVENTS else (None, None)
        gunicorn, peer = start_servers(sqlite_path)
        results["load_before"] = load_average()
        results["questions"] = ask_questions(floor)
        results["analyst"] = ask_analysts_questions(floor)
        results["exports"] = run_exports(floor, gunicorn, published)
        results["admin"] = admin_pages(floor)
        # Last: it changes a tenth of the events, which the questions before read as generated.
        results["as_of"] = ask_as_of(floor, results["questions"])
        results["load_after"] = load_average()
        Server.stop_all()
        as_of_requests = {f"as_of, {name}": results["as_of"][name] for name in AS_OF_PAGES}
        results["queries"] = query_counts(
            results["questions"], results["admin"], {**results["analyst"], **as_of_requests}
        )
        results["release"] = run_release(published) if RELEASE else None
        results["import"] = import_events(import_path, copies) if IMPORT_EVENTS else None
        floor.close()
    finally:
        Server.stop_all()
        if not KEEP:
            drop(DB)
    (WORK / "results.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    report(results)
    log(f"done in {(time.perf_counter() - started) / 60:.1f} min: {REPORT}")


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        log(f"FAILED: {exc}")
        sys.exit(1)
