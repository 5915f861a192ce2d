from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from events.exports import FORMATS
from events.progress import progress_bar
from events.releases import ReleaseError, check_name, counts_of, published_events, releases_dir, write_release


class Command(BaseCommand):
    help = (
        "Freeze what is published now as release NAME: every export format written once, from one snapshot, "
        "and manifest.json (moment, counts, SHA-256 of each file, version, citation), under "
        "CHANCERY_RELEASES_DIR. A release is never rewritten: an existing NAME is refused (docs/releases.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the release's name: lower-case letters and digits, e.g. 2026-q4 or v1_2")
        parser.add_argument(
            "--site-url",
            default=settings.CHANCERY_SITE_URL,
            help="the site's address, for the citation (default: CHANCERY_SITE_URL)",
        )

    def handle(self, *args, name, site_url, **options):
        try:
            check_name(name)
            if (releases_dir() / name).exists():
                # Said before counting a million events, and said again (safely) by write_release.
                raise ReleaseError(f"release {name!r} exists ({releases_dir() / name}): a release is never rewritten")
            total = counts_of(published_events())["events"] * len(FORMATS)
            with progress_bar(total=total, desc=f"release {name}") as bar:
                manifest = write_release(name, site_url=site_url, progress=bar.update)
        except ReleaseError as exc:
            raise CommandError(str(exc)) from None
        except Exception as exc:
            # A database that goes away, a disk that fills up: the partial directory is gone (--traceback shows why).
            raise CommandError(f"release {name!r}: nothing was written: {type(exc).__name__}: {exc}") from exc
        if not site_url:
            self.stderr.write("The citation names no site: set CHANCERY_SITE_URL or --site-url for the next release.")
        self.stderr.write(
            f"{releases_dir() / name}: {manifest['counts']['events']} events at {manifest['moment']}, "
            f"{len(manifest['files'])} files and manifest.json"
        )
        self.stdout.write(manifest["citation"])
