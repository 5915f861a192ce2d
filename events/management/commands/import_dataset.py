import sys

from django.core.management.base import BaseCommand, CommandError

from events.dataset import DatasetError, import_document, parse_json
from events.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Import a dataset file (docs/dataset.md), atomically: a file with any bad record imports nothing. "
        "Events and actors are matched by id, so importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the dataset file, or - for standard input")

    def handle(self, *args, file, **options):
        try:
            if file == "-":
                text = sys.stdin.buffer.read()
            else:
                with open(file, "rb") as f:
                    text = f.read()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        name = "standard input" if file == "-" else file
        try:
            document = parse_json(text)
        except DatasetError as exc:
            self._fail(name, exc)
        del text  # the file's bytes, no longer needed: the document holds it all
        with progress_bar(desc="import") as bar:

            def progress(done, total):
                bar.total = total
                bar.update(done - bar.n)

            try:
                summary = import_document(document, reason=f"import_dataset {name}", progress=progress)
            except DatasetError as exc:
                bar.close()
                self._fail(name, exc)
        self.stdout.write(f"{name}: imported ({summary})")

    def _fail(self, name, exc):
        for problem in exc.problems:
            self.stderr.write(f"{name}: {problem}")
        count = len(exc.problems)
        raise CommandError(f"{name}: {count} problem{'s' if count != 1 else ''}; nothing was imported") from None
