"""Merge fields in email templates: {name}, {handle}, {campaign}, {sender_name}.

A small regex replaces exactly these four names and nothing else: an unknown field, a brace
left open, a format spec or an attribute (`{name.__class__}`, `{0}`) stays as typed. No
`str.format`, so a template can never reach into Python objects.
"""

import re

FIELDS = ("name", "handle", "campaign", "sender_name")
_FIELD = re.compile(r"\{([a-z_]+)\}")


def merge(text: str, values: dict[str, str]) -> str:
    """`text` with every known {field} replaced by its value, in one pass (a value that itself
    contains "{name}" is not merged again)."""
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def one_line(text: str) -> str:
    """A subject header: line breaks and runs of whitespace become single spaces."""
    return " ".join(text.split())
