from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from events.coded import ORIGINS, FormatError, collect, read, save
from events.dataset import DatasetError
from events.models import Actor
from events.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Import the events of a machine-coded dataset's file (GDELT 2.0 events export, POLECAT's PLOVER JSON, "
        "ACLED CSV) as drafts to review: those in Chancery's taxonomy whose two sides are in the gazetteer, "
        "of the dyad given with --actor. Importing the same file again changes nothing (docs/imports.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="origin", required=True, choices=ORIGINS, help="the file's format")
        parser.add_argument("--actor", action="append", default=[], help="an actor id (twice for a dyad, in any order)")
        parser.add_argument("--dry-run", action="store_true", help="say what would be imported; write nothing")
        parser.add_argument("file", help="path of the file")

    def handle(self, *args, origin, actor, dry_run, file, **options):
        if len(actor) > 2:
            raise CommandError("--actor: one actor, or two for a dyad")
        unknown = sorted(set(actor) - set(Actor.objects.filter(pk__in=actor).values_list("pk", flat=True)))
        if unknown:
            raise CommandError(f"--actor: unknown actor {', '.join(unknown)}")
        try:
            with open(file, "rb") as f:
                data = f.read()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        try:
            rows = read(origin, data)
            with progress_bar(desc=f"read {origin}", unit="row") as bar:
                outcome = collect(rows, chosen=actor, progress=lambda: bar.update(1))
        except FormatError as exc:
            raise CommandError(f"{file}: {exc}; nothing was imported") from None
        for bad in outcome.bad:
            self.stderr.write(f"{file}: {bad}")
        if outcome.bad:
            count = len(outcome.bad)
            self.stderr.write(f"{file}: {count} bad row{'s' if count != 1 else ''} left out")
        for record in outcome.drafts:
            repeats = outcome.repeats.get(record["id"])
            said = f"; may repeat {', '.join(repeats)}" if repeats else ""
            self.stdout.write(f"{record['id']}: {record['title']}{said}")
        if not dry_run and outcome.drafts:
            try:
                # The history keeps 100 characters of a reason: the file's name, not its whole path.
                save(outcome, reason=f"import_events --from {origin} {Path(file).name}"[:100])
            except DatasetError as exc:
                for problem in exc.problems:
                    self.stderr.write(f"{file}: {problem}")
                raise CommandError(f"{file}: {len(exc.problems)} problems; nothing was imported") from None
        verb = "would import" if dry_run else "imported"
        self.stdout.write(f"{file}: {verb} {outcome}")
