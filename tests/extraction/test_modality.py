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
