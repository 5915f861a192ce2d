"""Who may do what: every API endpoint and method, every admin page and action, and the review workflow, per role.

The tables below are the matrix (docs/security.md, docs/curation.md); each cell is one test.
Roles: anonymous; a user without rights (logged in, not staff, in no group); an editor and a
reviewer (staff, in the groups of migration 0005, reviewers also holding restore_event from 0008);
an admin (superuser). A cell marked in KNOWN_BUGS documents behaviour that differs from the matrix
and is awaiting a fix.
"""

import copy

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from events.dataset import import_document
from events.models import (
    Actor,
    Citation,
    Event,
    EventRelation,
    EventTombstone,
    EventType,
    Participant,
    Source,
    Tag,
)
from tests.demo import event_record

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "no-rights", "editor", "reviewer", "admin")

PUBLISHED = "us-ru-talks-riyadh-2025"  # published; the Istanbul talks relate to it
DRAFT = "sec-draft"
LONE = "sec-published"  # published, and no other event relates to it
GONE = "sec-gone"  # deleted: a tombstone and its history
NEW = "sec-new"


def draft_record(event_id, **fields):
    return event_record(event_id, review_state="draft", **fields)


# -- the API: (name, method, path, body) -> the status each role gets, in the order of ROLES
#    body: None, or a JSON body (a draft event; a full replacement; a partial change)

API = [
    # reading
    ("api root", "get", "/api/v1/", None, (200, 200, 200, 200, 200)),
    ("list events", "get", "/api/v1/events/", None, (200, 200, 200, 200, 200)),
    ("list drafts", "get", "/api/v1/events/?review_state=draft", None, (403, 403, 200, 200, 200)),
    ("published event", "get", f"/api/v1/events/{PUBLISHED}/", None, (200, 200, 200, 200, 200)),
    ("draft event", "get", f"/api/v1/events/{DRAFT}/", None, (404, 404, 200, 200, 200)),
    ("unknown event", "get", "/api/v1/events/no-such-event/", None, (404, 404, 404, 404, 404)),
    ("deleted event", "get", f"/api/v1/events/{GONE}/", None, (404, 404, 404, 404, 404)),
    ("export", "get", "/api/v1/events/export/?format=csv", None, (200, 200, 200, 200, 200)),
    (
        "export of drafts",
        "get",
        "/api/v1/events/export/?format=json&review_state=draft",
        None,
        (403, 403, 200, 200, 200),
    ),
    ("deleted feed", "get", "/api/v1/events/deleted/", None, (200, 200, 200, 200, 200)),
    ("timeline", "get", "/api/v1/timeline/?interval=month", None, (200, 200, 200, 200, 200)),
    ("timeline of drafts", "get", "/api/v1/timeline/?review_state=draft", None, (403, 403, 200, 200, 200)),
    ("list actors", "get", "/api/v1/actors/", None, (200, 200, 200, 200, 200)),
    ("actor", "get", "/api/v1/actors/russia/", None, (200, 200, 200, 200, 200)),
    ("list event types", "get", "/api/v1/event-types/", None, (200, 200, 200, 200, 200)),
    ("event type", "get", "/api/v1/event-types/talks/", None, (200, 200, 200, 200, 200)),
    ("list sources", "get", "/api/v1/sources/", None, (200, 200, 200, 200, 200)),
    ("schema", "get", "/api/schema/", None, (200, 200, 200, 200, 200)),
    ("docs", "get", "/api/docs/", None, (200, 200, 200, 200, 200)),
    # writing events
    ("create draft", "post", "/api/v1/events/", draft_record(NEW), (401, 403, 201, 201, 201)),
    (
        "replace draft",
        "put",
        f"/api/v1/events/{DRAFT}/",
        draft_record(DRAFT, title="Replaced"),
        (401, 403, 200, 200, 200),
    ),
    ("change draft", "patch", f"/api/v1/events/{DRAFT}/", {"title": "Changed"}, (401, 403, 200, 200, 200)),
    # Editors change drafts only; a change to a published event needs another reviewer (REVIEW_BY_ANOTHER):
    # a reviewer saves it as a draft, only a superuser changes it in place.
    (
        "replace published",
        "put",
        f"/api/v1/events/{LONE}/",
        event_record(LONE, title="Replaced"),
        (401, 403, 403, 403, 200),
    ),
    ("change published", "patch", f"/api/v1/events/{LONE}/", {"title": "Changed"}, (401, 403, 403, 403, 200)),
    (
        "change published back to draft",
        "patch",
        f"/api/v1/events/{LONE}/",
        {"title": "Changed", "review_state": "draft"},
        (401, 403, 403, 200, 200),
    ),
    ("delete draft", "delete", f"/api/v1/events/{DRAFT}/", None, (401, 403, 403, 204, 204)),
    ("delete published", "delete", f"/api/v1/events/{LONE}/", None, (401, 403, 403, 204, 204)),
    ("delete an event others relate to", "delete", f"/api/v1/events/{PUBLISHED}/", None, (401, 403, 403, 409, 409)),
    ("delete unknown event", "delete", "/api/v1/events/no-such-event/", None, (401, 403, 403, 404, 404)),
    # Writes to what is read-only for everyone.
    # Read-only endpoints: the model permission is checked first (403), then the method (405).
    ("create actor", "post", "/api/v1/actors/", {"id": "x"}, (401, 403, 405, 405, 405)),
    ("replace actor", "put", "/api/v1/actors/russia/", {"id": "russia"}, (401, 403, 405, 405, 405)),
    ("delete actor", "delete", "/api/v1/actors/russia/", None, (401, 403, 403, 405, 405)),
    ("create event type", "post", "/api/v1/event-types/", {"code": "x"}, (401, 403, 403, 403, 405)),
    ("change event type", "patch", "/api/v1/event-types/talks/", {"name": "x"}, (401, 403, 403, 405, 405)),
    ("create source", "post", "/api/v1/sources/", {"url": "https://example.org/x"}, (401, 403, 405, 405, 405)),
    ("write the timeline", "post", "/api/v1/timeline/", {}, (401, 403, 405, 405, 405)),
    ("write the deleted feed", "post", "/api/v1/events/deleted/", {}, (401, 403, 405, 405, 405)),
    ("write an export", "post", "/api/v1/events/export/?format=csv", {}, (401, 403, 405, 405, 405)),
]

