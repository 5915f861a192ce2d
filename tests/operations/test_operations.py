"""Operations (docs/operations.md): reads on a replica, and backups that restore.

The replica cases configure a "replica" alias that mirrors the test database,
as DATABASE_REPLICA_URL does in production, and look at which connection ran
each query. The backup cases run the documented commands (pg_dump, pg_restore,
manage.py) in subprocesses against databases of their own, dropped at the end.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, connections, router, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from events.models import Actor, Event
from tests.demo import event_record
from tracker.routers import ReplicaRouter, replica_reads_for

ROOT = Path(__file__).resolve().parents[2]

# -- a replica alias that mirrors the test database


@pytest.fixture(scope="module")
def replica_alias():
    """A "replica" alias that mirrors the test database, as DATABASE_REPLICA_URL's settings make one.

    Module-scoped so that it exists before the test's database access is set up,
    which lets the test declare that it uses both aliases.
    """
    connections.settings["replica"] = {**connections["default"].settings_dict, "TEST": {"MIRROR": "default"}}
    yield
    connections["replica"].close()
    del connections["replica"]
    del connections.settings["replica"]


@pytest.fixture
def replica(replica_alias, settings):
    settings.DATABASE_ROUTERS = ["tracker.routers.ReplicaRouter"]


with_replica = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "replica"])


# -- the router's rules, one by one


@pytest.fixture
def safe_request(rf):
    """As while ReplicaReadsMiddleware serves an anonymous GET outside the admin; returns the request."""
    request = rf.get("/api/v1/events/")
    request.user = AnonymousUser()
    token = replica_reads_for.set(request)
    yield request
    replica_reads_for.reset(token)


@with_replica
def test_events_are_read_from_the_replica_during_a_safe_request(replica, safe_request):
    assert ReplicaRouter().db_for_read(Event) == "replica"
    assert ReplicaRouter().db_for_read(Actor) == "replica"


def test_reads_outside_a_safe_request_go_to_the_primary():
    assert ReplicaRouter().db_for_read(Event) == "default"


def test_accounts_and_tokens_are_always_read_from_the_primary(safe_request):
    # A session or token written a moment ago may not have reached the replica yet.
    assert ReplicaRouter().db_for_read(User) == "default"
    assert ReplicaRouter().db_for_read(Token) == "default"


@with_replica
def test_reads_inside_a_transaction_go_to_the_primary(replica, safe_request):
    with transaction.atomic():
        assert ReplicaRouter().db_for_read(Event) == "default"
    assert ReplicaRouter().db_for_read(Event) == "replica"


def test_a_signed_in_users_reads_go_to_the_primary(safe_request):
    # Their own writes, and the ETags their If-Match must name, may not have reached the replica yet.
    safe_request.user = User(username="curator")
    assert ReplicaRouter().db_for_read(Event) == "default"


def test_writes_go_to_the_primary(safe_request):
    assert ReplicaRouter().db_for_write(Event) == "default"


def test_only_the_primary_is_migrated():
    assert ReplicaRouter().allow_migrate("default", "events") is True
    assert ReplicaRouter().allow_migrate("replica", "events") is False


def test_rows_from_the_replica_and_the_primary_may_be_related():
    event, user = Event(), User()
    event._state.db, user._state.db = "replica", "default"
    assert ReplicaRouter().allow_relation(event, user) is True


# -- whole requests, on the mirroring alias


def queries_by_alias(request):
    """Make the request; returns its response and the SQL that each alias ran, but for the anonymous
    throttle's: it counts in the primary's cache table, in a transaction of its own (events/api/throttling.py)."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as copy,
    ):
        response = request()
    if any(throttles(q["sql"]) for q in primary):
        # Its transaction's own statements around those (BEGIN and COMMIT on SQLite; savepoints nested).
        primary = [q for q in primary if not throttles(q["sql"]) and q["sql"].split()[0] not in TRANSACTION]
    return response, {"default": [q["sql"] for q in primary], "replica": [q["sql"] for q in copy]}


def throttles(sql):
    """Whether a statement is the throttle's: its lock (PostgreSQL's names the client's key) or its table."""
    return "chancery_cache" in sql or ":throttle_anon_" in sql


TRANSACTION = {"BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"}


@with_replica
@pytest.mark.parametrize(
    "path", ["/api/v1/events/", "/api/v1/events/?actor=russia", "/", "/api/v1/events/facets/?facet=country"]
)
def test_a_get_reads_everything_from_the_replica(replica, demo, client, path):
    response, queries = queries_by_alias(lambda: client.get(path))

    assert response.status_code == 200
    assert queries["default"] == []
    assert queries["replica"]
    assert all("events_" in sql for sql in queries["replica"])


