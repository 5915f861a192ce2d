"""Chancery's domain: actors, the event-type taxonomy, events and their evidence.

The rules of the domain live here, once: database constraints for what must
never be stored, `clean()` for the friendly message before that, and verbs on
`EventQuerySet` for every question the API, the admin, the exports and the
commands ask.
"""

import re
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.postgres.fields import ArrayField, DateRangeField
from django.contrib.postgres.fields.array import ArrayContains
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorExact,
    SearchVectorField,
)
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connections, models
from django.db.models import Count, DateField, Exists, Expression, F, Func, OuterRef, Q, Value
from django.db.models.expressions import Col
from django.db.models.functions import Cast, TruncMonth, TruncYear, Upper
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from simple_history.models import HistoricalRecords

from . import dates
from .choices import Precision, RelationKind, ReviewState, Role, Status
from .countries import COUNTRIES
from .postgres import document_sql

RESERVED_EVENT_IDS = frozenset({"export", "deleted"})
"""Event ids that would collide with the API's own paths under /api/v1/events/."""

SLUG_RE = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
validate_slug_id = RegexValidator(
    SLUG_RE, "Use lower-case letters, digits and single hyphens or underscores, e.g. 'us-ru-talks-2025'."
)
validate_wikidata = RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata item id is Q followed by digits, e.g. 'Q159'.")
validate_type_code = RegexValidator(
    r"^[a-z][a-z_]*(?:\.[a-z][a-z_]*)*$", "A type code is dotted lower-case words, e.g. 'sanctions.imposed'."
)


def validate_country(value):
    if value not in COUNTRIES:
        raise ValidationError(
            "%(value)r is not an ISO 3166-1 alpha-3 country code (e.g. 'RUS', 'USA').", params={"value": value}
        )


def validate_event_id(value):
    if value in RESERVED_EVENT_IDS:
        raise ValidationError("%(value)r is reserved by the API and cannot be an event id.", params={"value": value})


def validate_aliases(value):
    if not isinstance(value, list) or not all(isinstance(alias, str) and alias.strip() for alias in value):
        raise ValidationError("Aliases are a list of non-empty names.")
    if len(set(value)) != len(value):
        raise ValidationError("An alias is listed twice.")


