"""Status and tense: what a sentence says of when and whether its event happens."""

import re

# "said on Tuesday it would resume flights": the future of reported speech, not a condition.
REPORTED_FUTURE = re.compile(
    r"\b(?:said|announced|told\s+\w+|confirmed)\b(?:\s+(?:on|in|last)\s+\w+)?\s+(?:that\s+)?"
    r"(?:it|they|he|she|we)\s+would\b(?!\s+(?:have|not|never)\b)",
    re.I,
)
_FUTURE = re.compile(
    r"\b(?:will|shall)\b|\b(?:is|are) (?:set|due|scheduled|expected|going) to\b|\bplans? to\b|"
    + REPORTED_FUTURE.pattern,
    re.I,
)
_ONGOING = re.compile(r"\b(?:currently|underway|under way|ongoing|now)\b|\b(?:is|are|am)\s+(?:\w+\s+)?\w+ing\b", re.I)
# "has said", "have been conveyed"; not "has to", "has a ...".
_PERFECT = re.compile(
    r"\b(?:has|have)\s+(?:(?:not|never|already|just|also|now)\s+)*(?:been\s+)?(?!(?:to|a|an|the|no)\b)\w+", re.I
)
_PRESENT = re.compile(r"\b(?:says|sees|believes|thinks|expects|tells|warns|insists|argues|is|are)\b", re.I)
# Russian: the future and intent ("будет", "намерен", "планирует"); the rest from the verb's own tense.
_FUTURE_RU = re.compile(
    r"\b(?:буд(?:ет|ут|ем)|намерен[аы]?|планиру(?:ет|ют)|собира(?:ется|ются)|состо(?:ится|ятся)|пройд(?:ет|ут))\b", re.I
)
STATUS_RULES_RU = (
    ("cancelled", re.compile(r"\bотмен(?:ил[аи]?|ен[аоы]?|ить|а|ы|у|ой)\b|\bотменя(?:ет|ют|ется|ются)\b"
                             r"|\bне состо(?:ял[аись]*|ится|ятся)\b|\bсорвал(?:ся|ась|ось|ись)\b", re.I)),
    ("postponed", re.compile(r"\bперен(?:ес(?:л[аи]?)?|есен[аоы]?|ести)\b|\bотлож(?:ил[аи]?|ен[аоы]?|ить)\b"
                             r"|\bпереносит(?:ся)?\b|\bперенос(?:ят|ятся|а|е|ом)?\b|\bоткладыва(?:ет|ют|ется|ются)\b"
                             r"|\bотсрочен[аоы]?\b", re.I)),
    ("scheduled", re.compile(r"\bсосто(?:ится|ятся)\b|\bпройд(?:ет|ут)\b|\bзапланирован[аоы]?\b|\bнамечен[аоы]?\b"
                             r"|\bбуд(?:ет|ут) проведен[аоы]?\b|\bначн(?:ется|утся)\b", re.I)),
    ("proposed", re.compile(r"\bпредлож(?:ил[аи]?|ение|ить|ат|ит|или)\b|\bпредлагает\b|\bпредлагаем\b|\bнамерен[аы]?\b"
                            r"|\bнамерени\w*|\bпланиру(?:ет|ют)\b|\bсобира(?:ется|ются)\b|\bпригласил[аи]?\b"
                            r"|\bработа(?:ет|ют)\s+над\s+тем,?\s+чтобы\b", re.I)),
)  # fmt: skip
STATUS_RULES = (
    # A headline's present ("Trump cancels G7 summit") and an infinitive that is done ("has been forced to
    # cancel", "decided to postpone") as well as the past.
    ("cancelled", re.compile(r"\b(?:did not|didn't|will not|won't) take place\b|\bcancel+(?:ed|ation|s)\b"
                             r"|\bcall(?:ed|s) off\b|\bscrap(?:ped|s)\b"
                             r"|\b(?:forced|decided|decides|chose|opted)\s+to\s+(?:cancel|call off|scrap)\b", re.I)),
    ("postponed", re.compile(r"\bpostpone(?:d|ment|s)?\b|\bput on hold\b|\bdelayed\b|\bpushed back\b"
                             r"|\bputs off\b", re.I)),
    ("scheduled", re.compile(r"\bwill (?:hold|meet|visit|travel|sign|take place|be held|resume|lead|attend)\b"
                             r"|\b(?:will|is to|are to) (?:pay|make) (?:a|an|his|her|their) (?:[\w-]+ )?visit\b"
                             r"|\bscheduled\b|\b(?:is|are) (?:set|due|expected) to\b"
                             r"|\b(?:is|are) to (?:meet|visit|travel|lead|attend|host|resume|hold)\b"
                             r"|(?:^|[,;:]\s+)(?-i:(?:[A-Z][\w.-]+\s+){1,3})to "
                             r"(?:meet|visit|travel|lead|attend|host|resume|hold)\b", re.I)),
    ("proposed", re.compile(r"\bpropos(?:ed|es|e)\b|\bplanned\b|\bplans? to\b|\binvit(?:ed|es|ation)\b"
                            r"|\boffered\b|\bsuggested\b|\bsees? (?:a )?\W*good chance\b|\bchance of (?:a )?meeting\b"
                            r"|\bcould (?:meet|be held|take place|hold)\b|\bintends? to\b|\bintention to\b"
                            r"|\b(?:willing|ready|prepared) to\b|\bin principle\b", re.I)),
)  # fmt: skip
# A threatened measure is that measure, proposed ("the US could impose sanctions"), not an opinion.
THREAT = re.compile(
    r"\b(?-i:could|may|might|would)\s+(?:\w+\s+)?(?:impose|expel|close|ban|seize|introduce|freeze|cut|restrict|shut|hit"
    r"|suspend|sanction)\w*|\bthreaten(?:s|ed)? to\b",
    re.I,
)
# "должны", not "должностные лица" (officials); "бы" is the Russian conditional ("способствовало бы").
_OPINION = re.compile(
    r"\b(?:must|should|would|could|might|may|needs? to|ought to|долж(?:ен|н[аоы])|следует|нужно|необходимо|бы)\b"
)
_ANAPHORA = re.compile(
    r"\b(?:the|this|that|these|those|such|этот|эта|это|эти|этого|этой|этих|этим|такой|такие)\s+$", re.I
)


