"""Speakers named again without their name: "he said", "the minister told reporters", "the Prime Minister said".

English news names a speaker once, with a title, then says "he said" or "the ambassador added". Such a
phrase before a verb of saying (or after it at the end of a clause: "..., she said.") stands for the person
named last in the article: the last one whose title has the phrase's noun ("the ambassador" for "Russia's
Ambassador to Washington Alexander Darchiev"), or for "he"/"she" the last person named. Each becomes a
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


def with_speakers(text, mentions, people, titles, actors):
    """The mentions with a person for each "he said", "the minister said" of `text`.

    `people`: the ids of the people named before, in order (the last named last); `titles`: {person id: the
    title the article gave them}."""
    added = []
    for pattern in _SPEAKER:
        for match in pattern.finditer(text):
            before = [*people, *(m.actor for m in mentions if m.start < match.start("who"))]
            before = [a for a in before if getattr(actors.get(a), "kind", None) == "person"]
            person = _referent(match, before, titles)
            if person and not any(m.start <= match.start("who") < m.end for m in mentions):
                added.append(Mention(person, match.start("who"), match.end("who"), match.group("who")))
    return sorted([*mentions, *added], key=lambda m: (m.start, m.end)) if added else mentions


def _referent(match, before, titles):
    """The person the phrase stands for, or None: "he"/"she" the last named; "the X" the last titled X."""
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