# Creating an event straight as published: nobody but a superuser is another's second pair of eyes.
CREATE_PUBLISHED = dict(zip(ROLES, (401, 403, 403, 403, 201), strict=True))

# -- the admin pages: (name, url name, args) -> status per role; "login" is a redirect to the login page.
#    Args name an object: an event id, or a model whose first row is meant.


def part(model, event_id, field="event"):
    """The first participant, citation or relation of an event, found when the test runs."""
    return lambda: model.objects.filter(**{f"{field}_id": event_id}).order_by("pk").first().pk


ALL_STAFF, STAFF_BUT_EDITORS, ADMIN_ONLY, NOBODY = (
    ("login", "login", 200, 200, 200),
    ("login", "login", 403, 200, 200),
    ("login", "login", 403, 403, 200),
    ("login", "login", 403, 403, 403),
)
# What each group may do with each model (migration 0005): view, add, change, delete.
CURATED = {
    "actor": Actor,
    "event": Event,
    "participant": Participant,
    "citation": Citation,
    "source": Source,
    "eventrelation": EventRelation,
    "tag": Tag,
}


def model_pages():
    rows = []
    for name, model in {**CURATED, "eventtype": EventType}.items():
        deleting = STAFF_BUT_EDITORS if name in ("actor", "event", "source", "tag") else ALL_STAFF
        adding = ADMIN_ONLY if name == "eventtype" else ALL_STAFF
        if name == "eventtype":
            deleting = ADMIN_ONLY
        # A draft's: an editor may change and delete the participants, citations and relations of drafts only.
        obj = {
            "event": DRAFT,
            "participant": part(Participant, DRAFT),
            "citation": part(Citation, DRAFT),
            "eventrelation": part(EventRelation, "us-ru-working-contacts-2025-11", "from_event"),
        }.get(name, model)
        rows += [
            (f"{name} list", f"admin:events_{name}_changelist", (), ALL_STAFF),
            (f"{name} add", f"admin:events_{name}_add", (), adding),
            (f"{name} change", f"admin:events_{name}_change", (obj,), ALL_STAFF),
            (f"{name} delete", f"admin:events_{name}_delete", (obj,), deleting),
            (f"{name} history", f"admin:events_{name}_history", (obj,), ALL_STAFF),
        ]
    return rows