def detect_status(text, language="en"):
    """The status a sentence implies: the first rule that matches, in the order cancelled, postponed,
    scheduled, proposed; None (occurred) otherwise."""
    if language == "ru":
        text = text.replace("ё", "е").replace("Ё", "Е")  # "пройдёт", "перенесён": the rules spell е
    for status, pattern in STATUS_RULES_RU if language == "ru" else STATUS_RULES:
        if pattern.search(text):
            return status
    # "said it would close the consulate" announces the act; "could close" threatens it.
    return "proposed" if THREAT.search(REPORTED_FUTURE.sub(" ", text)) else None


def tense(text, language="en"):
    """future, present (ongoing), perfect or past: how a clause places its event against publication."""
    if language == "ru":
        return _russian_tense(text)
    if _FUTURE.search(text):
        return "future"
    if _ONGOING.search(text):
        return "present"
    if _PERFECT.search(text):
        return "perfect"
    if _PRESENT.search(text) and not re.search(r"\b(?:was|were|had|did)\b|\b\w+ed\b", text):
        return "present"
    return "past"


def _russian_tense(text):
    """The tense of the clause's first verb (pymorphy3); a Russian past is news of the day in a lede, as an
    English present perfect is: Russian has no perfect of its own."""
    from .morphology import _russian  # the analyser, loaded once

    if _FUTURE_RU.search(text.replace("ё", "е").replace("Ё", "Е")):
        return "future"
    for word in re.findall(r"[а-яё]+", text.lower()):
        parse = _russian().parse(word)[0]
        if parse.tag.POS == "VERB":
            return {"futr": "future", "pres": "present"}.get(parse.tag.tense, "perfect")
        if parse.tag.POS == "PRTS":
            return "perfect"  # "санкции продлены", "высланы": done, as a past is
    return "past"
