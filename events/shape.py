"""The event's public shape, declared once: each field's key, its CSV columns, and how both are read and written.

`FIELDS` lists what an event shows, in the order of the dataset shape's keys
(docs/dataset.md). Each `Field` says

- its key in the dataset shape (the file, the API, NDJSON) and its value there (`value`),
- its columns in the CSV export and their texts (`cells`),
- the SQL with which PostgreSQL writes both from the event's row (`json_sql`, `cell_sql`), and the
  event columns that SQL reads (`reads`).

Everything that writes an event is built from it: the dataset writer (`shaped_event`), the CSV row
(`csv_row`), the NDJSON and CSV exports' COPY and the API's one-query pages (events/postgres.py).
tests/test_shape.py checks that the API's serializers declare the same keys. Adding a field is one
entry here, beside the model field and its migration (docs/architecture.md shows one).

The lists (participants, sources, tags, related) are read from rows of their own tables: in Python
they come from the event's relations (or, for a record being read, from the record), in SQL from a
join named by the field's `alias` (`ListField`).
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from .choices import ROLE_ORDER, ReviewState, Role

LIST_SEPARATOR = "; "
"""Joins lists of slugs (actor ids, tags, relations): slugs never contain it."""

SOURCE_SEPARATOR = " | "
"""Joins the parallel per-source lists; a `|` or `\\` inside a value is escaped with a backslash."""

SOURCE_KEYS = ("url", "title", "publisher", "published", "language", "archive_url", "quote", "claimed_by")
SOURCE_METADATA = ("title", "publisher", "published", "language", "archive_url")

# Column of each role, in the dataset's role order.
ROLE_COLUMNS = {
    Role.INITIATOR: "initiators",
    Role.TARGET: "targets",
    Role.PARTICIPANT: "participants",
    Role.MEDIATOR: "mediators",
    Role.HOST: "hosts",
}


# ---------------------------------------------------------------- SQL text (PostgreSQL)


def literal(text):
    return "'" + text.replace("'", "''") + "'"


def column(e, name):
    """The column `name` of the row `e`, quoted ("end" is a reserved word)."""
    return f'{e}."{name}"'


def date_text(date, precision):
    """SQL for `dates.format_partial_date`: "2016-12-29", "2016-12" or "2016"."""
    return (
        f"CASE {precision} WHEN 'day' THEN to_char({date}, 'YYYY-MM-DD') WHEN 'month' THEN to_char({date}, 'YYYY-MM') "
        f"WHEN 'year' THEN to_char({date}, 'YYYY') END"
    )


def float_text(number):
    """SQL for Python's repr of a float: PostgreSQL writes 24.0 as "24".

    Exact for coordinates: PostgreSQL switches to an exponent at 1e15 where
    Python waits for 1e16, and the constraints keep latitudes and longitudes
    within 180 degrees.
    """
    return f"CASE WHEN {number} = trunc({number}) THEN {number}::text || '.0' ELSE {number}::text END"


def escaped(text):
    """SQL for `escape_source_value`."""
    return rf"replace(replace({text}, E'\\', E'\\\\'), '|', E'\\|')"


def json_text(value):
    """SQL for the JSON text of a string, date text or NULL, escaped as json.dumps(ensure_ascii=False) does."""
    return f"coalesce(to_json({value})::text, 'null')"


def json_object(fields):
    """SQL for the JSON text of an object: `fields` maps each key to the SQL of its value's JSON text."""
    pieces = []
    for key, value in fields.items():
        pieces += [literal(("{" if not pieces else ", ") + json.dumps(key) + ": "), value]
    return " || ".join([*pieces, "'}'"])


def json_array(items, order):
    """SQL aggregating the JSON texts `items` into a JSON array's text (`[]` for none)."""
    return f"'[' || coalesce(string_agg({items}, ', ' ORDER BY {order}), '') || ']'"


def joined(values, separator, order):
    return f"string_agg({values}, {literal(separator)} ORDER BY {order})"


# Python sorts strings by code point; so does PostgreSQL's "C" collation, whatever the database's own.
C = 'COLLATE "C"'
SOURCE_ORDER = f"s.url {C}"


def citations_of(e):
    """The FROM clause of the citations (`ci`) and their sources (`s`) of the event in the row `e`."""
    return f"FROM events_citation ci JOIN events_source s ON s.id = ci.source_id WHERE ci.event_id = {e}.id"


