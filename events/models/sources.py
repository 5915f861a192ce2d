"""The evidence: sources, and the citations that tie an event to them."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Upper

from ..choices import ReviewState
from .actors import Actor
from .validators import normalize_url
from .versions import VersionedHistory


class Source(models.Model):
    """A news article or official release, one row per normalized URL."""

    url = models.URLField(
        max_length=2000,
        unique=True,
        help_text="The article's address, stored normalized: scheme and host lower-case, no default port or #fragment.",
    )
    title = models.CharField(max_length=500, blank=True, help_text="The article's headline.")
    publisher = models.CharField(max_length=200, blank=True, help_text="Who published it, e.g. 'RT', 'Reuters'.")
    published = models.DateField(null=True, blank=True, help_text="Publication date; empty when unknown.")
    language = models.CharField(
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", "Use a language tag such as 'en' or 'ru'.")],
        help_text="Language of the text (BCP 47 tag, e.g. 'en', 'ru').",
    )
    archive_url = models.URLField(
        max_length=2000, blank=True, help_text="A saved copy (e.g. in a web archive), in case the article disappears."
    )

    history = VersionedHistory()

    class Meta:
        ordering = ["url"]
        indexes = [
            # publisher filter (case-insensitive).
            models.Index(Upper("publisher"), name="source_publisher_idx"),
        ]

    def __str__(self):
        return self.title or self.url

    def save(self, *args, **kwargs):
        self.url = normalize_url(self.url)
        super().save(*args, **kwargs)


def source_change_problem(user, source, changed, events):
    """Why `user` may not change the fields `changed` of the stored `source`, or None.

    `events` are the reviewed or published events citing it, apart from those the same write changes
    (their own review_problem judges them). What a source says is part of every event citing it:
    changing it changes them, and the review rules of changing them directly hold (Event.review_problem).
    """
    closed = {}
    for event in events:
        if event.review_problem(user, event.review_state, changed=("sources",)):
            closed[event.pk] = event.review_state
    if not closed:
        return None
    ids = sorted(closed)
    named = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
    states = " or ".join(state for state in ReviewState.values if state in closed.values())
    them = "it" if len(ids) == 1 else "them"

    def stored(field):
        value = getattr(source, field)
        return repr(value.isoformat() if hasattr(value, "isoformat") else value)

    return (
        f"{source.url} is cited by the {states} event{'s' if len(ids) > 1 else ''} {named}: changing its "
        f"{', '.join(changed)} would change {them} unreviewed. Keep its stored "
        f"{', '.join(f'{field} {stored(field)}' for field in changed)}, or have {them} returned to draft first."
    )


class Citation(models.Model):
    """A source supporting an event: the passage, and whom the text says claims it."""

    event = models.ForeignKey("Event", on_delete=models.CASCADE, related_name="citations")
    # PROTECT: a source still cited must not vanish from under the events it supports.
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(blank=True, help_text="The passage of the source that supports the event, verbatim.")
    # PROTECT: the attribution of a claim is curated evidence.
    claimed_by = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        help_text=(
            "The actor to whom the source attributes the claim ('with Moscow saying...'); "
            "empty when the source states it in its own voice."
        ),
    )

    history = VersionedHistory()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "source"], name="citation_once_per_source")]

    def __str__(self):
        return f"{self.event_id} <- {self.source}"