ADMIN = [
    ("admin index", "admin:index", (), ALL_STAFF),
    *model_pages(),
    ("published event change", "admin:events_event_change", (PUBLISHED,), ALL_STAFF),
    ("published event delete", "admin:events_event_delete", (LONE,), STAFF_BUT_EDITORS),
    ("event import", "admin:events_event_import", (), ALL_STAFF),
    ("events from an article", "admin:events_source_from_article", (), ALL_STAFF),
    ("deleted events", "admin:events_eventtombstone_changelist", (), ALL_STAFF),
    ("deleted event", "admin:events_eventtombstone_change", (EventTombstone,), ALL_STAFF),
    ("deleted event history", "admin:events_eventtombstone_history", (EventTombstone,), ALL_STAFF),
    ("deleted event add", "admin:events_eventtombstone_add", (), NOBODY),
    # A tombstone tells mirrors to delete their copy: only a superuser may take one away by hand.
    ("deleted event delete", "admin:events_eventtombstone_delete", (EventTombstone,), ADMIN_ONLY),
    # A participant, citation or relation is part of its event: editors change those of drafts only, and
    # those of a published event are a superuser's (REVIEW_BY_ANOTHER: a change needs another reviewer).
    ("participant of a draft delete", "admin:events_participant_delete", (part(Participant, DRAFT),), ALL_STAFF),
    (
        "participant of a published event delete",
        "admin:events_participant_delete",
        (part(Participant, LONE),),
        ADMIN_ONLY,
    ),
    (
        "relation of a published event delete",
        "admin:events_eventrelation_delete",
        (part(EventRelation, PUBLISHED, "from_event"),),
        ADMIN_ONLY,
    ),
    ("citation of a draft delete", "admin:events_citation_delete", (part(Citation, DRAFT),), ALL_STAFF),
    # A published event keeps at least one source: its only citation stays, whoever asks.
    ("only citation of a published event delete", "admin:events_citation_delete", (part(Citation, LONE),), NOBODY),
    ("users", "admin:auth_user_changelist", (), ADMIN_ONLY),
    ("groups", "admin:auth_group_changelist", (), ADMIN_ONLY),
]

# -- the admin's actions: (name, list, action, selected object) -> what happens, per role.
#    "login": redirected to log in; "refused": the action is not offered and nothing changes;
#    "done": it happens (an export: the file; a change: the stored state).

ACTIONS = [
    ("mark reviewed", "event", "mark_reviewed", DRAFT, ("login", "login", "refused", "done", "done")),
    ("publish", "event", "publish", DRAFT, ("login", "login", "refused", "done", "done")),
    ("return to draft", "event", "return_to_draft", LONE, ("login", "login", "refused", "done", "done")),
    ("export dataset", "event", "export_dataset", LONE, ("login", "login", "done", "done", "done")),
    ("export csv", "event", "export_csv", LONE, ("login", "login", "done", "done", "done")),
    ("delete events", "event", "delete_selected", LONE, ("login", "login", "refused", "done", "done")),
    ("restore", "eventtombstone", "restore", GONE, ("login", "login", "refused", "done", "done")),
    (
        "delete deleted events",
        "eventtombstone",
        "delete_selected",
        GONE,
        ("login", "login", "refused", "refused", "done"),
    ),
]

# The restore button of a deleted event's page: a POST to its own URL.
RESTORE_BUTTON = dict(zip(ROLES, ("login", "login", 403, 302, 302), strict=True))

# -- the review workflow: (name, REVIEW_BY_ANOTHER, the draft's author, earlier moves, asker, asked state) -> allowed?
#    Earlier moves are (role, state) made before, each by someone allowed to; each row runs through
#    the API (PATCH review_state: 200 or 403) and through the admin's actions (moved or refused).