def related_of(e, published_only=False):
    """The FROM clause of the relations of the event in the row `e`; with `published_only`, those to
    published events only (`EventQuerySet.visible_to`)."""
    source = f"FROM events_eventrelation rel WHERE rel.from_event_id = {e}.id"
    if published_only:
        source += (
            " AND EXISTS (SELECT 1 FROM events_event target"
            f" WHERE target.id = rel.to_event_id AND target.review_state = {literal(ReviewState.PUBLISHED)})"
        )
    return source


# ---------------------------------------------------------------- the texts of the CSV's cells


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet takes a cell for a formula by, when the cell starts with it (OWASP, CSV Injection)."""


def _opens_a_formula(value):
    return value.lstrip("'")[:1] in FORMULA_TRIGGERS


def neutralise(value):
    """A cell no spreadsheet runs: an apostrophe before a value that starts with =, +, -, @, a tab or a
    carriage return once its leading apostrophes are set aside.

    A spreadsheet shows a cell that starts with an apostrophe as the text after it. Setting the leading
    apostrophes aside makes the rule exactly undoable (`restore`): a value that already starts with
    apostrophes then a trigger ("'=x") gets one more too, so that no two values are written alike.
    """
    return "'" + value if _opens_a_formula(value) else value


def restore(value):
    """The value `neutralise` was given: one apostrophe fewer where it added one, else the value itself."""
    return value[1:] if value.startswith("'") and _opens_a_formula(value) else value


def escape_source_value(value):
    """A value of a per-source list, with `\\` and `|` escaped so that ' | ' only ever separates items."""
    return value.replace("\\", "\\\\").replace("|", "\\|")


def join_source_values(values):
    return SOURCE_SEPARATOR.join(escape_source_value(value) for value in values)


_SOURCE_ESCAPE = re.compile(r"\\(.)")


def split_source_values(text):
    """Reverse of `join_source_values`, for readers of the CSV (and its tests)."""
    if text == "":
        return []
    return [_SOURCE_ESCAPE.sub(r"\1", item) for item in text.split(SOURCE_SEPARATOR)]


def by_role(event):
    """{role: [actor id, ...]} in the dataset's role order, ids sorted, roles without actors left out."""
    result = {}
    for participant in sorted(event.participants.all(), key=lambda p: (ROLE_ORDER[p.role], p.actor_id)):
        result.setdefault(participant.role, []).append(participant.actor_id)
    return result


def sorted_citations(event):
    return sorted(event.citations.all(), key=lambda c: c.source.url)


def _float_cell(number):
    return "" if number is None else repr(number)


# ---------------------------------------------------------------- the declaration


@dataclass(frozen=True)
class Field:
    """One thing an event shows. `key` is None for columns the CSV alone has."""

    key: str | None
    columns: tuple[str, ...]
    value: Callable | None  # (event, lists) -> the value in the dataset shape
    json_sql: Callable | None  # (row, lists' SQL) -> SQL of the value's JSON text
    cells: Callable  # event -> the texts of `columns`
    cell_sql: Callable  # row -> the SQL of each of `columns` (over the row and the lists' joins)
    reads: tuple[str, ...] = ()  # the event's columns (`values_list` names) the SQL reads
    free_text: tuple[str, ...] = ()  # the CSV columns a spreadsheet could take for a formula
    csv_after: str | None = None  # in the CSV, after this field's columns rather than in the key order
    attribute: str | None = None  # a plain text field's model field, which says how it is read (`text`)


@dataclass(frozen=True)
class ListField(Field):
    """A list of rows of another table: read in SQL by a join `alias` over `source(row, published_only)`
    that selects `json_select` (the JSON array) or `csv_selects` ({column: the column's text})."""

    alias: str = ""
    source: Callable = None
    json_select: str = ""
    csv_selects: dict = None


def text(key, attribute=None, free_text=False, optional=False):
    """A text (or choice) column of the event, shown as it is stored; `optional`: '' is null in the dataset.

    The dataset reader and the API read such a field as its model field allows (blank or not, its
    default, its `help_text`), unless they have rules of their own for it."""
    attribute = attribute or key
    get = (lambda event, lists: getattr(event, attribute) or None) if optional else None
    sql = (lambda e, lists: json_text(f"NULLIF({column(e, attribute)}, '')")) if optional else None
    return Field(
        key=key,
        columns=(key,),
        value=get or (lambda event, lists: getattr(event, attribute)),
        json_sql=sql or (lambda e, lists: json_text(column(e, attribute))),
        cells=lambda event: (getattr(event, attribute),),
        cell_sql=lambda e: (column(e, attribute),),
        reads=(attribute,),
        free_text=(key,) if free_text else (),
        attribute=attribute,
    )


