import os
import sys
import tempfile

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from events.exports import FORMATS
from events.filters import EventFilter
from events.models import Event
from events.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Export events in any format of the API's export (csv, csv-excel, xlsx, json, ndjson, ics, geojson, "
        "timelinejs, plover), "
        "with the same filters: --type sanctions --actor russia --actor united-states --date-from 2022 ... "
        "Every review state is exported unless --review-state says otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument(
            "--csv-raw",
            action="store_true",
            help="csv and csv-excel only: write every value as stored, without the apostrophe that keeps a spreadsheet "
            "from running a cell starting with =, +, -, @, a tab or a carriage return (docs/exports.md)",
        )
        for name, spec in EventFilter.base_filters.items():
            parser.add_argument(
                f"--{name.replace('_', '-')}", dest=f"filter_{name}", action="append", help=spec.extra.get("help_text")
            )
        parser.add_argument("file", help="path to write, or - for standard output")

    def handle(self, *args, format, file, csv_raw, **options):
        export = FORMATS[format]
        if csv_raw and not export.takes_raw:
            raise CommandError(f"--csv-raw: only with --format csv or csv-excel: {format} is always written as stored")
        params = QueryDict(mutable=True)
        for name in EventFilter.base_filters:
            for value in options.get(f"filter_{name}") or []:
                params.appendlist(name, value)
        filterset = EventFilter(params, queryset=Event.objects.chronological())
        if not filterset.is_valid():
            problems = "; ".join(f"--{k.replace('_', '-')}: {' '.join(v)}" for k, v in filterset.errors.items())
            raise CommandError(problems)
        events = filterset.qs
        with progress_bar(total=events.count(), desc=f"export {format}") as bar:
            written = 0

            def progress(count):
                nonlocal written
                written += count
                bar.update(count)

            chunks = export.stream(events, progress=progress, **({"raw": True} if csv_raw else {}))
            try:
                if file == "-":
                    out = sys.stdout.buffer if export.binary else sys.stdout
                    for chunk in chunks:
                        out.write(chunk)
                    out.flush()
                    return
                folder = os.path.dirname(os.path.abspath(file))
                try:
                    fd, partial = tempfile.mkstemp(dir=folder, prefix=".export-", suffix=f".{export.extension}")
                except OSError as exc:
                    raise CommandError(f"{file}: {exc.strerror}") from None
                try:
                    opened = os.fdopen(fd, "wb") if export.binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
                    with opened as out:
                        for chunk in chunks:
                            out.write(chunk)
                    os.replace(partial, file)
                except BaseException:
                    os.unlink(partial)
                    raise
            except CommandError:
                raise
            except Exception as exc:
                # A row the database cannot give, a connection it ends, a disk that fills up: a message
                # saying where the export stopped, not a traceback (--traceback shows it).
                where = (
                    "standard output holds an incomplete export: it stopped"
                    if file == "-"
                    else f"{file}: nothing was written: the export stopped"
                )
                raise CommandError(f"{where} after {written} events: {type(exc).__name__}: {exc}") from exc
        self.stderr.write(f"{file}: {written} events written as {format}")
