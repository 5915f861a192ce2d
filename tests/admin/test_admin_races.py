"""Curators in the admin at the same moment as each other, or as an import: no 500, no write lost, and no
change that published events show gets past the review rules between a check and a save.

The concurrent tests need PostgreSQL (real row locks, several connections) and commit for real, as those
of tests/operations/test_concurrency.py do; each holds a lock that stops the first writer where the race
would be lost, until the second is waiting too.
"""

import secrets
import threading

import requests
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from events.dataset import import_document
from events.models import Actor, Citation, Event, Source
from tests.admin.test_admin import change_form_data, member_of
from tests.demo import actor_record, dataset, event_record
from tests.operations.test_concurrency import (
    WAIT,
    committed,
    postgresql_only,
    wait_until,
    waiting_backends,
)

ACTOR_ADD = reverse("admin:events_actor_add")


def browser_of(site, user):
    """A function that posts a form to the admin as `user`'s browser would, over a session of its own:
    it takes the path and the fields, and returns the response."""
    client = Client()
    client.force_login(user)
    csrf = secrets.token_hex(16)
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}

    def post(path, data):
        data = {**data, "csrfmiddlewaretoken": csrf}
        return requests.post(f"{site}{path}", data=data, cookies=cookies, allow_redirects=False, timeout=WAIT)

    return client, post


def started(*sends):
    """Each of `sends` called in a thread of its own, started now; join them with `answered`."""
    responses = [None] * len(sends)

    def run(i, send):
        responses[i] = send()

    threads = [threading.Thread(target=run, args=(i, send)) for i, send in enumerate(sends)]
    for thread in threads:
        thread.start()
    return threads, responses


def answered(threads, responses):
    for thread in threads:
        thread.join(timeout=WAIT)
    return responses


def actor_history(actor_id):
    return list(Actor.history.filter(id=actor_id).order_by("history_id").values_list("history_type", flat=True))


def taken(actor_id, name):
    return f"The actor {actor_id!r} exists already: {name}. Open it to change it, or choose another id."


def new_actor(name):
    return {"id": "ru-mfa-spokesperson", "name": name, "kind": "person", "country": "RUS", "aliases": "[]"}


@postgresql_only
@committed
def test_two_curators_adding_one_actor_at_once_store_it_once_and_the_second_is_told_why(live_server):
    import_document(dataset())
    sends = []
    for name in ("ann", "bob"):
        client, post = browser_of(live_server.url, User.objects.create_superuser(name, password="pass-8429!x"))
        form = {**change_form_data(client, ACTOR_ADD), **new_actor(f"Spokesperson, as {name} typed it")}
        sends.append(lambda post=post, form=form: post(ACTOR_ADD, form))

    with transaction.atomic(), connection.cursor() as cursor:
        # Reading the actors goes on; writing one waits. Both curators' forms are checked while the id is
        # free, and each save then waits: Django's UPDATE-then-INSERT of a row whose id is given would
        # overwrite the first curator's actor, or fail on its key with a 500.
        cursor.execute("LOCK TABLE events_actor IN SHARE MODE")
        threads, responses = started(*sends)
        wait_until(lambda: waiting_backends() >= 2, "both curators' saves waiting")
    first, second = answered(threads, responses)

    assert sorted([first.status_code, second.status_code]) == [200, 302], [first.text[:300], second.text[:300]]
    refused = first if first.status_code == 200 else second
    stored = Actor.objects.get(pk="ru-mfa-spokesperson")
    assert taken("ru-mfa-spokesperson", stored.name) in refused.text.replace("&#x27;", "'")
    assert actor_history("ru-mfa-spokesperson") == ["+"]


def test_adding_an_actor_whose_id_is_taken_names_the_stored_actor(admin_client, demo):
    form = {**change_form_data(admin_client, ACTOR_ADD), **new_actor("Mine"), "id": "russia"}
    response = admin_client.post(ACTOR_ADD, form)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["id"] == [taken("russia", "Russia")]
    assert Actor.objects.get(pk="russia").name == "Russia"


