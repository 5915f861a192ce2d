"""Errors: always a clear answer, never a stack trace, never a 500 for the client's mistakes or a database outage.

The API's exception handler (DRF's `EXCEPTION_HANDLER`) turns what DRF does
not know into JSON; `DatabaseUnavailableMiddleware` answers 503 for the pages
and the admin when the database cannot be reached, as the handler does for
the API. Django connects to the database afresh when a request needs it, and
a connection found broken (CONN_HEALTH_CHECKS, or an error during the
request) is closed rather than reused, so requests succeed again as soon as
the database is back, without restarting the server.
"""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DEFAULT_DB_ALIAS, DataError, InterfaceError, OperationalError, connections
from django.http import FileResponse, HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
"""What the database driver raises when the server is down, restarting, or dropped the connection."""

UNAVAILABLE = "The database is unavailable; try again shortly."
RETRY_AFTER = "5"
"""Seconds a client should wait before trying again (the Retry-After header of every 503)."""

UNAVAILABLE_PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Chancery: temporarily unavailable</title></head>
<body>
<h1>Temporarily unavailable</h1>
<p>{UNAVAILABLE}</p>
</body>
</html>
"""


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DataError):
        # A value the database cannot hold (an out-of-range number, say): the request's fault.
        return Response({"detail": "a value in the request is out of range"}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DATABASE_ERRORS):
        log.warning("database unavailable: %s", str(exc).strip())
        return Response(
            {"detail": UNAVAILABLE}, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": RETRY_AFTER}
        )
    return None


def database_unavailable(request):
    """The 503 response: JSON under /api/, a short HTML page elsewhere."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": UNAVAILABLE}, status=503)
    else:
        response = HttpResponse(UNAVAILABLE_PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = RETRY_AFTER
    return response


class DatabaseUnavailableMiddleware:
    """Answers 503 instead of 500 when a page, the admin or an export cannot reach the database.

    Views and the templates they render raise the driver's errors through
    `process_exception`. A streamed response (an export) reads the database
    only after its status line has gone out, when nothing but cutting the
    body short is left; so the connection is checked before it is returned.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.streaming and not isinstance(response, FileResponse):
            # The health check (a round trip outside any query count) catches a connection that the server
            # has dropped since the request began; ensure_connection opens one where none is open. Only the
            # primary must answer: a replica that does not is read around (tracker/routers.py).
            aliases = {DEFAULT_DB_ALIAS, *(opened.alias for opened in connections.all(initialized_only=True))}
            try:
                for alias in sorted(aliases):
                    connections[alias].close_if_health_check_failed()
                connections[DEFAULT_DB_ALIAS].ensure_connection()
            except DATABASE_ERRORS as exc:
                log.warning("database unavailable before streaming %s: %s", request.path, str(exc).strip())
                return database_unavailable(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            log.warning("database unavailable: %s", str(exception).strip())
            return database_unavailable(request)
        return None


def not_found(request, exception=None):
    """Django's 404 handler: under /api/ a JSON body as every other API error has, elsewhere Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)
