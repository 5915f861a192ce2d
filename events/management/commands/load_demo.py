from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from events.dataset import DatasetError, import_document, parse_json

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo.json"


class Command(BaseCommand):
    help = "Load the demo dataset: the events of the article that started Chancery (idempotent)."

    def handle(self, *args, **options):
        try:
            summary = import_document(parse_json(DEMO.read_bytes()), reason="load_demo")
        except DatasetError as exc:
            raise CommandError(f"the demo dataset {DEMO} is broken:\n{exc}") from None
        self.stdout.write(f"demo data: {summary}")
