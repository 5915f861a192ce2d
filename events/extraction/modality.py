"""Status and tense: what a sentence says of when and whether its event happens."""

import re

_FUTURE = re.compile(r"\b(?:will|shall)\b|\b(?:is|are) (?:set|due|scheduled|expected|going) to\b|\bplans? to\b", re.I)
_ONGOING = re.compile(r"\b(?:currently|underway|under way|ongoing|now)\b|\b(?:is|are|am)\s+(?:\w+\s+)?\w+ing\b", re.I)
# "has said", "have been conveyed"; not "has to", "has a ...".
_PERFECT = re.compile(
    r"\b(?:has|have)\s+(?:(?:not|never|already|just|also|now)\s+)*(?:been\s+)?(?!(?:to|a|an|the|no)\b)\w+", re.I
)
_PRESENT = re.compile(r"\b(?:says|sees|believes|thinks|expects|tells|warns|insists|argues|is|are)\b", re.I)
STATUS_RULES = (
    ("cancelled", re.compile(r"\b(?:did not|didn't|will not|won't) take place\b|\bcancel+(?:ed|ation)\b"
                             r"|\bcalled off\b|\bscrapped\b", re.I)),
    ("postponed", re.compile(r"\bpostpone(?:d|ment)?\b|\bput on hold\b|\bdelayed\b|\bpushed back\b", re.I)),
    ("scheduled", re.compile(r"\bwill (?:hold|meet|visit|travel|sign|take place|be held)\b|\bscheduled\b"
                             r"|\b(?:is|are) (?:set|due|expected) to\b", re.I)),
    ("proposed", re.compile(r"\bpropos(?:ed|es|e)\b|\bplanned\b|\bplans? to\b|\binvit(?:ed|es|ation)\b"
                            r"|\boffered\b|\bsuggested\b|\bsees? (?:a )?\W*good chance\b|\bchance of (?:a )?meeting\b"
                            r"|\bcould (?:meet|be held|take place|hold)\b", re.I)),
)  # fmt: skip
_OPINION = re.compile(r"\b(?:must|should|would|could|might|may|needs? to|ought to)\b")
_ANAPHORA = re.compile(r"\b(?:the|this|that|these|those|such)\s+$", re.I)


def detect_status(text):
    """The status a sentence implies: the first rule that matches, in the order cancelled, postponed,
    scheduled, proposed; None (occurred) otherwise."""
    for status, pattern in STATUS_RULES:
        if pattern.search(text):
            return status
    return None


def tense(text):
    """future, present (ongoing), perfect or past: how a clause places its event against publication."""
    if _FUTURE.search(text):
        return "future"
    if _ONGOING.search(text):
        return "present"
    if _PERFECT.search(text):
        return "perfect"
    if _PRESENT.search(text) and not re.search(r"\b(?:was|were|had|did)\b|\b\w+ed\b", text):
        return "present"
    return "past"
