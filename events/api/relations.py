"""The relations index's parameters: the two actors and the interval (the index itself: events/relations_index.py)."""

import re

from rest_framework.exceptions import ValidationError

from .. import dates
from ..filters import SLUG_PATTERN
from ..models import Actor
from ..relations_index import relations_index

__all__ = ["actors_named", "interval_of", "relations_index"]

_SLUG = re.compile(SLUG_PATTERN)


def actors_named(request):
    """The ids given as `a` and `b`, both stored; 400 naming each that is missing or unknown (one query)."""
    given = {name: request.query_params.get(name, "") for name in ("a", "b")}
    errors = {name: ["required: an actor id"] for name, value in given.items() if not value}
    wellformed = {value for value in given.values() if value and len(value) <= 100 and _SLUG.match(value)}
    stored = set(Actor.objects.filter(pk__in=wellformed).values_list("pk", flat=True)) if wellformed else set()
    for name, value in given.items():
        if value and value not in stored:
            errors[name] = [f"unknown actor {value[:100]}"]
    if errors:
        raise ValidationError(errors)
    return given["a"], given["b"]


def interval_of(request):
    interval = request.query_params.get("interval", dates.YEAR)
    if interval not in dates.PRECISIONS:
        raise ValidationError({"interval": [f"{interval[:20]!r} is not one of year, month, day"]})
    return interval
