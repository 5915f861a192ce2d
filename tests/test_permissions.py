"""Who may do what: every API endpoint and method, the review workflow and the admin pages, per role.

The tables below are the matrix (docs/security.md, docs/curation.md); each cell is one test.
A cell marked in KNOWN_BUGS documents behaviour that differs from the matrix and is awaiting a fix.
"""

import copy

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from events.dataset import import_document
from events.models import Event
from tests.conftest import event_record

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "no-rights", "editor", "reviewer", "admin")

PUBLISHED = "us-ru-talks-riyadh-2025"
DRAFT = "sec-draft"
LONE = "sec-published"  # published, and no other event relates to it
NEW = "sec-new"


def draft_record(event_id, **fields):
    return event_record(event_id, review_state="draft", **fields)


# -- the API: (name, method, path, body) -> the status each role gets, in the order of ROLES
#    body: None, or a JSON body (a draft event; a full replacement; a partial change)

API = [
    ("list events", "get", "/api/v1/events/", None, (200, 200, 200, 200, 200)),
    ("list drafts", "get", "/api/v1/events/?review_state=draft", None, (403, 403, 200, 200, 200)),
    ("published event", "get", f"/api/v1/events/{PUBLISHED}/", None, (200, 200, 200, 200, 200)),
    ("draft event", "get", f"/api/v1/events/{DRAFT}/", None, (404, 404, 200, 200, 200)),
    ("list actors", "get", "/api/v1/actors/", None, (200, 200, 200, 200, 200)),
    ("actor", "get", "/api/v1/actors/russia/", None, (200, 200, 200, 200, 200)),
    ("list event types", "get", "/api/v1/event-types/", None, (200, 200, 200, 200, 200)),
    ("event type", "get", "/api/v1/event-types/talks/", None, (200, 200, 200, 200, 200)),
    ("list sources", "get", "/api/v1/sources/", None, (200, 200, 200, 200, 200)),
    ("timeline", "get", "/api/v1/timeline/?interval=month", None, (200, 200, 200, 200, 200)),
    ("deleted", "get", "/api/v1/events/deleted/", None, (200, 200, 200, 200, 200)),
    ("export", "get", "/api/v1/events/export/?format=csv", None, (200, 200, 200, 200, 200)),
    ("create draft", "post", "/api/v1/events/", draft_record(NEW), (401, 403, 201, 201, 201)),
    (
        "replace draft",
        "put",
        f"/api/v1/events/{DRAFT}/",
        draft_record(DRAFT, title="Replaced"),
        (401, 403, 200, 200, 200),
    ),
    ("change draft", "patch", f"/api/v1/events/{DRAFT}/", {"title": "Changed"}, (401, 403, 200, 200, 200)),
    ("delete draft", "delete", f"/api/v1/events/{DRAFT}/", None, (401, 403, 403, 204, 204)),
    ("delete published", "delete", f"/api/v1/events/{LONE}/", None, (401, 403, 403, 204, 204)),
    # Writes to what is read-only for everyone.
    # Read-only endpoints: the model permission is checked first (403), then the method (405).
    ("create actor", "post", "/api/v1/actors/", {"id": "x"}, (401, 403, 405, 405, 405)),
    ("delete actor", "delete", "/api/v1/actors/russia/", None, (401, 403, 403, 405, 405)),
]

# -- the review workflow through the API: (name, author of the draft, who asks, asked state) -> status

REVIEW = [
    ("editor cannot publish another's draft", "admin", "editor", "published", 403),
    ("editor cannot mark another's draft reviewed", "admin", "editor", "reviewed", 403),
    ("editor cannot publish own draft", "editor", "editor", "published", 403),
    ("reviewer publishes another's draft", "editor", "reviewer", "published", 200),
    ("reviewer marks another's draft reviewed", "editor", "reviewer", "reviewed", 200),
    ("reviewer cannot publish own draft", "reviewer", "reviewer", "published", 403),
    ("reviewer cannot mark own draft reviewed", "reviewer", "reviewer", "reviewed", 403),
    ("admin publishes own draft", "admin", "admin", "published", 200),
    ("no-rights user cannot publish", "editor", "no-rights", "published", 403),
]

