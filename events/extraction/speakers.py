"""Speakers named again without their name: "he said", "the minister told reporters", "the ministry added".

English news names a speaker once, with a title, then says "he said" or "the ambassador added". Such a
phrase before a verb of saying (or after it at the end of a clause: "..., she said.") stands for the person
named last in the article: the last one whose title has the phrase's noun ("the ambassador" for "Russia's
Ambassador to Washington Alexander Darchiev"), or for "he"/"she" the last person named; "the ministry" for
the last ministry named ("The Russian Foreign Ministry summoned ... The ministry added that ..."). Each becomes a
mention of that person at the phrase, so that the sentence is attributed to them.
"""

import re

from .actors import Mention

_SAY = r"(?:said|says|told|tells|added|adds|stressed|warned|noted|insisted|explained|announced)"
_PHRASE = r"(?P<who>(?-i:[Hh]e|[Ss]he)|(?i:the)\s+(?P<noun>(?:[A-Za-z]+\s+){0,2}?[A-Za-z]+?))"
_SPEAKER = (
    re.compile(rf"(?:^|(?<=[,;:“”\"‘’'] )|(?<=\s[—–-] )){_PHRASE}(?=\s+(?:has\s+|had\s+)?(?:also\s+)?{_SAY}\b)"),
    re.compile(rf"(?<=[,“”\"‘’'] ){_SAY}\s+{_PHRASE}(?=\s*[.,;:]|\s*$)"),
)
# The nouns of a title that "the ..." may take up: "the minister", "the foreign secretary", "the PM".
_TITLE_NOUNS = frozenset(
    "minister secretary president ambassador envoy spokesman spokeswoman spokesperson chancellor premier "
    "diplomat official".split()
)
_SHORT = {"pm": "prime minister"}


def is_person(actor_id, actors):
    return getattr(actors.get(actor_id), "kind", None) == "person"


def is_ministry(actor_id, actors):
    """A ministry or department ("Ministry of Foreign Affairs of Russia", "United States Department of State")."""
    actor = actors.get(actor_id)
    return actor is not None and actor.kind == "government" and bool(re.search(r"Ministry|Department", actor.name))


def with_speakers(text, mentions, people, titles, actors):
    """The mentions with a person for each "he said", "the minister said" of `text`.

    `people`: the ids of the people named before, in order (the last named last); `titles`: {person id: the
    title the article gave them}."""
    added = []
    for pattern in _SPEAKER:
        for match in pattern.finditer(text):
            before = [*people, *(m.actor for m in mentions if m.start < match.start("who"))]
            person = _referent(match, before, titles, actors)
            if person and not any(m.start <= match.start("who") < m.end for m in mentions):
                added.append(Mention(person, match.start("who"), match.end("who"), match.group("who")))
    return sorted([*mentions, *added], key=lambda m: (m.start, m.end)) if added else mentions


def _referent(match, before, titles, actors):
    """The person the phrase stands for, or None: "he"/"she" the last named; "the X" the last titled X; "the
    ministry" the last ministry named."""
    if match["noun"] is not None and match["noun"].lower() == "ministry":
        ministries = [a for a in before if is_ministry(a, actors)]
        return ministries[-1] if ministries else None
    before = [a for a in before if is_person(a, actors)]
    if not before:
        return None
    if match["noun"] is None:
        return before[-1]
    noun = _SHORT.get(match["noun"].lower(), match["noun"].lower())
    if noun.split()[-1] not in _TITLE_NOUNS:
        return None
    for person in reversed(before):
        if re.search(rf"\b{re.escape(noun)}\b", titles.get(person, ""), re.I):
            return person
    return None