REVIEW = [
    ("editor cannot publish another's draft", True, "admin", [], "editor", "published", False),
    ("editor cannot mark another's draft reviewed", True, "admin", [], "editor", "reviewed", False),
    ("editor cannot publish own draft", True, "editor", [], "editor", "published", False),
    ("editor cannot publish own draft without REVIEW_BY_ANOTHER", False, "editor", [], "editor", "published", False),
    (
        "editor cannot return a reviewed event to draft",
        True,
        "editor",
        [("reviewer", "reviewed")],
        "editor",
        "draft",
        False,
    ),
    ("editor cannot unpublish", True, "editor", [("reviewer", "published")], "editor", "draft", False),
    ("reviewer publishes another's draft", True, "editor", [], "reviewer", "published", True),
    ("reviewer marks another's draft reviewed", True, "editor", [], "reviewer", "reviewed", True),
    ("reviewer returns a reviewed event to draft", True, "editor", [("admin", "reviewed")], "reviewer", "draft", True),
    ("reviewer unpublishes", True, "editor", [("admin", "published")], "reviewer", "draft", True),
    (
        "reviewer publishes what another reviewed",
        True,
        "editor",
        [("admin", "reviewed")],
        "reviewer",
        "published",
        True,
    ),
    ("reviewer cannot publish own draft", True, "reviewer", [], "reviewer", "published", False),
    ("reviewer cannot mark own draft reviewed", True, "reviewer", [], "reviewer", "reviewed", False),
    ("reviewer publishes own draft without REVIEW_BY_ANOTHER", False, "reviewer", [], "reviewer", "published", True),
    ("admin publishes own draft", True, "admin", [], "admin", "published", True),
    ("admin returns a published event to draft", True, "editor", [("reviewer", "published")], "admin", "draft", True),
    ("no-rights user cannot publish", True, "editor", [], "no-rights", "published", False),
    ("anonymous cannot publish", True, "editor", [], "anonymous", "published", False),
]

