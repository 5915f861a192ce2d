"""The OpenAPI schema: generated without a warning, and the API held to it by schemathesis.

Schemathesis sends requests built from the schema (valid ones, and invalid ones
for each constraint it states) through WSGI, as an anonymous client and as a
staff user with a token, and runs all of its checks on each answer: no 5xx,
only documented status codes, content types, headers and bodies, invalid
requests refused, valid ones accepted, authentication enforced where declared.

SCHEMATHESIS_EXAMPLES bounds the fuzzed cases per operation (default 25). With
CI set, generation is derandomized and seeded, so a run is repeatable.
"""

import base64
import json
import os

import pytest
import schemathesis
from django.contrib.auth.models import Permission, User
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure

from events.exports import FORMATS
from tracker.wsgi import application

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
IN_CI = bool(os.environ.get("CI"))
WRITES = ["POST", "PUT", "PATCH", "DELETE"]

# A schema-valid request may still be refused with 400 where validity depends on data that a schema
# cannot state: an actor, type or event id that does not exist, a cursor of another listing, three
# letters that are no ISO country code, a date that matches the pattern but not the calendar
# (2025-02-30), an event that others relate to (DELETE), ordering=relevance without q or csv_raw with a
# format other than csv (rules between two parameters, which the schema cannot state).
# `rejections_name_parameters` below keeps such 400s to those parameters. 412 answers a random
# If-Match: it names no current ETag.
EXPECTED_FOR_VALID = ["2xx", "3xx", "400", "401", "403", "404", "409", "412", "429"]
DATA_DEPENDENT = {
    "actor", "actor_tree", "initiator", "target", "type", "country", "cursor", "date_from", "date_to", "ordering",
    "csv_raw", "a", "b",
    "as_of",  # on the clock: a moment still to come is refused, which no schema can say
}  # fmt: skip

CONFIG = SchemathesisConfig.from_dict(
    {
        **({"seed": 1} if IN_CI else {}),
        "suppress-health-check": ["too_slow"],
        "generation": {
            "max-examples": EXAMPLES,
            "deterministic": IN_CI,
            **({"database": "none"} if IN_CI else {}),
        },
        "checks": {"positive_data_acceptance": {"expected-statuses": EXPECTED_FOR_VALID}},
    }
)
# Loaded at import, as schemathesis wants it (drf-spectacular asks no database for it).
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)


class BadRequestNaming(Failure):
    """A 400 that does not name the parameters or fields at fault (docs: contract, Errors)."""

    def __init__(self, *, operation, message):
        super().__init__(operation=operation, title="400 without the bad parameter's name", message=message)

    @property
    def _unique_key(self):
        return self.message


def _root(key):
    """`participants[0].actor` -> `participants`."""
    return key.split("[", 1)[0].split(".", 1)[0]


def rejections_name_parameters(ctx, response, case):
    """Every 400 is a JSON object naming only parameters or body fields of the request; a 400 to a
    schema-valid query names only parameters whose validity depends on stored data."""
    if response.status_code != 400:
        return None
    body = response.json()
    if not isinstance(body, dict) or not body:
        raise BadRequestNaming(operation=case.operation.label, message=f"not a JSON object: {response.text[:200]}")
    if case.method == "GET":
        declared = {parameter.name for parameter in case.operation.query}
        keys = set(body)
        if not keys <= declared | set(case.query or {}):
            raise BadRequestNaming(operation=case.operation.label, message=f"names no query parameter: {body}")
        if case.meta is not None and case.meta.generation.mode.is_positive and not keys <= DATA_DEPENDENT:
            raise BadRequestNaming(operation=case.operation.label, message=f"refuses a schema-valid query: {body}")
        return None
    fields = set(case.body) if isinstance(case.body, dict) else set()
    fields |= set(case.operation.schema.raw_schema["components"]["schemas"]["EventRequest"]["properties"])
    fields |= {"non_field_errors", "detail"}
    unnamed = {key for key in body if key not in fields and _root(key) not in fields}
    if unnamed:
        raise BadRequestNaming(operation=case.operation.label, message=f"names no field of the body: {body}")
    return None


