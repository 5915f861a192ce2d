"""Importing in the admin: a dataset file or a CSV, previewed, then confirmed; possible duplicates shown."""

import json

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from events.admin.upload import csv_to_document
from events.dataset import actor_to_dict, event_to_dict
from events.exports import FORMATS
from events.models import Actor, Event
from tests.demo import ARTICLE_URL, export_text, row_counts

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:events_event_import")


def upload(client, name, content):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content.encode())})


def new_talks(**fields):
    return {
        "id": "ru-us-talks-2025-04",
        "title": "Russian and US diplomats hold a second round in Istanbul",
        "type": "talks",
        "start": "2025-04-10",
        "participants": [{"actor": "russia", "role": "participant"}, {"actor": "united-states", "role": "participant"}],
        "review_state": "draft",
        **fields,
    }


def test_a_good_file_is_previewed_without_writing_then_imported_on_confirmation(admin_client, demo):
    before = row_counts()
    response = upload(admin_client, "new.json", json.dumps({"events": [new_talks()]}))
    assert response.status_code == 200
    assert "ready to import" in response.content.decode()
    assert response.context["preview"].summary.created["events"] == 1
    assert row_counts() == before
    response = admin_client.post(IMPORT, {"confirm": "1"})
    assert response.status_code == 302
    event = Event.objects.get(pk="ru-us-talks-2025-04")
    assert event.created_by.username == "admin"
    assert event.history.latest().history_change_reason == "admin import"


def test_a_bad_file_lists_every_problem_by_record_and_field_and_writes_nothing(admin_client, demo):
    before = row_counts()
    document = {
        "events": [
            new_talks(start="2025-13-01"),
            new_talks(id="second", participants=[{"actor": "atlantis", "role": "participant"}]),
        ]
    }
    response = upload(admin_client, "bad.json", json.dumps(document))
    problems = [(p.record, p.field) for p in response.context["problems"]]
    assert problems == [("event ru-us-talks-2025-04", "start"), ("event second", "participants[0].actor")]
    assert "nothing will be imported" in response.content.decode()
    assert admin_client.post(IMPORT, {"confirm": "1"}).status_code == 200
    assert row_counts() == before


def test_truncated_json_is_named(admin_client, demo):
    response = upload(admin_client, "cut.json", '{"events": [')
    assert [(p.record, p.field) for p in response.context["problems"]] == [("file", "json")]


def test_the_csv_export_imports_back_unchanged(admin_client, demo):
    csv_text = "".join(FORMATS["csv"].stream(Event.objects.order_by("start", "id")))
    before = export_text()
    response = upload(admin_client, "events.csv", csv_text)
    summary = response.context["preview"].summary
    assert (summary.created["events"], summary.updated["events"]) == (0, 0)
    assert summary.unchanged["events"] == Event.objects.count()
    admin_client.post(IMPORT, {"confirm": "1"})
    assert export_text() == before


def test_a_csv_row_becomes_a_dataset_event():
    text = (
        "id,title,type,start,start_precision,initiators,targets,source_urls,quotes,claimed_by,tags\r\n"
        "us-cap-2017,US caps Russian staff,diplomats.staff_limits,2017-07,month,united-states,russia,"
        'https://example.org/a | https://example.org/b,"He said \\| it | Second",russia | ,cap; staff\r\n'
    )
    event = csv_to_document(text)["events"][0]
    assert event["participants"] == [
        {"actor": "united-states", "role": "initiator"},
        {"actor": "russia", "role": "target"},
    ]
    assert [(s["url"], s["quote"], s["claimed_by"]) for s in event["sources"]] == [
        ("https://example.org/a", "He said | it", "russia"),
        ("https://example.org/b", "Second", None),
    ]
    assert event["tags"] == ["cap", "staff"]


def test_a_csv_without_the_required_columns_is_refused(admin_client, demo):
    response = upload(admin_client, "x.csv", "name,when\r\nx,2020\r\n")
    fields = {(p.record, p.field, p.message) for p in response.context["problems"]}
    assert ("file", "csv", "missing column 'id'") in fields
    assert ("file", "csv", "unknown column 'name' (see docs/exports.md)") in fields


def test_an_editor_cannot_publish_through_an_upload(demo):
    editor = User.objects.create_user("edith", is_staff=True)
    editor.groups.add(Group.objects.get(name="editor"))
    client = Client()
    client.force_login(editor)
    source = {
        "url": "https://example.org/round-2",
        "title": "Second round",
        "publisher": "Example",
        "quote": "They met.",
    }
    document = {"events": [new_talks(review_state="published", sources=[source])]}
    response = upload(client, "pub.json", json.dumps(document))
    assert [(p.record, p.field) for p in response.context["problems"]] == [
        ("event ru-us-talks-2025-04", "review_state")
    ]
    assert not Event.objects.filter(pk="ru-us-talks-2025-04").exists()


def test_the_preview_names_possible_duplicates(admin_client, demo):
    response = upload(
        admin_client, "dup.json", json.dumps({"events": [new_talks(start="2025-02", start_precision="month")]})
    )
    duplicates = dict(response.context["preview"].duplicates)
    assert "us-ru-talks-riyadh-2025" in [e.pk for e in duplicates["ru-us-talks-2025-04"]]


