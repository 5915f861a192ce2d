"""Text that is not Unicode and JSON nested too deep: refused, naming the field, wherever events come in.

JSON's escapes can write a lone surrogate ("\\ud800", half of a UTF-16 pair),
which no UTF-8 database, page or response can hold; a command line's bytes that
are not UTF-8 arrive in Python as such surrogates too. Lists nested a thousand
deep exhaust Python's parser. Each was a 500 or a traceback; each is now a 400
(or a message and a non-zero exit) naming the field, or the body or file when it
cannot be parsed, and nothing is written. Both databases: SQLite, and
PostgreSQL with DATABASE_URL set.
"""

import io
import json
import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from events.dataset import MAX_DEPTH, NOT_UNICODE, TOO_DEEP
from tests.demo import dataset, event_record, row_counts
from tests.servers import ROOT

pytestmark = pytest.mark.django_db

LONE = "Talks \ud800 in Riyadh"  # json.dumps writes it as the escape "\ud800"
IMPORT = reverse("admin:events_event_import")
FROM_ARTICLE = reverse("admin:events_source_from_article")


@pytest.fixture
def curator():
    return User.objects.create_user("curator", password="pass-8429!x", is_staff=True, is_superuser=True)


@pytest.fixture
def api(curator):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=curator).key}")
    return client


def nested(depth, leaf="x"):
    """`leaf` inside `depth` lists."""
    return "[" * depth + json.dumps(leaf) + "]" * depth


def with_lone_surrogate(field):
    """The default event with a lone surrogate in `field` (a path as the API names it)."""
    record = event_record("surrogate-talks", review_state="draft")
    if field == "participants[0].actor":
        record["participants"][0]["actor"] = LONE
    elif field == "location.name":
        record["location"] = {"name": LONE, "country": None, "lat": None, "lon": None}
    elif field.startswith("sources[0]."):
        record["sources"][0][field.removeprefix("sources[0].")] = LONE
    elif field == "tags[0]":
        record["tags"] = [LONE]
    elif field == "related[0].event":
        record["related"] = [{"event": LONE, "relation": "follows"}]
    elif field == "Talks \\ud800 in Riyadh":  # a key: named with its escape
        record[LONE] = "x"
    else:
        record[field] = LONE
    return record


FIELDS = [
    "id", "title", "summary", "type", "status", "start", "review_state",
    "participants[0].actor", "location.name",
    "sources[0].url", "sources[0].title", "sources[0].publisher", "sources[0].quote", "sources[0].claimed_by",
    "tags[0]", "related[0].event", "Talks \\ud800 in Riyadh",
]  # fmt: skip


# ---------------------------------------------------------------- the API


