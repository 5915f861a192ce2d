"""Synthetic but realistic events for benchmarks: `manage.py generate_events --events N --seed S`.

What it adds, deterministically for a seed (same seed, same starting database:
same events, byte for byte in `export_dataset`):

- actors, shared by every seed: a state per ISO 3166-1 code (an existing state
  actor of that country is reused, so the demo's `russia` stays `russia`), its
  government and ministries (with parents), officials, companies, and a few
  dozen intergovernmental organizations; a few thousand in all;
- N events `gen-S-0000001`...: states drawn from a Zipf-like distribution, so a
  few dyads (the United States and Russia, China, ...) are very active and most
  are quiet; every type, status and review state (mostly published); dates from
  1990 to the end of 2026 (denser in later years) known to the day, month or year,
  some with ends; one to three sources each from publishers of a fixed pool, with
  quotes written from a vocabulary so that `q` finds things; tags; a third
  located, with coordinates; a few relations between events.

Rows go in by chunks of CHUNK events, with COPY on PostgreSQL and bulk_create
elsewhere, in one transaction and constant memory, each with its history row
(one version, at the run's moment): `as_of` a moment after the run finds the
events, a moment before it none. The vocabulary, the drawing and the writing
are in `events.generation`.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from events.generation.drawing import ActorPool, EventGenerator
from events.generation.vocabulary import TAGS
from events.generation.writing import CopyWriter, OrmWriter, Recorder, in_background
from events.models import Actor, Event, EventType, Tag
from events.progress import progress_bar

CHUNK = 5000
"""Events generated and written per round; fixed, since the random stream must not depend on it."""

REBUILD_FROM = 100_000
"""From this many events (and at least as many as stored), indexes and foreign keys are made after the load."""


class Command(BaseCommand):
    help = (
        "Add N synthetic but realistic events (with a few thousand actors, sources, participants, tags and "
        "relations) for benchmarks; deterministic for a seed and a starting database. Event ids are "
        "gen-SEED-NUMBER, so runs with different seeds add up. Written with COPY on PostgreSQL, bulk_create "
        "elsewhere, in one transaction, with their history rows (all of the run's moment)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, required=True, help="how many events to add (N)")
        parser.add_argument("--seed", type=int, default=1, help="the random seed (S >= 0); event ids are gen-S-...")

    def handle(self, *args, events, seed, **options):
        if events < 0:
            raise CommandError("--events must be 0 or more")
        if seed < 0:
            raise CommandError("--seed must be 0 or more")
        prefix = f"gen-{seed}-"
        if Event.objects.filter(id__startswith=prefix).exists():
            raise CommandError(f"events {prefix}... exist already: use another --seed to add more")
        type_codes = list(EventType.objects.order_by("code").values_list("code", flat=True))
        if not type_codes:
            raise CommandError("no event types: run migrate first")
        width = max(7, len(str(events)))
        started = timezone.now()
        with transaction.atomic():
            actors = ActorPool()
            Actor.objects.bulk_create(sorted(actors.rows, key=lambda a: a.parent_id is not None), ignore_conflicts=True)
            Tag.objects.bulk_create([Tag(slug=slug) for slug in TAGS], ignore_conflicts=True)
            if connection.vendor == "postgresql":
                # Rebuilding indexes and foreign keys pays when the load is large and at least doubles the table.
                writer = CopyWriter(
                    rebuild=events >= REBUILD_FROM and events >= Event.objects.count(), event_prefix=prefix
                )
            else:
                writer = OrmWriter()
            recorder = Recorder(writer, started, seed)
            generator = EventGenerator(seed, actors, type_codes, started, recorder.first_source_id())

            def chunks():
                for first in range(1, events + 1, CHUNK):
                    rows = generator.chunk(first, min(CHUNK, events + 1 - first), width)
                    tables = recorder.tables(rows, generator.next_source_id)
                    yield len(rows["events"]), [writer.prepare(*table) for table in tables]

            with progress_bar(total=events, desc="generate") as bar:
                for count, statements in in_background(chunks()):
                    for statement in statements:
                        writer.send(statement)
                    bar.update(count)
            writer.finish(recorder.next_ids)
        seconds = (timezone.now() - started).total_seconds()
        rate = f", {events / seconds:,.0f} events/s" if seconds > 0 and events else ""
        self.stdout.write(
            f"generated {events} events {prefix}... and {generator.source_count} sources in {seconds:.1f} s{rate}"
        )
