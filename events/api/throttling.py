"""The API's anonymous throttle, counting exactly across every worker of every web server.

DRF's AnonRateThrottle keeps each client's recent requests in Django's cache, which is the database
here (CACHES in tracker/settings.py), and so shared by all workers. But it reads that history, decides,
and writes it back in three steps: two workers serving the same client at once both read the same
history, both let their request through, and one's write overwrites the other's, so that concurrent
requests went uncounted (up to 18 of 40 let through at 10 a minute, measured with 3 workers). Here the
three steps run in one transaction that first takes a lock, so the requests of one client are counted
one after another.
"""

from django.core.cache import cache
from django.db import connections, router, transaction
from rest_framework import throttling


class AnonRateThrottle(throttling.AnonRateThrottle):
    def allow_request(self, request, view):
        key = None if self.rate is None else self.get_cache_key(request, view)
        if key is None:
            return super().allow_request(request, view)
        alias = router.db_for_write(cache.cache_model_class)
        # No savepoint inside a transaction already open (a test's): the lock lasts until it ends anyway.
        with transaction.atomic(using=alias, savepoint=False):
            lock(connections[alias], cache.make_key(key))
            return super().allow_request(request, view)


def lock(connection, key):
    """Hold, until the transaction ends, a lock that every other count of `key` waits for."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
        else:
            # SQLite has one write lock, for the whole database: a write statement takes it (waiting for
            # it up to the connection's timeout) and keeps it to the end of the transaction, even one that
            # changes no row.
            table = connection.ops.quote_name(cache._table)
            cursor.execute(f"UPDATE {table} SET expires = expires WHERE cache_key = %s", [key])
