"""The API's OpenAPI description: the schema class, the documented error responses and the shared parameters."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import permissions

from ..filters import SLUG_PATTERN, TYPE_PATTERN
from ..models import RESERVED_EVENT_IDS


class ApiSchema(AutoSchema):
    """drf-spectacular's AutoSchema, told that anonymous clients may read (DjangoModelPermissionsOrAnonReadOnly)."""

    def get_auth(self):
        auths = super().get_auth()
        anonymous_reads = any(
            isinstance(permission, permissions.DjangoModelPermissionsOrAnonReadOnly)
            for permission in self.view.get_permissions()
        )
        if anonymous_reads and self.method in permissions.SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths


# -- the documented error responses (events/errors.py makes every error such a JSON object)

ERROR_BODY = {
    "type": "object",
    "description": "Keys name each bad parameter or field (or `detail`, `non_field_errors`); values say what is wrong.",
    "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
}


def error(description, name, example):
    return OpenApiResponse(ERROR_BODY, description=description, examples=[OpenApiExample(name, value=example)])


BAD_PARAMETERS = error(
    "A bad parameter: the body names each one.",
    "Unknown actor and a malformed date",
    {"actor": ["unknown actor atlantis"], "date_from": ["'2025-13' is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)"]},
)
BAD_EVENT = error(
    "A bad event: the body names each bad field, as the dataset reader does.",
    "Unknown participant",
    {"participants[0].actor": ["unknown actor 'atlantis': not in the file nor in the database"]},
)
UNAUTHORIZED = error(
    "Credentials were needed, or the token is not valid (`Authorization: Token KEY`).",
    "Bad token",
    {"detail": "Invalid token."},
)
FORBIDDEN = error(
    "Logged in without the permission, asking what the client may not see (unpublished events), "
    "or a write the review rules refuse (the body names the field: `review_state`, or a source's).",
    "Anonymous asking for drafts",
    {"review_state": ["only curators see unpublished events: log in or send a token"]},
)
NOT_FOUND = error(
    "No such id, or one you may not see.",
    "Unknown id",
    {"detail": "No Event matches the given query."},
)
STALE = error(
    "`If-Match` does not name the current ETag: someone changed the event since you read it.",
    "Stale ETag",
    {"If-Match": ["the event changed since you read it: GET it again, then retry with its new ETag"]},
)
EXISTS = error(
    "An event of this id exists, perhaps created a moment ago by another client: nothing was saved. "
    "PUT or PATCH it instead.",
    "Existing id",
    {"id": ["an event 'us-ru-talks-riyadh-2025' exists: PUT or PATCH /api/v1/events/us-ru-talks-riyadh-2025/"]},
)
CONCURRENT = error(
    "Another write (an import) changed the same rows at the same moment: nothing was saved; send it again.",
    "Concurrent write",
    {"detail": "Another write changed the same rows at the same moment: nothing was saved; send it again."},
)
IN_USE = error(
    "Other events relate to this one: remove those relations first.",
    "Related events",
    {"related": ["events us-ru-talks-riyadh-2025 relate to this one: remove those relations first"]},
)

THROTTLED = error(
    "Too many requests from one anonymous client (ANON_THROTTLE_RATE): retry after `Retry-After` seconds.",
    "Throttled",
    {"detail": "Request was throttled. Expected available in 12 seconds."},
)

READ_ERRORS = {401: UNAUTHORIZED, 429: THROTTLED}
LIST_ERRORS = {400: BAD_PARAMETERS, **READ_ERRORS}
FILTERED_ERRORS = {**LIST_ERRORS, 403: FORBIDDEN}
DETAIL_ERRORS = {**READ_ERRORS, 404: NOT_FOUND}
CREATE_ERRORS = {400: BAD_EVENT, 401: UNAUTHORIZED, 403: FORBIDDEN, 409: EXISTS}
WRITE_ERRORS = {**CREATE_ERRORS, 404: NOT_FOUND, 409: CONCURRENT, 412: STALE}

ETAG = OpenApiParameter(
    "ETag", str, OpenApiParameter.HEADER, response=[200, 201, 304], description="Validator of the event's content."
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="The ETag you read: the change happens only if the event is still so (else 412).",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match", str, OpenApiParameter.HEADER, description="An ETag you have: 304 while it is current."
)
# An event's id in a URL: a slug, but not the names of the event list's own actions.
EVENT_ID = OpenApiParameter(
    "id",
    {
        "type": "string",
        "pattern": f"^(?!(?:{'|'.join(sorted(RESERVED_EVENT_IDS))})$){SLUG_PATTERN[1:]}",
        "maxLength": 100,
    },
    OpenApiParameter.PATH,
    description="The event's id.",
)
COUNT = OpenApiParameter(
    "count", bool, description="true adds `count`, the exact number of events the filters match, to the page."
)
AS_OF = OpenApiParameter(
    "as_of",
    {"oneOf": [{"type": "string", "format": "date-time"}, {"type": "string", "maxLength": 0}]},
    description="The answer as the data stood at this moment (ISO 8601, e.g. 2026-03-01T00:00:00Z): each event's "
    "fields, participants, sources, tags and relations as they were then, events deleted since included, those "
    "created or published since left out. Not in the future. Every export names the moment it was made "
    "(`X-Chancery-As-Of`). docs/api.md says what is exact and since when.",
)
AS_OF_HEADER = OpenApiParameter(
    "X-Chancery-As-Of",
    {"type": "string", "format": "date-time"},
    OpenApiParameter.HEADER,
    response=[200],
    description="The moment the export stands at (its as_of, or when it was made): give it as as_of to read "
    "the same events again.",
)
ACTOR_ID = OpenApiParameter(
    "id", {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 100}, OpenApiParameter.PATH, description="Actor id."
)
TYPE_CODE = OpenApiParameter(
    "code",
    {"type": "string", "pattern": TYPE_PATTERN, "maxLength": 60},
    OpenApiParameter.PATH,
    description="Type code.",
)
LOCATION = OpenApiParameter(
    "Location", OpenApiTypes.URI, OpenApiParameter.HEADER, response=[201], description="The new event's URL."
)
# The taxonomy comes whole; a client that sends every list its page size is not refused for it.
WHOLE_LIST_PAGE_SIZE = OpenApiParameter(
    "page_size",
    {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "maxLength": 0}]},
    description="Accepted as on the other lists, and without effect: the whole list comes in one answer.",
)


def empty_values_allowed(result, generator, request, public):
    """drf-spectacular's post-processing hook: an optional query parameter sent empty (`actor=`, as an HTML
    form sends its empty fields) is the same as one left out (events/api/params.py), so the description
    says `allowEmptyValue` for each; a required one sent empty is still missing."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", ()):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result
