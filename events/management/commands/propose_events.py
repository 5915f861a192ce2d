import json
import sys

from django.core.management.base import BaseCommand, CommandError

from events.dataset import DatasetError, import_document
from events.extraction import ExtractionError, proposals_to_dataset, propose
from events.models import Citation, Event, normalize_url


class Command(BaseCommand):
    help = (
        "Propose draft events from an article (HTML or plain text) and print them as a dataset file "
        "(docs/extraction.md); with --save, save them as drafts instead. Reads the file only: it fetches nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the article, an HTML or text file, or - for standard input")
        parser.add_argument("--url", help="the article's address, which becomes the proposals' source")
        parser.add_argument("--published", help="the article's publication date, YYYY-MM-DD")
        parser.add_argument("--publisher", help="who published it, e.g. RT")
        parser.add_argument("--save", action="store_true", help="save the proposals as draft events, atomically")

    def handle(self, *args, file, url, published, publisher, save, **options):
        name = "standard input" if file == "-" else file
        try:
            if file == "-":
                content = sys.stdin.buffer.read()
            else:
                with open(file, "rb") as f:
                    content = f.read()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        try:
            extraction = propose(content, url=url, published=published, publisher=publisher)
            document = proposals_to_dataset(extraction)
        except ExtractionError as exc:
            raise CommandError(f"{name}: {exc}") from None
        for skipped in extraction.skipped:
            self.stderr.write(f"{name}: left out ({skipped.reason}): {skipped.quote[:120]}")
        if not extraction.article.url:
            self.stderr.write(f"{name}: no --url: the proposals carry no source; each summary keeps its quote")
        if not save:
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=1))
            return
        self._refuse_overwrites(name, document, extraction.article.url)
        try:
            summary = import_document(document, reason=f"propose_events {name}")
        except DatasetError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{name}: {problem}")
            count = len(exc.problems)
            raise CommandError(f"{name}: {count} problem{'s' if count != 1 else ''}; nothing was saved") from None
        self.stdout.write(f"{name}: {len(document['events'])} draft events saved ({summary})")

    def _refuse_overwrites(self, name, document, url):
        """Saving upserts by id: it may replace earlier drafts from this same article, never other events."""
        ids = [event["id"] for event in document["events"]]
        ours = set()
        if url:
            ours = set(
                Citation.objects.filter(
                    event_id__in=ids, event__review_state=Event.ReviewState.DRAFT, source__url=normalize_url(url)
                ).values_list("event_id", flat=True)
            )
        taken = sorted(set(Event.objects.filter(pk__in=ids).values_list("pk", flat=True)) - ours)
        if taken:
            for event_id in taken:
                self.stderr.write(f"{name}: event {event_id}: id: an event with this id exists and is not a draft "
                                  "proposed from this article")  # fmt: skip
            raise CommandError(f"{name}: {len(taken)} proposal id(s) already taken; nothing was saved")
