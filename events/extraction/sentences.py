"""Splitting a paragraph into sentences."""

import re

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen lt col maj capt sen rep gov st jr sr no vs etc approx dept est inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u a.m p.m i.e e.g".split()
)
# After these, "U.S." or "U.K." ends a sentence rather than qualifying the next word.
_SENTENCE_STARTERS = frozenset("The It He She They We In On But A An This That There Its Their His Her".split())
# A full stop with no space after it ends a sentence too when a word or year runs into a capitalised word
# ("the Convention of 1961.MAE reiterates"), not in "U.S.", "e.g." or a URL.
# So does one before a date that opens the next sentence, in pages that lost their paragraph breaks ("в течение
# восьми дней.23 июня стало известно").
_BOUNDARY = re.compile(
    r"[.!?…]+[\"'”’)\]]*\s+|(?:(?<=[a-z]{3})|(?<=\d{4}))\.(?=[A-Z][A-Za-z]+\s)"
    r"|(?<=[а-яё]{3})\.(?=\d{1,2}\s+(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября"
    r"|ноября|декабря)\b)"
)


def split_sentences(text):
    """Sentences of a paragraph; not inside quotations, not after abbreviations such as 'Mr.' or 'U.S.'."""
    sentences, start = [], 0
    # A quotation running on into the next paragraph opens each of its paragraphs and closes only in the last:
    # its opening mark does not keep the paragraph's sentences together.
    skip = 1 if text.lstrip().startswith("“") and "”" not in text else 0
    for match in _BOUNDARY.finditer(text):
        following = text[match.end() : match.end() + 1]
        if not following or not (following.isupper() or following.isdigit() or following in '"“‘(['):
            continue
        candidate = text[start : match.end()]
        if _inside_quotation(candidate.lstrip()[skip if start == 0 else 0 :]) and len(candidate) < 800:
            continue
        if _ends_with_abbreviation(text[start : match.start() + 1], text[match.end() :]):
            continue
        sentences.append(candidate.strip())
        start = match.end()
    if text[start:].strip():
        sentences.append(text[start:].strip())
    return sentences


def _inside_quotation(text):
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def _ends_with_abbreviation(before, after):
    token = re.search(r"([\w.]+)\.$", before)
    if not token:
        return False
    word = token.group(1)
    if len(word) == 1 and word.isupper():
        return True  # an initial: "J. Smith"
    if word.lower() not in _ABBREVIATIONS:
        return False
    next_word = re.match(r"\W*(\w+)", after)
    return not (word.lower() in {"u.s", "u.k", "u.n", "e.u"} and next_word and next_word.group(1) in _SENTENCE_STARTERS)
