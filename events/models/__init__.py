"""Chancery's domain: actors, the event-type taxonomy, events and their evidence.

validators.py says what values the models accept; actors.py, taxonomy.py, sources.py (sources and
citations), parts.py (participants and relations), events.py (the event and `EventQuerySet`, the
verbs every question about events is asked with) and tombstones.py hold the models; expressions.py
the SQL expressions the queries use. Everything is imported from `events.models`.
"""

from ..choices import Precision, RelationKind, ReviewState, Role, Status
from .actors import Actor, parent_chain_loops
from .events import SEES_UNPUBLISHED, UNPUBLISHED_PERMISSIONS, Event, EventQuerySet, may_see_unpublished
from .expressions import SEARCH_COLUMNS, EventDocument, PeriodStart, SearchColumn, equal_in_any_case
from .parts import EventRelation, Participant
from .postings import ROW_COLUMNS, ImpliedByPostings
from .search import SEARCH_CONFIG
from .sources import Citation, Source, source_change_problem
from .taxonomy import EventType, Tag
from .tombstones import EventTombstone, TombstoneQuerySet
from .validators import (
    RESERVED_EVENT_IDS,
    SLUG_RE,
    normalize_url,
    validate_aliases,
    validate_country,
    validate_event_id,
    validate_slug_id,
    validate_type_code,
    validate_wikidata,
)
from .versions import VersionColumn

__all__ = [
    "RESERVED_EVENT_IDS",
    "SEARCH_COLUMNS",
    "SEARCH_CONFIG",
    "SLUG_RE",
    "Actor",
    "Citation",
    "Event",
    "EventDocument",
    "ImpliedByPostings",
    "ROW_COLUMNS",
    "EventQuerySet",
    "EventRelation",
    "EventTombstone",
    "EventType",
    "Participant",
    "PeriodStart",
    "Precision",
    "RelationKind",
    "ReviewState",
    "Role",
    "SearchColumn",
    "Source",
    "Status",
    "Tag",
    "TombstoneQuerySet",
    "equal_in_any_case",
    "may_see_unpublished",
    "SEES_UNPUBLISHED",
    "UNPUBLISHED_PERMISSIONS",
    "normalize_url",
    "parent_chain_loops",
    "source_change_problem",
    "validate_aliases",
    "validate_country",
    "validate_event_id",
    "validate_slug_id",
    "validate_type_code",
    "validate_wikidata",
    "VersionColumn",
]
