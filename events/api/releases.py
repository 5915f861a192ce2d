"""The releases under /api/v1/releases/: their manifests, and their files as they were written (docs/releases.md)."""

from django.http import FileResponse, HttpResponseNotModified
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from ..releases import MANIFEST, NAME_MAX, NAME_PATTERN, all_manifests, read_manifest, release_file
from .params import StrictParameters
from .schema import DETAIL_ERRORS, IF_NONE_MATCH, LIST_ERRORS

# A release's files never change: a cache may keep them for a year without asking again.
IMMUTABLE = "public, max-age=31536000, immutable"

RELEASE_NAME = OpenApiParameter(
    "name",
    {"type": "string", "pattern": NAME_PATTERN, "maxLength": NAME_MAX},
    OpenApiParameter.PATH,
    description="The release's name.",
)
FILE_NAME = OpenApiParameter(
    "file",
    {"type": "string", "pattern": r"^[^/]+$", "maxLength": 200},
    OpenApiParameter.PATH,
    description="One of the release's files (as its `files` name them), or manifest.json.",
)

EXAMPLE = {
    "name": "2026-q4",
    "moment": "2026-12-07T15:00:00.123456Z",
    "counts": {"events": 13, "actors": 10, "sources": 1},
    "files": [
        {
            "name": "chancery-2026-q4.csv",
            "format": "csv",
            "media_type": "text/csv; charset=utf-8",
            "size": 11712,
            "sha256": "cadf28bc6d97145cd823b139811c6776a82306784cefda7283e15a61a0afaf0a",
            "url": "https://chancery.example.org/api/v1/releases/2026-q4/chancery-2026-q4.csv",
        }
    ],
    "software": {"name": "Chancery", "version": "1ab297f"},
    "citation": "Chancery, release 2026-q4 (the published events as of 2026-12-07T15:00:00.123456Z). "
    "https://chancery.example.org/api/v1/releases/2026-q4/",
    "url": "https://chancery.example.org/api/v1/releases/2026-q4/",
    "manifest_url": "https://chancery.example.org/api/v1/releases/2026-q4/manifest.json",
}


class ReleaseCountsSerializer(serializers.Serializer):
    events = serializers.IntegerField(help_text="The published events the release holds.")
    actors = serializers.IntegerField(help_text="The actors taking part in them.")
    sources = serializers.IntegerField(help_text="The sources they cite.")


class ReleaseFileSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The file's name in the release.")
    format = serializers.CharField(help_text="The export format it is written in (docs/exports.md).")
    media_type = serializers.CharField()
    size = serializers.IntegerField(help_text="In bytes.")
    sha256 = serializers.CharField(help_text="SHA-256 of the file's bytes, in hex: check a copy against it.")
    url = serializers.URLField(help_text="Where the file is served.")


class SoftwareSerializer(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField(help_text="The version of Chancery that wrote the release.")


class ReleaseSerializer(serializers.Serializer):
    name = serializers.CharField()
    moment = serializers.DateTimeField(
        help_text="The moment (UTC) the release stands at: `as_of` this moment asks the API the same events."
    )
    counts = ReleaseCountsSerializer()
    files = ReleaseFileSerializer(many=True)
    software = SoftwareSerializer()
    citation = serializers.CharField(help_text="How to cite the release: its name, moment and address.")
    url = serializers.URLField()
    manifest_url = serializers.URLField(help_text="manifest.json, the file these fields are read from.")


# No docstring: the OpenAPI description of each action is its own.
class ReleaseViewSet(StrictParameters, viewsets.GenericViewSet):
    lookup_field = "name"
    lookup_value_regex = "[^/]+"
    renderer_classes = [JSONRenderer]
    # Releases hold published events only, and are read, never written, through the API.
    permission_classes = [permissions.AllowAny]
    pagination_class = None  # a few releases a year: the list comes whole
    filter_backends = []
    serializer_class = ReleaseSerializer

    def described(self, manifest):
        """The manifest as the API shows it: with the address of the release and of each of its files."""
        base = self.request.build_absolute_uri(reverse("release-detail", kwargs={"name": manifest["name"]}))
        return {
            **manifest,
            "files": [{**entry, "url": base + entry["name"]} for entry in manifest["files"]],
            "url": base,
            "manifest_url": base + MANIFEST,
        }

    @extend_schema(
        summary="The releases: frozen, citable files of what was published at a moment, the latest first",
        responses={200: ReleaseSerializer(many=True), **LIST_ERRORS},
        examples=[OpenApiExample("One release", value=[EXAMPLE], response_only=True)],
    )
    def list(self, request):
        return Response([self.described(manifest) for manifest in all_manifests()])

    @extend_schema(
        summary="One release",
        parameters=[RELEASE_NAME],
        responses={200: ReleaseSerializer, **DETAIL_ERRORS},
        examples=[OpenApiExample("A release", value=EXAMPLE, response_only=True)],
    )
    def retrieve(self, request, name=None):
        manifest = read_manifest(name)
        if manifest is None:
            raise NotFound(f"no release {name[:NAME_MAX]!r}")
        return Response(self.described(manifest))

    @extend_schema(
        summary="One file of a release, as it was written",
        operation_id="v1_releases_file",
        parameters=[RELEASE_NAME, FILE_NAME, IF_NONE_MATCH],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The file, with the media type of its format, its SHA-256 as its ETag, cached for "
                "good (`immutable`).",
            ),
            304: OpenApiResponse(description="`If-None-Match` names the file's ETag: you have it."),
            **DETAIL_ERRORS,
        },
    )
    def download(self, request, name=None, file=None):
        found = release_file(name, file)
        if found is None:
            raise NotFound(f"no file {file[:200]!r} in a release {name[:NAME_MAX]!r}")
        path, media_type, sha256 = found
        etag = f'"{sha256}"'
        if {etag, "*"} & {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
            response = HttpResponseNotModified()
        else:
            response = FileResponse(open(path, "rb"), content_type=media_type, as_attachment=True, filename=file)
        response["ETag"] = etag
        response["Cache-Control"] = IMMUTABLE
        return response
