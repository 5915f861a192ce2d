"""No lost data when several people and processes write at once.

- Two `import_dataset` processes of overlapping files, started together, end
  with every event as one of the two files says it, whole (its participants,
  citations and tags from the same file), one row per source URL, and both
  commands exit cleanly.
- An import that fails, whether on a bad last record or killed while writing,
  leaves no row behind, history included.
- Two API clients changing one event with the same `If-Match`: one wins, the
  other gets 412 and nothing it sent is stored.
- Twenty API clients creating events that cite one new source, at once: all
  created, citing the one source, stored once. Twenty creating one id at once
  (API clients, curators in the admin, or an import beside them): one stores
  it, the others are told that it exists; nothing is overwritten, never a 500.
- The same on the embedded SQLite file, served as `make run` serves it and by
  gunicorn with two workers.
- An actor or a source still in use cannot be deleted, from the API or the
  admin: a message, no 500, nothing deleted.

The concurrent tests on the test database need PostgreSQL (real row locks,
several connections; the test SQLite database is in memory, one connection).
They commit for real (the other processes and threads use their own
connections), so the taxonomy that the migrations brought is restored after
each. The SQLite ones run a server of their own on a file.
"""

import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from functools import partial
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from events.dataset import event_to_dict, import_document
from events.models import Actor, Citation, Event, Source
from tests.admin.test_admin import change_form_data
from tests.demo import actor_record, dataset, event_record, wait_until, waiting_backends
from tests.servers import gunicorn, serving

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="needs PostgreSQL (DATABASE_URL=postgres://...): SQLite lets one writer in at a time"
)
# Committed for real: other processes and threads read it through their own connections.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)
WAIT = 120  # seconds: a generous bound on a shared machine; each wait ends as soon as its condition holds


# ---------------------------------------------------------------- helpers


def database_url():
    """The test database, as DATABASE_URL for a `manage.py` process."""
    db = connection.settings_dict
    user, password = quote(db["USER"] or "", safe=""), quote(db["PASSWORD"] or "", safe="")
    return f"postgres://{user}:{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_command(*args):
    """`manage.py ARGS` in a process of its own, on the test database."""
    env = {**os.environ, "DATABASE_URL": database_url(), "CONN_MAX_AGE": "0"}
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process):
    stdout, stderr = process.communicate(timeout=WAIT)
    return process.returncode, stdout, stderr


def every_row():
    """Every row of every table of the events app, history and many-to-many tables included."""
    models = apps.get_app_config("events").get_models(include_auto_created=True)
    return {model._meta.label: list(model._base_manager.order_by("pk").values_list()) for model in models}


ACTORS = [actor_record(f"actor-{i}", country=country) for i, country in enumerate(["RUS", "USA", "SAU", "TUR", "CHE"])]
ROLES = ["initiator", "target", "participant", "mediator", "host"]


def version(name, numbers):
    """A dataset file's events, each saying in its title, participants, citations and tags which file it is from."""
    offset = 0 if name == "a" else 2
    events = []
    for n in numbers:
        events.append(
            event_record(
                f"event-{n:04d}",
                title=f"Event {n}, as file {name} says",
                participants=[
                    {"actor": f"actor-{(n + offset) % 5}", "role": ROLES[(n + offset) % 5]},
                    {"actor": f"actor-{(n + offset + 1) % 5}", "role": "participant"},
                ],
                sources=[
                    {
                        "url": f"https://news.example/{n}",  # in both files: a new source for both
                        "title": f"Report {n}",
                        "publisher": "Example News",
                        "published": "2025-02-19",
                        "quote": f"file {name}",
                        "claimed_by": None,
                    },
                    {
                        "url": f"https://{name}.example/{n}",
                        "title": f"Report {n} from {name}",
                        "publisher": name.upper(),
                        "published": None,
                        "quote": f"file {name}",
                        "claimed_by": f"actor-{(n + offset) % 5}",
                    },
                ],
                tags=[f"from-{name}"],
            )
        )
    return {"actors": ACTORS, "events": events}


def whole(record):
    """What must come from one file: title, participants, citations (URL and quote), tags."""
    return (
        record["title"],
        sorted((p["actor"], p["role"]) for p in record["participants"]),
        sorted((s["url"], s["quote"], s["claimed_by"]) for s in record["sources"]),
        sorted(record["tags"]),
    )


# ---------------------------------------------------------------- two imports at once


