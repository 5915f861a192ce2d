"""The text search of events (`q`): a verb of `EventQuerySet`, in a module of its own for its length.

The same meaning on both databases (migration 0012): English stemming, any case, accents ignored.
PostgreSQL reads the stored `search_document` through the configuration `SEARCH_CONFIG` (English
with `unaccent`); SQLite its FTS5 index `events_search` (Porter over `unicode61 remove_diacritics 2`),
without PostgreSQL's English stop words, which PostgreSQL leaves out of every query.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorExact
from django.db import models
from django.db.models import Exists, ExpressionWrapper, F, Func, OuterRef, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat
from django.db.models.lookups import LessThanOrEqual

from .expressions import IndexedSearchRank, SearchColumn
from .sources import Citation

SEARCH_CONFIG = "chancery_english"

# PostgreSQL's English stop words (tsearch_data/english.stop), which its `english_stem` drops from
# the text and the query alike: SQLite's index has them, and a query leaves them out as PostgreSQL does.
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her
    hers herself it its itself they them their theirs themselves what which who whom this that these those
    am is are was were be been being have has had having do does did doing a an the and but if or because
    as until while of at by for with about against between into through during before after above below to
    from up down in out on off over under again further then once here there when where why how all any
    both each few more most other some such no nor not only own same so than too very s t can will just
    don should now""".split()
)


def fts_query(words):
    """The FTS5 query asking for every word but the stop words, each a string (no operator of FTS5's
    syntax), or None when only stop words are left (PostgreSQL then finds nothing)."""
    kept = [word for word in words if word.casefold() not in STOP_WORDS]
    return " ".join(f'"{word}"' for word in kept) or None


class SearchVerbs:
    """`search` for `EventQuerySet`, which gives `_has_search_columns`, `_on_postgresql` and `parts`."""

    def search(self, text):
        """Events with every word of `text` in the title and summary, or in one source quote.

        Words are stemmed (English), in any case, accents ignored; each event has a `rank` for
        `ordering=relevance`, how well its title and summary answer the words (0 for a match in a quote only).
        PostgreSQL reads the stored `search_document` (migrations 0007, 0012), SQLite the FTS5 index.
        """
        words = re.findall(r"\w+", text)
        if not words:
            return self
        if not self._on_postgresql():
            return self._search_in_index(words)
        if not self._has_search_columns():
            return self._search_by_joins(words)
        query = SearchQuery(" ".join(words), search_type="plain", config=SEARCH_CONFIG)
        in_text = SearchVector("title", "summary", config=SEARCH_CONFIG)
        # The stored vector has the words of the title, summary and quotes together: it finds every match,
        # and serves the ordered scan or its GIN index. A query of one lexeme needs nothing more; with more,
        # they must all be in the title and summary or all in one quote, which is tested on those rows only.
        one_lexeme = LessThanOrEqual(Func(query, function="numnode", output_field=models.IntegerField()), 1)
        in_one_quote = Exists(
            Citation.objects.alias(document=SearchVector("quote", config=SEARCH_CONFIG)).filter(
                event=OuterRef("pk"), document=query
            )
        )
        matching = self.filter(SearchVectorExact(SearchColumn("search_document"), query)).filter(
            one_lexeme | SearchVectorExact(in_text, query) | in_one_quote
        )
        # How well the title and summary answer the words, computed for the matching events only.
        # As double precision: a real would come back rounded in text and break the cursor's equality test.
        return matching.annotate(rank=Cast(SearchRank(in_text, query), models.FloatField()))

    def _search_in_index(self, words):
        """SQLite: the events with a row of the FTS5 index `events_search` (their title and summary, or
        one quote) holding every word, ranked by bm25 on the row of their title and summary."""
        match = fts_query(words)
        if match is None:
            return self.none().annotate(rank=Value(0.0, output_field=models.FloatField()))
        matching = RawSQL(
            "SELECT r.event_id FROM events_search s JOIN events_search_row r ON r.id = s.rowid "
            "WHERE events_search MATCH %s",
            [match],
        )
        return self.filter(pk__in=matching).annotate(rank=IndexedSearchRank(match))

    def _search_by_joins(self, words):
        """The search computed from the texts themselves, without the stored columns or index: the tests'
        reference for them, and the search of the events as they were (`asof.EventVersions`)."""
        if not self._on_postgresql():
            return self._search_by_matching(words)
        query = SearchQuery(" ".join(words), search_type="plain", config=SEARCH_CONFIG)
        # One id list from the text-search vectors of titles and quotes, then a join: the tests' reference
        # for the stored search_document (unindexed since migration 0010 dropped 0003's GIN indexes).
        in_text = self.model.objects.alias(document=SearchVector("title", "summary", config=SEARCH_CONFIG))
        in_quotes = Citation.objects.alias(document=SearchVector("quote", config=SEARCH_CONFIG))
        matching = self.filter(
            pk__in=in_text.filter(document=query)
            .order_by()
            .values("pk")
            .union(in_quotes.filter(document=query).order_by().values("event_id"))
        )
        rank = Cast(SearchRank(SearchVector("title", "summary", config=SEARCH_CONFIG), query), models.FloatField())
        return matching.annotate(rank=rank)

    def _search_by_matching(self, words):
        """SQLite, without the index: each text asked through `fts_match` (events/apps.py), which reads it
        as the index does; every match ranks alike (bm25 needs the index's statistics)."""
        match = fts_query(words)
        if match is None:
            return self.none().annotate(rank=Value(0.0, output_field=models.FloatField()))

        def matches(text):
            return ExpressionWrapper(Func(text, Value(match), function="fts_match"), output_field=models.BooleanField())

        in_text = matches(Concat(F("title"), Value(" "), F("summary"), output_field=models.TextField()))
        in_one_quote = Exists(self.parts(Citation).filter(matches(F("quote")), event_id=OuterRef("id")))
        return self.filter(Q(in_text) | in_one_quote).annotate(rank=Value(0.0, output_field=models.FloatField()))