def partial_date(key):
    """A date known to the day, month or year (`dates`), written to its precision: "2016-12"."""
    precision = f"{key}_precision"
    return Field(
        key=key,
        columns=(key,),
        value=lambda event, lists: getattr(event, f"{key}_text"),
        json_sql=lambda e, lists: json_text(date_text(column(e, key), column(e, precision))),
        cells=lambda event: (getattr(event, f"{key}_text") or "",),
        cell_sql=lambda e: (date_text(column(e, key), column(e, precision)),),
        reads=(key, precision),
    )


def _location(event, lists):
    if not event.location_name:
        return None
    return {
        "name": event.location_name,
        "country": event.location_country or None,
        "lat": event.location_lat,
        "lon": event.location_lon,
    }


LOCATION = Field(
    key="location",
    columns=("location_name", "location_country", "location_lat", "location_lon"),
    value=_location,
    json_sql=lambda e, lists: (
        f"CASE WHEN {column(e, 'location_name')} <> '' THEN "
        + json_object(
            {
                "name": json_text(column(e, "location_name")),
                "country": json_text(f"NULLIF({column(e, 'location_country')}, '')"),
                "lat": f"coalesce({float_text(column(e, 'location_lat'))}, 'null')",
                "lon": f"coalesce({float_text(column(e, 'location_lon'))}, 'null')",
            }
        )
        + " ELSE 'null' END"
    ),
    cells=lambda event: (
        event.location_name,
        event.location_country,
        _float_cell(event.location_lat),
        _float_cell(event.location_lon),
    ),
    cell_sql=lambda e: (
        column(e, "location_name"),
        column(e, "location_country"),
        float_text(column(e, "location_lat")),
        float_text(column(e, "location_lon")),
    ),
    reads=("location_name", "location_country", "location_lat", "location_lon"),
    free_text=("location_name",),
)

# The event type's codes in other taxonomies: the CSV's alone (the dataset names the type by its code).
TYPE_CODES = Field(
    key=None,
    columns=("cameo_code", "goldstein", "plover_type", "plover_mode"),
    value=None,
    json_sql=None,
    cells=lambda event: (
        event.type.cameo_code,
        "" if event.type.goldstein is None else str(event.type.goldstein),
        event.type.plover_type,
        event.type.plover_mode,
    ),
    cell_sql=lambda e: (
        column(e, "type__cameo_code"),
        # numeric(3, 1) as text is what str() of its Decimal gives: "-8.0".
        f"{column(e, 'type__goldstein')}::text",
        column(e, "type__plover_type"),
        column(e, "type__plover_mode"),
    ),
    reads=("type__cameo_code", "type__goldstein", "type__plover_type", "type__plover_mode"),
    free_text=("plover_type", "plover_mode"),
)

_ROLE_RANK = "CASE role " + " ".join(f"WHEN {literal(role)} THEN {rank}" for role, rank in ROLE_ORDER.items()) + " END"

PARTICIPANTS = ListField(
    key="participants",
    columns=tuple(ROLE_COLUMNS.values()),
    value=lambda event, lists: [
        {"actor": actor, "role": role}
        for actor, role in sorted(lists["participants"], key=lambda pair: (ROLE_ORDER[pair[1]], pair[0]))
    ],
    json_sql=lambda e, lists: lists["participants"],
    cells=lambda event: tuple(LIST_SEPARATOR.join(actors) for actors in _actors_by_role(event)),
    cell_sql=lambda e: tuple(f"p.{name}" for name in ROLE_COLUMNS.values()),
    alias="p",
    source=lambda e, published_only: f"FROM events_participant WHERE event_id = {e}.id",
    json_select=json_array(
        json_object({"actor": json_text("actor_id"), "role": json_text("role")}), f"{_ROLE_RANK}, actor_id {C}"
    ),
    csv_selects={
        name: f"{joined('actor_id', LIST_SEPARATOR, f'actor_id {C}')} FILTER (WHERE role = {literal(role)})"
        for role, name in ROLE_COLUMNS.items()
    },
)


def _actors_by_role(event):
    roles = by_role(event)
    return [roles.get(role, []) for role in ROLE_COLUMNS]


# The CSV's columns of the actors' names, one a role, each parallel to its column of ids.
ROLE_NAME_COLUMNS = {role: f"{role}_names" for role in ROLE_COLUMNS}


def _names_by_role(event):
    """[[name, ...] for each role], each in the order of the role's ids (`by_role`)."""
    names = {}
    for participant in sorted(event.participants.all(), key=lambda p: (ROLE_ORDER[p.role], p.actor_id)):
        names.setdefault(participant.role, []).append(participant.actor.name)
    return [names.get(role, []) for role in ROLE_COLUMNS]