@postgresql_only
@committed
def test_two_imports_of_overlapping_files_at_once_leave_each_event_whole_from_one_file(tmp_path):
    first, second = version("a", range(0, 60)), version("b", range(30, 90))
    paths = []
    for name, document in (("a", first), ("b", second)):
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(document), encoding="utf-8")

    # Both processes are held at their first write until each is waiting for a lock, so that
    # they really run at once: both have read the database and found every row new.
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("LOCK TABLE events_actor, events_source, events_event IN SHARE MODE")
        processes = [start_command("import_dataset", str(path)) for path in paths]
        try:
            wait_until(lambda: waiting_backends() >= 2, "both imports waiting for a lock", WAIT)
        finally:
            cursor.execute("COMMIT")
    results = [finished(process) for process in processes]

    for code, stdout, stderr in results:
        assert "Traceback" not in stderr, stderr
        assert code == 0, (stdout, stderr)
    files = {record["id"]: [] for record in first["events"] + second["events"]}
    for document in (first, second):
        for record in document["events"]:
            files[record["id"]].append(whole(record))
    stored = {event.id: whole(event_to_dict(event)) for event in Event.objects.with_dataset_relations()}
    assert sorted(stored) == sorted(files)
    for event_id, value in stored.items():
        assert value in files[event_id], (event_id, value, files[event_id])
    urls = sorted({s["url"] for d in (first, second) for r in d["events"] for s in r["sources"]})
    assert sorted(Source.objects.values_list("url", flat=True)) == urls  # one row per URL
    assert Actor.objects.count() == len(ACTORS)


# ---------------------------------------------------------------- failed imports leave nothing


@postgresql_only
@committed
def test_a_big_file_with_a_bad_last_record_imports_nothing_and_exits_with_the_record_named(tmp_path):
    import_document(version("a", range(0, 50)))
    before = every_row()
    document = version("b", range(0, 500))
    document["events"][-1]["participants"].append({"actor": "atlantis", "role": "host"})
    path = tmp_path / "big.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    code, stdout, stderr = finished(start_command("import_dataset", str(path)))

    assert code == 1, (stdout, stderr)
    unknown = "unknown actor 'atlantis': not in the file nor in the database"
    assert stderr.splitlines() == [
        f"{path}: event event-0499: participants[2].actor: {unknown}",
        f"CommandError: {path}: 1 problem; nothing was imported",
    ]
    assert every_row() == before


@postgresql_only
@committed
def test_an_import_killed_while_writing_leaves_nothing_behind(tmp_path):
    import_document(version("a", range(0, 50)))
    before = every_row()
    path = tmp_path / "b.json"
    path.write_text(json.dumps(version("b", range(0, 100))), encoding="utf-8")

    with connection.cursor() as cursor:

        def holding(table):
            """Whether another connection holds the lock that writing rows of `table` takes."""
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE relation = %s::regclass"
                " AND mode = 'RowExclusiveLock' AND granted AND pid <> pg_backend_pid()",
                [table],
            )
            return cursor.fetchone()[0] > 0

        # Citations are written last, after the events they belong to: the import is stopped
        # there, with events, participants, sources and their history written but not committed.
        cursor.execute("BEGIN")
        cursor.execute("LOCK TABLE events_citation IN SHARE MODE")
        process = start_command("import_dataset", str(path))
        try:
            wait_until(
                lambda: waiting_backends() >= 1 or process.poll() is not None, "the import at the citations", WAIT
            )
            assert process.poll() is None, finished(process)
            assert holding("events_event")
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=WAIT)
        finally:
            cursor.execute("COMMIT")
        # PostgreSQL rolls the transaction back when it notices that its client is gone.
        wait_until(lambda: not holding("events_event"), "the killed import's rollback", WAIT)

    assert every_row() == before


# ---------------------------------------------------------------- many API writers at once

WRITERS = 20
STATUSES = ["scheduled", "postponed"]


def auth(token, **headers):
    return {"Authorization": f"Token {token}", **headers}


def together(sends):
    """Call each of `sends` (functions sending one request) from a thread of its own, all released at once;
    their responses, in order."""
    barrier = threading.Barrier(len(sends))
    responses = [None] * len(sends)

    def run(i, send):
        barrier.wait(timeout=WAIT)
        responses[i] = send()

    threads = [threading.Thread(target=run, args=(i, send)) for i, send in enumerate(sends)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)
    return responses