@pytest.mark.parametrize("field", FIELDS)
def test_a_lone_surrogate_in_any_field_of_a_new_event_is_a_400_naming_it(api, demo, field):
    before = row_counts()
    body = json.dumps(with_lone_surrogate(field))
    assert "\\ud800" in body
    response = api.post("/api/v1/events/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {field: [NOT_UNICODE]}
    assert row_counts() == before


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("field", ["title", "participants[0].actor", "sources[0].quote", "Talks \\ud800 in Riyadh"])
def test_a_lone_surrogate_in_a_change_is_a_400_naming_it(api, demo, method, field):
    before = row_counts()
    record = with_lone_surrogate(field)
    record["id"] = "us-ru-talks-riyadh-2025"
    if method == "patch":
        top = field.split("[")[0].split(".")[0]
        record = {top: record[top]} if top in record else {LONE: "x"}
    url = "/api/v1/events/us-ru-talks-riyadh-2025/"
    response = getattr(api, method)(url, json.dumps(record), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {field: [NOT_UNICODE]}
    assert row_counts() == before


def test_surrogate_bytes_in_a_body_are_a_400_saying_it_is_not_utf8(api, demo):
    body = (
        json.dumps(event_record("raw-surrogate"))
        .replace("Delegations meet", "Delegations \udc80")
        .encode("utf-8", "surrogatepass")
    )
    response = api.post("/api/v1/events/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error - 'utf-8' codec can't decode byte 0xed")


def test_a_body_nested_a_thousand_deep_is_a_400_naming_the_body(api, demo):
    before = row_counts()
    for body in (nested(1000), '{"title": ' + nested(1000) + "}", nested(100_000)):
        response = api.post("/api/v1/events/", body, content_type="application/json")
        assert response.status_code == 400
        assert response.json() == {"detail": f"JSON parse error - {TOO_DEEP}"}
        response = api.patch("/api/v1/events/us-ru-talks-riyadh-2025/", body, content_type="application/json")
        assert response.status_code == 400
    assert row_counts() == before


def test_a_field_nested_deeper_than_the_limit_is_a_400_naming_the_field(api, demo):
    url = "/api/v1/events/us-ru-talks-riyadh-2025/"
    # The body is the first level: a title of MAX_DEPTH - 1 lists is as deep as an event may go, and
    # only the reader's own rule refuses it.
    at_the_limit = nested(MAX_DEPTH - 1)
    response = api.patch(url, '{"title": ' + at_the_limit + "}", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"title": [f"expected text, got {json.dumps(json.loads(at_the_limit))[:60]}"]}

    response = api.patch(url, '{"title": ' + nested(MAX_DEPTH) + "}", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"title" + "[0]" * (MAX_DEPTH - 1): [TOO_DEEP]}


# ---------------------------------------------------------------- dataset files: the command and the admin


def surrogate_file():
    """A dataset file whose second event has a lone surrogate in its title, and whose third one's id has one."""
    second = event_record("second-talks", title=LONE)
    third = event_record("third\ud800talks")
    return json.dumps(dataset(event_record("first-talks"), second, third))


PROBLEMS = [
    f"event second-talks: title: {NOT_UNICODE}",
    f"event third\\ud800talks: id: {NOT_UNICODE}",
]


def import_file(tmp_path, text, name="odd.json"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_dataset", str(path), stderr=err)
    return str(failure.value), err.getvalue()


def test_import_dataset_names_each_record_holding_a_lone_surrogate_and_imports_nothing(tmp_path, demo):
    before = row_counts()
    message, err = import_file(tmp_path, surrogate_file())
    assert err.splitlines() == [f"{tmp_path / 'odd.json'}: {problem}" for problem in PROBLEMS]
    assert message == f"{tmp_path / 'odd.json'}: 2 problems; nothing was imported"
    assert row_counts() == before


def test_import_dataset_reads_surrogate_bytes_as_the_same_problem(tmp_path, demo):
    # Python's JSON parser decodes bytes with surrogatepass: ED A0 80 is the same lone surrogate.
    document = dataset(event_record("raw-talks", title="Talks \udc80"))
    raw = json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")
    assert b"\xed\xb2\x80" in raw
    message, err = import_file(tmp_path, raw)
    assert err.splitlines() == [f"{tmp_path / 'odd.json'}: event raw-talks: title: {NOT_UNICODE}"]


def test_import_dataset_names_the_place_of_json_nested_a_thousand_deep(tmp_path, demo):
    text = '{"events": [{"id": "deep", "title":\n ' + nested(1000) + "}]}"
    message, err = import_file(tmp_path, text)
    # The bracket that opens the 33rd level: 3 levels to the title, then the title's 30th list.
    assert err.splitlines() == [f"{tmp_path / 'odd.json'}: file: json: not readable: {TOO_DEEP} at line 2, column 31"]
    assert message.endswith("1 problem; nothing was imported")


def test_import_dataset_names_the_record_of_json_nested_too_deep_but_readable(tmp_path, demo):
    text = json.dumps(dataset(event_record("deep-talks", summary=json.loads(nested(40)))))
    message, err = import_file(tmp_path, text)
    # The record is the first level, its summary's first list the second: the 32nd list is too deep.
    assert err.splitlines() == [f"{tmp_path / 'odd.json'}: event deep-talks: summary{'[0]' * 31}: {TOO_DEEP}"]


def test_import_dataset_from_standard_input_exits_1_without_a_traceback(tmp_path, demo):
    for text in (surrogate_file().encode(), nested(1000).encode()):
        done = subprocess.run(
            [sys.executable, "manage.py", "import_dataset", "-"],
            cwd=ROOT,
            input=text,
            capture_output=True,
            env={**os.environ, "DATABASE_URL": "sqlite:///" + str(tmp_path / "none.sqlite3")},
            timeout=120,
        )
        assert done.returncode == 1
        assert b"Traceback" not in done.stderr
        assert done.stderr.decode().endswith("nothing was imported\n")


@pytest.mark.parametrize(
    ("content", "problems"),
    [
        (
            surrogate_file(),
            [("event second-talks", "title", NOT_UNICODE), ("event third\\ud800talks", "id", NOT_UNICODE)],
        ),
        (nested(1000), [("file", "json", f"not readable: {TOO_DEEP} at line 1, column 33")]),
    ],
)
def test_the_admin_import_names_the_problem_and_imports_nothing(admin_client, demo, content, problems):
    before = row_counts()
    response = admin_client.post(IMPORT, {"file": SimpleUploadedFile("odd.json", content.encode())})
    assert response.status_code == 200
    assert [(p.record, p.field, p.message) for p in response.context["problems"]] == problems
    html = response.content.decode()
    assert all(f"<tr><td>{record}</td><td><code>{field}</code></td>" in html for record, field, _ in problems)
    assert row_counts() == before


# ---------------------------------------------------------------- articles: the command and the admin page

ARTICLE = (
    "Russia and US hold talks in Riyadh\n\n"
    "Russian and US delegations held talks in Riyadh on February 18, 2025 about their embassies.\n"
)


@pytest.mark.parametrize(
    ("option", "value"),
    [("--url", "https://example.org/talks-\udcff"), ("--publisher", "R\udcffT")],
)
def test_propose_events_refuses_an_argument_that_is_not_utf8(tmp_path, demo, option, value):
    # A command line's bytes that are not UTF-8 (b"\xff") reach Python as lone surrogates ("\udcff").
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    before = row_counts()
    arguments = {"--url": "https://example.org/talks", "--publisher": "RT", option: value}
    with pytest.raises(CommandError) as failure:
        call_command("propose_events", str(article), *[x for pair in arguments.items() for x in pair], "--save")
    assert str(failure.value) == f"{article}: {option.removeprefix('--')}: {value!r} is not UTF-8 text"
    assert row_counts() == before


def test_propose_events_in_its_own_process_exits_1_naming_the_argument(tmp_path, demo):
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable.encode(),
            b"manage.py",
            b"propose_events",
            bytes(article),
            b"--url",
            b"https://example.org/\xff",
        ],
        cwd=ROOT,
        capture_output=True,
        env={**os.environ, "DATABASE_URL": "sqlite:///" + str(tmp_path / "none.sqlite3")},
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.decode() == f"CommandError: {article}: url: 'https://example.org/\\udcff' is not UTF-8 text\n"


@pytest.mark.parametrize(
    "posted",
    [
        json.dumps({"events": [event_record("proposal", title=LONE, review_state="draft")]}),
        nested(1000),
        "{not json",
        "",
    ],
    ids=["lone surrogate", "a thousand deep", "not json", "empty"],
)
def test_the_article_page_takes_back_only_the_proposals_it_gave(admin_client, demo, posted):
    before = row_counts()
    response = admin_client.post(FROM_ARTICLE, {"document": posted, "keep-0": "1", "target-0": "new"})
    assert response.status_code == 200
    assert [(p.record, p.field, p.message) for p in response.context["problems"]] == [
        ("proposals", "document", "not the proposals this page was given: paste the article again")
    ]
    assert "rows" not in response.context
    assert row_counts() == before


# ---------------------------------------------------------------- query strings

API_PATHS = [
    "/api/v1/events/",
    "/api/v1/events/export/?format=csv",
    "/api/v1/timeline/",
    "/api/v1/events/deleted/",
    "/api/v1/actors/",
    "/api/v1/sources/",
    "/api/v1/events/us-ru-talks-riyadh-2025/",
]


@pytest.mark.parametrize("path", API_PATHS)
@pytest.mark.parametrize("name", ["q", "actor", "type", "cursor", "date_from", "page_size", "no_such_parameter"])
@pytest.mark.parametrize("value", ["%ED%A0%80", "%FF", "caf%E9"])
def test_a_query_value_that_is_not_utf8_is_a_400_naming_the_parameter(client, demo, path, name, value):
    # A surrogate's UTF-8 form, a byte no UTF-8 text has, and Latin-1's é: Django would read each as U+FFFD.
    response = client.get(f"{path}{'&' if '?' in path else '?'}{name}={value}")
    assert response.status_code == 400
    assert response.json() == {name: [f"'{value}' is not UTF-8 text once percent-decoded"]}
    assert response["Content-Security-Policy"].startswith("default-src 'self'")


def test_a_query_name_that_is_not_utf8_is_named_as_sent(client, demo):
    response = client.get("/api/v1/events/?%FF%FE=1&q=talks")
    assert response.status_code == 400
    assert response.json() == {"%FF%FE": ["'%FF%FE' is not UTF-8 text once percent-decoded"]}


def test_percent_encoded_utf8_in_a_query_is_read_as_text(client, demo):
    response = client.get("/api/v1/events/?q=%C3%A9v%C3%A9nement&actor=russia")
    assert response.status_code == 200
    assert response.json()["results"] == []
    response = client.get("/api/v1/actors/?q=Rus%73ia")
    assert [actor["id"] for actor in response.json()["results"]] == ["russia", "russian-foreign-ministry"]
