"""Adding the gazetteer's actors to the database (`manage.py load_gazetteer`) without touching curators' work.

Each actor of `actors.json` is either found among the stored actors or created:

- a state is the stored actor with its id (kind state, same country), else the
  stored state of its country, whatever its id: a curated `russia` or `rus` is
  Russia, and no second Russia is made beside it;
- a government or foreign ministry is the stored actor with its id under that
  state, else an actor under that state (not a person) whose name or an alias
  matches one of its names, in any case: a curated "Russian Foreign Ministry"
  is the ministry. "Under" is at any depth, nearest first: a curated ministry
  below a curated government (state, government, ministry, as the contract's
  dataset files place a minister's ministry) is the ministry, not a second one
  beside it;
- an intergovernmental body is the stored one with its id, else a stored one
  (kind igo) whose name or an alias matches.

A stored actor's fields are never changed; the gazetteer may only add aliases to
it, after those it has, and never one it offered before (the actor's history
says so), so that an alias a curator removed stays removed. An actor the gazetteer
created and a curator deleted is not created again. Everything is written in bulk,
with its history rows, in one transaction: a second run finds everything and
writes nothing.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..dataset.importer import _History, _write_changes, wait_for_other_imports
from ..models import Actor
from . import actors as gazetteer_actors
from .lexicon import fold

REASON = "load_gazetteer"
KIND_ORDER = ("state", "igo", "government")


@dataclass
class LoadSummary:
    created: dict = field(default_factory=dict)  # kind -> ids
    reused: dict = field(default_factory=dict)  # gazetteer id -> the stored actor's id, where they differ
    aliases_added: dict = field(default_factory=dict)  # stored id -> aliases added
    unchanged: int = 0
    skipped: list = field(default_factory=list)  # (gazetteer id, why)

    @property
    def created_count(self):
        return sum(len(ids) for ids in self.created.values())

    def __str__(self):
        kinds = ", ".join(f"{len(ids)} {kind}" for kind, ids in sorted(self.created.items()))
        added = sum(len(aliases) for aliases in self.aliases_added.values())
        return (
            f"{self.created_count} actors created{f' ({kinds})' if kinds else ''}; "
            f"{added} aliases added to {len(self.aliases_added)} stored actors; "
            f"{self.unchanged} unchanged; {len(self.skipped)} skipped"
        )


@dataclass
class _Plan:
    resolved: dict  # gazetteer id -> stored id (existing or to create), None when skipped
    created: list  # Actor instances to insert
    updated: list  # stored Actor instances with aliases appended
    summary: LoadSummary


def _names(record):
    return {fold(name) for name in (record["name"], *record["aliases"])}


def _in_order(entries):
    """States and bodies before their children, each group in id order."""
    by_id = {entry["id"]: entry for entry in entries}

    def depth(entry):
        level = 0
        while entry["parent"] in by_id:
            entry, level = by_id[entry["parent"]], level + 1
        return level

    return sorted(entries, key=lambda e: (depth(e), e["id"]))


def _stored(entries):
    """(the stored actors the gazetteer's could be, by id; {state id: the ids of the actors below it, not
    persons, at any depth, nearest first}): one query, then one per level of the hierarchy below the states,
    whatever the size of the database."""
    fields = ("id", "name", "kind", "country", "aliases", "parent_id")
    countries = {e["country"] for e in entries if e["kind"] == "state"}
    first = Actor.objects.filter(
        Q(pk__in=[e["id"] for e in entries]) | Q(kind="state", country__in=countries) | Q(kind="igo")
    )
    stored = {row["id"]: row for row in first.values(*fields)}
    states = sorted(i for i, row in stored.items() if row["kind"] == "state")
    state_of = {state: state for state in states}
    below = {state: [] for state in states}
    frontier = states
    while frontier:
        level = Actor.objects.filter(parent_id__in=frontier).exclude(kind="person").exclude(pk__in=list(state_of))
        rows = sorted(level.values(*fields), key=lambda row: row["id"])
        for row in rows:
            stored.setdefault(row["id"], row)
            state_of[row["id"]] = state_of[row["parent_id"]]
            below[state_of[row["id"]]].append(row["id"])
        frontier = [row["id"] for row in rows]
    for row in stored.values():
        row["aliases"] = [a for a in row["aliases"] or [] if isinstance(a, str)]
    return stored, below


def _plan(entries, progress=None):
    entries = _in_order(entries)
    stored, below = _stored(entries)
    deleted = set(
        Actor.history.filter(id__in=[e["id"] for e in entries], history_type="-").values_list("id", flat=True)
    ) - set(stored)
    states_by_country, bodies = {}, []
    for row in sorted(stored.values(), key=lambda r: r["id"]):
        if row["kind"] == "state" and row["country"]:
            states_by_country.setdefault(row["country"], []).append(row)
        if row["kind"] == "igo":
            bodies.append(row)

    summary = LoadSummary()
    resolved, claimed, matched = {}, set(), {}
    created = []
    for entry in entries:
        found, why = _match(entry, stored, resolved, claimed, states_by_country, below, bodies)
        if progress:
            progress()
        if found is not None:
            claimed.add(found["id"])
            resolved[entry["id"]] = found["id"]
            matched[entry["id"]] = found
            if found["id"] != entry["id"]:
                summary.reused[entry["id"]] = found["id"]
            continue
        if why is None and entry["id"] in stored:
            holder = stored[entry["id"]]
            why = f"its id is taken by {holder['name']!r} ({holder['kind']}, {holder['country'] or 'no country'})"
        if why is None and entry["id"] in deleted:
            why = "a curator deleted it"
        if why is not None:
            resolved[entry["id"]] = None
            summary.skipped.append((entry["id"], why))
            continue
        parent = resolved.get(entry["parent"]) if entry["parent"] else None
        resolved[entry["id"]] = entry["id"]
        created.append(
            Actor(
                id=entry["id"],
                name=entry["name"],
                kind=entry["kind"],
                country=entry["country"] or "",
                aliases=list(entry["aliases"]),
                parent_id=parent,
                wikidata=entry["wikidata"] or "",
            )
        )
        summary.created.setdefault(entry["kind"], []).append(entry["id"])

    # Aliases are added as the gazetteer spells them (ё and е both), compared in any case.
    offered = {}
    history = Actor.history.filter(id__in=[row["id"] for row in matched.values()], history_change_reason=REASON)
    for actor_id, aliases in history.values_list("id", "aliases"):
        offered.setdefault(actor_id, set()).update(a.casefold() for a in aliases or [] if isinstance(a, str))
    by_id = {entry["id"]: entry for entry in entries}
    additions = {}
    for entry_id, row in matched.items():
        known = {name.casefold() for name in (row["name"], *row["aliases"])} | offered.get(row["id"], set())
        new = []
        for name in (by_id[entry_id]["name"], *by_id[entry_id]["aliases"]):
            if name.casefold() not in known:
                known.add(name.casefold())
                new.append(name)
        if new:
            additions.setdefault(row["id"], []).extend(new)
        else:
            summary.unchanged += 1
    updated = list(Actor.objects.filter(pk__in=list(additions)).order_by("pk"))
    for actor in updated:
        actor.aliases = [*actor.aliases, *additions[actor.pk]]
        summary.aliases_added[actor.pk] = additions[actor.pk]
    return _Plan(resolved, created, updated, summary)


def _match(entry, stored, resolved, claimed, states_by_country, below, bodies):
    """(the stored actor that is this entry, None) or (None, why it must be skipped) or (None, None) to create."""
    same_id = stored.get(entry["id"])
    if entry["kind"] == "state":
        if same_id and same_id["kind"] == "state" and same_id["country"] == entry["country"]:
            return same_id, None
        for row in states_by_country.get(entry["country"], []):
            if row["id"] not in claimed:
                return row, None
        return None, None
    if entry["kind"] == "igo":
        if same_id and same_id["kind"] == "igo":
            return same_id, None
        names = _names(entry)
        for row in bodies:
            if row["id"] not in claimed and _names(row) & names:
                return row, None
        return None, None
    parent = resolved.get(entry["parent"])
    if parent is None:
        return None, f"its state {entry['parent']!r} was skipped"
    under = below.get(parent, [])
    if same_id and same_id["id"] in under:
        return same_id, None
    names = _names(entry)
    for row_id in under:
        if row_id not in claimed and _names(stored[row_id]) & names:
            return stored[row_id], None
    return None, None


def load_gazetteer(user=None, dry_run=False, progress=None, entries=None):
    """Add the gazetteer's actors (`entries`, default the shipped ones) to the database; a LoadSummary.

    `dry_run` does everything and rolls it back. `progress`, if given, is called once per actor.
    """
    entries = gazetteer_actors() if entries is None else entries
    with transaction.atomic():
        wait_for_other_imports()
        plan = _plan(entries, progress)
        history = _History(user, REASON, timezone.now())
        _write_changes(Actor, plan.created, plan.updated, ["aliases"], history)
        if dry_run:
            transaction.set_rollback(True)
    return plan.summary


def stored_actor_ids(entries=None):
    """{gazetteer actor id: the id it has in this database} for every gazetteer actor stored there.

    The lexicon names actors by the gazetteer's ids; where a curator entered one first
    (the demo's `russian-foreign-ministry` is the gazetteer's `russia-foreign-ministry`),
    this says which stored actor it is. Reads only.
    """
    entries = gazetteer_actors() if entries is None else entries
    plan = _plan(entries)
    created = {actor.id for actor in plan.created}
    return {gid: sid for gid, sid in plan.resolved.items() if sid is not None and sid not in created}
