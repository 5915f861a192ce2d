"""The API's anonymous throttle, counting exactly across every worker of every web server, in one statement.

Each client address has a count in Django's cache table (CACHES in tracker/settings.py: the database,
shared by all workers) for a window of the rate's period, which starts at the client's first request.
One statement (an UPSERT) adds the request to the count, or starts a new window once the last one has
passed, and returns the count: the database orders the statements of concurrent requests on the row,
so none goes uncounted (DRF's AnonRateThrottle read the client's history, decided, and wrote it back:
two workers at once both let their request through; under a lock, that took seven statements).
Over the rate, 429 with Retry-After: the seconds left of the window. As with any fixed window, a client
may send up to twice the rate across the end of one window and the start of the next.
"""

import datetime

from django.core.cache import cache
from django.db import connections, router
from django.utils import timezone
from rest_framework import throttling


class AnonRateThrottle(throttling.AnonRateThrottle):
    cache_format = "throttle-count_%(scope)s_%(ident)s"

    def allow_request(self, request, view):
        key = None if self.rate is None else self.get_cache_key(request, view)
        if key is None:
            return True
        alias = router.db_for_write(cache.cache_model_class)
        count, self.window_end = counted(connections[alias], cache.make_key(key), self.duration)
        return count <= self.num_requests

    def wait(self):
        return max((self.window_end - timezone.now()).total_seconds(), 1)


def counted(connection, key, seconds):
    """Count one more request of `key` in its window of `seconds`: (the count, when the window ends). The
    counts of windows that have passed go at the same time, so that the table holds only the addresses seen
    within the period (the cache's own culling runs only when the cache writes): on PostgreSQL in the same
    statement, on SQLite (no DELETE in a WITH) in a second one."""
    now = timezone.now()
    end = now + datetime.timedelta(seconds=seconds)
    table = connection.ops.quote_name(cache._table)
    adapt = connection.ops.adapt_datetimefield_value
    passed = f"{table}.expires <= %s"
    expired = f"DELETE FROM {table} WHERE expires <= %s AND cache_key <> %s"
    upsert = (
        f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, '1', %s) "
        f"ON CONFLICT (cache_key) DO UPDATE SET "
        f"value = CASE WHEN {passed} THEN '1' ELSE CAST(CAST({table}.value AS integer) + 1 AS text) END, "
        f"expires = CASE WHEN {passed} THEN excluded.expires ELSE {table}.expires END "
        "RETURNING value, expires"
    )
    counting = [key, adapt(end), adapt(now), adapt(now)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"WITH expired AS ({expired}) {upsert}", [adapt(now), key, *counting])
        else:
            cursor.execute(expired, [adapt(now), key])
            cursor.execute(upsert, counting)
        value, expires = cursor.fetchone()
    if isinstance(expires, str):  # SQLite's text, as DatabaseCache writes it: UTC without an offset
        expires = datetime.datetime.fromisoformat(expires)
    if timezone.is_naive(expires):
        expires = timezone.make_aware(expires, datetime.UTC)
    return int(value), expires
