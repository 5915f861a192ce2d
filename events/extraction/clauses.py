"""Coordinated clauses: a sentence that tells of two events, each in a clause of its own."""

import re

from .morphology import tokens

# Where a second clause may start: "...; France expels ...", "..., then restored in 2008", "... and again
# abolished", "..., and his administration eased ...".
_JOINS = {
    "en": re.compile(
        r";\s+|,\s+(?:and\s+)?then\s+|,?\s+and\s+(?:then|later|again)\s+"
        r"|,?\s+and\s+(?=(?:his|her|its|their)\s)"
    ),
}
# The subject a clause without one shares with the first: up to its auxiliary ("Direct flights were").
_AUXILIARY = re.compile(r"\b(?:was|were|has been|have been|had been|is|are)\s+", re.I)
# "Russia, which cut flights to Georgia in 2006, said it would resume them": the relative clause tells of an
# event of its own, done by the name it follows.
_RELATIVE = {
    "en": re.compile(r"(?P<head>\b[A-Z][\w.'’-]*),\s+(?:which|who)\s+(?P<relative>[^,;]+),\s+(?P<rest>\S)"),
}


def coordinated(sentence, types, language):
    """The sentence's clauses that each name a kind of event: [sentence] when it tells of one.

    A clause is split off only where both sides have a trigger of their own, outside quotations. A clause
    without a subject of its own ("then restored in 2008") takes the first clause's, up to its auxiliary:
    "Direct flights were cancelled in 2006, then restored in 2008" tells of a ban and of a resumption.
    """
    joins = _JOINS.get(language)
    if joins is None or "“" in sentence or '"' in sentence:
        return [sentence]
    if relative := _relative(sentence, types, language):
        return relative
    first, subject = joins.search(sentence), _AUXILIARY.search(sentence)
    shared = sentence[: subject.end()] if first and subject and subject.start() < first.start() else ""
    clauses, start = [], 0
    for match in joins.finditer(sentence):
        left = sentence[start : match.start()]
        right = _with_subject(_first_clause(sentence[match.end() :], joins), shared)
        if _has_event(_with_subject(left, shared), types, language) and _has_event(right, types, language):
            clauses.append(sentence[start : match.start()])
            start = match.end()
    if not clauses:
        return [sentence]
    clauses.append(sentence[start:])
    return [clauses[0], *(_with_subject(clause, shared) for clause in clauses[1:])]


def _relative(sentence, types, language):
    """[the relative clause with its head as subject, the sentence without it] when both name a kind of
    event, else None: "Russia, which cut flights in 2006, said it would resume them" tells of a ban and of
    a resumption."""
    match = _RELATIVE[language].search(sentence)
    if not match:
        return None
    head = sentence[: match.end("head")]
    told = f"{head} {match['relative']}"
    rest = head + " " + sentence[match.start("rest") :]
    if _has_event(match["relative"], types, language) and _has_event(sentence[match.start("rest") :], types, language):
        return [told, rest]
    return None


def _with_subject(clause, subject):
    """ "then restored in 2008" with the first clause's subject: "Direct flights were restored in 2008"; ""
    for a clause without a subject when the first clause lends none (no clause of its own, then)."""
    bare = re.match(r"(?:again\s+|later\s+)?[a-z]+ed\b", clause)
    return (subject + clause if subject else "") if bare else clause


def _first_clause(text, joins):
    match = joins.search(text)
    return text[: match.start()] if match else text


def _has_event(text, types, language):
    return types.guess(text, words=tokens(text, language), language=language) is not None