@postgresql_only
@committed
def test_a_source_change_checked_while_drafts_alone_cite_it_is_not_published_unreviewed(live_server):
    import_document(dataset(event_record("draft-only", review_state="draft")))
    source = Source.objects.get(url="https://example.org/talks")
    url = reverse("admin:events_source_change", args=[source.pk])
    edith, post = browser_of(live_server.url, member_of("editor", "edith")[0])
    form = {**change_form_data(edith, url), "title": "Edith's title"}
    _, as_ann = browser_of(live_server.url, User.objects.create_superuser("ann", password="pass-8429!x"))

    def publish():
        # The event list's action: it changes the event's review state alone, never its sources.
        action = {"action": "publish", "_selected_action": ["draft-only"], "index": "0"}
        return as_ann(reverse("admin:events_event_changelist"), action)

    with transaction.atomic(), connection.cursor() as cursor:
        # Edith's form is checked (drafts alone cite the source) and her change written; she waits to record
        # it in the history, her transaction open. A reviewer publishes the event that cites it meanwhile:
        # without a lock on the citing events, the publication commits before Edith's change, which then
        # reaches the published event unreviewed.
        cursor.execute("LOCK TABLE events_historicalsource IN ACCESS EXCLUSIVE MODE")
        (edith_thread,), edith_saved = started(lambda: post(url, form))
        wait_until(lambda: waiting_backends() >= 1, "Edith's save waiting")
        threads, published = started(publish)
        wait_until(lambda: published[0] is not None or waiting_backends() >= 2, "the publication, or its wait")
        state_meanwhile = Event.objects.values_list("review_state", flat=True).get(pk="draft-only")
    (saved,) = answered([edith_thread], edith_saved)
    (publication,) = answered(threads, published)

    # Edith changed a source that drafts alone cite; the publication waited for her change, then published
    # the event as it stood.
    assert (saved.status_code, publication.status_code) == (302, 302), [saved.text[:300], publication.text[:300]]
    assert state_meanwhile == "draft"
    assert Event.objects.get(pk="draft-only").review_state == "published"
    assert Source.objects.get(pk=source.pk).title == "Edith's title"


def cite(event_id, source):
    """Cite `source` in the event, in a transaction of its own (a thread's connection); the error, if any."""
    try:
        with transaction.atomic():
            Citation.objects.create(event_id=event_id, source=source)
    except IntegrityError as exc:
        return exc
    finally:
        connection.close()
    return None


@postgresql_only
@committed
def test_a_source_deleted_while_an_event_cites_it_is_never_a_500(live_server):
    import_document(dataset(event_record("citing", review_state="draft")))
    spare = Source.objects.create(url="https://example.org/spare", title="Spare")
    _, post = browser_of(live_server.url, User.objects.create_superuser("ann", password="pass-8429!x"))
    url = reverse("admin:events_source_delete", args=[spare.pk])

    with transaction.atomic(), connection.cursor() as cursor:
        # The delete has found nothing citing the source, and waits to log itself before it deletes. Another
        # write cites the source meanwhile: Django's check is past, and the foreign key, checked at the
        # commit, would fail the delete with a 500.
        cursor.execute("LOCK TABLE django_admin_log IN ACCESS EXCLUSIVE MODE")
        (deleting,), deleted = started(lambda: post(url, {"post": "yes"}))
        wait_until(lambda: waiting_backends() >= 1, "the delete waiting to log itself")
        (citing,), cited = started(lambda: cite("citing", spare))
        wait_until(lambda: not citing.is_alive() or waiting_backends() >= 2, "the citation, or its wait")
    (response,) = answered([deleting], deleted)
    (citation_error,) = answered([citing], cited)

    # The delete locked the source before its check: the citing write waited, and found it gone.
    assert response.status_code == 302, response.text[:300]
    assert not Source.objects.filter(pk=spare.pk).exists()
    assert isinstance(citation_error, IntegrityError), citation_error


