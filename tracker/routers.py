"""Reads on a replica: which queries may go to DATABASES["replica"], and which may not.

Active only when DATABASE_REPLICA_URL is set (tracker/settings.py). A read goes
to the replica when all of these hold:

- it happens while a GET, HEAD or OPTIONS request is served, outside the admin
  (ReplicaReadsMiddleware marks such requests), streamed bodies included: an
  export reads its events while its body is sent, after the view has returned;
- it reads the events app's data (events, actors, sources, the taxonomy);
  accounts, sessions, API tokens and login attempts are read from the primary,
  where the write that created them has just landed: a session read from a
  replica that lags a second behind would log a curator out;
- no transaction is open on the primary: a read inside one belongs to it.

Everything else, writes first of all, goes to the primary ("default").
docs/operations.md says how to run a replica; tests/test_operations.py tests
the rules, tests/test_replica.py a real primary and standby.
"""

from contextvars import ContextVar

from django.db import connections
from django.http import FileResponse

PRIMARY = "default"
REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REPLICATED_APPS = frozenset({"events"})

# True while a request whose reads may use the replica is being served. A
# context variable rather than a thread-local: each thread, and each asyncio
# task, sees its own request.
replica_reads_allowed = ContextVar("replica_reads_allowed", default=False)


class ReplicaReadsMiddleware:
    """Marks safe-method requests outside the admin: their reads may use the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = replica_reads_allowed.set(False)
        try:
            response = self.get_response(request)
            allowed = replica_reads_allowed.get()
        finally:
            replica_reads_allowed.reset(token)
        if response.streaming and not response.is_async and not isinstance(response, FileResponse):
            response.streaming_content = _routed_as(allowed, response.streaming_content)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The URL is resolved only now: the admin is known by its namespace.
        in_admin = request.resolver_match is not None and "admin" in request.resolver_match.namespaces
        replica_reads_allowed.set(request.method in SAFE_METHODS and not in_admin)


def _routed_as(allowed, chunks):
    """A streamed body, each chunk read as its request's reads are: the server reads it after every
    middleware has returned, when that request's mark is gone."""
    chunks = iter(chunks)
    while True:
        token = replica_reads_allowed.set(allowed)
        try:
            chunk = next(chunks, _END)
        finally:
            replica_reads_allowed.reset(token)
        if chunk is _END:
            return
        yield chunk


_END = object()


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            replica_reads_allowed.get()
            and model._meta.app_label in REPLICATED_APPS
            and not connections[PRIMARY].in_atomic_block
        ):
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same rows: an event read from the replica may
        # be linked to a user read from the primary.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary's schema through replication.
        return db == PRIMARY