@with_replica
@pytest.mark.parametrize("export_format", ["csv", "ndjson"])
def test_an_export_reads_from_the_replica_while_its_body_is_sent(replica, demo, client, export_format):
    # The body is read after the view and every middleware have returned, as a WSGI server reads it.
    response, queries = queries_by_alias(
        lambda: b"".join(client.get(f"/api/v1/events/export/?format={export_format}").streaming_content)
    )

    assert response.count(b"us-ru-diplomatic-staff-limits") == 1
    # On PostgreSQL the rows come through COPY on the driver's own cursor, which Django does not record;
    # the settings of its transaction, which it does record, show the connection it ran on.
    assert (queries["default"], bool(queries["replica"])) == ([], True)


@with_replica
def test_a_head_reads_from_the_replica(replica, demo, client):
    response, queries = queries_by_alias(lambda: client.head("/api/v1/events/"))

    assert response.status_code == 200
    assert (queries["default"], bool(queries["replica"])) == ([], True)


@with_replica
def test_a_post_runs_every_query_on_the_primary(replica, demo, client):
    curator = User.objects.create_superuser("curator", password="x")
    token = Token.objects.create(user=curator)
    record = event_record("ru-us-talks-replica", review_state="draft")

    response, queries = queries_by_alias(
        lambda: client.post(
            "/api/v1/events/", record, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}"
        )
    )

    assert response.status_code == 201, response.content
    assert queries["replica"] == []
    # The write (INSERT, or COPY on PostgreSQL), and the reads before and after it.
    assert any(sql.startswith(("INSERT", "COPY")) for sql in queries["default"])
    assert Event.objects.filter(pk="ru-us-talks-replica").exists()


@with_replica
def test_a_get_with_an_api_token_reads_everything_from_the_primary(replica, demo, client):
    token = Token.objects.create(user=User.objects.create_superuser("curator", password="x"))

    response, queries = queries_by_alias(lambda: client.get("/api/v1/events/", HTTP_AUTHORIZATION=f"Token {token.key}"))

    assert response.status_code == 200
    assert queries["replica"] == []
    assert any("events_event" in sql for sql in queries["default"])


@with_replica
@pytest.mark.parametrize("path", ["/api/v1/events/", "/api/v1/events/export/?format=csv", "/"])
def test_a_signed_in_curators_get_reads_everything_from_the_primary(replica, demo, client, path):
    client.force_login(User.objects.create_superuser("curator", password="x"))

    response, queries = queries_by_alias(lambda: b"".join(client.get(path)))

    assert b"us-ru-diplomatic-staff-limits" in response
    assert queries["replica"] == []
    assert queries["default"]


@with_replica
def test_the_admin_reads_from_the_primary(replica, demo, client):
    client.force_login(User.objects.create_superuser("curator", password="x"))

    response, queries = queries_by_alias(lambda: client.get("/admin/events/event/"))

    assert response.status_code == 200
    assert queries["replica"] == []
    assert any("events_event" in sql for sql in queries["default"])


@pytest.fixture
def unreachable_replica(replica, tmp_path):
    """The replica alias pointed where no database answers: a closed port, or a SQLite file in no folder."""
    alias = connections["replica"]
    saved = dict(alias.settings_dict)
    if alias.vendor == "postgresql":
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            alias.settings_dict["PORT"] = closed.getsockname()[1]
    else:
        alias.settings_dict["NAME"] = str(tmp_path / "missing" / "replica.sqlite3")
    # Only now: SQLite keeps a connection to an in-memory database open whatever it is asked.
    alias.close()
    yield
    alias.settings_dict.update(saved)


def replica_warnings(caplog):
    return [record.getMessage().split(":")[0] for record in caplog.records if record.name == "tracker.routers"]


@with_replica
def test_while_the_replica_cannot_be_reached_gets_read_from_the_primary(
    unreachable_replica, demo, client, settings, caplog
):
    settings.REPLICA_RETRY_SECONDS = 60

    with CaptureQueriesContext(connections["default"]) as primary:
        response = client.get("/api/v1/events/")
    read_from_primary = any("events_event" in query["sql"] for query in primary)
    export = b"".join(client.get("/api/v1/events/export/?format=csv").streaming_content)
    page = client.get("/")

    assert (response.status_code, page.status_code) == (200, 200)
    assert b"us-ru-diplomatic-staff-limits" in response.content
    assert export.count(b"us-ru-diplomatic-staff-limits") == 1
    assert read_from_primary
    assert connections["replica"].connection is None
    # Tried once, by the first request: the others did not wait for it again.
    assert replica_warnings(caplog) == ["replica unavailable, reading from the primary for 60 s"]


