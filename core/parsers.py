"""The API's JSON parser: DRF's, after a nesting-depth check that never recurses.

Python's JSON decoder recurses once per nesting level, so a body such as ``[[[[…]]]]`` a
thousand levels deep raises RecursionError (a 500) before any serializer sees it. No request
of this API nests more than a few levels, so deeper bodies are refused with a 400 first.
"""

import io

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 32


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether the brackets of JSON ``text``, outside strings, nest deeper than ``limit``.

    One pass over the characters with a counter: no recursion, whatever the input.
    """
    if text.count("[") + text.count("{") <= limit:
        return False  # too few brackets to nest that deep: most bodies stop here
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than ``MAX_JSON_DEPTH`` (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = stream.read()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        # Undecodable bytes cannot be brackets or quotes; DRF reports them below.
        if json_depth_exceeds(data.decode(encoding, errors="replace"), MAX_JSON_DEPTH):
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
        return super().parse(io.BytesIO(data), media_type, parser_context)
