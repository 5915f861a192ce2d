from django.core.management.base import BaseCommand

from events.gazetteer import actors
from events.gazetteer.load import load_gazetteer
from events.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Add the world's states, their governments and foreign ministries, and the main intergovernmental "
        "bodies (docs/gazetteer.md). Reuses the actors already stored, never changes their fields (it may add "
        "aliases), and a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="say what it would do, and write nothing")

    def handle(self, *args, dry_run, **options):
        entries = actors()
        with progress_bar(total=len(entries), desc="gazetteer", unit="actor") as bar:
            summary = load_gazetteer(dry_run=dry_run, progress=bar.update, entries=entries)
        for gazetteer_id, stored_id in sorted(summary.reused.items()):
            self.stdout.write(f"  {gazetteer_id} is the stored {stored_id}")
        for actor_id, aliases in sorted(summary.aliases_added.items()):
            self.stdout.write(f"  {actor_id}: aliases added: {', '.join(aliases)}")
        for gazetteer_id, why in summary.skipped:
            self.stderr.write(f"  {gazetteer_id}: skipped: {why}")
        self.stdout.write(f"gazetteer{' (dry run, nothing written)' if dry_run else ''}: {summary}")
