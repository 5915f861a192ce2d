"""Reads on a replica: which queries may go to DATABASES["replica"], and which may not.

Active only when DATABASE_REPLICA_URL is set (tracker/settings.py). A read goes
to the replica when all of these hold:

- it happens while a GET, HEAD or OPTIONS request is served, outside the admin
  (ReplicaReadsMiddleware marks such requests), streamed bodies included: an
  export reads its events while its body is sent, after the view has returned;
- the request is anonymous: a signed-in curator, or a client with an API
  token, reads everything from the primary. Only they can write, and the
  replica may lag behind: what they have just saved, and the ETag their next
  If-Match must name, are on the primary first. Anonymous readers, the bulk
  of the traffic, have no writes of their own to miss;
- it reads the events app's data (events, actors, sources, the taxonomy);
  accounts, sessions, API tokens and login attempts are read from the primary,
  where the write that created them has just landed: a session read from a
  replica that lags a second behind would log a curator out;
- no transaction is open on the primary: a read inside one belongs to it;
- the replica answers. A worker that cannot connect to it (stopped,
  restarting, unreachable) reads from the primary instead, logs a warning,
  and tries the replica again REPLICA_RETRY_SECONDS later: a replica that
  stops costs no request an error, and one that does not answer costs one
  request per worker a connect timeout now and then, not every request.

Everything else, writes first of all, goes to the primary ("default").
docs/operations.md says how to run a replica; tests/operations/test_operations.py tests
the rules, tests/operations/test_replica.py a real primary and standby.
"""

import logging
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import connections
from django.http import FileResponse

from events.errors import DATABASE_ERRORS

log = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REPLICATED_APPS = frozenset({"events"})

# The request being served while its reads may use the replica, else None. A
# context variable rather than a thread-local: each thread, and each asyncio
# task, sees its own request.
replica_reads_for = ContextVar("replica_reads_for", default=None)


class ReplicaReadsMiddleware:
    """Marks safe-method requests outside the admin: their reads may use the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = replica_reads_for.set(None)
        try:
            response = self.get_response(request)
            marked = replica_reads_for.get()
        finally:
            replica_reads_for.reset(token)
        if response.streaming and not response.is_async and not isinstance(response, FileResponse):
            response.streaming_content = _routed_as(marked, response.streaming_content)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The URL is resolved only now: the admin is known by its namespace.
        in_admin = request.resolver_match is not None and "admin" in request.resolver_match.namespaces
        replica_reads_for.set(request if request.method in SAFE_METHODS and not in_admin else None)


def _routed_as(marked, chunks):
    """A streamed body, each chunk read as its request's reads are: the server reads it after every
    middleware has returned, when that request's mark is gone."""
    chunks = iter(chunks)
    while True:
        token = replica_reads_for.set(marked)
        try:
            chunk = next(chunks, _END)
        finally:
            replica_reads_for.reset(token)
        if chunk is _END:
            return
        yield chunk


_END = object()


def _signed_in(request):
    # Asked when the first event is read, after DRF has authenticated an API request (it sets the
    # token's user on the request); a session's user is read from the primary, as accounts always are.
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


class ReplicaRouter:
    def __init__(self):
        # Until when (time.monotonic()) this process reads from the primary, having found the replica down.
        self.replica_down_until = 0.0

    def db_for_read(self, model, **hints):
        request = replica_reads_for.get()
        if (
            request is not None
            and model._meta.app_label in REPLICATED_APPS
            and not connections[PRIMARY].in_atomic_block
            and not _signed_in(request)
            and self.replica_answers(request)
        ):
            return REPLICA
        return PRIMARY

    def replica_answers(self, request):
        """Whether `request` reads from the replica: asked at its first read, kept for the others, so that
        a request reads from one database, whatever happens to the replica meanwhile."""
        if not hasattr(request, "_replica_answers"):
            request._replica_answers = time.monotonic() >= self.replica_down_until and self._connect()
        return request._replica_answers

    def _connect(self):
        replica = connections[REPLICA]
        try:
            # A kept connection is checked (CONN_HEALTH_CHECKS) and closed if the replica has dropped it,
            # then one is opened if none is.
            replica.close_if_health_check_failed()
            replica.ensure_connection()
        except DATABASE_ERRORS as exc:
            self.replica_down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
            log.warning(
                "replica unavailable, reading from the primary for %s s: %s",
                settings.REPLICA_RETRY_SECONDS,
                str(exc).strip(),
            )
            return False
        return True

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