def at_once(method, url, writes):
    """`method` to `url` with each (headers, JSON body) of `writes`, all at once; the responses."""
    return together(
        [partial(requests.request, method, url, json=body, headers=headers, timeout=WAIT) for headers, body in writes]
    )


def answers(responses):
    """Status and the start of the body of each response, for assertion messages."""
    return [(response.status_code, response.text[:300]) for response in responses]


def check_stale_writers_get_412(site, event_id, tokens, history, rounds):
    """Two curators PATCH one event with the same If-Match, `rounds` times: one wins, the other gets 412."""
    url = f"{site}/api/v1/events/{event_id}/"
    for round_ in range(rounds):
        etag = requests.get(url, headers=auth(tokens[0]), timeout=WAIT).headers["ETag"]
        changes_before = len(history("event", event_id))
        changes = [{"title": f"Round {round_}: writer {i}", "status": STATUSES[i]} for i in (0, 1)]

        responses = at_once(
            "PATCH", url, [(auth(token, **{"If-Match": etag}), changes[i]) for i, token in enumerate(tokens)]
        )

        assert sorted(response.status_code for response in responses) == [200, 412], answers(responses)
        winner = next(i for i, response in enumerate(responses) if response.status_code == 200)
        loser = responses[1 - winner]
        assert loser.json() == {
            "If-Match": ["the event changed since you read it: GET it again, then retry with its new ETag"]
        }
        stored = requests.get(url, headers=auth(tokens[0]), timeout=WAIT)
        assert (stored.json()["title"], stored.json()["status"]) == (changes[winner]["title"], STATUSES[winner])
        assert loser.headers["ETag"] == responses[winner].headers["ETag"] == stored.headers["ETag"]
        assert history("event", event_id)[changes_before:] == ["~"]


def check_creates_citing_one_new_source_share_it(site, tokens, history, rounds):
    """WRITERS clients create events citing one new source at once, `rounds` times: every one is created,
    and every one cites the one source, stored once."""
    for round_ in range(rounds):
        url, publisher = f"https://wire.example/dispatch-{round_}", f"Wire {round_}"
        ids = [f"wire-{round_}-event-{i:02d}" for i in range(WRITERS)]
        source = {"url": url, "title": f"Dispatch {round_}", "publisher": publisher, "published": "2025-02-19"}
        writes = [
            (
                auth(tokens[i % len(tokens)]),
                event_record(event_id, review_state="draft", sources=[{**source, "quote": f"As {event_id} reads it."}]),
            )
            for i, event_id in enumerate(ids)
        ]

        responses = at_once("POST", f"{site}/api/v1/events/", writes)

        assert [response.status_code for response in responses] == [201] * WRITERS, answers(responses)
        for event_id, response in zip(ids, responses, strict=True):
            assert [(s["url"], s["quote"]) for s in response.json()["sources"]] == [(url, f"As {event_id} reads it.")]
        listed = requests.get(
            f"{site}/api/v1/sources/", params={"publisher": publisher}, headers=auth(tokens[0]), timeout=WAIT
        )
        assert [(s["url"], s["title"], s["events"]) for s in listed.json()["results"]] == [(url, source["title"], ids)]
        assert history("source", url) == ["+"]


def check_creates_of_one_id_store_one_and_refuse_the_rest(site, tokens, history, rounds):
    """WRITERS clients POST events of one new id at once, `rounds` times: one 201, the others 409 naming `id`,
    and the stored event is the one answered 201, never overwritten."""
    for round_ in range(rounds):
        event_id = f"contested-create-{round_}"
        writes = [
            (auth(tokens[i % len(tokens)]), event_record(event_id, title=f"Writer {i}", review_state="draft"))
            for i in range(WRITERS)
        ]

        responses = at_once("POST", f"{site}/api/v1/events/", writes)

        assert sorted(response.status_code for response in responses) == [201] + [409] * (WRITERS - 1), answers(
            responses
        )
        refusal = {"id": [f"an event {event_id!r} exists: PUT or PATCH /api/v1/events/{event_id}/"]}
        assert [response.json() for response in responses if response.status_code == 409] == [refusal] * (WRITERS - 1)
        created = next(response for response in responses if response.status_code == 201)
        stored = requests.get(f"{site}/api/v1/events/{event_id}/", headers=auth(tokens[0]), timeout=WAIT)
        assert stored.json() == created.json()
        assert stored.headers["ETag"] == created.headers["ETag"]
        assert history("event", event_id) == ["+"]


