"""API tokens: the token's query also reads whether its user may see unpublished events (its own permission,
a group's, or a superuser's), as Django's permission checks answer it."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from events.models import Event, may_see_unpublished
from tests.demo import PUBLISHED_DEMO

pytestmark = pytest.mark.django_db


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def listed(client):
    response = client.get("/api/v1/events/", {"page_size": 1000})
    assert response.status_code == 200, response.content
    return [event["id"] for event in response.json()["results"]]


def view_event():
    return Permission.objects.get(content_type__app_label="events", codename="view_event")


@pytest.mark.parametrize("holder", ["nobody", "own", "group", "superuser", "inactive-superuser"])
def test_a_token_user_sees_what_its_permissions_allow(demo, holder):
    user = User.objects.create_user(f"reader-{holder}")
    if holder == "own":
        user.user_permissions.add(view_event())
    elif holder == "group":
        group = Group.objects.create(name="readers")
        group.permissions.add(Permission.objects.get(content_type__app_label="events", codename="change_event"))
        user.groups.add(group)
    elif holder.endswith("superuser"):
        user.is_superuser = True
    user.is_active = holder != "inactive-superuser"
    user.save()
    sees = may_see_unpublished(User.objects.get(pk=user.pk))  # Django's own answer, for a user read afresh
    assert sees == (holder in ("own", "group", "superuser"))
    client = token_client(user)
    if not user.is_active:
        assert client.get("/api/v1/events/").status_code == 401
        return
    assert listed(client) == ([e.pk for e in Event.objects.order_by("start", "id")] if sees else PUBLISHED_DEMO)


def test_the_token_and_the_permission_take_one_query(demo):
    client = token_client(User.objects.create_user("reader"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/events/us-ru-talks-riyadh-2025/").status_code == 200
    # The token, its user and the permission in one query; the event in one (and four more on SQLite).
    assert len(queries) == (2 if connection.vendor == "postgresql" else 6), [q["sql"] for q in queries]
