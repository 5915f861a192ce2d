"""Sentences of a paragraph (events/extraction/sentences.py)."""

from events.extraction import (
    split_sentences,
)


def test_it_splits_sentences_but_not_inside_quotations_or_after_abbreviations():
    text = (
        "U.S. President Donald Trump met Mr. Putin on Feb. 18 in Riyadh. "
        "Moscow “sensed willingness to resume dialogue. It is happening,” the minister said. "
        "Talks went on in the U.S. The sides met again."
    )
    assert split_sentences(text) == [
        "U.S. President Donald Trump met Mr. Putin on Feb. 18 in Riyadh.",
        "Moscow “sensed willingness to resume dialogue. It is happening,” the minister said.",
        "Talks went on in the U.S.",
        "The sides met again.",
    ]