# The actors' names, in the CSV alone (the dataset names actors by id): the n-th name of a column is the
# n-th id's of the role's id column. Names are free text, so they are joined as the per-source lists are.
PARTICIPANT_NAMES = ListField(
    key=None,
    columns=tuple(ROLE_NAME_COLUMNS.values()),
    value=None,
    json_sql=None,
    cells=lambda event: tuple(join_source_values(names) for names in _names_by_role(event)),
    cell_sql=lambda e: tuple(f"n.{name}" for name in ROLE_NAME_COLUMNS.values()),
    free_text=tuple(ROLE_NAME_COLUMNS.values()),
    alias="n",
    source=lambda e, published_only: (
        f"FROM events_participant np JOIN events_actor na ON na.id = np.actor_id WHERE np.event_id = {e}.id"
    ),
    csv_selects={
        name: joined(escaped("na.name"), SOURCE_SEPARATOR, f"np.actor_id {C}")
        + f" FILTER (WHERE np.role = {literal(role)})"
        for role, name in ROLE_NAME_COLUMNS.items()
    },
)


# A source as `cited_source` writes it.
_SOURCE_JSON = {
    "url": json_text("s.url"),
    "title": json_text("s.title"),
    "publisher": json_text("s.publisher"),
    "published": json_text("to_char(s.published, 'YYYY-MM-DD')"),
    "language": json_text("NULLIF(s.language, '')"),
    "archive_url": json_text("NULLIF(s.archive_url, '')"),
    "quote": json_text("ci.quote"),
    "claimed_by": json_text("ci.claimed_by_id"),
}
assert tuple(_SOURCE_JSON) == SOURCE_KEYS

# The per-source CSV columns, each the text of one key of the sources, in Python and in SQL.
_SOURCE_CELLS = {
    "source_urls": (lambda c: c.source.url, "s.url"),
    "source_titles": (lambda c: c.source.title, "s.title"),
    "publishers": (lambda c: c.source.publisher, "s.publisher"),
    "published_dates": (
        lambda c: c.source.published.isoformat() if c.source.published else "",
        "coalesce(to_char(s.published, 'YYYY-MM-DD'), '')",
    ),
    "quotes": (lambda c: c.quote, "ci.quote"),
    "claimed_by": (lambda c: c.claimed_by_id or "", "coalesce(ci.claimed_by_id, '')"),
}


def _source_cells(event):
    citations = sorted_citations(event)
    return tuple(join_source_values(cell(c) for c in citations) for cell, _ in _SOURCE_CELLS.values())


SOURCES = ListField(
    key="sources",
    columns=tuple(_SOURCE_CELLS),
    value=lambda event, lists: sorted(lists["sources"], key=lambda source: source["url"]),
    json_sql=lambda e, lists: lists["sources"],
    cells=_source_cells,
    cell_sql=lambda e: tuple(f"c.{name}" for name in _SOURCE_CELLS),
    free_text=("source_titles", "publishers", "quotes"),
    csv_after="related",
    alias="c",
    source=lambda e, published_only: citations_of(e),
    json_select=json_array(json_object(_SOURCE_JSON), SOURCE_ORDER),
    csv_selects={
        name: joined(escaped(sql), SOURCE_SEPARATOR, SOURCE_ORDER) for name, (_, sql) in _SOURCE_CELLS.items()
    },
)

TAGS = ListField(
    key="tags",
    columns=("tags",),
    value=lambda event, lists: sorted(lists["tags"]),
    json_sql=lambda e, lists: lists["tags"],
    cells=lambda event: (LIST_SEPARATOR.join(sorted(tag.slug for tag in event.tags.all())),),
    cell_sql=lambda e: ("t.tags",),
    alias="t",
    source=lambda e, published_only: f"FROM events_event_tags WHERE event_id = {e}.id",
    json_select=json_array(json_text("tag_id"), f"tag_id {C}"),
    csv_selects={"tags": joined("tag_id", LIST_SEPARATOR, f"tag_id {C}")},
)

RELATED = ListField(
    key="related",
    columns=("related",),
    value=lambda event, lists: [
        {"event": target, "relation": relation} for target, relation in sorted(lists["related"])
    ],
    json_sql=lambda e, lists: lists["related"],
    cells=lambda event: (
        LIST_SEPARATOR.join(
            f"{r.relation}:{r.to_event_id}"
            for r in sorted(event.relations.all(), key=lambda r: (r.to_event_id, r.relation))
        ),
    ),
    cell_sql=lambda e: ("r.related",),
    alias="r",
    source=related_of,
    json_select=json_array(
        json_object({"event": json_text("to_event_id"), "relation": json_text("relation")}),
        f"to_event_id {C}, relation {C}",
    ),
    csv_selects={"related": joined("relation || ':' || to_event_id", LIST_SEPARATOR, f"to_event_id {C}, relation {C}")},
)

