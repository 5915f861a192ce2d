"""Russian articles that tell one event several ways: as announced and as planned, as an aim, in passing."""

from events.extraction import propose

from .helpers import gazetteer_actors, taxonomy_types

ACTORS = gazetteer_actors()
TYPES = taxonomy_types()


def proposed(text, published="2024-06-14", title="Заголовок"):
    """(type, status, start, [(actor, role)], claimed_by) of each proposal from a short Russian article."""
    extraction = propose(f"{title}\n\n{text}", published=published, actors=ACTORS, types=TYPES)
    return [
        (p.type, p.status, p.date.start.isoformat(), list(p.participants), p.claimed_by) for p in extraction.proposals
    ]


def test_an_announced_act_another_sentence_calls_planned_is_one_planned_event():
    found = proposed(
        "Армения в ближайшее время планирует открыть посольство в Мали, сообщил замминистра Иван Петров.",
        title="Армения скоро откроет посольство в Мали",
    )
    assert [(code, status, start) for code, status, start, _, _ in found] == [
        ("missions.reopened", "proposed", "2024-06-14")
    ]
    assert found[0][4] == "ivan-petrov"  # the planning sentence's speaker, not the headline's voice


def test_an_act_dated_on_its_own_is_not_hedged_by_a_plan():
    found = proposed("Армения открыла посольство в Мали 3 июня. Армения также планирует открыть посольство в Мали.")
    assert sorted(status for _, status, _, _, _ in found) == ["occurred", "proposed"]