def test_schema_generates_without_warnings(tmp_path):
    """`manage.py spectacular --validate --fail-on-warn`: every view, filter and field is described."""
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for parameter in (
        "actor", "initiator", "target", "type", "status", "date_from", "date_to", "country", "q",
        "publisher", "tag", "updated_since", "review_state", "ordering", "cursor", "page_size",
    ):  # fmt: skip
        assert f"name: {parameter}\n" in text, parameter


def test_schema_describes_errors_and_examples():
    raw = schema.raw_schema
    events = raw["paths"]["/api/v1/events/"]
    event = raw["paths"]["/api/v1/events/{id}/"]
    assert {"200", "400", "401", "403"} <= set(events["get"]["responses"])
    assert {"201", "400", "401", "403"} <= set(events["post"]["responses"])
    for method in ("put", "patch", "delete"):
        assert {"400", "401", "403", "404", "412"} <= set(event[method]["responses"]), method
    assert {"200", "404"} <= set(event["get"]["responses"])
    example = event["get"]["responses"]["200"]["content"]["application/json"]["examples"]
    assert next(iter(example.values()))["value"]["id"] == "us-ru-talks-riyadh-2025"
    timeline = raw["paths"]["/api/v1/timeline/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert next(iter(timeline["examples"].values()))["value"]["buckets"]
    assert timeline["schema"] == {"$ref": "#/components/schemas/Timeline"}


@pytest.fixture
def wsgi_db(demo):
    """The demo data, and the test's database connection kept open across requests: they reach the
    application through WSGI, whose request signals would close it (and end the test's transaction),
    so they are disconnected as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield demo
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(db):
    """A staff user allowed to add, change and delete events, and its API token."""
    user = User.objects.create_user("curator", password="unused-password", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="events", codename__in=["add_event", "change_event", "delete_event"]
        )
    )
    return Token.objects.create(user=user).key


def _call(case, **headers):
    cache.clear()  # the anonymous rate limit counts in the cache: no test depends on another's requests
    case.call_and_validate(headers=headers or None, additional_checks=[rejections_name_parameters])


# The demo data and the token are made once per test, for all of its cases: that is the intent.
ONE_FIXTURE_FOR_ALL_CASES = hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@schema.parametrize()
@ONE_FIXTURE_FOR_ALL_CASES
def test_api_as_anonymous(case, wsgi_db):
    _call(case)


@schema.include(method=WRITES).parametrize()
@ONE_FIXTURE_FOR_ALL_CASES
def test_writes_as_staff(case, wsgi_db, staff_token):
    _call(case, Authorization=f"Token {staff_token}")


def test_stateful_as_staff(wsgi_db, staff_token):
    """Sequences that follow the schema's links: create, read, change, delete, read the tombstone."""
    base = schema.as_state_machine()

    class Workflow(base):
        def get_call_kwargs(self, case):
            cache.clear()
            return {"headers": {"Authorization": f"Token {staff_token}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # As the parent does, and saying which headers were sent: the token is ours, not generated.
            case.validate_response(
                response,
                additional_checks=[*(additional_checks or []), rejections_name_parameters],
                headers=kwargs.get("headers"),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    Workflow.run(
        settings=hypothesis_settings(
            max_examples=max(5, EXAMPLES // 2),
            stateful_step_count=6,
            derandomize=IN_CI,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )


# -- what schemathesis and reading the code found, kept fixed: each is a 4xx naming the parameter, never a 500

CURSOR_OF = {  # forged cursors: keys the database could not compare (NUL in a slug, an integer beyond 64 bits)
    "events": {"o": ["start", "id"], "v": ["2025-01-01", "bad\x00id"], "d": "n"},
    "sources": {"o": ["id"], "v": [10**30], "d": "n"},
}


def _cursor(token):
    return base64.urlsafe_b64encode(json.dumps(token).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("/api/v1/events/", {"country": "%d"}, "country"),
        ("/api/v1/events/", {"date_from": "%s-01"}, "date_from"),
        ("/api/v1/events/", {"actor": "rus\x00sia"}, "actor"),
        ("/api/v1/events/", {"type": "talks" * 30}, "type"),
        ("/api/v1/events/", {"actor": [f"actor-{n}" for n in range(51)]}, "actor"),
        ("/api/v1/events/", {"initiator": "%(pk)s"}, "initiator"),
        ("/api/v1/events/", {"q": "sanctions\x00"}, "q"),
        ("/api/v1/events/", {"cursor": _cursor(CURSOR_OF["events"])}, "cursor"),
        ("/api/v1/timeline/", {"tag": "x\x00"}, "tag"),
        ("/api/v1/events/export/", {"format": "csv", "publisher": "R\x00T"}, "publisher"),
        ("/api/v1/actors/", {"q": "\x00"}, "q"),
        ("/api/v1/actors/", {"country": "\x00"}, "country"),
        ("/api/v1/actors/", {"kind": "planet"}, "kind"),
        ("/api/v1/sources/", {"publisher": "\x00"}, "publisher"),
        ("/api/v1/sources/", {"cursor": _cursor(CURSOR_OF["sources"])}, "cursor"),
        ("/api/v1/events/deleted/", {"since": "\x00"}, "since"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, demo, path, params, named):
    response = client.get(path, params)
    assert response.status_code == 400, response.content
    assert named in response.json()


@pytest.mark.parametrize("path", ["/api/v1/events/%00/", "/api/v1/actors/%00/", "/api/v1/event-types/%00/"])
def test_an_id_with_a_nul_character_is_unknown(client, demo, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"title": "Talks\x00"}, "title"),
        ({"location": {"name": "Riyadh", "country": "SAU", "lat": 10**400, "lon": 0}}, "location.lat"),
        ({"sources": [{"url": "https://example.org/a", "claimed_by": ["russia"]}]}, "sources[0].claimed_by"),
        ({"sources": [{"url": "https://example.org:99999/a"}]}, "sources[0].url"),
        ({"tags": ["ok", "no\x00"]}, "tags[1]"),
    ],
)
def test_a_body_the_database_could_not_store_is_a_400_naming_the_field(demo, staff_token, change, named):
    client = APIClient(HTTP_AUTHORIZATION=f"Token {staff_token}")
    record = {**client.get("/api/v1/events/us-ru-talks-riyadh-2025/").json(), "id": "new-talks"}
    response = client.post("/api/v1/events/", {**record, **change}, format="json")
    assert response.status_code == 400, response.content
    assert named in response.json()
    del record["id"]
    assert client.put("/api/v1/events/bad%00id/", record, format="json").status_code == 404


def test_optional_query_parameters_may_be_sent_empty():
    """An empty value is the parameter left out (contract: strict parameters), and the description says so,
    so that schemathesis does not take `csv_raw=` for an invalid boolean that must be refused."""
    export = schema.raw_schema["paths"]["/api/v1/events/export/"]["get"]["parameters"]
    csv_raw = next(parameter for parameter in export if parameter["name"] == "csv_raw")
    assert csv_raw["allowEmptyValue"] is True
    relations = schema.raw_schema["paths"]["/api/v1/relations/"]["get"]["parameters"]
    assert all(not parameter.get("allowEmptyValue") for parameter in relations if parameter.get("required"))


def test_the_export_describes_every_filter_of_the_list_and_its_own_parameters():
    paths = schema.raw_schema["paths"]
    export = {parameter["name"]: parameter for parameter in paths["/api/v1/events/export/"]["get"]["parameters"]}
    listed = {parameter["name"] for parameter in paths["/api/v1/events/"]["get"]["parameters"]}
    # The list's filters, without its pages and its count; then the export's own.
    assert set(export) == (listed - {"cursor", "page_size", "count"}) | {"format", "csv_raw"}
    assert {"actor", "actor_tree", "type", "date_from", "q", "ordering", "as_of"} <= set(export)
    assert all(parameter.get("description") for parameter in export.values()), export
    assert export["format"]["required"] is True
    assert set(export["format"]["schema"]["enum"]) == set(FORMATS) >= {"csv", "csv-excel", "xlsx"}
    assert "csv-excel" in export["format"]["description"] and "xlsx" in export["format"]["description"]
    responses = paths["/api/v1/events/export/"]["get"]["responses"]["200"]["content"]
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in responses
