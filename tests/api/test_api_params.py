"""Strict parameters: a parameter an endpoint does not take is a 400 naming it; an empty value is none."""

import pytest
from django.http import QueryDict
from rest_framework.test import APIClient

from events.filters import EventFilter
from events.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return APIClient()


@pytest.mark.parametrize(
    ("path", "params", "bad"),
    [
        ("/api/v1/events/", {"actr": "russia"}, "actr"),
        ("/api/v1/events/", {"type": "talks", "colour": "red"}, "colour"),
        ("/api/v1/events/", {"date_form": "2025"}, "date_form"),
        ("/api/v1/events/", {"format": "json"}, "format"),
        ("/api/v1/events/us-ru-talks-riyadh-2025/", {"actor": "russia"}, "actor"),
        ("/api/v1/events/export/", {"format": "csv", "date_form": "2020-01-01"}, "date_form"),
        ("/api/v1/events/deleted/", {"actor": "russia"}, "actor"),
        ("/api/v1/timeline/", {"intervall": "year"}, "intervall"),
        ("/api/v1/actors/", {"name": "Russia"}, "name"),
        ("/api/v1/event-types/", {"family": "talks"}, "family"),
        ("/api/v1/sources/", {"q": "RT"}, "q"),
    ],
)
def test_it_refuses_a_parameter_the_endpoint_does_not_take(client, demo, path, params, bad):
    response = client.get(path, params)
    assert response.status_code == 400
    assert list(response.json()) == [bad]
    assert response.json()[bad][0].startswith("not a parameter of this endpoint, which takes ")


def test_an_unknown_parameter_is_refused_even_empty(client, demo):
    response = client.get("/api/v1/events/", {"actr": ""})
    assert response.status_code == 400
    assert "actr" in response.json()


def test_the_pages_view_parameter_is_refused_with_what_to_ask_instead(client, demo):
    # The page's form always sends its view: its address, copied to the API, is told how to ask the same.
    query = "view=pair&actor=russia&actor=united-states&actor=&date_from=&date_to=&q="
    response = client.get(f"/api/v1/events/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == ["view"]
    assert response.json()["view"][0].endswith(
        "; view is the public page's own parameter: leave it out (the two-actor view, view=pair, asks"
        " actor_tree=A&actor_tree=B here)"
    )
    rolled_up = client.get("/api/v1/events/?actor_tree=russia&actor_tree=united-states&actor=&date_from=&q=")
    assert rolled_up.status_code == 200


def test_it_names_every_unknown_parameter(client, demo):
    response = client.get("/api/v1/events/", {"actr": "russia", "colour": "red", "type": "talks"})
    assert sorted(response.json()) == ["actr", "colour"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/events/", {"cursor": "", "page_size": "2", "ordering": "-start", "q": "talks"}),
        ("/api/v1/events/export/", {"format": "csv", "csv_raw": "true", "actor": "russia"}),
        ("/api/v1/events/deleted/", {"since": "2025-01-01T00:00:00Z", "page_size": "5"}),
        ("/api/v1/timeline/", {"interval": "month", "type": "talks"}),
        ("/api/v1/actors/", {"q": "lavrov", "kind": "person", "country": "RUS", "page_size": "3"}),
        ("/api/v1/event-types/", {"page_size": "1000"}),
        ("/api/v1/sources/", {"publisher": "RT"}),
    ],
)
def test_it_takes_the_parameters_it_documents(client, demo, path, params):
    assert client.get(path, params).status_code == 200


def test_empty_values_are_the_same_as_absent_ones(client, demo):
    form = {"type": "talks", "actor": "", "date_from": "", "date_to": "", "q": "", "country": "", "status": ""}
    with_empty = client.get("/api/v1/events/", form)
    assert with_empty.status_code == 200
    assert with_empty.json() == client.get("/api/v1/events/", {"type": "talks"}).json()


def test_an_empty_value_beside_a_given_one_is_dropped(client, demo):
    response = client.get("/api/v1/events/?actor=&actor=sergey-lavrov")
    assert response.status_code == 200
    assert response.json() == client.get("/api/v1/events/", {"actor": "sergey-lavrov"}).json()


def test_an_empty_interval_is_the_default(client, demo):
    assert client.get("/api/v1/timeline/", {"interval": ""}).json() == client.get("/api/v1/timeline/").json()


def test_options_describes_the_endpoint_whatever_the_query(client, demo):
    assert client.options("/api/v1/actors/", {"q": "russia"}).status_code == 200


def test_a_method_the_endpoint_does_not_answer_is_a_405_first(client, demo):
    assert client.post("/api/v1/timeline/?intervall=year").status_code in (401, 403, 405)


def test_the_taxonomys_page_size_is_checked_as_elsewhere(client, demo):
    response = client.get("/api/v1/event-types/", {"page_size": "0"})
    assert response.status_code == 400
    assert "page_size" in response.json()


def test_a_request_s_filter_set_holds_only_the_filters_it_names(demo):
    named = EventFilter(QueryDict("actor=russia&type=talks&page_size=5&cursor=x"), queryset=Event.objects.all())
    assert set(named.filters) == {"actor", "type"}
    assert set(named.form.fields) == {"actor", "type"}
    assert set(named.qs.values_list("id", flat=True)) == set(
        Event.objects.involving("russia").of_type("talks").values_list("id", flat=True)
    )
    # The form's check across two filters still holds when both are named.
    dated = EventFilter(QueryDict("date_from=2025&date_to=2024"), queryset=Event.objects.all())
    assert not dated.is_valid() and "date_to" in dated.errors
    # Unbound, as the schema and forms read it: every filter.
    assert set(EventFilter(queryset=Event.objects.all()).filters) == set(EventFilter.base_filters)


def test_the_accepted_parameters_are_the_same_on_every_request(client, demo):
    for _ in range(2):
        assert client.get("/api/v1/events/", {"actr": "russia"}).status_code == 400
        assert client.get("/api/v1/events/", {"actor": "russia"}).status_code == 200
        assert client.get("/api/v1/events/us-ru-talks-riyadh-2025/", {"actor": "russia"}).status_code == 400
        assert client.get("/api/v1/events/export/", {"format": "csv", "actor": "russia"}).status_code == 200
