"""The API's JSON answers, byte for byte, against the serializer's road written independently here: the
demo's and generated events, every filter, as_of, the pages a cursor follows and the ETags.

On PostgreSQL the answer splices each event's JSON text as the database wrote it (events/api/rendering.py):
the envelope as JSONRenderer writes it, each event as `json.dumps` writes the serializer's dict (`"key":
value`, UTF-8, U+2028 and U+2029 escaped). Elsewhere it is JSONRenderer's rendering of the serializer's dicts.
"""

import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from events.api.fields import with_api_fields
from events.api.serializers import EventSerializer
from events.asof import events_then, visible_then
from events.etags import etag_of
from events.filters import EventFilter
from events.models import Event, EventRelation

pytestmark = pytest.mark.django_db

FILTERS = [
    {},
    {"page_size": 7},
    {"actor": "russia"},
    {"actor": ["russia", "united-states"]},
    {"actor_tree": "russia"},
    {"initiator": "united-states"},
    {"target": "russia"},
    {"type": "sanctions"},
    {"type": ["talks", "sanctions"]},
    {"status": ["occurred", "cancelled"]},
    {"review_state": "published"},
    {"date_from": "2020"},
    {"date_to": "2010-06"},
    {"date_from": "2005-01-01", "date_to": "2015-12-31"},
    {"country": "RUS"},
    {"q": "talks"},
    {"q": "talks", "ordering": "relevance"},
    {"publisher": "RT"},
    {"tag": "air-links"},
    {"updated_since": "2000-01-01T00:00:00Z"},
    {"ordering": "-start"},
    {"ordering": "-updated"},
    {"actor": "russia", "date_from": "2015-01-01", "page_size": 5},
]


@pytest.fixture
def events(demo):
    call_command("generate_events", events=120, seed=7, stdout=io.StringIO())


@pytest.fixture(params=["anonymous", "curator"])
def reader(request):
    client = APIClient()
    if request.param == "curator":
        client.force_authenticate(User.objects.create_user("curator", is_staff=True, is_superuser=True))
    return client, request.param == "curator"


def shown(event_ids, sees_unpublished):
    """The serializer's dicts of the events, from model instances (not the rows the API splices)."""
    events = Event.objects.all() if sees_unpublished else Event.objects.visible_to(None)
    by_id = {event.pk: event for event in with_api_fields(events.with_documents(), sees_unpublished)}
    return [(EventSerializer(by_id[event_id]).data, by_id[event_id]) for event_id in event_ids]


def event_bytes(data):
    # `incoming` as PostgreSQL's json_agg of json_build_object writes it (`{"event" : ...}`), as it always was.
    incoming = ", ".join(
        f'{{"event" : {json.dumps(link["event"], ensure_ascii=False)}, '
        f'"relation" : {json.dumps(link["relation"], ensure_ascii=False)}}}'
        for link in data["incoming"]
    )
    text = json.dumps({**data, "incoming": None}, ensure_ascii=False)
    text = text.removesuffix('"incoming": null}') + f'"incoming": [{incoming}]}}'
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


def expected_page(page, sees_unpublished):
    events = [data for data, _ in shown([event["id"] for event in page["results"]], sees_unpublished)]
    if connection.vendor != "postgresql":
        return JSONRenderer().render({**page, "results": events})
    envelope = JSONRenderer().render({**page, "results": []})
    return envelope[:-2] + b",".join(event_bytes(event) for event in events) + b"]}"


def expected_ids(params, sees_unpublished):
    """The events the filters name, in their order, from the filter set itself."""
    user = User.objects.get(username="curator") if sees_unpublished else None
    filters = EventFilter(_query(params), queryset=Event.objects.visible_to(user).chronological())
    assert filters.is_valid(), filters.errors
    return list(filters.qs.values_list("id", flat=True))


def _query(params):
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if key != "page_size":
            query.setlist(key, value if isinstance(value, list) else [str(value)])
    return query