def normalize_url(url):
    """A source's identity: scheme and host lower-cased, default port and fragment dropped."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and not ((scheme == "http" and parts.port == 80) or (scheme == "https" and parts.port == 443)):
        host = f"{host}:{parts.port}"
    if parts.username or parts.password:
        userinfo = parts.username or ""
        if parts.password:
            userinfo += f":{parts.password}"
        host = f"{userinfo}@{host}"
    return urlunsplit((scheme, host, parts.path, parts.query, ""))


def equal_in_any_case(queryset, field, value):
    """`queryset` where `field` equals `value` in any case, beyond A-Z too ("Ведомости" = "ВЕДОМОСТИ")."""
    if connections[queryset.db].vendor == "sqlite":
        # SQLite's own case folding knows A-Z only; `casefold` is Python's, registered by events.apps.
        return queryset.alias(folded=Func(F(field), function="casefold")).filter(folded=value.casefold())
    return queryset.filter(**{f"{field}__iexact": value})


class Actor(models.Model):
    """A state, government, official, company or organisation that takes part in events."""

    class Kind(models.TextChoices):
        STATE = "state", "state"
        GOVERNMENT = "government", "government"
        PERSON = "person", "person"
        ORGANIZATION = "organization", "organization"
        COMPANY = "company", "company"
        IGO = "igo", "intergovernmental organization"
        OTHER = "other", "other"

    id = models.SlugField(
        primary_key=True,
        max_length=100,
        validators=[validate_slug_id],
        help_text="Stable identifier used by the API and dataset files, e.g. 'russia'. Never changes.",
    )
    name = models.CharField(max_length=200, help_text="The usual English name, e.g. 'Russia', 'Sergey Lavrov'.")
    kind = models.CharField(max_length=20, choices=Kind.choices, help_text="What sort of actor this is.")
    country = models.CharField(
        max_length=3,
        blank=True,
        default="",
        validators=[validate_country],
        help_text="ISO 3166-1 alpha-3 code of the state the actor belongs to (e.g. 'RUS'); empty for none.",
    )
    aliases = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_aliases],
        help_text="Other names the actor goes by in articles ('Moscow', 'Kremlin'): used to find it in text.",
    )
    # PROTECT: a government's ministers and officials must not lose their place in the hierarchy unnoticed.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The actor this one belongs to: a minister's ministry, a ministry's state.",
    )
    wikidata = models.CharField(
        max_length=20,
        blank=True,
        default="",
        validators=[validate_wikidata],
        help_text="Wikidata item id, e.g. 'Q159' for Russia; empty when unknown.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(country="") | Q(country__regex=r"^[A-Z]{3}$"), name="actor_country_is_alpha3"
            ),
            models.CheckConstraint(
                condition=Q(wikidata="") | Q(wikidata__regex=r"^Q[1-9][0-9]*$"), name="actor_wikidata_qid"
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="actor_is_not_its_own_parent"),
        ]
        indexes = [
            # The country filter joins participants to their actors' country.
            models.Index(fields=["country"], name="actor_country_idx"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        def parent_in_database(actor_id):
            return Actor.objects.filter(pk=actor_id).values_list("parent_id", flat=True).first()

        if parent_chain_loops(self.id, self.parent_id, parent_in_database):
            raise ValidationError({"parent": f"{self.parent_id!r} would make the hierarchy a loop."})


def parent_chain_loops(actor_id, parent_id, parent_of):
    """Whether following parents up from `parent_id` comes back round; `parent_of(id)` gives one step."""
    seen, current = {actor_id}, parent_id
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parent_of(current)
    return False


class EventType(models.Model):
    """One code of the taxonomy, with its nearest CAMEO and PLOVER codes."""

    code = models.CharField(
        primary_key=True,
        max_length=60,
        validators=[validate_type_code],
        help_text="Dotted code; a filter on a code includes its sub-codes ('sanctions' matches 'sanctions.imposed').",
    )
    name = models.CharField(max_length=100, help_text="Short name shown to readers.")
    description = models.TextField(blank=True, help_text="What events of this type are, for curators.")
    cameo_code = models.CharField(
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{2,4}$", "A CAMEO code is 2 to 4 digits, leading zeros kept ('046').")],
        help_text="Nearest CAMEO code (GDELT, ICEWS), kept as a string with its leading zeros.",
    )
    goldstein = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(-10), MaxValueValidator(10)],
        help_text="Goldstein score of the CAMEO code: -10 (conflict) to +10 (cooperation).",
    )
    plover_type = models.CharField(max_length=20, blank=True, help_text="Nearest PLOVER event type (POLECAT).")
    plover_mode = models.CharField(max_length=30, blank=True, help_text="PLOVER mode within that type, if any.")
    mapping_note = models.TextField(
        blank=True, help_text="Where the CAMEO/PLOVER mapping is Chancery's judgement rather than the standard's."
    )
    keywords = models.JSONField(
        default=list, blank=True, help_text="Words that suggest this type when proposing events from an article."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(goldstein__isnull=True) | Q(goldstein__gte=-10, goldstein__lte=10),
                name="eventtype_goldstein_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.code} ({self.name})"

    @property
    def family(self):
        return self.code.split(".")[0]


class Tag(models.Model):
    slug = models.SlugField(primary_key=True, max_length=60, validators=[validate_slug_id])

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.slug


class PeriodStart(Func):
    """The first day of a date's month or year, as a date (PostgreSQL).

    DATE_TRUNC on a date goes through a timestamp with time zone, a conversion per row that costs
    the month timeline over a million events a third of its time; through a plain timestamp it does not.
    """

    output_field = DateField()
    template = "date_trunc('%(kind)s', %(expressions)s::timestamp)::date"

    def __init__(self, expression, kind):
        if kind not in (dates.MONTH, dates.YEAR):
            raise ValueError(f"kind must be month or year, not {kind!r}")
        super().__init__(expression, kind=kind)


def _search_column_field(name, field):
    field.set_attributes_from_name(name)
    return field


SEARCH_COLUMNS = {
    "actor_ids": _search_column_field("actor_ids", ArrayField(models.CharField())),
    "countries": _search_column_field("countries", ArrayField(models.CharField())),
    "search_document": _search_column_field("search_document", SearchVectorField()),
}


class SearchColumn(Expression):
    """A column of events_event that PostgreSQL's triggers keep (migration 0007), unknown to the model.

    `actor_ids` (each participant's actor id, and 'role:actor'), `countries` (the participants' actors'
    and the location's) and `search_document` (title, summary and quotes): the filters' GIN indexes.
    Resolved as a column of the query's events table, so that it follows the table into subqueries.
    """

    def __init__(self, name):
        super().__init__(output_field=SEARCH_COLUMNS[name])
        self.name = name

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        return Col(query.get_initial_alias(), SEARCH_COLUMNS[self.name])


class EventDocument(Expression):
    """The event's JSON text in the dataset shape, written by PostgreSQL in the query that reads the event.

    The NDJSON export's SQL (events/postgres.py `document_sql`), its lists read by subqueries of
    the event's row: a page of events and everything it shows in one query, no model per relation.
    With `published_related_only`, `related` names published events only (`visible_to`).
    """

    output_field = models.TextField()

    def __init__(self, published_related_only=False):
        super().__init__()
        self.published_related_only = published_related_only

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.alias = query.get_initial_alias()
        return resolved

    def as_sql(self, compiler, connection):
        return document_sql(compiler.quote_name_unless_alias(self.alias), self.published_related_only), []


def may_see_unpublished(user):
    """Whether `user` may read drafts and reviewed events: the permission the admin asks to show events
    (view_event, or change_event), not staff status alone."""
    return (
        user is not None
        and user.is_active
        and (user.has_perm("events.view_event") or user.has_perm("events.change_event"))
    )


class EventQuerySet(models.QuerySet):
    """The questions asked of events, as verbs shared by the API, admin, exports and commands."""

    def published(self):
        return self.filter(review_state=Event.ReviewState.PUBLISHED)

    def visible_to(self, user):
        """The events `user` may read: every one for curators (`may_see_unpublished`), else the published
        ones, whose relations then name published events only (`hides_unpublished`)."""
        if may_see_unpublished(user):
            return self
        queryset = self.published()
        queryset.hides_unpublished = True
        return queryset

    def _on_postgresql(self):
        return connections[self.db].vendor == "postgresql"

    def _has_search_columns(self):
        return self._on_postgresql()  # migration 0007 adds them on PostgreSQL only

    def involving(self, *actor_ids):
        """Events in which every named actor takes part (in any role)."""
        if not actor_ids:
            return self
        if self._has_search_columns():
            return self.filter(ArrayContains(SearchColumn("actor_ids"), list(actor_ids)))
        return self._involving_by_joins(*actor_ids)

    def _involving_by_joins(self, *actor_ids):
        queryset = self
        for actor_id in actor_ids:
            queryset = queryset.filter(Exists(Participant.objects.filter(event=OuterRef("pk"), actor_id=actor_id)))
        return queryset

    def with_role(self, role, actor_id):
        if self._has_search_columns():
            return self.filter(ArrayContains(SearchColumn("actor_ids"), [f"{role}:{actor_id}"]))
        return self._with_role_by_joins(role, actor_id)

    def _with_role_by_joins(self, role, actor_id):
        return self.filter(Exists(Participant.objects.filter(event=OuterRef("pk"), actor_id=actor_id, role=role)))

    def of_type(self, *codes):
        """Events of any of the codes, sub-codes included."""
        condition = Q()
        for code in codes:
            condition |= Q(type_id=code) | Q(type__code__startswith=f"{code}.")
        return self.filter(condition)

    def overlapping(self, date_from=None, date_to=None):
        """Events whose span (imprecise dates covering their whole period) meets the range."""
        queryset = self
        if date_to is not None:
            queryset = queryset.filter(start__lte=date_to)
        if date_from is not None:
            queryset = queryset.filter(span_end__gte=date_from)
            queryset._split_day = max(date_from, queryset._split_day or date_from)
        return queryset

    # The events reaching `date_from` are those that start on or after it, and the few that started
    # before it and go on (a sanction of 2014 still in force). In chronological order every one of the
    # second kind comes first; but PostgreSQL, asked for both at once, reads the index in order from
    # the first event ever, checking each event's end: two seconds for "since 2022" at a million events.
    # Asked as two parts, each is an index range: the events going on that day through their spans'
    # GiST index (migration 0009), then those starting from it in the chronological index.
    _split_day = None

    # Set by `visible_to` for a reader of published events only: what the events show of others (their
    # `related`, in the API and the exports) leaves out the events that reader may not see.
    hides_unpublished = False

    def _clone(self):
        clone = super()._clone()
        clone._split_day = self._split_day
        clone.hides_unpublished = self.hides_unpublished
        return clone

    def head(self, count):
        """The first `count` events in the queryset's order, read part by part (`ordered_parts`)."""
        rows = []
        for part in self.ordered_parts():
            rows += part[: count - len(rows)]
            if len(rows) >= count:
                break
        return rows

    def ordered_parts(self):
        """The events in their order as consecutive querysets, each read through an index range
        (`head` takes a page from the first, then the next...): two parts for a
        chronological list with `date_from` on PostgreSQL, else (a slice too) the queryset itself."""
        day = self._split_day
        first_key = self.query.order_by[0] if self.query.order_by else None
        if day is None or first_key not in ("start", "-start") or self.query.is_sliced or not self._on_postgresql():
            return [self]
        span = Func(F("start"), F("span_end"), Value("[]"), function="daterange", output_field=DateRangeField())
        going_on = self.alias(span=span).filter(start__lt=day, span__contains=day)
        starting = self.filter(start__gte=day)
        return [going_on, starting] if first_key == "start" else [starting, going_on]

    def in_country(self, code):
        """Events located in the country or with a participant of it."""
        if self._has_search_columns() and code:
            return self.filter(ArrayContains(SearchColumn("countries"), [code]))
        return self._in_country_by_joins(code)

    def _in_country_by_joins(self, code):
        return self.filter(
            Q(location_country=code) | Exists(Participant.objects.filter(event=OuterRef("pk"), actor__country=code))
        )

    def tagged(self, slug):
        return self.filter(Exists(Event.tags.through.objects.filter(event=OuterRef("pk"), tag_id=slug)))

    def published_by(self, publisher):
        """Events citing a source of this publisher, in any case ("rt", "Ведомости" = "ВЕДОМОСТИ")."""
        citations = equal_in_any_case(Citation.objects.filter(event=OuterRef("pk")), "source__publisher", publisher)
        return self.filter(Exists(citations))

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
            in_text = Event.objects.alias(document=SearchVector("title", "summary", config="english"))
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
                | Exists(Citation.objects.filter(event=OuterRef("pk"), quote__iregex=pattern))
            )
        # No ranking function on SQLite: every match ranks alike, and `ordering=relevance` falls back to ids.
        return queryset.annotate(rank=Value(0.0, output_field=models.FloatField()))

    def timeline(self, interval):
        """Counts per period and type: each event in the period of its start at `interval`,
        or of its own precision when that is coarser ("2025" among months).

        One grouped query; returns [{"period", "count", "types"}] in chronological order,
        a coarser period before the finer ones it contains.
        """
        coarser = dates.PRECISIONS[dates.PRECISIONS.index(interval) + 1 :]
        # An imprecise start is the first day of its period, so truncating it to a finer interval leaves it
        # as it is: one truncation serves every event, and the precision picks the bucket in Python. No CASE
        # in the grouping keys: PostgreSQL reads start, start_precision and type_id from event_timeline_idx
        # alone and groups them in a hash.
        if interval == dates.DAY:
            period = F("start")
        elif self._on_postgresql():
            period = PeriodStart(F("start"), kind=interval)
        else:
            period = {dates.MONTH: TruncMonth, dates.YEAR: TruncYear}[interval]("start")
        rows = (
            self.order_by()
            .annotate(period_start=period)
            .values("period_start", "start_precision", "type_id")
            # COUNT(*), not COUNT(id): the id is not in the index.
            .annotate(count=Count("*"))
            .values_list("period_start", "start_precision", "type_id", "count")
        )
        # A bucket's key sorts a coarser period before the finer ones it contains.
        rank = {precision: -dates.PRECISIONS.index(precision) for precision in dates.PRECISIONS}
        bucket_precision = {precision: precision if precision in coarser else interval for precision in rank}
        buckets = {}
        for period_start, start_precision, type_id, count in rows:  # tens of thousands over a million events
            precision = bucket_precision[start_precision]
            key = (period_start, rank[precision])
            bucket = buckets.get(key)
            if bucket is None:
                bucket = buckets[key] = {
                    "period": dates.format_partial_date(period_start, precision),
                    "count": 0,
                    "types": {},
                }
            bucket["count"] += count
            types = bucket["types"]
            types[type_id] = types.get(type_id, 0) + count
        return [{**bucket, "types": dict(sorted(bucket["types"].items()))} for _, bucket in sorted(buckets.items())]

    def likely_duplicates(self, event, actor_ids):
        """Stored events that may repeat `event`: same type family, a shared actor, overlapping dates."""
        family = event.type_id.split(".")[0]
        shared_actor = Exists(Participant.objects.filter(event=OuterRef("pk"), actor_id__in=list(actor_ids)))
        return (
            self.of_type(family)
            .overlapping(event.start, event.compute_span_end())
            .filter(shared_actor)
            .exclude(pk=event.pk)
            .order_by("start", "id")
        )

    def changed_since(self, moment):
        return self.filter(updated_at__gte=moment)

    def chronological(self):
        return self.order_by("start", "id")

    def with_documents(self):
        """Everything the dataset shape shows: on PostgreSQL each event's JSON text (`document`), written
        by the database in the events' own query; elsewhere `with_dataset_relations()`, four more queries.
        `dataset.event_to_dict()` reads either."""
        if self._on_postgresql():
            return self.annotate(document=EventDocument(published_related_only=self.hides_unpublished))
        return self.with_dataset_relations()

    def with_dataset_relations(self):
        """Everything the dataset shape shows, in a constant number of queries."""
        relations = EventRelation.objects.order_by("relation", "to_event_id")
        if self.hides_unpublished:
            relations = relations.filter(to_event__review_state=ReviewState.PUBLISHED)
        return self.prefetch_related(
            models.Prefetch("participants", queryset=Participant.objects.order_by("role", "actor_id")),
            models.Prefetch("citations", queryset=Citation.objects.select_related("source").order_by("source__url")),
            models.Prefetch("relations", queryset=relations),
            "tags",
        )

    def citing(self, source_urls):
        """The events citing any of the sources at `source_urls`, each with the `cited_url` it cites
        (an event citing two of them comes twice)."""
        return self.filter(citations__source__url__in=source_urls).annotate(cited_url=F("citations__source__url"))


