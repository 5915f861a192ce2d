"""Small guards in front of every view: the security headers of every response, a body-size limit, and
query strings that are text for the API.

docs/security.md says why these are middleware of our own rather than a library.
"""

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.http import HttpResponse, JsonResponse

# The site loads nothing from other hosts. Inline styles are allowed because vis-timeline and the
# page's script colour the time axis through style attributes; scripts never run inline.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# drf-spectacular's Swagger UI page starts itself with an inline <script>. That page shows no
# stored text (it reads the schema as JSON), so an inline script there cannot be an injected one.
SWAGGER_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


class SecurityHeadersMiddleware:
    """The same security headers on every response, whichever layer made it.

    First in MIDDLEWARE, so that it sees every response on the way out: those of the views, and those
    that middleware further in answer without calling a view, each of which would otherwise miss the
    headers of the middleware after it: WhiteNoise's static files (before XFrameOptionsMiddleware),
    the 413 of BodyLimitMiddleware, the 503 of DatabaseUnavailableMiddleware, and a 400 for an unknown
    Host. It sets rather than defaults: drf-spectacular's Swagger UI view sends
    `Cross-Origin-Opener-Policy: unsafe-none` for Swagger UI's OAuth2 pop-up, which Chancery (tokens
    and sessions) has no use for. The values are Django's own settings, which SecurityMiddleware and
    XFrameOptionsMiddleware also read, so that `check --deploy` and this agree.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        headers = response.headers
        headers["Content-Security-Policy"] = SWAGGER_POLICY if request.path == "/api/docs/" else CONTENT_SECURITY_POLICY
        headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = settings.SECURE_REFERRER_POLICY
        headers["Cross-Origin-Opener-Policy"] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
        return response


UPLOAD_FORM_BYTES = 64 * 2**10
"""Room for the form fields and multipart headers around an uploaded file."""


class BodyLimitMiddleware:
    """Refuses a request whose declared body is too large with 413, before anything reads it.

    The API takes DATA_UPLOAD_MAX_MEMORY_SIZE: DRF's parsers read the request stream directly, so
    Django's own check of that setting (a 400 raised when `request.body` is read) never fires for
    JSON bodies. The pages and the admin take MAX_UPLOAD_BYTES (the import page's file) and the
    form around it: Django would otherwise write any upload, however large, to a temporary file.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE if api else settings.MAX_UPLOAD_BYTES + UPLOAD_FORM_BYTES
        if limit is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                detail = f"the request body is {length} bytes; the limit is {limit} bytes ({limit / 2**20:g} MB)"
                if api:
                    return JsonResponse({"detail": detail}, status=413)
                return HttpResponse(
                    f"Request too large: {detail}. Import larger files with manage.py import_dataset.\n",
                    status=413,
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)


def undecodable_parameters(query_string):
    """{parameter: [message]} for each parameter of a query string (bytes) whose name or value,
    percent-decoded, is not UTF-8 text; the name as sent when the name itself is not."""
    problems = {}
    for pair in query_string.split(b"&"):
        name, _, value = pair.partition(b"=")
        for part in (name, value):
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                shown = part[:60].decode("ascii", "backslashreplace")
                try:
                    key = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8")
                except UnicodeDecodeError:
                    key = name[:60].decode("ascii", "backslashreplace")
                problems.setdefault(key, []).append(f"{shown!r} is not UTF-8 text once percent-decoded")
                break
    return problems


class QueryTextMiddleware:
    """Refuses an API request whose query string holds bytes that are not UTF-8 (`?q=%ED%A0%80`):
    400 naming each such parameter. Django reads them as U+FFFD replacement characters and would
    answer for those, a search for "\ufffd" that finds nothing, as if that were what the client sent.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            problems = undecodable_parameters(get_bytes_from_wsgi(request.environ, "QUERY_STRING", ""))
            if problems:
                return JsonResponse(problems, status=400)
        return self.get_response(request)