# What the API answers when the move is refused: 401 without credentials, else 403.
REFUSED_STATUS = {"anonymous": 401}

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
    """The user of a role; no passwords (hashing them is most of a test's time): tests log in by force."""
    if role == "anonymous":
        return None
    if role == "no-rights":
        return User.objects.create_user("nora")
    if role == "admin":
        return User.objects.create_superuser("ada")
    user = User.objects.create_user({"editor": "edith", "reviewer": "rita"}[role], is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def api_client(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def admin_client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def assert_sent_to_login(response, url):
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"


@pytest.fixture
def data(demo):
    import_document(
        {"actors": [], "events": [draft_record(DRAFT), event_record(LONE), event_record(GONE, title="Gone")]}
    )
    # Deleted as the API and the admin do: the tombstone's time first, then the delete.
    tombstone = EventTombstone(event_id=GONE)
    Event.objects.get(pk=GONE).delete()
    tombstone.save()


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


@pytest.mark.parametrize(("url_name", "args", "role", "status"), cells(ADMIN))
def test_admin_cell(data, url_name, args, role, status):
    client = admin_client(make_user(role))
    args = [
        arg if isinstance(arg, str) else arg.objects.order_by("pk").first().pk if isinstance(arg, type) else arg()
        for arg in args
    ]
    url = reverse(url_name, args=args)
    response = client.get(url)
    if status == "login":
        assert_sent_to_login(response, url)
    else:
        assert response.status_code == status


def changed(list_name, action, pk):
    """What the action did to its object, as the test can see it."""
    if list_name == "eventtombstone":
        if action == "delete_selected":
            return not EventTombstone.objects.filter(event_id=pk).exists()
        return Event.objects.filter(pk=pk).exists()
    event = Event.objects.filter(pk=pk).first()
    if action == "delete_selected":
        # Deleted in the admin as through the API: a tombstone tells mirrors, the history keeps it.
        return event is None and EventTombstone.objects.filter(event_id=pk).exists()
    return event.review_state != {"mark_reviewed": "draft", "publish": "draft", "return_to_draft": "published"}[action]


@pytest.mark.parametrize(("list_name", "action", "pk", "role", "outcome"), cells(ACTIONS))
def test_admin_action_cell(data, list_name, action, pk, role, outcome):
    client = admin_client(make_user(role))
    # Someone else edited the event last: REVIEW_BY_ANOTHER lets the reviewer act.
    Event.objects.filter(pk=pk).update(updated_by=User.objects.create_user("other"))
    if list_name == "eventtombstone":
        pk = EventTombstone.objects.get(event_id=pk).pk
    url = reverse(f"admin:events_{list_name}_changelist")
    body = {"action": action, "_selected_action": [pk]}
    if action == "delete_selected":
        body["post"] = "yes"  # the confirmation page's answer
    response = client.post(url, body)
    pk = GONE if list_name == "eventtombstone" else pk
    if action.startswith("export"):
        if outcome == "login":
            assert_sent_to_login(response, url)
        else:
            assert response.status_code == 200
            assert response["Content-Disposition"].startswith("attachment; ")
        return
    if outcome == "login":
        assert_sent_to_login(response, url)
    else:
        # Back to the list (302); a list offering no action at all to the user shows itself again (200).
        assert response.status_code in (200, 302)
    assert changed(list_name, action, pk) == (outcome == "done")


@pytest.mark.parametrize("role", ROLES)
def test_restore_button_cell(data, role):
    url = reverse("admin:events_eventtombstone_restore", args=[EventTombstone.objects.get(event_id=GONE).pk])
    response = admin_client(make_user(role)).post(url)
    if RESTORE_BUTTON[role] == "login":
        assert_sent_to_login(response, url)
    else:
        assert response.status_code == RESTORE_BUTTON[role]
    assert Event.objects.filter(pk=GONE).exists() == (RESTORE_BUTTON[role] == 302)


def prepare_review(demo_users, author, moves):
    """A draft by `author`, moved through `moves` by users allowed to; returns its id."""
    created = api_client(demo_users[author]).post("/api/v1/events/", draft_record(NEW), format="json")
    assert created.status_code == 201, created.content
    for role, state in moves:
        moved = api_client(demo_users[role]).patch(f"/api/v1/events/{NEW}/", {"review_state": state}, format="json")
        assert moved.status_code == 200, moved.content
    return Event.objects.get(pk=NEW).review_state


def review_users(author, moves, asker):
    return {role: make_user(role) for role in {author, asker, *(role for role, _ in moves)}}


REVIEW_CELLS = [
    pytest.param(*rest, channel, id=f"{name}-{channel}")
    for name, *rest in REVIEW
    for channel in ("api", "admin action")
]


@pytest.mark.parametrize(("review_by_another", "author", "moves", "asker", "state", "allowed", "channel"), REVIEW_CELLS)
def test_review_transition(demo, settings, review_by_another, author, moves, asker, state, allowed, channel):
    settings.REVIEW_BY_ANOTHER = review_by_another
    users = review_users(author, moves, asker)
    before = prepare_review(users, author, moves)
    if channel == "api":
        response = api_client(users[asker]).patch(f"/api/v1/events/{NEW}/", {"review_state": state}, format="json")
        assert response.status_code == (200 if allowed else REFUSED_STATUS.get(asker, 403)), response.content[:300]
        if response.status_code == 403:
            assert list(response.json()) in (["review_state"], ["detail"])
    else:
        action = {"reviewed": "mark_reviewed", "published": "publish", "draft": "return_to_draft"}[state]
        url = reverse("admin:events_event_changelist")
        response = admin_client(users[asker]).post(url, {"action": action, "_selected_action": [NEW]})
        assert response.status_code == 302
    assert Event.objects.get(pk=NEW).review_state == (state if allowed else before)


# -- staff status alone shows nothing more: unpublished events are for the accounts that may view events

BARE_STAFF_READS = [
    "/api/v1/events/?page_size=1000",
    f"/api/v1/events/{DRAFT}/",
    "/api/v1/events/?review_state=draft",
    "/api/v1/events/sec-follow-up/",
    "/api/v1/timeline/?interval=day",
    "/api/v1/timeline/?review_state=draft",
    *[f"/api/v1/events/export/?format={name}" for name in ("csv", "json", "ndjson", "ics", "geojson", "timelinejs")],
    "/api/v1/events/export/?format=json&review_state=draft",
    "/api/v1/sources/?page_size=1000",
    "/api/v1/events/deleted/",
]


@pytest.fixture
def unpublished_traces(data):
    """What drafts leave behind: a published event related to a draft, a draft cited alone, a deleted draft."""
    related = [{"event": DRAFT, "relation": "followed_by"}, {"event": LONE, "relation": "follows"}]
    draft_source = {**draft_record("x")["sources"][0], "url": "https://example.org/draft-only"}
    import_document(
        {
            "actors": [],
            "events": [
                event_record("sec-follow-up", related=related),
                draft_record("sec-draft-source", sources=[draft_source]),
                draft_record("sec-gone-draft"),
            ],
        }
    )
    tombstone = EventTombstone(event_id="sec-gone-draft")
    Event.objects.get(pk="sec-gone-draft").delete()
    tombstone.save()


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("path", BARE_STAFF_READS)
def test_a_staff_account_in_no_group_reads_what_anonymous_readers_read(unpublished_traces, path):
    bare = User.objects.create_user("stan", is_staff=True)
    anonymous, staff = api_client(None).get(path), api_client(bare).get(path)
    assert (staff.status_code, body(staff)) == (anonymous.status_code, body(anonymous))
    # Not because nothing is there to see: a curator sees more.
    curator = api_client(make_user("editor")).get(path)
    assert (curator.status_code, body(curator)) != (anonymous.status_code, body(anonymous))