class Event(models.Model):
    """Something that happened (or was proposed, scheduled, cancelled) between actors."""

    Status = Status
    ReviewState = ReviewState

    id = models.SlugField(
        primary_key=True,
        max_length=100,
        validators=[validate_slug_id, validate_event_id],
        help_text="Stable identifier used by the API and dataset files, e.g. 'us-ru-talks-riyadh-2025'. Never changes.",
    )
    title = models.CharField(
        max_length=300, help_text="One line saying who did what, e.g. 'US imposes sanctions on Rosneft'."
    )
    summary = models.TextField(blank=True, help_text="A few sentences of context; may be empty.")
    # PROTECT: a type still used by events must not disappear from the taxonomy.
    type = models.ForeignKey(
        EventType, on_delete=models.PROTECT, related_name="events", help_text="Taxonomy code, e.g. 'talks'."
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.OCCURRED,
        help_text="Whether the event took place, or was only proposed, scheduled, cancelled or postponed.",
    )
    start = models.DateField(help_text="First day of the event, or of its month or year when only that is known.")
    start_precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY, help_text="How precisely the start is known."
    )
    end = models.DateField(null=True, blank=True, help_text="Last day, for events that last; empty for one-off events.")
    end_precision = models.CharField(
        max_length=5,
        choices=Precision.choices,
        blank=True,
        help_text="How precisely the end is known; empty without an end.",
    )
    span_end = models.DateField(
        editable=False,
        help_text="Last day the event may cover (the end of its end's or start's period); serves date filters.",
    )
    location_name = models.CharField(max_length=200, blank=True, help_text="Where it happened, e.g. 'Riyadh'.")
    location_country = models.CharField(
        max_length=3, blank=True, validators=[validate_country], help_text="ISO 3166-1 alpha-3 code of the location."
    )
    location_lat = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text="Latitude (WGS 84).",
    )
    location_lon = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text="Longitude (WGS 84).",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="events", help_text="Free keywords, e.g. 'oil'.")
    review_state = models.CharField(
        max_length=10,
        choices=ReviewState.choices,
        default=ReviewState.DRAFT,
        help_text="Only published events are visible without logging in.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, help_text="Last change, for incremental sync.")
    # SET_NULL: removing a user account must not remove the events they curated.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False, help_text="When it was last reviewed.")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False, help_text="When it was last published.")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = EventQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[tags])

    class Meta:
        ordering = ["start", "id"]
        permissions = [
            ("review_event", "Can mark events reviewed or return them to draft"),
            ("publish_event", "Can publish events"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(start_precision=dates.MONTH) | Q(start__day=1), name="event_month_start_is_first_day"
            ),
            models.CheckConstraint(
                condition=~Q(start_precision=dates.YEAR) | Q(start__day=1, start__month=1),
                name="event_year_start_is_first_day",
            ),
            models.CheckConstraint(
                condition=~Q(end_precision=dates.MONTH) | Q(end__day=1), name="event_month_end_is_first_day"
            ),
            models.CheckConstraint(
                condition=~Q(end_precision=dates.YEAR) | Q(end__day=1, end__month=1), name="event_year_end_is_first_day"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True, end_precision="")
                | Q(end__isnull=False, end_precision__in=dates.PRECISIONS),
                name="event_end_has_precision",
            ),
            models.CheckConstraint(
                condition=Q(span_end__gte=models.F("start")), name="event_does_not_end_before_start"
            ),
            models.CheckConstraint(
                condition=Q(location_lat__isnull=True) | Q(location_lat__gte=-90, location_lat__lte=90),
                name="event_lat_in_range",
            ),
            models.CheckConstraint(
                condition=Q(location_lon__isnull=True) | Q(location_lon__gte=-180, location_lon__lte=180),
                name="event_lon_in_range",
            ),
            models.CheckConstraint(
                condition=Q(location_lat__isnull=True, location_lon__isnull=True)
                | Q(location_lat__isnull=False, location_lon__isnull=False),
                name="event_coordinates_come_in_pairs",
            ),
            models.CheckConstraint(
                condition=~Q(location_name="") | Q(location_country="", location_lat__isnull=True),
                name="event_location_has_a_name",
            ),
            models.CheckConstraint(
                condition=Q(location_country="") | Q(location_country__regex=r"^[A-Z]{3}$"),
                name="event_location_country_is_alpha3",
            ),
            models.CheckConstraint(condition=~Q(id__in=sorted(RESERVED_EVENT_IDS)), name="event_id_not_reserved"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="event_status_valid"),
            models.CheckConstraint(condition=Q(review_state__in=ReviewState.values), name="event_review_state_valid"),
            models.CheckConstraint(
                condition=Q(start_precision__in=dates.PRECISIONS), name="event_start_precision_valid"
            ),
        ]
        indexes = [
            # Anonymous lists: published events in chronological order, the cursor's (start, id).
            models.Index(
                fields=["start", "id"], condition=Q(review_state="published"), name="event_published_chrono_idx"
            ),
            # Staff lists of every review state, and date_to (start <= date_to).
            models.Index(fields=["start", "id"], name="event_chrono_idx"),
            # date_from: span_end >= date_from.
            models.Index(fields=["span_end"], name="event_span_end_idx"),
            # updated_since and ordering=updated.
            models.Index(fields=["updated_at", "id"], name="event_updated_idx"),
            # country (through the location).
            models.Index(fields=["location_country"], name="event_location_country_idx"),
            # The timeline: counts per period and type from the index alone (an index-only scan, no table).
            models.Index(
                fields=["start", "start_precision", "type"],
                condition=Q(review_state="published"),
                name="event_timeline_idx",
            ),
            # review_state for staff and the admin's list filter.
            models.Index(fields=["review_state"], name="event_review_state_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.span_end = self.compute_span_end()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "span_end"}
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        for field in ("start", "end"):
            value, precision = getattr(self, field), getattr(self, f"{field}_precision")
            if value and precision in dates.PRECISIONS and not dates.is_start_of_period(value, precision):
                errors[field] = (
                    f"{value.isoformat()} has a {'day' if precision == dates.MONTH else 'month or day'} "
                    f"but {field}_precision is {precision!r}: write {dates.format_partial_date(value, precision)!r}."
                )
        if self.end is None and self.end_precision:
            errors["end_precision"] = "An end precision needs an end date."
        if self.end is not None and not self.end_precision:
            errors["end_precision"] = "An end date needs its precision."
        if (
            "start" not in errors
            and "end" not in errors
            and self.start
            and self.end
            and self.end_precision in dates.PRECISIONS
            and dates.period_end(self.end, self.end_precision) < self.start
        ):
            errors["end"] = f"The event ends ({self.end.isoformat()}) before it starts ({self.start.isoformat()})."
        if (self.location_lat is None) != (self.location_lon is None):
            errors["location_lat" if self.location_lat is None else "location_lon"] = (
                "Give both coordinates or neither."
            )
        if not self.location_name and (self.location_country or self.location_lat is not None):
            errors["location_name"] = "A location needs a name."
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        # Without an end, the end's constraints hold trivially; checking them would make PostgreSQL
        # evaluate EXTRACT(DAY FROM NULL), which it cannot type.
        if self.end is None:
            exclude = {*(exclude or ()), "end"}
        super().validate_constraints(exclude=exclude)

    def compute_span_end(self):
        if self.end is not None:
            return dates.period_end(self.end, self.end_precision or dates.DAY)
        return dates.period_end(self.start, self.start_precision)

    @staticmethod
    def publication_problem(review_state, source_count):
        """Why an event cannot have this review state with so many sources, or None."""
        if review_state == Event.ReviewState.PUBLISHED and source_count == 0:
            return "A published event needs at least one source."
        return None

    def review_problem(self, user, new_state, changed=()):
        """Why `user` may not make this write to the event (as stored), or None: move it to `new_state`
        and change `changed`, the names of what readers see of it (title, sources...) that the write changes.

        Editors write drafts, and change nothing once it is reviewed or published; reviewers
        (permission review_event) mark events reviewed or return them to draft, and publish
        (publish_event). With REVIEW_BY_ANOTHER on, what a reviewed or published event shows has been
        seen by two people: nobody reviews or publishes an event they created or edited last, nor
        changes what a reviewed or published event shows, nor changes an event in the write that
        reviews or publishes it. A change is saved as a draft, for another reviewer. Superusers are exempt.
        """
        adding = self._state.adding or not self.pk
        old_state = ReviewState.DRAFT if adding else self.review_state
        if old_state != ReviewState.DRAFT and not user.has_perm("events.review_event"):
            return f"This event is {old_state}: editors change drafts only; a reviewer can return it to draft."
        if new_state != old_state:
            needed = "events.publish_event" if new_state == ReviewState.PUBLISHED else "events.review_event"
            if not user.has_perm(needed):
                who = "reviewers with the permission to publish" if needed.endswith("publish_event") else "reviewers"
                return f"Only {who} can move an event from {old_state} to {new_state}."
        if new_state == ReviewState.DRAFT or not settings.REVIEW_BY_ANOTHER or user.is_superuser:
            return None
        if adding or (new_state != old_state and self.updated_by_id == user.pk):
            return "You edited this event last: another reviewer must review or publish it (REVIEW_BY_ANOTHER)."
        if not changed:
            return None
        what = ", ".join(dict.fromkeys(changed))
        if new_state == old_state:
            return (
                f"This event is {old_state} and this write changes its {what}: another reviewer must review "
                f"a change before it is {old_state} (REVIEW_BY_ANOTHER). Save it with the review state draft; "
                f"another reviewer then reviews or publishes it."
            )
        return (
            f"This write changes the event's {what} and makes it {new_state}: another reviewer must review "
            f"or publish your change (REVIEW_BY_ANOTHER). Save it as a draft; another reviewer then reviews "
            f"or publishes it."
        )

    def record_review(self, user, new_state, when=None):
        """Note who reviewed or published the event, and when, as its state changes."""
        when = when or timezone.now()
        if new_state in (ReviewState.REVIEWED, ReviewState.PUBLISHED) and self.review_state != new_state:
            self.reviewed_by, self.reviewed_at = user, when
        if new_state == ReviewState.PUBLISHED and self.review_state != new_state:
            self.published_by, self.published_at = user, when
        self.review_state = new_state

    @property
    def start_text(self):
        return dates.format_partial_date(self.start, self.start_precision)

    @property
    def end_text(self):
        return dates.format_partial_date(self.end, self.end_precision) if self.end else None

    @property
    def has_location(self):
        return bool(self.location_name)


class Participant(models.Model):
    """An actor taking part in an event, in a role."""

    Role = Role

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    # PROTECT: an actor still taking part in events must not vanish from their records.
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=12, choices=Role.choices, help_text="What the actor did in the event.")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "actor", "role"], name="participant_once_per_role"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="participant_role_valid"),
        ]
        indexes = [
            # actor, initiator and target filters: from the actor (and role) to its events.
            models.Index(fields=["actor", "role", "event"], name="participant_actor_role_idx"),
        ]

    def __str__(self):
        return f"{self.actor_id} ({self.role})"


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

    history = HistoricalRecords()

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

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="citations")
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

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "source"], name="citation_once_per_source")]

    def __str__(self):
        return f"{self.event_id} <- {self.source}"


