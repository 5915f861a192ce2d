"""Write the published events of a Chancery database into a SQLite file for Datasette.

    .venv/bin/python bench/flatten.py postgresql://chancery:chancery@127.0.0.1:5432/chancery_bench out.db

The same data the anonymous API serves, in the shape a Datasette user would
build: `events` flattened (its participants, sources, tags and relations as
the columns of Chancery's CSV export, plus `span_end` for date ranges),
`participants` (with the actor's country), `citations`, `actors`, and the
indexes and the full-text table (FTS5, Porter stemming) its questions need.
"""

import sqlite3
import sys
import time
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sql  # noqa: E402

BATCH = 10_000


def copy(pg, lite, select, table, columns):
    placeholders = ", ".join("?" * columns)
    with pg.cursor(name=f"flatten_{table}") as cursor:
        cursor.itersize = BATCH
        cursor.execute(select)
        count = 0
        while rows := cursor.fetchmany(BATCH):
            lite.executemany(f"INSERT INTO {table} VALUES ({placeholders})", rows)
            count += len(rows)
    return count


def flatten(dsn, path):
    path = Path(path)
    path.unlink(missing_ok=True)
    lite = sqlite3.connect(path)
    lite.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = 8192;")
    lite.executescript(sql.SQLITE_SCHEMA)
    pg = psycopg2.connect(dsn)
    counts = {}
    with lite:
        counts["events"] = copy(pg, lite, sql.flat_events(for_csv=False), "events", 32)
        counts["participants"] = copy(pg, lite, sql.SQLITE_PARTICIPANTS, "participants", 4)
        counts["citations"] = copy(pg, lite, sql.SQLITE_CITATIONS, "citations", 7)
        counts["actors"] = copy(pg, lite, sql.SQLITE_ACTORS, "actors", 5)
    pg.close()
    lite.executescript(sql.SQLITE_INDEXES)
    lite.execute("VACUUM")
    lite.close()
    return counts


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    started = time.perf_counter()
    counts = flatten(sys.argv[1], sys.argv[2])
    print(f"{sys.argv[2]}: {counts} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
