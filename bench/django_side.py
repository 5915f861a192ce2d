"""What each benchmarked request asks of the database: its SQL queries, counted, and the plan of the slowest.

Run by bench/run.py with the project's Python and DATABASE_URL set to the
benchmark database; reads the requests as JSON on stdin
(`[{"name", "path", "admin"}]`) and prints, as JSON, for each: the status,
the number of queries (Django's test client with CaptureQueriesContext), and
for its slowest query the time and the indexes of `EXPLAIN ANALYZE`.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def plan_of(sql):
    """Execution time and the indexes (and sequential scans) of the query's EXPLAIN ANALYZE."""
    if connection.vendor != "postgresql" or not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return None
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0][0]
    used = []

    def walk(node):
        if "Index Name" in node:
            used.append(f"{node['Node Type'].lower()} on {node['Index Name']}")
        elif node.get("Node Type") == "Seq Scan":
            used.append(f"seq scan on {node['Relation Name']}")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan["Plan"])
    return {"ms": round(plan["Execution Time"], 1), "uses": list(dict.fromkeys(used))}


def main():
    requests = json.load(sys.stdin)
    anonymous, staff = Client(), Client()
    user = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if user is not None:
        staff.force_login(user)
    results = {}
    for request in requests:
        client = staff if request.get("admin") else anonymous
        client.get(request["path"])  # warm: the first request also loads Django's lazy parts
        with CaptureQueriesContext(connection) as captured:
            response = client.get(request["path"])
            body = b"".join(response.streaming_content) if response.streaming else response.content
        queries = captured.captured_queries
        slowest = max(queries, key=lambda q: float(q["time"]), default=None)
        results[request["name"]] = {
            "status": response.status_code,
            "bytes": len(body),
            "queries": len(queries),
            "slowest": slowest["sql"][:4000] if slowest else None,
            "plan": plan_of(slowest["sql"]) if slowest else None,
        }
    json.dump(results, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
