"""The page's "as of" control: the list, the facets and the downloads as the data stood at a moment."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from tests.page.test_page import listed, page_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed_since(demo):
    """The moment before the first published demo event is retitled and the last one deleted."""
    moment = timezone.now()
    curator = APIClient()
    curator.force_authenticate(User.objects.create_superuser("ada"))
    published = [event["id"] for event in demo["events"] if event.get("review_state", "published") == "published"]
    targets = {related["event"] for event in demo["events"] for related in event.get("related") or []}
    first, last = published[0], [event_id for event_id in published if event_id not in targets][-1]
    assert curator.patch(f"/api/v1/events/{first}/", {"title": "Retitled since"}, format="json").status_code == 200
    assert curator.delete(f"/api/v1/events/{last}/").status_code == 204
    return moment, (first, last)


def test_it_lists_the_events_as_they_stood(client, changed_since):
    (moment, (first, last)) = changed_since
    now = client.get("/")
    then = client.get("/", {"as_of": moment.isoformat()})
    assert then.status_code == 200
    assert last not in listed(now) and last in listed(then)
    assert "Retitled since" in now.content.decode() and "Retitled since" not in then.content.decode()
    assert f'value="{moment.isoformat()}"' in then.content.decode().replace("&#x2B;", "+")


def test_its_downloads_and_the_script_ask_for_the_same_moment_but_its_feed_does_not(client, changed_since):
    (moment, _) = changed_since
    response = client.get("/", {"as_of": moment.isoformat()})
    html = response.content.decode().replace("&amp;", "&")
    links = re.findall(r'href="(/api/v1/events/export/\?[^"]+)"', html)
    assert links and all("as_of=" in link for link in links)
    feed = re.search(r'href="(/api/v1/events/feed/[^"]*)"', html).group(1)
    assert "as_of" not in feed
    assert "as_of=" in page_data(response)["query"]


def test_a_moment_in_the_future_is_said_as_a_400(client, demo):
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    response = client.get("/", {"as_of": tomorrow.isoformat()})
    assert response.status_code == 400
    assert "<li><strong>As of</strong>: is in the future" in response.content.decode()
    assert listed(response) == []