@pytest.mark.parametrize("params", FILTERS, ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()))
def test_every_filtered_page_is_the_serializers_events_byte_for_byte(events, reader, params):
    client, sees_unpublished = reader
    response = client.get("/api/v1/events/", {"page_size": 40, **params})
    seen = []
    for _ in range(4):  # the first pages, followed through next, and one back through previous
        assert response.status_code == 200
        page = json.loads(response.content)
        assert response.content == expected_page(page, sees_unpublished)
        seen += [event["id"] for event in page["results"]]
        if not page["next"]:
            break
        response = client.get(page["next"])
    if page["previous"]:
        back = client.get(page["previous"])
        assert back.content == expected_page(json.loads(back.content), sees_unpublished)
    if params.get("ordering") not in ("-updated", "relevance") and not page["next"]:
        assert seen == expected_ids(params, sees_unpublished)


def expected_then(page, moment, user):
    """The page of `as_of=moment` as the serializer writes it from the versions (`events_then`)."""
    versions = visible_then(moment, user)
    by_id = {version.id: version for version in versions.filter(id__in=[event["id"] for event in page["results"]])}
    found = [by_id[event["id"]] for event in page["results"]]
    events = EventSerializer(events_then(found, moment, versions.hides_unpublished), many=True).data
    if connection.vendor != "postgresql":
        return JSONRenderer().render({**page, "results": events})
    envelope = JSONRenderer().render({**page, "results": []})
    return envelope[:-2] + b",".join(event_bytes(event) for event in events) + b"]}"


def test_pages_and_details_as_of_a_moment_are_the_serializers(events, reader):
    client, sees_unpublished = reader
    user = User.objects.get(username="curator") if sees_unpublished else None
    moment = timezone.now()
    # Since the moment: a title, a participant and a relation changed, an event deleted.
    changed = Event.objects.published().involving("russia").order_by("start", "id")
    first, second, third = changed[:3]
    ids = [first.id, second.id, third.id]
    first.title = "Retitled since"
    first.save()
    second.participants.exclude(actor_id="russia").delete()
    EventRelation.objects.filter(from_event=third).delete()
    first.delete()
    as_of = moment.isoformat().replace("+00:00", "Z")
    response = client.get("/api/v1/events/", {"as_of": as_of, "actor": "russia", "page_size": 30})
    seen = []
    for _ in range(3):  # the first pages, followed through next
        assert response.status_code == 200
        page = json.loads(response.content)
        assert response.content == expected_then(page, moment, user)
        seen += [event["id"] for event in page["results"]]
        if not page["next"]:
            break
        response = client.get(page["next"])
    assert seen[:3] == ids
    detail = client.get(f"/api/v1/events/{ids[1]}/", {"as_of": as_of})
    assert detail.status_code == 200 and "ETag" not in detail
    page = {"next": None, "previous": None, "results": [detail.json()]}
    assert b'{"next":null,"previous":null,"results":[' + detail.content + b"]}" == expected_then(page, moment, user)


def test_every_detail_and_its_etag_are_the_serializers(events, reader):
    client, sees_unpublished = reader
    visible = Event.objects.all() if sees_unpublished else Event.objects.published()
    event_ids = list(visible.order_by("id").values_list("id", flat=True))
    assert len(event_ids) > 100
    for (data, event), event_id in zip(shown(event_ids, sees_unpublished), event_ids, strict=True):
        response = client.get(f"/api/v1/events/{event_id}/")
        assert response.status_code == 200
        rendered = event_bytes(data) if connection.vendor == "postgresql" else JSONRenderer().render(data)
        assert response.content == rendered, event_id
        assert response["ETag"] == etag_of(event)
        assert client.get(f"/api/v1/events/{event_id}/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    if not sees_unpublished:
        hidden = Event.objects.exclude(review_state="published").values_list("id", flat=True)[0]
        assert client.get(f"/api/v1/events/{hidden}/").status_code == 404
