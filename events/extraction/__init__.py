"""Draft events proposed from an article's text: small rules, no learning.

`propose(content, url=..., published=..., publisher=...)` reads an article
(HTML through trafilatura, or plain text), splits its body into sentences and
turns each sentence that names an actor Chancery knows and a kind of event its
taxonomy knows into a draft event. `proposals_to_dataset` writes them in the
dataset shape (docs/dataset.md) that `events.dataset.import_document` takes.

One module per step (docs/extraction.md says what each does and where it
fails); a curator reviews every proposal: they are drafts.
"""

from .actors import ActorIndex, KnownActor, Mention
from .claims import find_claimant
from .dating import DateGuess, find_dates, resolve_date
from .errors import MAX_CHARS, ExtractionError
from .event_types import TypeIndex
from .modality import detect_status, tense
from .output import proposals_to_dataset
from .pipeline import Extraction, Proposal, Skipped, propose
from .reading import Article, Paragraph, parse_published, read_article
from .sentences import split_sentences

__all__ = [
    "MAX_CHARS",
    "ActorIndex",
    "Article",
    "DateGuess",
    "Extraction",
    "ExtractionError",
    "KnownActor",
    "Mention",
    "Paragraph",
    "Proposal",
    "Skipped",
    "TypeIndex",
    "detect_status",
    "find_claimant",
    "find_dates",
    "parse_published",
    "propose",
    "proposals_to_dataset",
    "read_article",
    "resolve_date",
    "split_sentences",
    "tense",
]
