"""Words and their lemmas: simplemma for English, pymorphy3 for Russian.

Triggers and the nouns after a state's adjective are compared by lemma, so that
"seize", "seized" and "seizes", or "выслал", "выслала" and "высланы", are one
word. Each word is analysed once per process (a cache), which keeps a whole
article at a few milliseconds.
"""

import functools
import re
from dataclasses import dataclass

from ..gazetteer import fold

_WORD = re.compile(r"(?:[A-Z]\.){2,}|[^\W_]+(?:[-'’][^\W_]+)*")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    lemma: str  # folded: lower case, ё read as е
    folded: str  # the word itself, folded


def tokens(text, language):
    """The words of a text with their lemmas, in order."""
    found = []
    for match in _WORD.finditer(text):
        word = match.group()
        found.append(Token(word, match.start(), match.end(), lemma(word, language), fold(word)))
    return found


@functools.lru_cache(maxsize=200_000)
def lemma(word, language):
    """The dictionary form of a word, folded; a word of the other script is only folded."""
    if language == "ru" and _CYRILLIC.search(word):
        return fold(_russian().parse(word)[0].normal_form)
    if language == "en" and not _CYRILLIC.search(word):
        return fold(_simplemma().lemmatize(word.lower().replace("’", "'"), lang="en"))
    return fold(word)


@functools.cache
def _russian():
    import pymorphy3  # loading the dictionaries takes a tenth of a second: only when a Russian text comes

    return pymorphy3.MorphAnalyzer(lang="ru")


@functools.cache
def _simplemma():
    import simplemma

    return simplemma
