"""manage.py propose_events (events/management/commands/propose_events.py)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from events.dataset import import_document
from events.models import Event

from ..conftest import ARTICLE_URL, event_record, row_counts
from .helpers import NO_DATE, SEED, SEED_IDS, WIRE


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("propose_events", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


SEED_ARGS = (str(SEED), "--url", ARTICLE_URL, "--published", "2025-11-09", "--publisher", "RT")


def test_the_command_prints_the_proposals_as_a_dataset_without_saving(demo):
    before = row_counts()
    out, err = run(*SEED_ARGS)
    document = json.loads(out)
    assert out == json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    assert [event["id"] for event in document["events"]] == SEED_IDS
    assert {event["review_state"] for event in document["events"]} == {"draft"}
    assert (document["actors"], err) == ([], "")
    assert row_counts() == before


def test_the_command_saves_drafts_with_save_and_again_changes_nothing(demo):
    out, err = run(*SEED_ARGS, "--save")
    assert out == (
        f"{SEED}: 12 draft events saved (actors: 0 created, 0 updated, 0 unchanged; "
        "events: 12 created, 0 updated, 0 unchanged; sources: 0 created, 0 updated, 1 unchanged)\n"
    )
    assert err == ""
    assert Event.objects.get(id=SEED_IDS[0]).citations.get().source.title == (
        "A lot of 'mess' to clear up in Russia-US ties - Lavrov"  # the stored source's title, not rewritten
    )
    before = row_counts()
    out, _ = run(*SEED_ARGS, "--save")
    assert "events: 0 created, 0 updated, 12 unchanged" in out
    assert row_counts() == before


def test_the_command_never_overwrites_an_event_it_did_not_propose(demo):
    import_document({"actors": [], "events": [event_record(SEED_IDS[1])]})
    before = row_counts()
    with pytest.raises(CommandError, match=r"1 proposal id\(s\) already taken; nothing was saved"):
        run(*SEED_ARGS, "--save")
    assert row_counts() == before


def test_the_command_reads_standard_input_and_html(demo, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(NO_DATE.read_bytes())))
    out, err = run("-", "--published", "2025-06-03")
    assert len(json.loads(out)["events"]) == 4
    assert "no --url: the proposals carry no source" in err
    assert "left out (refers back to an event named earlier" in err
    out, _ = run(str(WIRE), "--save")
    assert "2 draft events saved" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.txt"], "missing.txt: No such file or directory"),
        ([str(SEED), "--published", "9 November"], "published: '9 November' is not an ISO date"),
    ],
)
def test_the_command_names_the_problem(demo, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_the_printed_dataset_imports_cleanly(demo):
    out, _ = run(*SEED_ARGS)
    summary = import_document(json.loads(out))
    assert (summary.created["events"], summary.updated["sources"]) == (12, 0)
    assert Event.objects.filter(review_state="draft", id__in=SEED_IDS).count() == 12


def test_the_command_names_the_language_it_does_not_read(demo, tmp_path):
    article = tmp_path / "artikel.txt"
    article.write_text(
        "Deutschland weist Diplomaten aus\n\nDie Bundesregierung hat am Montag 40 Angehörige der russischen Botschaft "
        "zu unerwünschten Personen erklärt. Das Auswärtige Amt teilte mit, die Diplomaten müssten Deutschland "
        "innerhalb von fünf Tagen verlassen.",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"artikel\.txt: the article is in German; Chancery proposes events"):
        run(str(article))


def test_the_command_proposes_from_a_russian_article(demo, tmp_path):
    article = tmp_path / "statya.txt"
    article.write_text(
        "Москва объявила американского дипломата персоной нон грата\n\n"
        "МИД России в среду объявил персоной нон грата сотрудника посольства США в Москве.",
        encoding="utf-8",
    )
    out, _ = run(str(article), "--published", "2022-03-23")
    [event] = json.loads(out)["events"]
    assert (event["type"], event["start"], [(p["actor"], p["role"]) for p in event["participants"]]) == (
        "diplomats.expelled",
        "2022-03-23",
        [("russia", "initiator"), ("russian-foreign-ministry", "initiator"), ("united-states", "target")],
    )
