"""The text search of events (`q`): a verb of `EventQuerySet`, in a module of its own for its length."""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorExact
from django.db import models
from django.db.models import Exists, Func, OuterRef, Q, Value
from django.db.models.functions import Cast
from django.db.models.lookups import LessThanOrEqual

from .expressions import SearchColumn
from .sources import Citation


class SearchVerbs:
    """`search` for `EventQuerySet`, which gives `_has_search_columns`, `_on_postgresql` and `parts`."""

    def search(self, text):
        """Events with every word of `text` in the title and summary, or in one source quote.

        PostgreSQL: English stemming, through the stored `search_document` (migration 0007), and a
        `rank` for `ordering=relevance`; elsewhere, whole words case-insensitively, each anywhere.
        """
        words = re.findall(r"\w+", text)
        if not words:
            return self
        if not self._has_search_columns():
            return self._search_by_joins(words)
        query = SearchQuery(" ".join(words), search_type="plain", config="english")
        in_text = SearchVector("title", "summary", config="english")
        # The stored vector has the words of the title, summary and quotes together: it finds every match,
        # and serves the ordered scan or its GIN index. A query of one lexeme needs nothing more; with more,
        # they must all be in the title and summary or all in one quote, which is tested on those rows only.
        one_lexeme = LessThanOrEqual(Func(query, function="numnode", output_field=models.IntegerField()), 1)
        in_one_quote = Exists(
            Citation.objects.alias(document=SearchVector("quote", config="english")).filter(
                event=OuterRef("pk"), document=query
            )
        )
        matching = self.filter(SearchVectorExact(SearchColumn("search_document"), query)).filter(
            one_lexeme | SearchVectorExact(in_text, query) | in_one_quote
        )
        # How well the title and summary answer the words, computed for the matching events only.
        # As double precision: a real would come back rounded in text and break the cursor's equality test.
        return matching.annotate(rank=Cast(SearchRank(in_text, query), models.FloatField()))

    def _search_by_joins(self, words):
        if self._on_postgresql():
            query = SearchQuery(" ".join(words), search_type="plain", config="english")
            # One id list from the text-search vectors of titles and quotes, then a join: the tests' reference
            # for the stored search_document (unindexed since migration 0010 dropped 0003's GIN indexes).
            in_text = self.model.objects.alias(document=SearchVector("title", "summary", config="english"))
            in_quotes = Citation.objects.alias(document=SearchVector("quote", config="english"))
            matching = self.filter(
                pk__in=in_text.filter(document=query)
                .order_by()
                .values("pk")
                .union(in_quotes.filter(document=query).order_by().values("event_id"))
            )
            rank = Cast(SearchRank(SearchVector("title", "summary", config="english"), query), models.FloatField())
            return matching.annotate(rank=rank)
        queryset = self
        for word in words:
            pattern = rf"\b{re.escape(word)}\b"
            queryset = queryset.filter(
                Q(title__iregex=pattern)
                | Q(summary__iregex=pattern)
                | Exists(self.parts(Citation).filter(event_id=OuterRef("id"), quote__iregex=pattern))
            )
        # No ranking function on SQLite: every match ranks alike, and `ordering=relevance` falls back to ids.
        return queryset.annotate(rank=Value(0.0, output_field=models.FloatField()))