# Creating an event straight as published: nobody but a superuser is another's second pair of eyes.
CREATE_PUBLISHED = dict(zip(ROLES, (401, 403, 403, 403, 201), strict=True))

# -- the admin: page -> status per role; "login" is a redirect to the login page

ADMIN = [
    ("event list", "admin:events_event_changelist", [], ("login", "login", 200, 200, 200)),
    ("event add", "admin:events_event_add", [], ("login", "login", 200, 200, 200)),
    ("event change", "admin:events_event_change", [DRAFT], ("login", "login", 200, 200, 200)),
    ("event delete", "admin:events_event_delete", [DRAFT], ("login", "login", 403, 200, 200)),
    ("event import", "admin:events_event_import", [], ("login", "login", 200, 200, 200)),
    ("events from an article", "admin:events_source_from_article", [], ("login", "login", 200, 200, 200)),
]

# Cells where the application does not do what the matrix says: "table/name/role" -> why.
KNOWN_BUGS = {}


def cells(table, roles=ROLES):
    return list(_cells(table, roles))


def _cells(table, roles):
    for row in table:
        name, *rest, expected = row
        for role, status in zip(roles, expected, strict=True):
            marks = []
            if f"{name}/{role}" in KNOWN_BUGS:
                marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[f"{name}/{role}"]))
            yield pytest.param(*rest, role, status, id=f"{name}-{role}", marks=marks)


# -- the roles


def make_user(role):
    if role == "anonymous":
        return None
    if role == "no-rights":
        return User.objects.create_user("nora", password="pass-8429!x")
    if role == "admin":
        return User.objects.create_superuser("ada", password="pass-8429!x")
    user = User.objects.create_user({"editor": "edith", "reviewer": "rita"}[role], is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def api_client(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def data(demo):
    import_document({"actors": [], "events": [draft_record(DRAFT), event_record(LONE)]})


# -- the cells


@pytest.mark.parametrize(("method", "path", "body", "role", "status"), cells(API))
def test_api_cell(data, method, path, body, role, status):
    response = getattr(api_client(make_user(role)), method)(path, copy.deepcopy(body), format="json")
    assert response.status_code == status, response.content[:300]


@pytest.mark.parametrize("role", ROLES)
def test_creating_a_published_event(demo, role):
    response = api_client(make_user(role)).post("/api/v1/events/", event_record(NEW), format="json")
    assert response.status_code == CREATE_PUBLISHED[role], response.content[:300]
    assert Event.objects.filter(pk=NEW).exists() == (response.status_code == 201)


@pytest.mark.parametrize(
    ("author", "asker", "state", "status"),
    [pytest.param(*rest, id=name) for name, *rest in REVIEW],
)
def test_review_transition(demo, author, asker, state, status):
    users = {role: make_user(role) for role in {author, asker}}
    created = api_client(users[author]).post("/api/v1/events/", draft_record(NEW), format="json")
    assert created.status_code == 201, created.content
    response = api_client(users[asker]).patch(f"/api/v1/events/{NEW}/", {"review_state": state}, format="json")
    assert response.status_code == status, response.content[:300]
    assert Event.objects.get(pk=NEW).review_state == (state if status == 200 else "draft")
    if status == 403:
        assert list(response.json()) in (["review_state"], ["detail"])


@pytest.mark.parametrize(("url_name", "args", "role", "status"), cells(ADMIN))
def test_admin_cell(data, url_name, args, role, status):
    client = Client()
    user = make_user(role)
    if user is not None:
        client.force_login(user)
    url = reverse(url_name, args=args)
    response = client.get(url)
    if status == "login":
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('admin:login')}?next={url}"
    else:
        assert response.status_code == status