class EventRelation(models.Model):
    """A directed link from one event to another, stored as given (no inverse is added)."""

    Kind = RelationKind

    from_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="relations")
    # PROTECT: deleting an event that others point to would silently change their records.
    to_event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="incoming_relations")
    relation = models.CharField(max_length=12, choices=Kind.choices)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_event", "to_event", "relation"], name="relation_once"),
            models.CheckConstraint(
                condition=~Q(from_event=models.F("to_event")),
                name="relation_not_to_itself",
                violation_error_message="An event cannot relate to itself.",
            ),
            models.CheckConstraint(condition=Q(relation__in=RelationKind.values), name="relation_kind_valid"),
        ]

    def __str__(self):
        return f"{self.from_event_id} {self.relation} {self.to_event_id}"


class TombstoneQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The tombstones `user` may read: every one for curators (`may_see_unpublished`), else those of
        events that were published at some time (their history says so): a mirror of the published events
        needs no others, and the id of a deleted draft is no reader's business."""
        if may_see_unpublished(user):
            return self
        published = Event.history.model.objects.filter(id=OuterRef("event_id"), review_state=ReviewState.PUBLISHED)
        return self.filter(Exists(published))


class EventTombstone(models.Model):
    """A deleted event's id and when it went, so that mirrors can follow deletions."""

    event_id = models.CharField(max_length=100, help_text="The id the deleted event had.")
    deleted_at = models.DateTimeField(default=timezone.now, db_index=True)
    # SET_NULL: removing a user account must not remove the record of a deletion.
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = TombstoneQuerySet.as_manager()

    class Meta:
        ordering = ["deleted_at", "id"]

    def __str__(self):
        return f"{self.event_id} deleted {self.deleted_at:%Y-%m-%d %H:%M}"
