"""Event types guessed from the keywords of the taxonomy and the triggers of the lexicon."""

import functools
import re
from collections import defaultdict
from dataclasses import dataclass

from . import lexicon


@dataclass(frozen=True)
class TypeGuess:
    code: str
    anchor: int  # where the family's first keyword starts: who acts comes before it, who is acted on after
    keywords: tuple
    status: str | None = None  # a status the choice itself implies ("proposed" for a proposed meeting)


def _keyword_pattern(keyword):
    words = re.findall(r"[^\W_]+", keyword.lower())
    if not words:
        return None, 0, ()
    parts = [
        rf"{re.escape(word[:-1])}(?:y|ies)" if word.endswith("y") else rf"{re.escape(word)}(?:s|es)?" for word in words
    ]
    # Up to two other words may stand between a keyword's words: "imposed new sanctions", "closure of US airspace".
    pattern = re.compile(r"\b" + r"\W+(?:[^\W_]+\W+){0,2}?".join(parts) + r"\b", re.I)
    stems = tuple(word[:-1] if word.endswith("y") else word for word in words)
    return pattern, len(words), stems


class TypeIndex:
    """Guesses an event type from the keywords each EventType carries (staff edit them in the admin).

    A keyword scores its number of words; a family (`sanctions`, `sanctions.imposed`, ...) scores the sum of
    its types' keywords. The best family wins (ties: the earlier keyword), and within it the best specific
    type. A root with sub-types and no CAMEO code (`sanctions`, `flights`) is a heading of the taxonomy, a
    topic rather than an event: its keywords support its sub-types but never win alone.

    `rows` are (code, name, keywords, CAMEO code).
    """

    def __init__(self, rows):
        self.names, self.patterns, cameo = {}, [], {}
        for code, name, keywords, cameo_code in rows:
            self.names[code], cameo[code] = name, cameo_code
            for keyword in keywords if isinstance(keywords, list) else ():
                if isinstance(keyword, str):
                    pattern, weight, stems = _keyword_pattern(keyword)
                    if pattern is not None:
                        self.patterns.append((code, keyword, weight, pattern, stems))
        parents = {code.split(".")[0] for code in self.names if "." in code}
        self.topics = {code for code in parents if not cameo.get(code)}

    @classmethod
    def load(cls):
        """The taxonomy and its keywords, in one query."""
        from ..models import EventType

        return cls(EventType.objects.values_list("code", "name", "keywords", "cameo_code"))

    def name(self, code):
        return self.names.get(code, code)

    def hits(self, text, excluded=()):
        """{code: [(start, weight, keyword)]} of the keywords found outside the `excluded` spans."""
        found, lowered = defaultdict(list), text.lower()
        for code, keyword, weight, pattern, stems in self.patterns:
            if not all(stem in lowered for stem in stems):
                continue  # a substring test is a hundred times cheaper than the regular expression
            for match in pattern.finditer(text):
                if not any(a <= match.start() < b for a, b in excluded):
                    found[code].append((match.start(), weight, keyword))
                    break
        return found

    def trigger_hits(self, words, language, excluded=(), spans=None):
        """{code: [(start, weight, trigger)]} of the language's triggers (lexicon.py) among the tokens `words`;
        `spans`, a list, gets (code, start, start of its last word, weight) of each."""
        found = defaultdict(list)
        by_first, prefixed = _triggers(language)
        seen = set()
        for index, token in enumerate(words):
            if any(a <= token.start < b for a, b in excluded):
                continue
            candidates = by_first.get(token.lemma, ()) + by_first.get(token.folded, ())
            candidates += tuple(t for t in prefixed if _word_matches(t[2][0], token))
            for code, trigger, parts in candidates:
                if (code, trigger) in seen or code not in self.names:
                    continue
                if (last := _rest_matches(parts[1:], words, index + 1)) is not None:
                    seen.add((code, trigger))
                    found[code].append((token.start, len(parts), trigger))
                    if spans is not None and trigger not in lexicon.DESCRIPTIVE.get(language, ()):
                        spans.append((code, token.start, words[max(last, index)].start, len(parts)))
        return found

    def guess(self, text, excluded=(), ignore=(), words=None, language="en"):
        hits, spans = self.hits(text, excluded), []
        if words is not None:
            for code, found in self.trigger_hits(words, language, excluded, spans).items():
                hits.setdefault(code, []).extend(found)
            hits = _within_longer(hits, spans)
        hits = {code: found for code, found in hits.items() if code.split(".")[0] not in ignore}
        families = defaultdict(lambda: [0, len(text)])
        for code, found in hits.items():
            family = families[code.split(".")[0]]
            family[0] += sum(weight for _, weight, _ in found)
            family[1] = min(family[1], *(start for start, _, _ in found))
        eligible = {
            name: score
            for name, score in families.items()
            if any(self._is_event(code) and code.split(".")[0] == name for code in hits)
        }
        if not eligible:
            return None
        ranked = sorted(eligible, key=lambda name: (-eligible[name][0], eligible[name][1]))
        if ranked[0] == "statement" and len(ranked) > 1:
            # "declared ... personae non gratae in a statement": the act is the news, the statement its vehicle.
            ranked = ranked[1:]
        family, status = ranked[0], None
        if family == "proposal":
            # A proposed meeting or talks is that meeting, with status proposed.
            for other in ranked[1:]:
                if other in {"talks", "meeting"}:
                    family, status = other, "proposed"
                    break
        codes = [code for code in hits if code.split(".")[0] == family and self._is_event(code)]
        # A descriptive word ("direct flights") types the event only when no other type's verb does
        # ("direct flights were cancelled" is a ban).
        weak = lexicon.DESCRIPTIVE.get(language, frozenset())
        strong = [c for c in codes if any(k not in weak for _, _, k in hits[c])]
        codes = strong or codes
        code = min(
            codes, key=lambda c: (-sum(w for _, w, k in hits[c] if k not in weak), min(s for s, _, _ in hits[c]))
        )
        keywords = tuple(k for c in hits if c.split(".")[0] == family for _, _, k in hits[c])
        return TypeGuess(code, eligible[family][1], keywords, status)

    def _is_event(self, code):
        return "." in code or code not in self.topics