@postgresql_only
@committed
def test_a_rename_checked_while_drafts_alone_show_the_actor_is_not_published_unreviewed(live_server):
    participants = [{"actor": "lonely", "role": "participant"}]
    import_document(
        dataset(
            event_record("draft-only", review_state="draft", participants=participants), actors=[actor_record("lonely")]
        )
    )
    url = reverse("admin:events_actor_change", args=["lonely"])
    rita, post = browser_of(live_server.url, member_of("reviewer", "rita")[0])
    form = {**change_form_data(rita, url), "name": "Rita's name"}
    _, as_ann = browser_of(live_server.url, User.objects.create_superuser("ann", password="pass-8429!x"))

    def publish():
        action = {"action": "publish", "_selected_action": ["draft-only"], "index": "0"}
        return as_ann(reverse("admin:events_event_changelist"), action)

    with transaction.atomic(), connection.cursor() as cursor:
        # Rita's rename is checked (drafts alone show the actor) and written; she waits to record it in the
        # history. Without a lock on the events that show the actor, the publication commits meanwhile.
        cursor.execute("LOCK TABLE events_historicalactor IN ACCESS EXCLUSIVE MODE")
        (rita_thread,), rita_saved = started(lambda: post(url, form))
        wait_until(lambda: waiting_backends() >= 1, "Rita's save waiting")
        threads, published = started(publish)
        wait_until(lambda: published[0] is not None or waiting_backends() >= 2, "the publication, or its wait")
        state_meanwhile = Event.objects.values_list("review_state", flat=True).get(pk="draft-only")
    (saved,) = answered([rita_thread], rita_saved)
    (publication,) = answered(threads, published)

    assert (saved.status_code, publication.status_code) == (302, 302), [saved.text[:300], publication.text[:300]]
    assert state_meanwhile == "draft"
    assert Event.objects.get(pk="draft-only").review_state == "published"
    assert Actor.objects.get(pk="lonely").name == "Rita's name"


@postgresql_only
@committed
def test_a_bulk_publication_waits_for_an_edit_in_progress_and_publishes_it_whole(live_server):
    import_document(dataset(event_record("draft-edited", review_state="draft")))
    url = reverse("admin:events_event_change", args=["draft-edited"])
    edith, post = browser_of(live_server.url, member_of("editor", "edith")[0])
    form = {**change_form_data(edith, url), "title": "Edith's title"}
    _, as_rita = browser_of(live_server.url, member_of("reviewer", "rita")[0])

    def publish():
        action = {"action": "publish", "_selected_action": ["draft-edited"], "index": "0"}
        return as_rita(reverse("admin:events_event_changelist"), action)

    with transaction.atomic(), connection.cursor() as cursor:
        # Edith's edit of the draft is written; she waits to record it in the history, her transaction open.
        # Rita publishes the event from the list meanwhile: read without a lock, the event she saves is the
        # one before Edith's edit, and its save, once Edith commits, writes the old title back.
        cursor.execute("LOCK TABLE events_historicalevent IN ACCESS EXCLUSIVE MODE")
        (edith_thread,), edith_saved = started(lambda: post(url, form))
        wait_until(lambda: waiting_backends() >= 1, "Edith's save waiting")
        threads, published = started(publish)
        wait_until(lambda: published[0] is not None or waiting_backends() >= 2, "the publication, or its wait")
    (saved,) = answered([edith_thread], edith_saved)
    (publication,) = answered(threads, published)

    assert (saved.status_code, publication.status_code) == (302, 302), [saved.text[:300], publication.text[:300]]
    event = Event.objects.select_related("updated_by").get(pk="draft-edited")
    editor = event.updated_by and event.updated_by.username
    assert (event.title, event.review_state, editor) == ("Edith's title", "published", "edith")
    titles = list(Event.history.filter(id="draft-edited").order_by("history_id").values_list("title", flat=True))
    assert titles[-2:] == ["Edith's title", "Edith's title"]
