"""The language of an article (events/extraction/language.py) and the lemmas of its words (morphology.py)."""

import pytest

from events.extraction import ExtractionError, propose
from events.extraction.language import detect
from events.extraction.morphology import lemma

from .helpers import PUBLISHED, demo_actors, taxonomy_types

GERMAN = (
    "Die Bundesregierung hat am Montag 40 Angehörige der russischen Botschaft zu unerwünschten Personen erklärt. "
    "Das Auswärtige Amt teilte mit, die Diplomaten müssten Deutschland innerhalb von fünf Tagen verlassen. "
    "Die Entscheidung sei eine Reaktion auf die Gräueltaten in der ukrainischen Stadt Butscha."
)
RUSSIAN = (
    "МИД России объявил персоной нон грата сотрудника посольства Украины в Москве. Украинский дипломат должен "
    "покинуть территорию России до 30 апреля. Ранее Чехия приняла решение о сокращении числа сотрудников "
    "российского посольства в Праге."
)


def test_it_tells_english_from_russian():
    assert detect("Russia declared two employees of the US Embassy in Moscow personae non gratae. " * 4) == "en"
    assert detect(RUSSIAN) == "ru"


def test_a_short_text_goes_by_its_script():
    assert (detect("Talks in Istanbul"), detect("Переговоры в Стамбуле")) == ("en", "ru")


def test_an_article_in_another_language_is_refused_by_name():
    with pytest.raises(ExtractionError, match=r"^the article is in German; Chancery proposes events from English"):
        propose(f"Titel\n\n{GERMAN}", published=PUBLISHED, actors=demo_actors(), types=taxonomy_types())


def test_the_extraction_says_which_language_it_read():
    extraction = propose(f"Заголовок\n\n{RUSSIAN}", published=PUBLISHED, actors=demo_actors(), types=taxonomy_types())
    assert extraction.article.language == "ru"


@pytest.mark.parametrize(
    "word, language, expected",
    [
        ("seized", "en", "seize"),
        ("expels", "en", "expel"),
        ("talks", "en", "talk"),
        ("выслала", "ru", "выслать"),
        ("посольства", "ru", "посольство"),
        ("ввёл", "ru", "ввести"),  # folded: ё is е
        ("США", "ru", "сша"),
        ("NATO", "ru", "nato"),  # a word of the other script is only folded
    ],
)
def test_words_are_compared_by_lemma(word, language, expected):
    assert lemma(word, language) == expected
