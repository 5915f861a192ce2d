"""The GeoJSON export checked by a GeoJSON validator: geojson-pydantic's RFC 7946 models, in strict mode.

The models check the structure: a FeatureCollection of Features, each with `type`, `geometry` and
`properties` members (RFC 7946, 3.2), an `id` that is a string or a number, positions of two or
three numbers (strict: a number written as a string is an error). What they leave to us is checked
here beside them: no `crs` member (section 4) and coordinates within WGS 84's ranges, longitude first.
tests/exports/test_exports.py checks the export's content; this file checks that other software can read it.
"""

import json

import pytest
from geojson_pydantic import FeatureCollection
from pydantic import ValidationError

from events.dataset import import_document
from events.exports import FORMATS
from events.models import Event
from tests.demo import dataset, event_record

RIYADH = "us-ru-talks-riyadh-2025"
ISTANBUL = "us-ru-talks-istanbul-2025"
BUDAPEST = "trump-putin-budapest-summit-proposed-2025"  # a draft: only staff and the exporter see it


def problems(text):
    """What keeps `text` from being an RFC 7946 FeatureCollection of points, as messages: [] when nothing does."""
    try:
        collection = FeatureCollection.model_validate_json(text, strict=True)
    except ValidationError as error:
        return [str(error)]
    document = json.loads(text)
    found = ["a crs member (RFC 7946, 4)"] if "crs" in document else []
    for feature, raw in zip(collection.features, document["features"], strict=True):
        if "crs" in raw or "crs" in (raw["geometry"] or {}):
            found.append(f"{feature.id}: a crs member (RFC 7946, 4)")
        if feature.geometry is None or feature.geometry.type != "Point":
            found.append(f"{feature.id}: not a point")
            continue
        longitude, latitude = feature.geometry.coordinates
        if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
            found.append(f"{feature.id}: [{longitude}, {latitude}] is not [longitude, latitude] in WGS 84")
    return found


def validated(text):
    """The export as the validator reads it; fails the test with the validator's messages if it is not RFC 7946."""
    assert problems(text) == []
    return FeatureCollection.model_validate_json(text, strict=True)


def api_export(client, query=""):
    response = client.get(f"/api/v1/events/export/?format=geojson{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"  # RFC 7946, 12
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [RIYADH, ISTANBUL]),
        ("&type=talks", [RIYADH, ISTANBUL]),
        ("&actor=saudi-arabia", [RIYADH]),
        ("&type=sanctions", []),  # events, none of them located: an empty collection
    ],
)
def test_the_api_export_is_valid_geojson(client, demo, query, expected):
    collection = validated(api_export(client, query))
    assert sorted(feature.id for feature in collection.features) == sorted(expected)


def test_every_located_demo_event_exports_as_valid_geojson(demo):
    collection = validated("".join(FORMATS["geojson"].stream(Event.objects.chronological())))
    assert [feature.id for feature in collection.features] == [RIYADH, ISTANBUL, BUDAPEST]
    riyadh = collection.features[0]
    assert riyadh.geometry.coordinates == (46.6753, 24.7136)  # longitude first
    assert riyadh.properties["location_name"] == "Riyadh"


def test_coordinates_at_the_edges_and_any_text_stay_valid(db):
    def located(event_id, lat, lon, **fields):
        return event_record(event_id, location={"name": event_id, "country": None, "lat": lat, "lon": lon}, **fields)

    import_document(
        dataset(
            located("north-east-corner", 90, 180, title='Talks "at the edge" </script> & İstanbul\u2028too'),
            located("south-west-corner", -90, -180, start="2025-02", start_precision="month"),
            located("null-island", 0, 0, start="2025", start_precision="year", end="2025-11", end_precision="month"),
            event_record("nowhere"),
        )
    )
    collection = validated("".join(FORMATS["geojson"].stream(Event.objects.order_by("id"))))
    assert {feature.id: feature.geometry.coordinates for feature in collection.features} == {
        "north-east-corner": (180, 90),
        "null-island": (0, 0),  # zero is a coordinate, not a missing one
        "south-west-corner": (-180, -90),
    }
    titles = {feature.id: feature.properties["title"] for feature in collection.features}
    assert titles["north-east-corner"] == 'Talks "at the edge" </script> & İstanbul\u2028too'


@pytest.mark.parametrize(
    "feature",
    [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1.0, 2.0]}},  # no properties member
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": ["1.0", 2.0]}, "properties": {}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1.0]}, "properties": {}},
        {"type": "Feature", "id": ["a"], "geometry": {"type": "Point", "coordinates": [1.0, 2.0]}, "properties": {}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.0, 91.0]}, "properties": {}},
    ],
    ids=["no-properties", "string-coordinate", "one-coordinate", "list-id", "latitude-91"],
)
def test_the_validation_rejects_what_rfc_7946_forbids(feature):
    """The validation is not a formality: each of these breaks RFC 7946, and is found."""
    assert problems(json.dumps({"type": "FeatureCollection", "features": [feature]})) != []
