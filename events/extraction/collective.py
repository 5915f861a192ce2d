"""Collective names of the sides an article is about: "the two countries", "both sides", "обе стороны".

Such a name stands for the two states the article named last, together or one after the other ("Russia
and Georgia have reopened air traffic with the first direct flight between the two countries"; "talks
between the two countries' foreign ministers" after a sentence naming Mongolia and Russia). "The two
Koreas" always stands for North and South Korea; a speaker's "между нашими странами" for the two as
well. Each becomes a mention of both states at the phrase.
"""

import re

from .actors import Mention

_COLLECTIVE = {
    "en": re.compile(
        r"\b(?:the\s+two|both(?:\s+of\s+the)?)\s+(?:sides|countries|nations|states|governments|delegations)\b",
        re.I,
    ),
    "ru": re.compile(
        r"(?<!со\s)(?<!\w)(?:обе\s+стороны|обеих\s+сторон|обеим\s+сторонам|двух\s+стран|обеих\s+стран"
        r"|обе\s+страны|две\s+страны|наши(?:ми|х|м)?\s+стран(?:ами|ах|ам|ы)?)(?!\w)",
        re.I,
    ),
}
_KOREAS = re.compile(r"\b(?:the\s+)?two\s+Koreas\b|\bобе\s+Кореи\b|\bдвух\s+Корей\b", re.I)


def last_pair(mentions, actors, pair=()):
    """The two states named last, in the order named, after a sentence's mentions; `pair` before them."""
    states = list(pair)
    for mention in mentions:
        actor = actors.get(mention.actor)
        if actor is None or actor.kind != "state":
            continue
        states = [s for s in states if actors.side(s) != actors.side(actor.id)] + [actor.id]
    return tuple(states[-2:])


def with_collectives(text, mentions, pair, actors, language="en"):
    """The mentions with those the collective names in `text` stand for, in order of appearance."""
    added = []
    for match in _KOREAS.finditer(text):
        added += [Mention(a, match.start(), match.end(), match.group()) for a in ("north-korea", "south-korea")]
    pattern = _COLLECTIVE.get(language)
    for match in pattern.finditer(text) if pattern else ():
        before = last_pair([m for m in mentions if m.start < match.start()], actors, pair)
        if len(before) == 2:
            added += [Mention(a, match.start(), match.end(), match.group()) for a in before]
    added = [m for m in added if actors.get(m.actor) is not None]
    return sorted([*mentions, *added], key=lambda m: (m.start, m.end)) if added else mentions