def test_the_page_of_a_draft_shows_its_possible_duplicates(admin_client, demo):
    response = admin_client.get(reverse("admin:events_event_change", args=["us-ru-working-contacts-2025-11"]))
    assert "may repeat one already stored" in response.content.decode()
    assert "us-ru-bilateral-dialogue-2025" in [e.pk for e in response.context["duplicates"]]


def test_only_curators_who_may_add_and_change_events_reach_the_import(demo):
    user = User.objects.create_user("viewer", is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get(IMPORT).status_code == 403


def test_a_file_over_the_limit_is_refused_with_413_naming_the_limit(admin_client, demo, settings):
    settings.MAX_UPLOAD_BYTES = 2**20
    before = row_counts()
    big = json.dumps({"events": [new_talks(summary="x" * (2**20 + 100))]})  # within the form's room: the view says
    response = upload(admin_client, "big.json", big)
    assert response.status_code == 413
    assert "larger than 1 MB: use manage.py import_dataset" in response.content.decode()
    assert row_counts() == before


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(admin_client, demo, settings):
    settings.MAX_UPLOAD_BYTES = 2000
    before = row_counts()
    response = upload(admin_client, "huge.json", json.dumps({"events": [new_talks(summary="x" * 200_000)]}))
    assert response.status_code == 413
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Import larger files with manage.py import_dataset" in response.content.decode()
    assert row_counts() == before
    assert admin_client.post("/admin/login/", {"username": "x" * 200_000}).status_code == 413


def curator(group):
    user = User.objects.create_user(group, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


def test_a_reviewers_upload_changes_a_published_event_only_back_to_draft(demo):
    client = curator("reviewer")
    record = event_to_dict(Event.objects.with_dataset_relations().get(pk="us-ru-talks-riyadh-2025"))
    response = upload(client, "riyadh.json", json.dumps({"events": [{**record, "title": "Mine"}]}))
    assert [(p.record, p.field) for p in response.context["problems"]] == [
        ("event us-ru-talks-riyadh-2025", "review_state")
    ]
    assert response.context["problems"][0].message.startswith(
        "This event is published and this write changes its title: "
    )
    response = upload(
        client, "riyadh.json", json.dumps({"events": [{**record, "title": "Mine", "review_state": "draft"}]})
    )
    assert response.context["preview"].summary.updated["events"] == 1
    assert client.post(IMPORT, {"confirm": "1"}).status_code == 302
    event = Event.objects.get(pk="us-ru-talks-riyadh-2025")
    assert (event.title, event.review_state) == ("Mine", "draft")


def test_an_upload_may_not_change_a_source_that_published_events_cite(demo):
    before = row_counts()
    source = {"url": ARTICLE_URL, "title": "Mine", "publisher": "RT", "published": "2025-11-09", "quote": "They met."}
    response = upload(curator("editor"), "mine.json", json.dumps({"events": [new_talks(sources=[source])]}))
    assert [(p.record, p.field) for p in response.context["problems"]] == [
        ("event ru-us-talks-2025-04", "sources[0].title")
    ]
    assert row_counts() == before


def test_an_upload_may_not_rename_an_actor_that_published_events_show(demo):
    before = row_counts()
    renamed = {"id": "russia", "name": "The Russian Federation", "kind": "state", "country": "RUS"}
    for group in ("editor", "reviewer"):
        response = upload(curator(group), "rename.json", json.dumps({"actors": [renamed], "events": []}))
        (problem,) = response.context["problems"]
        assert (problem.record, problem.field) == ("actor russia", "name")
        assert problem.message.startswith("The actor 'russia' (Russia) is shown by the reviewed or published events ")
        assert "Keep it as stored, or have a superuser change it." in problem.message
    assert row_counts() == before
    assert Actor.objects.get(pk="russia").name == "Russia"


def test_an_upload_changes_what_no_event_shows_of_an_actor_and_renames_one_no_published_event_shows(demo):
    client = curator("editor")
    russia = actor_to_dict(Actor.objects.get(pk="russia"))
    unused = {"id": "kazakhstan", "name": "Kazakhstan", "kind": "state", "country": "KAZ"}
    document = {"actors": [{**russia, "aliases": [*russia["aliases"], "RF"]}, unused], "events": []}
    assert upload(client, "aliases.json", json.dumps(document)).context["preview"].summary.created["actors"] == 1
    assert client.post(IMPORT, {"confirm": "1"}).status_code == 302
    response = upload(client, "rename.json", json.dumps({"actors": [{**unused, "name": "Qazaqstan"}]}))
    assert response.context["preview"].summary.updated["actors"] == 1
    assert client.post(IMPORT, {"confirm": "1"}).status_code == 302
    assert Actor.objects.get(pk="kazakhstan").name == "Qazaqstan"
    assert "RF" in Actor.objects.get(pk="russia").aliases


def test_a_superusers_upload_renames_an_actor_that_published_events_show(admin_client, demo):
    renamed = {**actor_to_dict(Actor.objects.get(pk="russia")), "name": "The Russian Federation"}
    response = upload(admin_client, "rename.json", json.dumps({"actors": [renamed], "events": []}))
    assert response.context["preview"].summary.updated["actors"] == 1
    assert admin_client.post(IMPORT, {"confirm": "1"}).status_code == 302
    assert Actor.objects.get(pk="russia").name == "The Russian Federation"
