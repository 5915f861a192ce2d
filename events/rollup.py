"""Roll-up through the actor hierarchy: an actor and every actor below it through `parent`, at any depth.

`actor_tree=russia` stands for Russia, its government, its ministries and their ministers. The tree is
read by a recursive common table expression inside the events' own query (SQLite and PostgreSQL both
have them), so a request asks the same number of queries however deep the hierarchy goes.
"""

from django.db.models import Exists, OuterRef
from django.db.models.expressions import RawSQL

from .models import Actor, Participant


def subtree(actor_id):
    """A subquery of the ids of `actor_id` and of every actor below it."""
    table = Actor._meta.db_table
    # UNION, not UNION ALL: a hierarchy that loops (refused on save, but not by the database) still ends.
    sql = (
        f'WITH RECURSIVE tree(id) AS (SELECT "{table}"."id" FROM "{table}" WHERE "{table}"."id" = %s '
        f'UNION SELECT "{table}"."id" FROM "{table}" JOIN tree ON "{table}"."parent_id" = tree.id) '
        "SELECT id FROM tree"
    )
    return RawSQL(sql, [actor_id])


def participants_under(actor_id, event=None, participants=None):
    """Participants whose actor is `actor_id` or below it (of the outer query's event, by default), among
    `participants` (those stored now, by default)."""
    participants = Participant.objects.all() if participants is None else participants
    return participants.filter(event_id=event if event is not None else OuterRef("id"), actor_id__in=subtree(actor_id))


def involving_trees(queryset, *actor_ids):
    """The events in which, for every named actor, it or an actor below it takes part."""
    for actor_id in actor_ids:
        queryset = queryset.filter(Exists(participants_under(actor_id, participants=queryset.parts(Participant))))
    return queryset


def between_trees(queryset, a, b):
    """The events in which one participant is `a` or below it and another (a different actor) is `b` or below it."""
    other = participants_under(b, event=OuterRef("event")).exclude(actor_id=OuterRef("actor_id"))
    return queryset.filter(Exists(participants_under(a).filter(Exists(other))))
