import os
import sys
import tempfile

from django.core.management.base import BaseCommand, CommandError

from events.dataset import write_dataset
from events.models import Actor, Event
from events.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Write every actor and event (all review states) as a dataset file, in a fixed order: "
        "importing it into an empty database and exporting again gives the same bytes."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to write, or - for standard output")

    def handle(self, *args, file, **options):
        with progress_bar(total=Event.objects.count(), desc="export") as bar:
            if file == "-":
                self.stdout.ending = ""  # the export writes its own newlines, piece by piece
                try:
                    write_dataset(
                        self.stdout, Actor.objects.all(), Event.objects.all(), progress=lambda e: bar.update()
                    )
                except BrokenPipeError:
                    # The reader stopped early (`| head`): quietly, as other command-line tools do.
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                    os._exit(141)  # no finalizers: the database cursors die with the process
                return
            # Written beside the target and renamed, so a failed export never leaves half a file.
            folder = os.path.dirname(os.path.abspath(file))
            try:
                fd, partial = tempfile.mkstemp(dir=folder, prefix=".export-", suffix=".json")
            except OSError as exc:
                raise CommandError(f"{file}: {exc.strerror}") from None
            try:
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
                    count = write_dataset(
                        out, Actor.objects.all(), Event.objects.all(), progress=lambda e: bar.update()
                    )
                os.replace(partial, file)
            except BaseException:
                os.unlink(partial)
                raise
        self.stderr.write(f"{file}: {count} events written")