FIELDS = (
    text("id"),
    text("title", free_text=True),
    text("summary", free_text=True),
    text("type", attribute="type_id"),
    text("status"),
    partial_date("start"),
    text("start_precision"),
    partial_date("end"),
    text("end_precision", optional=True),
    PARTICIPANTS,
    LOCATION,
    TYPE_CODES,
    SOURCES,
    TAGS,
    RELATED,
    text("review_state"),
    PARTICIPANT_NAMES,
)


# ---------------------------------------------------------------- what follows from it


def _csv_order(fields):
    """The fields in the CSV's column order: the key order, each `csv_after` field moved behind its anchor."""
    moved = {field.csv_after: field for field in fields if field.csv_after}
    ordered = []
    for field in fields:
        if not field.csv_after:
            ordered.append(field)
            if field.key in moved:
                ordered.append(moved[field.key])
    return tuple(ordered)


def _unique(names):
    return tuple(dict.fromkeys(names))


JSON_FIELDS = tuple(field for field in FIELDS if field.key)
CSV_FIELDS = _csv_order(FIELDS)
LIST_FIELDS = tuple(field for field in FIELDS if isinstance(field, ListField))
JSON_LIST_FIELDS = tuple(field for field in LIST_FIELDS if field.key)
"""The lists the JSON text reads; the CSV reads every list (`LIST_FIELDS`), the actors' names too."""

EVENT_KEYS = tuple(field.key for field in JSON_FIELDS)
"""The keys of an event in the dataset shape, in their order."""

CSV_COLUMNS = tuple(name for field in CSV_FIELDS for name in field.columns)
"""The CSV export's columns, in their order (version `CSV_VERSION` of the CSV export)."""

FREE_TEXT_COLUMNS = frozenset(name for field in CSV_FIELDS for name in field.free_text)
"""The columns of free text: the ones neutralised against formulas (`neutralise`). The
others hold numbers (a negative longitude or Goldstein score is a number to a spreadsheet, not a formula, and an
apostrophe would make it text that no longer sorts or sums), or ids, codes, dates, choices and URLs, which their
validators keep from starting with =, +, -, @, a tab or a carriage return."""

JSON_READS = _unique(name for field in JSON_FIELDS for name in field.reads)
"""The event's columns the JSON text's SQL reads, as `values_list` names them."""

CSV_READS = _unique(name for field in CSV_FIELDS for name in field.reads)
"""The event's columns (the type's codes among them) the CSV row's SQL reads."""

_VALUES = tuple((field.key, field.value) for field in JSON_FIELDS)


def shaped_event(event, participants, sources, tags, related):
    """An event in the dataset shape, its lists in their fixed order.

    `participants` are (actor id, role) pairs, `sources` dicts of `cited_source`, `tags` slugs,
    `related` (event id, relation) pairs: from the database or from a record being read.
    """
    lists = {"participants": participants, "sources": sources, "tags": tags, "related": related}
    return {key: value(event, lists) for key, value in _VALUES}


def csv_row(event):
    """The CSV export's row of an event (an `ExportedEvent` or a model instance with its relations), as stored:
    the CSV export neutralises its free text (`neutralise`)."""
    return [cell for field in CSV_FIELDS for cell in field.cells(event)]


def cited_source(url, metadata, quote, claimed_by):
    """A source as an event cites it: the source's metadata, and this citation's quote and claimant."""
    published = metadata["published"]
    return {
        "url": url,
        "title": metadata["title"],
        "publisher": metadata["publisher"],
        "published": published.isoformat() if published else None,
        "language": metadata["language"] or None,
        "archive_url": metadata["archive_url"] or None,
        "quote": quote,
        "claimed_by": claimed_by,
    }


def event_json_sql(e, lists):
    """SQL for an event's JSON text, key for key as `json.dumps(shaped_event(...), ensure_ascii=False)` writes
    it, its row being `e` and its lists' JSON texts the SQL of `lists` ({"participants": ..., ...})."""
    return json_object({field.key: field.json_sql(e, lists) for field in JSON_FIELDS})


def csv_cells_sql(e):
    """{column: SQL of its text} over the row `e` and the lists' joins (`ListField.alias`)."""
    return {name: sql for field in CSV_FIELDS for name, sql in zip(field.columns, field.cell_sql(e), strict=True)}