@with_replica
def test_a_worker_tries_the_replica_again_after_replica_retry_seconds(
    unreachable_replica, demo, client, settings, caplog
):
    settings.REPLICA_RETRY_SECONDS = 0

    assert [client.get("/api/v1/events/").status_code for _ in range(3)] == [200, 200, 200]

    # Once a request, however many reads it makes.
    assert replica_warnings(caplog) == ["replica unavailable, reading from the primary for 0 s"] * 3


def test_without_a_replica_no_router_is_installed():
    # DATABASE_REPLICA_URL is not set for the test suite: Django's own routing, unchanged.
    assert settings.DATABASE_ROUTERS == []
    assert router.routers == []


# -- backups and restores on PostgreSQL, with the documented commands

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_dump and pg_restore back up PostgreSQL; run with DATABASE_URL=postgres://",
)


@pytest.fixture
def scratch_databases():
    """Names for databases of this test's own; every one is dropped at the end. Named after the test database,
    which is the run's own, so that two runs on one server (two checkouts, CI beside a developer) never meet."""
    params = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": params["HOST"] or "127.0.0.1",
            "PGPORT": str(params["PORT"] or 5432),
            "PGUSER": params["USER"],
            "PGPASSWORD": params["PASSWORD"] or "",
        }
    )
    made = []

    def create(name, template=None):
        name = f"{params['NAME']}_ops_{name}"
        pg(env, "dropdb", "--if-exists", name)
        pg(env, "createdb", *(["-T", template] if template else []), name)
        made.append(name)
        return name

    yield env, create
    for name in made:
        pg(env, "dropdb", "--if-exists", name)


def pg(env, *command, **options):
    """Run a command; fail naming it and its error output."""
    result = subprocess.run(command, env=env, capture_output=True, timeout=600, **options)
    assert result.returncode == 0, (command, result.stderr.decode(errors="replace"))
    return result.stdout


def manage(env, database, *args, stdin=None):
    url = "postgres://{PGUSER}:{PGPASSWORD}@{PGHOST}:{PGPORT}/".format(**env) + database
    return pg({**env, "DATABASE_URL": url}, sys.executable, "manage.py", *args, cwd=ROOT, input=stdin)


def history(env, database):
    """How many history rows the events have, and how many of them record a change."""
    sql = "SELECT count(*), count(*) FILTER (WHERE history_type = '~') FROM events_historicalevent"
    return pg(env, "psql", "-XAt", "-c", sql, database).decode().strip()


@pytest.fixture
def production(scratch_databases):
    """A database with the demo data, generated events, and a change on record in the history."""
    env, create = scratch_databases
    name = create("backup_source")
    manage(env, name, "migrate", "--noinput")
    manage(env, name, "load_demo")
    manage(env, name, "generate_events", "--events", "300", "--seed", "7")
    manage(
        env,
        name,
        "shell",
        "--no-imports",
        "-c",
        "from events.models import Event; e = Event.objects.order_by('id').first(); "
        "e.summary += ' (revised)'; e.save()",
    )
    return env, create, name


@postgresql_only
def test_a_pg_dump_restores_into_a_fresh_database_with_the_same_data_and_history(production, tmp_path):
    env, create, source = production
    dump = tmp_path / "chancery.dump"

    pg(env, "pg_dump", "-Fc", "--no-owner", "-f", str(dump), source)
    restored = create("backup_restored")
    pg(env, "pg_restore", "--no-owner", "--exit-on-error", "-d", restored, str(dump))

    original = manage(env, source, "export_dataset", "-")
    assert manage(env, restored, "export_dataset", "-") == original
    assert len(json.loads(original)["events"]) >= 300
    assert history(env, restored) == history(env, source)
    assert history(env, source).endswith("|1")


@postgresql_only
def test_a_dataset_export_imports_into_an_empty_database_and_exports_the_same_bytes(production, tmp_path):
    env, create, source = production
    exported = tmp_path / "chancery.json"
    manage(env, source, "export_dataset", str(exported))

    empty = create("backup_imported")
    manage(env, empty, "migrate", "--noinput")
    manage(env, empty, "import_dataset", str(exported))

    assert manage(env, empty, "export_dataset", "-") == exported.read_bytes()
    # The dataset file keeps the data, not the record of changes.
    assert history(env, source).endswith("|1")
    assert history(env, empty).endswith("|0")


# -- the compose file's scale profile, and its proxy (deploy/compose_check.py runs them for real)


