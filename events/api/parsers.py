"""The API's JSON parser: DRF's, with a body nested too deeply for Python's parser refused as bad input."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from ..dataset import TOO_DEEP


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            # A thousand nested lists or objects exhaust the parser's recursion: a 400 that says so, as
            # DRF says any other unreadable body is, not a 500. Shallower but still too deep bodies are
            # parsed, then refused field by field (events/api/serializers.py, `unstorable`).
            raise ParseError(f"JSON parse error - {TOO_DEEP}") from None
