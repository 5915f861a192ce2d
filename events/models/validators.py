"""What values the models accept: ids, codes, countries, aliases, URLs."""

from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from ..countries import COUNTRIES

RESERVED_EVENT_IDS = frozenset({"export", "deleted", "facets", "feed"})
"""Event ids that would collide with the API's own paths under /api/v1/events/ (its actions)."""

SLUG_RE = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
validate_slug_id = RegexValidator(
    SLUG_RE, "Use lower-case letters, digits and single hyphens or underscores, e.g. 'us-ru-talks-2025'."
)
validate_wikidata = RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata item id is Q followed by digits, e.g. 'Q159'.")
validate_type_code = RegexValidator(
    r"^[a-z][a-z_]*(?:\.[a-z][a-z_]*)*$", "A type code is dotted lower-case words, e.g. 'sanctions.imposed'."
)


def validate_country(value):
    if value not in COUNTRIES:
        raise ValidationError(
            "%(value)r is not an ISO 3166-1 alpha-3 country code (e.g. 'RUS', 'USA').", params={"value": value}
        )


def validate_event_id(value):
    if value in RESERVED_EVENT_IDS:
        raise ValidationError(
            "%(value)r is reserved by the API (/api/v1/events/%(value)s/) and cannot be an event id; "
            "the reserved ids are %(reserved)s.",
            params={"value": value, "reserved": ", ".join(sorted(RESERVED_EVENT_IDS))},
        )


def validate_aliases(value):
    if not isinstance(value, list) or not all(isinstance(alias, str) and alias.strip() for alias in value):
        raise ValidationError("Aliases are a list of non-empty names.")
    if len(set(value)) != len(value):
        raise ValidationError("An alias is listed twice.")


def normalize_url(url):
    """A source's identity: scheme and host lower-cased, default port and fragment dropped."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and not ((scheme == "http" and parts.port == 80) or (scheme == "https" and parts.port == 443)):
        host = f"{host}:{parts.port}"
    if parts.username or parts.password:
        userinfo = parts.username or ""
        if parts.password:
            userinfo += f":{parts.password}"
        host = f"{userinfo}@{host}"
    return urlunsplit((scheme, host, parts.path, parts.query, ""))