def test_the_scale_profile_adds_web_servers_behind_nginx_and_every_service_stays_on_loopback():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    scaled = [services[f"web-scaled-{number}"] for number in (1, 2, 3)]

    assert {name: service.get("profiles") for name, service in services.items()} == {
        "db": None,
        "web": None,
        "web-scaled-1": ["scale"],
        "web-scaled-2": ["scale"],
        "web-scaled-3": ["scale"],
        "proxy": ["scale"],
    }
    # The host's network and loopback addresses: no port published, no request over a bridge.
    assert {service.get("network_mode") for service in services.values()} == {"host"}
    assert [name for name, service in services.items() if "ports" in service] == []
    assert services["web"]["environment"]["WEB_LISTEN"] == "${WEB_LISTEN:-127.0.0.1:8000}"
    assert [service["environment"]["WEB_LISTEN"] for service in scaled] == [
        f"${{SCALED_LISTEN_{number}:-127.0.0.1:808{number}}}" for number in (1, 2, 3)
    ]
    assert services["proxy"]["environment"] == {
        "PROXY_LISTEN": "${PROXY_LISTEN:-127.0.0.1:8080}",
        "UPSTREAMS": " ".join(service["environment"]["WEB_LISTEN"] for service in scaled),
    }
    assert [service["environment"]["TRUSTED_PROXY_COUNT"] for service in scaled] == ["1", "1", "1"]
    assert services["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-0}"
    assert services["proxy"]["volumes"] == ["./deploy/nginx.conf:/etc/nginx/chancery.conf.template:ro"]
    template = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "${UPSTREAM_SERVERS}" in template
    assert "listen ${PROXY_LISTEN};" in template


@pytest.fixture
def nginx(live_server, tmp_path):
    """deploy/nginx.conf, run by Debian's nginx in front of the live server; yields its address."""
    if not shutil.which("nginx"):
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    upstream = live_server.url.removeprefix("http://")
    # Filled in as deploy/proxy/entrypoint fills it in, with the live server as the one web server.
    config = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    config = config.replace("${UPSTREAM_SERVERS}", f"server {upstream}; ")
    config = config.replace("${PROXY_LISTEN}", f"127.0.0.1:{port}")
    config = config.replace("pid /tmp/nginx.pid;", f"pid {tmp_path / 'nginx.pid'};")
    # nginx connects to the site from another loopback address than the client's, as from another machine.
    config = config.replace("proxy_pass http://chancery;", "proxy_pass http://chancery;\n proxy_bind 127.0.0.2;")
    (tmp_path / "nginx.conf").write_text(config, encoding="utf-8")
    command = ["nginx", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-e", "stderr"]
    subprocess.run([*command, "-t"], check=True, capture_output=True, timeout=30)
    server = subprocess.Popen([*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def post_login(base, password, forwarded_for):
    """Post the admin login form through the proxy, as a client that writes its own X-Forwarded-For."""
    cookies = urllib.request.HTTPCookieProcessor()
    opener = urllib.request.build_opener(cookies)
    opener.open(f"{base}/admin/login/").read()
    csrf = next(cookie.value for cookie in cookies.cookiejar if cookie.name == "csrftoken")
    body = urllib.parse.urlencode({"username": "curator", "password": password, "csrfmiddlewaretoken": csrf})
    request = urllib.request.Request(
        f"{base}/admin/login/", data=body.encode(), headers={"X-Forwarded-For": forwarded_for}
    )
    try:
        with opener.open(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_behind_the_proxy_lockouts_count_by_the_address_nginx_saw(nginx, settings):
    # As web-scaled runs: TRUSTED_PROXY_COUNT=1, so the throttle and the lockouts read the last
    # X-Forwarded-For entry, the client's address (127.0.0.1) that nginx appended, not nginx's
    # own (127.0.0.2) nor what the client wrote.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    User.objects.create_user("curator", password="proxy-pass-8429!x", is_staff=True)

    statuses = [post_login(nginx, "not the password", f"192.0.2.{number}") for number in range(5)]

    assert statuses == [200, 200, 200, 200, 429]
    assert post_login(nginx, "proxy-pass-8429!x", "198.51.100.7") == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["127.0.0.1"]
    with urllib.request.urlopen(f"{nginx}/api/v1/events/") as response:
        assert response.status == 200


# -- the operator's documentation


def test_every_setting_read_from_the_environment_is_in_the_operations_guide():
    settings_source = (ROOT / "tracker" / "settings.py").read_text(encoding="utf-8")
    read = set(
        re.findall(r"""(?:os\.environ\.get|os\.environ\[|env_bool|env_int|env_list)\(?["'](\w+)["']""", settings_source)
    )
    guide = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    reference = guide.split("## Settings reference", 1)[1].split("\n## ", 1)[0]

    assert read >= {"DATABASE_URL", "DATABASE_REPLICA_URL", "AXES_FAILURE_LIMIT", "TRUSTED_PROXY_COUNT"}
    assert sorted(name for name in read if f"`{name}`" not in reference) == []