@pytest.fixture
def curators(db):
    """Two superusers' API tokens."""
    return [
        Token.objects.create(user=User.objects.create_superuser(name, f"{name}@example.org", "pass-8429!x")).key
        for name in ("ann", "bob")
    ]


def orm_history(kind, key):
    """The history types ('+', '~', '-') of an event (by id) or a source (by url), oldest first."""
    if kind == "event":
        rows = Event.history.filter(id=key)
    else:
        rows = Source.history.filter(url=key)
    return list(rows.order_by("history_id").values_list("history_type", flat=True))


@postgresql_only
@committed
def test_two_api_writers_with_the_same_etag_one_wins_the_other_gets_412(live_server, curators):
    import_document(dataset(event_record("contested")))
    check_stale_writers_get_412(live_server.url, "contested", curators, orm_history, rounds=3)


@postgresql_only
@committed
def test_api_clients_creating_events_that_cite_one_new_source_at_once_all_succeed_and_share_it(live_server, curators):
    import_document(dataset())
    check_creates_citing_one_new_source_share_it(live_server.url, curators, orm_history, rounds=3)


@postgresql_only
@committed
def test_api_clients_creating_one_id_at_once_get_one_201_and_409s_and_nothing_is_overwritten(live_server, curators):
    import_document(dataset())
    check_creates_of_one_id_store_one_and_refuse_the_rest(live_server.url, curators, orm_history, rounds=3)


@postgresql_only
@committed
@pytest.mark.parametrize(
    ("first", "file_source", "import_exit", "api_status", "title", "changes"),
    [
        # The import waits for the API's new source, then finds the event stored and updates it, as imports do.
        ("api", "https://example.org/talks", 0, 201, "From the file", ["+", "~"]),
        # The import waits for the API's participants, then finds them stored: it imports nothing.
        ("api", "https://example.org/file", 1, 201, "From the API", ["+"]),
        # The API waits for the import's new source, or its participants; either way a POST never overwrites.
        ("import", "https://example.org/talks", 0, 409, "From the file", ["+"]),
        ("import", "https://example.org/file", 0, 409, "From the file", ["+"]),
    ],
)
def test_an_api_client_and_an_import_creating_one_id_at_once_never_overwrite_and_never_fail_with_a_500(
    live_server, curators, tmp_path, first, file_source, import_exit, api_status, title, changes
):
    import_document(dataset())
    record = event_record("raced", review_state="draft")
    in_file = {**record, "title": "From the file", "sources": [{**record["sources"][0], "url": file_source}]}
    path = tmp_path / "raced.json"
    path.write_text(json.dumps(dataset(in_file)), encoding="utf-8")
    answered = []

    def post():
        url = f"{live_server.url}/api/v1/events/"
        answered.append(requests.post(url, json={**record, "title": "From the API"}, headers=auth(curators[0])))

    client = threading.Thread(target=post)
    with connection.cursor() as cursor:
        # Writing an event's participants updates the events table (the search columns' trigger): the first
        # writer stops there, its new source and participants written, not committed. The second, which no
        # lock keeps out (an import takes no event's lock), reads the event as new and waits for one of them.
        cursor.execute("BEGIN")
        cursor.execute("LOCK TABLE events_event IN SHARE MODE")
        try:
            if first == "api":
                client.start()
            else:
                process = start_command("import_dataset", str(path))
            wait_until(lambda: waiting_backends() >= 1, f"the {first} writer at the events table", WAIT)
            if first == "api":
                process = start_command("import_dataset", str(path))
            else:
                client.start()
            wait_until(lambda: waiting_backends() >= 2, "the second writer waiting for the first", WAIT)
        finally:
            cursor.execute("COMMIT")
    client.join(timeout=WAIT)
    code, stdout, stderr = finished(process)
    (response,) = answered

    assert "Traceback" not in stderr, stderr
    assert code == import_exit, (stdout, stderr)
    if import_exit:
        assert stderr.splitlines() == [
            f"{path}: file: database: another write stored some of the same rows at the same moment "
            '(duplicate key value violates unique constraint "participant_once_per_role"): '
            "nothing was saved; try again",
            f"CommandError: {path}: 1 problem; nothing was imported",
        ]
    assert response.status_code == api_status, response.text
    if api_status == 409:
        assert response.json() == {"id": ["an event 'raced' exists: PUT or PATCH /api/v1/events/raced/"]}
    assert Event.objects.get(pk="raced").title == title
    assert orm_history("event", "raced") == changes
    assert list(Source.objects.values_list("url", flat=True)) == [
        file_source if first == "import" else "https://example.org/talks"
    ]


