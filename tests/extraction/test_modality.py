"""Status and tense (events/extraction/modality.py)."""

import pytest

from events.extraction import (
    detect_status,
    tense,
)


@pytest.mark.parametrize(
    "text, status",
    [
        ("A planned third round of negotiations did not take place.", "cancelled"),
        ("The summit was canceled by the US.", "cancelled"),
        ("The visit was cancelled.", "cancelled"),
        ("The meeting was called off.", "cancelled"),
        ("The talks were postponed until spring.", "postponed"),
        ("The two sides will hold talks in Riyadh.", "scheduled"),
        ("The summit is scheduled for May.", "scheduled"),
        ("Moscow proposed talks.", "proposed"),
        ("A planned summit.", "proposed"),
        ("Trump sees a good chance of meeting Putin.", "proposed"),
        ("Trump sees ‘good chance’ of meeting Putin in Hungary", "proposed"),
        ("Putin invited Trump to Moscow.", "proposed"),
        ("Russia and the US held talks.", None),
        ("Our proposals have been conveyed.", None),
    ],
)
def test_it_detects_the_status_a_sentence_implies(text, status):
    assert detect_status(text) == status


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Russia has expelled two US diplomats", "perfect"),
        ("Working contacts are currently underway", "present"),
        ("Russia and the US are holding consultations", "present"),
        ("Lavrov says", "present"),
        ("The two sides will meet", "future"),
        ("Lavrov said", "past"),
        ("A planned round did not take place", "past"),
    ],
)
def test_it_tells_the_tense_of_a_clause(text, expected):
    assert tense(text) == expected


@pytest.mark.parametrize(
    "text, status",
    [
        ("Россия намерена в ближайшее время возобновить работу посольства в Триполи.", "proposed"),
        ("Мы конкретно предлагаем восстановить прямое авиасообщение.", "proposed"),
        ("Встреча министров была отменена в последний момент.", "cancelled"),
        ("Переговоры перенесли на следующую неделю.", "postponed"),
        ("Переговоры состоятся в Стамбуле.", "scheduled"),
        ("Россия выслала двух американских дипломатов.", None),
    ],
)
def test_it_reads_russian_modality(text, status):
    assert detect_status(text, "ru") == status


@pytest.mark.parametrize(
    "text, status",
    [
        ("The US could impose sanctions on a range of Russian officials, Psaki said.", "proposed"),
        ("Britain threatened to freeze Russian state assets.", "proposed"),
        ("Sherman to meet senior officials in Islamabad on 7-8 October.", "scheduled"),
        ("Moon agreed to visit North Korea this fall.", None),
        ("Hammond is the first British Foreign Secretary to visit Iran since 2003.", None),
    ],
)
def test_a_threat_is_a_proposed_measure_and_a_name_to_meet_a_schedule(text, status):
    assert detect_status(text) == status


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Россия выслала двух дипломатов", "perfect"),  # a Russian past is the news of the day in a lede
        ("Россия будет добиваться возвращения собственности", "future"),
        ("Переговоры продолжаются", "present"),
    ],
)
def test_it_tells_the_tense_of_a_russian_clause(text, expected):
    assert tense(text, "ru") == expected


def test_a_headlines_present_and_an_infinitive_that_is_done_cancel_or_postpone():
    assert detect_status("Trump cancels G7 summit, plans big meeting later on") == "cancelled"
    assert detect_status("Trump has been forced to cancel a planned summit of G7 leaders this month") == "cancelled"
    assert detect_status("Russia postpones talks with Georgia") == "postponed"
    # A threat to cancel is not a cancellation.
    assert detect_status("Trump threatens to cancel the summit") == "proposed"
