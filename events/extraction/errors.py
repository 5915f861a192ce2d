"""What the extractor refuses, and why."""

MAX_CHARS = 2_000_000
"""Longer input is refused: no article is that long, and the rules run in time proportional to it."""


class ExtractionError(ValueError):
    """The input cannot be read as an article; the message says why."""