def admin_add(site, user):
    """A function that sends the admin's add form of an event as `user`'s browser would, over a session of
    its own; it takes the event's id and title, and returns the response."""
    client = Client()
    client.force_login(user)
    form = change_form_data(client, reverse("admin:events_event_add"))
    csrf = secrets.token_hex(16)
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}
    form.update(
        {
            "csrfmiddlewaretoken": csrf,
            "type": "talks",
            "start": "2025-02-18",
            "participants-TOTAL_FORMS": "1",
            "participants-0-actor": "russia",
            "participants-0-role": "participant",
        }
    )

    def send(event_id, title):
        data = {**form, "id": event_id, "title": title}
        url = f"{site}{reverse('admin:events_event_add')}"
        return requests.post(url, data=data, cookies=cookies, allow_redirects=False, timeout=WAIT)

    return send


TAKEN = "Event with this Id already exists."


@postgresql_only
@committed
def test_curators_in_the_admin_and_api_clients_creating_one_id_at_once_store_it_once(live_server, curators):
    import_document(dataset())
    adding = admin_add(live_server.url, User.objects.get(username="ann"))
    for round_ in range(3):
        event_id = f"contested-add-{round_}"
        sends = []
        for i in range(WRITERS // 2):
            record = event_record(event_id, title=f"API writer {i}", review_state="draft")
            sends.append(
                partial(requests.post, f"{live_server.url}/api/v1/events/", json=record, headers=auth(curators[1]))
            )
            sends.append(partial(adding, event_id, f"Admin writer {i}"))

        responses = together(sends)

        succeeded = [r for r in responses if r.status_code in (201, 302)]
        assert len(succeeded) == 1, answers(responses)
        for response in responses:
            if response.status_code == 200:  # the admin's form again, saying why
                assert TAKEN in response.text
            elif response.status_code != succeeded[0].status_code:
                assert (response.status_code, response.json()) == (
                    409,
                    {"id": [f"an event {event_id!r} exists: PUT or PATCH /api/v1/events/{event_id}/"]},
                )
        winner = sends[responses.index(succeeded[0])]
        assert Event.objects.get(pk=event_id).title == (
            winner.args[1] if winner.func is adding else winner.keywords["json"]["title"]
        )
        assert orm_history("event", event_id) == ["+"]


@postgresql_only
@committed
def test_the_admin_never_overwrites_an_event_that_an_import_stores_while_it_adds_one(live_server, curators):
    import_document(dataset())
    adding = admin_add(live_server.url, User.objects.get(username="ann"))
    answered = []
    client = threading.Thread(target=lambda: answered.append(adding("raced", "From the admin")))
    with transaction.atomic(), connection.cursor() as cursor:
        # The admin checks the event's form (the id is free), then its participants, which read the actors:
        # it waits there while the import stores the same id, as an import may at any moment.
        cursor.execute("LOCK TABLE events_actor IN ACCESS EXCLUSIVE MODE")
        client.start()
        wait_until(lambda: waiting_backends() >= 1, "the admin reading the actors", WAIT)
        import_document(dataset(event_record("raced", title="From the file", review_state="draft")))
    client.join(timeout=WAIT)

    (response,) = answered
    assert response.status_code == 200, response.status_code
    assert TAKEN in response.text
    assert Event.objects.get(pk="raced").title == "From the file"
    assert orm_history("event", "raced") == ["+"]


# ---------------------------------------------------------------- the same on the embedded SQLite file

SETUP_CURATORS = """
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
for name in ("ann", "bob"):
    print(Token.objects.create(user=User.objects.create_superuser(name, f"{name}@example.org", "pass-8429!x")).key)
"""


def manage(database_url, *args):
    """`manage.py ARGS` on `database_url`; its standard output, after checking that it succeeded."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


@pytest.fixture(scope="module", params=["runserver", "gunicorn"])
def sqlite_site(request, tmp_path_factory):
    """The site on a SQLite file of its own, as `make run` serves it (runserver, a thread a request) or as
    gunicorn does with two worker processes; yields (base URL, two curators' tokens, the history reader)."""
    folder = tmp_path_factory.mktemp(f"sqlite-{request.param}")
    path = folder / "db.sqlite3"
    url = f"sqlite:///{path}"
    document = folder / "dataset.json"
    document.write_text(json.dumps(dataset(event_record("contested", review_state="draft"))), encoding="utf-8")
    manage(url, "migrate", "--noinput")
    manage(url, "import_dataset", str(document))
    tokens = manage(url, "shell", "--no-imports", "-c", SETUP_CURATORS).split()

    def history(kind, key):
        table, column = ("events_historicalevent", "id") if kind == "event" else ("events_historicalsource", "url")
        with closing(sqlite3.connect(path)) as database:
            rows = database.execute(f"SELECT history_type FROM {table} WHERE {column} = ? ORDER BY history_id", [key])
            return [history_type for (history_type,) in rows]

    if request.param == "runserver":
        command = [sys.executable, "manage.py", "runserver", "--noreload", "127.0.0.1:{port}"]
        server = serving(command, url, folder / "server.log", DEBUG="1")
    else:
        server = gunicorn(url, folder / "server.log", workers=2)
    with server as port:
        yield f"http://127.0.0.1:{port}", tokens, history


def test_on_sqlite_two_api_writers_with_the_same_etag_one_wins_the_other_gets_412(sqlite_site):
    site, tokens, history = sqlite_site
    check_stale_writers_get_412(site, "contested", tokens, history, rounds=10)


def test_on_sqlite_api_clients_creating_events_that_cite_one_new_source_at_once_all_succeed(sqlite_site):
    site, tokens, history = sqlite_site
    check_creates_citing_one_new_source_share_it(site, tokens, history, rounds=3)


def test_on_sqlite_api_clients_creating_one_id_at_once_get_one_201_and_409s(sqlite_site):
    site, tokens, history = sqlite_site
    check_creates_of_one_id_store_one_and_refuse_the_rest(site, tokens, history, rounds=3)


# ---------------------------------------------------------------- deleting what is in use


@pytest.fixture
def curator_client(db):
    user = User.objects.create_superuser("curator", "curator@example.org", "pass-8429!x")
    client = Client()
    client.force_login(user)
    return client, Token.objects.create(user=user).key


@pytest.fixture
def in_use(db):
    """An actor with a child, taking part in an event and claiming its source."""
    minister = actor_record("minister", kind="person", parent="russia")
    source = dict(event_record()["sources"][0], claimed_by="russia")
    import_document(dataset(event_record("talks", sources=[source]), actors=[minister]))
    return Source.objects.get()


def test_the_api_offers_no_way_to_delete_an_actor_or_a_source(curator_client, in_use):
    _, token = curator_client
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")

    actor = client.delete("/api/v1/actors/russia/")
    source = client.delete(f"/api/v1/sources/{in_use.pk}/")

    assert actor.status_code == 405
    assert actor.json() == {"detail": 'Method "DELETE" not allowed.'}
    assert source.status_code == 404  # sources are listed only: there is no URL for one source
    assert Actor.objects.filter(pk="russia").exists() and Source.objects.filter(pk=in_use.pk).exists()


@pytest.mark.parametrize(
    ("model", "pk", "protected"),
    [
        ("actor", "russia", "Participant"),
        ("actor", "minister", None),  # not in use: the control, deleted
        ("source", None, "Citation"),
    ],
)
def test_the_admin_refuses_to_delete_an_actor_or_a_source_in_use_with_a_message(
    curator_client, in_use, model, pk, protected
):
    client, _ = curator_client
    pk = pk or in_use.pk
    Model = Actor if model == "actor" else Source
    rows = every_row()
    delete_url = reverse(f"admin:events_{model}_delete", args=[pk])

    page = client.get(delete_url)
    confirmed = client.post(delete_url, {"post": "yes"})
    bulk = client.post(
        reverse(f"admin:events_{model}_changelist"),
        {"action": "delete_selected", "_selected_action": [pk], "post": "yes"},
    )

    if protected is None:
        assert confirmed.status_code == 302
        assert not Model.objects.filter(pk=pk).exists()
        return
    for response in (page, confirmed, bulk):
        assert response.status_code == 200
        text = response.content.decode()
        # Django's own refusal: "Cannot delete ...", naming the rows in the way.
        assert f"<title>Cannot delete {model}" in text, text[:2000]
        assert protected.lower() in text.lower()
    assert every_row() == rows
    assert Model.objects.filter(pk=pk).exists()
    assert Citation.objects.count() == 1
