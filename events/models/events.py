"""Events and the questions asked of them.

The rules of the domain live here, once: database constraints for what must never be stored, `clean()` for
the friendly message before that, and verbs on `EventQuerySet` for every question the API, the admin, the
exports and the commands ask.
"""

from django.conf import settings
from django.contrib.postgres.fields import DateRangeField
from django.contrib.postgres.fields.array import ArrayContains
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models
from django.db.models import Count, Exists, F, Func, OuterRef, Q, Value
from django.db.models.functions import TruncMonth, TruncYear
from django.utils import timezone

from .. import dates
from ..choices import Precision, ReviewState, Status
from .expressions import EventDocument, PeriodStart, SearchColumn, equal_in_any_case
from .parts import EventRelation, Participant
from .postings import ActorsContain, PostingVerbs
from .search import SearchVerbs
from .sources import Citation
from .taxonomy import EventType, Tag
from .validators import RESERVED_EVENT_IDS, validate_country, validate_event_id, validate_slug_id
from .versions import VersionedHistory

UNPUBLISHED_PERMISSIONS = ("events.view_event", "events.change_event")
# The attribute of a user object holding the answer when the query that read the user gave it (the API's
# token authentication: events/api/authentication.py).
SEES_UNPUBLISHED = "sees_unpublished"


def may_see_unpublished(user):
    """Whether `user` may read drafts and reviewed events: the permission the admin asks to show events
    (view_event, or change_event), not staff status alone."""
    if user is None or not user.is_active:
        return False
    known = getattr(user, SEES_UNPUBLISHED, None)
    if known is not None:
        return known
    return any(user.has_perm(permission) for permission in UNPUBLISHED_PERMISSIONS)


class EventQuerySet(SearchVerbs, PostingVerbs, models.QuerySet):
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

    def parts(self, model):
        """The rows of one of an event's parts (Participant, Citation, EventRelation) that the verbs ask
        about, correlated through `event_id`: those stored now. `asof.EventVersions` answers with those
        of a moment, and the verbs ask the same questions of the past."""
        return model.objects.all()

    def tag_rows(self):
        """The (event_id, tag_id) rows of these events' tags."""
        return Event.tags.through.objects.filter(event__in=self.order_by().values("pk"))

    def cited_publishers(self):
        """The citations, each with the `publisher` of its source."""
        return self.parts(Citation).annotate(publisher=F("source__publisher"))

    def _has_search_columns(self):
        return self._on_postgresql()  # migration 0007 adds them on PostgreSQL only

    def involving(self, *actor_ids):
        """Events in which every named actor takes part (in any role)."""
        if not actor_ids:
            return self
        if self._has_search_columns():
            return self.filter(ActorsContain(SearchColumn("actor_ids"), list(actor_ids)))._posting(actor_ids)
        return self._involving_by_joins(*actor_ids)

    def _involving_by_joins(self, *actor_ids):
        queryset = self
        for actor_id in actor_ids:
            queryset = queryset.filter(
                Exists(self.parts(Participant).filter(event_id=OuterRef("id"), actor_id=actor_id))
            )
        return queryset

    def with_role(self, role, actor_id):
        if self._has_search_columns():
            return self.filter(ArrayContains(SearchColumn("actor_ids"), [f"{role}:{actor_id}"]))._posting([actor_id])
        return self._with_role_by_joins(role, actor_id)

    def _with_role_by_joins(self, role, actor_id):
        participants = self.parts(Participant).filter(event_id=OuterRef("id"), actor_id=actor_id, role=role)
        return self.filter(Exists(participants))

    def of_type(self, *codes):
        """Events of any of the codes, sub-codes included."""
        condition = Q()
        for code in codes:
            condition |= Q(type_id=code) | Q(type__code__startswith=f"{code}.")
        return self.filter(condition)._posting(type_codes=codes)

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

    # False for the events' versions at a moment (asof.EventVersions): the API's one-query pages read the
    # tables of the present (the exports read the versions through `tables_sql`).
    is_present = True

    # Set by `visible_to` for a reader of published events only: what the events show of others (their
    # `related`, in the API and the exports) leaves out the events that reader may not see.
    hides_unpublished = False

    def _clone(self):
        clone = super()._clone()
        clone._split_day = self._split_day
        clone.hides_unpublished = self.hides_unpublished
        return clone

    def tables_sql(self):
        """(A WITH clause, its parameters) naming after each table of the events and their parts the rows that
        PostgreSQL's own roads (events/postgres.py) read in its place: none for the events now, the versions
        of a moment for `asof.EventVersions`."""
        return "", ()

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
        chronological list with `date_from` on PostgreSQL, else (a slice too) the queryset itself.
        A chronological list of named actors' events reads their postings (`posting_parts`)."""
        day = self._split_day
        first_key = self.query.order_by[0] if self.query.order_by else None
        if first_key not in ("start", "-start") or self.query.is_sliced or not self._on_postgresql():
            return [self]
        parts = self.posting_parts(day)
        if parts is not None:
            return parts
        if day is None:
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
            Q(location_country=code)
            | Exists(self.parts(Participant).filter(event_id=OuterRef("id"), actor__country=code))
        )

    def tagged(self, slug):
        return self.filter(Exists(Event.tags.through.objects.filter(event=OuterRef("pk"), tag_id=slug)))

    def published_by(self, publisher):
        """Events citing a source of this publisher, in any case ("rt", "Ведомости" = "ВЕДОМОСТИ")."""
        citations = equal_in_any_case(self.cited_publishers().filter(event_id=OuterRef("id")), "publisher", publisher)
        return self.filter(Exists(citations))

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
    history = VersionedHistory(
        m2m_fields=[tags],
        # A page of a moment in chronological order: its versions walked in order until the page is full,
        # as `event_published_chrono_idx` serves the page now.
        indexes=[models.Index(fields=["start", "id"], name="hist_event_chrono_idx")],
    )

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
