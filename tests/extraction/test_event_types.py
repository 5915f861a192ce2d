"""Event types from the keywords and the trigger lexicon (events/extraction/event_types.py, lexicon.py)."""

import datetime

from events.extraction import (
    TypeIndex,
    propose,
)
from events.models import EventType


def test_the_keywords_are_the_staffs_to_edit(demo):
    text = "Title\n\nRussia and the US resumed their dialogue on Saturday."
    assert propose(text, published="2025-11-09").proposals == []
    EventType.objects.filter(code="talks").update(keywords=["talks", "dialogue"])
    [proposal] = propose(text, published="2025-11-09").proposals
    assert (proposal.type, proposal.date.start) == ("talks", datetime.date(2025, 11, 8))


def test_a_topic_heading_of_the_taxonomy_never_wins_alone(db):
    types = TypeIndex.load()
    assert types.guess("Lavrov spoke of the work of diplomatic missions and embassies.") is None
    assert types.guess("Trump imposed sanctions on Rosneft, citing peace talks.").code == "sanctions.imposed"
    assert types.guess("The suspension of flights and closure of US airspace were among the sanctions").code == (
        "flights.ban"
    )
    guess = types.guess("Moscow proposed a meeting between Putin and Trump.")
    assert (guess.code, guess.status) == ("meeting", "proposed")
