"""The REST API under /api/v1/ (docs/api.md): viewsets, serializers, the OpenAPI schema and their helpers."""
