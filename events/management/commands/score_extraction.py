import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from events import extraction_score as scoring
from events.extraction import ActorIndex, TypeIndex
from events.models import Actor

ACTOR_SETS = {"demo": ("load_demo",), "demo+gazetteer": ("load_demo", "load_gazetteer")}


def richest_actor_set():
    available = get_commands()
    return max((name for name, loads in ACTOR_SETS.items() if all(c in available for c in loads)), key=len)


class Command(BaseCommand):
    help = (
        "Run the article extractor on every article of corpus/ and score its proposals against the expected "
        "events: recall, precision, and how often the matched proposals' type, roles, date and status are right "
        "(docs/extraction.md, 'Measured on real articles'). Runs on a fresh temporary SQLite database holding "
        "the demo actors (and the gazetteer where load_gazetteer exists); measures, never fails on low numbers."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--actors",
            choices=sorted(ACTOR_SETS),
            help="the actors the fresh database holds; default: the richest this checkout can load",
        )
        parser.add_argument("--split", choices=[*scoring.SPLITS, "all"], default="all", help="default: all")
        parser.add_argument(
            "--article", action="append", default=[], metavar="ID", help="score only this article (repeatable)"
        )
        parser.add_argument(
            "--verbose",
            action="store_true",
            help="after the table, each miss with its note, each proposal not kept, and what each pair gets wrong",
        )
        parser.add_argument("--json", metavar="FILE", dest="json_path", help="also write everything to FILE as JSON")
        # Set only by the command itself, in the process it starts on the fresh database.
        parser.add_argument("--in-fresh-database", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, actors, split, article, verbose, json_path, in_fresh_database, **options):
        actors = actors or richest_actor_set()
        missing = [c for c in ACTOR_SETS[actors] if c not in get_commands()]
        if missing:
            raise CommandError(f"--actors {actors}: this checkout has no {', '.join(missing)} command")
        selected = self._select(split, article)
        if json_path:
            json_path = str(Path(json_path).resolve())
            if not Path(json_path).parent.is_dir():
                raise CommandError(f"--json {json_path}: no such folder")
        if in_fresh_database:
            self._score(actors, selected, verbose, json_path)
        else:
            self._run_in_fresh_database(actors, split, article, verbose, json_path)

    def _select(self, split, ids):
        articles, _ = scoring.read_corpus()
        known = {a.id for a in articles}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise CommandError(f"--article: no article {', '.join(map(repr, unknown))} in corpus/index.json")
        selected = [a for a in articles if (not ids or a.id in ids) and split in ("all", a.split)]
        if not selected:
            raise CommandError(f"--article {' '.join(ids)} --split {split}: no such article in the corpus")
        return selected

    def _run_in_fresh_database(self, actors, split, ids, verbose, json_path):
        """Start this command again on a new SQLite file: the numbers must not depend on what a local
        database holds (curators' actors change what the extractor finds), and the settings fix the
        database before any command runs, so a process of its own is the way to change it."""
        argv = ["--in-fresh-database", "--actors", actors, "--split", split]
        argv += [part for i in ids for part in ("--article", i)]
        argv += ["--verbose"] if verbose else []
        argv += ["--json", json_path] if json_path else []
        with tempfile.TemporaryDirectory(prefix="chancery-score-") as folder:
            env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_REPLICA_URL"}}
            env["DATABASE_URL"] = f"sqlite:///{Path(folder) / 'score.sqlite3'}"
            env["PYTHONIOENCODING"] = "utf-8"  # the notes and quotes are Russian too, whatever the locale
            result = subprocess.run(
                [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "score_extraction", *argv],
                cwd=settings.BASE_DIR,
                env=env,
                capture_output=True,
                encoding="utf-8",
            )
        self.stdout.write(result.stdout, ending="")
        self.stderr.write(result.stderr, ending="")
        if result.returncode:
            raise CommandError(f"scoring on the fresh database failed (exit status {result.returncode})")

    def _score(self, actors, selected, verbose, json_path):
        if connection.vendor != "sqlite" or connection.introspection.table_names():
            raise CommandError("--in-fresh-database: the database is not a new SQLite file; nothing was loaded")
        quiet = io.StringIO()
        call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
        for load in ACTOR_SETS[actors]:
            call_command(load, stdout=quiet)
        _, actors_document = scoring.read_corpus()
        index, types = ActorIndex.load(), TypeIndex.load()
        scored, errors = [], {}
        for article in selected:
            document, error = scoring.propose_for(article, actors=index, types=types)
            if error:
                errors[article.id] = error
            scored.append((article, scoring.score_article(document, article.expected, actors_document)))
        label = f"{actors} ({Actor.objects.count()} actors, in a fresh SQLite database)"
        out = [f"actors: {label}", "", *scoring.article_table(scored), "", *scoring.totals_table(scored)]
        if verbose:
            for article, score in scored:
                out += ["", *scoring.details(article, score, errors.get(article.id))]
        self.stdout.write("\n".join(out))
        if json_path:
            report = scoring.report_json(scored, errors, label)
            Path(json_path).write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
