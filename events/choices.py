"""The closed lists of values an event's fields take: precisions, statuses, review states, roles, relations.

They sit below the models so that the dataset shape, the SQL the database writes it with, the filters
and the exports read them without importing the models.
"""

from django.db import models

from . import dates


class Precision(models.TextChoices):
    DAY = dates.DAY, "day"
    MONTH = dates.MONTH, "month"
    YEAR = dates.YEAR, "year"


class Status(models.TextChoices):
    PROPOSED = "proposed", "proposed"
    SCHEDULED = "scheduled", "scheduled"
    OCCURRED = "occurred", "occurred"
    CANCELLED = "cancelled", "cancelled"
    POSTPONED = "postponed", "postponed"


class ReviewState(models.TextChoices):
    DRAFT = "draft", "draft"
    REVIEWED = "reviewed", "reviewed"
    PUBLISHED = "published", "published"


class Role(models.TextChoices):
    INITIATOR = "initiator", "initiator"
    TARGET = "target", "target"
    PARTICIPANT = "participant", "participant"
    MEDIATOR = "mediator", "mediator"
    HOST = "host", "host"


class RelationKind(models.TextChoices):
    FOLLOWED_BY = "followed_by", "followed by"
    FOLLOWS = "follows", "follows"
    RESPONDS_TO = "responds_to", "responds to"
    CANCELS = "cancels", "cancels"
    PART_OF = "part_of", "part of"
    SUPERSEDES = "supersedes", "supersedes"


ROLE_ORDER = {role: rank for rank, role in enumerate(Role.values)}
"""A role's rank: participants are listed by it, then by actor id, wherever an event is written."""
# The choices' values, computed once: an enum's `.values` builds its list anew on every call.
ROLES = tuple(Role.values)
RELATIONS = tuple(RelationKind.values)