def _within_longer(hits, spans):
    """The hits without those that start on a later word of a longer trigger of another type of the same family:
    "lifting sanctions on Syria" is a lifting, though "sanctions on" alone would be an imposition."""
    result = {}
    for code, found in hits.items():
        family = code.split(".")[0]
        result[code] = [
            hit
            for hit in found
            if not any(
                other != code and other.split(".")[0] == family and first < hit[0] <= last
                for other, first, last, _ in spans
            )
        ]
    return {code: found for code, found in result.items() if found}


GAP = 3
"""Other words that may stand between a trigger's words."""


@functools.cache
def _triggers(language):
    """({first word: ((code, trigger, words), ...)}, (triggers whose first word is a prefix, ...))."""
    by_first, prefixed = defaultdict(tuple), []
    for item in lexicon.compiled(language):
        if item[2][0].endswith("*"):
            prefixed.append(item)
        else:
            by_first[item[2][0]] += (item,)
    return dict(by_first), tuple(prefixed)


def _word_matches(word, token):
    if word.endswith("*"):
        return token.lemma.startswith(word[:-1]) or token.folded.startswith(word[:-1])
    return word in (token.lemma, token.folded)


FAR_GAP = 8
"""Other words that may stand before a trigger's word written with `~`: the passive's verb after its subject
("air traffic between Russia and Egypt was completely interrupted")."""


def _rest_matches(parts, words, index):
    """The index of the trigger's last word when the rest of it follows, else None."""
    last = index - 1
    for part in parts:
        gap = FAR_GAP if part.startswith("~") else GAP
        part = part.lstrip("~")
        for position in range(index, min(index + gap + 1, len(words))):
            if _word_matches(part, words[position]):
                index, last = position + 1, position
                break
        else:
            return None
    return last
