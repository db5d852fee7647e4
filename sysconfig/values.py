"""Knob values as staff write them, and back: parse, validate (type and bounds), format.

Durations are written `500ms`, `90s`, `2m`, `1h`, `7d` (combinations such as `1h30m` too; a bare
number means seconds) and read back as float seconds. Booleans accept true/false, yes/no, on/off,
1/0. Lists are comma- or newline-separated.
"""

import math
import re
from typing import Any

from django.core.exceptions import ValidationError

from .registry import BOOLEAN, DURATION, LIST, NUMBER, STRING, Knob

UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)")
_NUMBER = re.compile(r"[+-]?(\d[\d_]*)(\.\d+)?([eE][+-]?\d+)?")
TRUE = {"true", "yes", "on", "1"}
FALSE = {"false", "no", "off", "0"}


def parse_duration(raw: str) -> float:
    text = raw.strip().lower().replace(" ", "")
    if not text:
        raise ValidationError("Enter a duration such as 500ms, 90s, 2m, 1h or 7d.")
    try:
        return float(text)  # bare seconds
    except ValueError:
        pass
    pos, total = 0, 0.0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text) or pos == 0:
        raise ValidationError(
            "“%(value)s” is not a duration. Write it like 500ms, 90s, 2m, 1h or 7d.",
            params={"value": raw},
        )
    return total


def format_duration(seconds: float) -> str:
    """The shortest exact spelling: 0.5 → 500ms, 90 → 90s, 120 → 2m, 604800 → 7d."""
    if seconds == 0:
        return "0s"
    for unit in ("d", "h", "m", "s", "ms"):
        count = seconds / UNITS[unit]
        if count >= 1 and math.isclose(count, round(count), abs_tol=1e-9):
            return f"{round(count)}{unit}"
    return f"{seconds:g}s"


def _parse_number(knob: Knob, text: str) -> int | float:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        raise ValidationError("“%(value)s” is not a number.", params={"value": text})
    value = float(text.replace("_", ""))
    if not math.isfinite(value):
        raise ValidationError("Enter a finite number.")
    if value.is_integer():
        return int(value)
    if knob.integer:
        raise ValidationError("Enter a whole number.")
    return value


def parse(knob: Knob, raw: Any) -> Any:
    """The typed value of `raw` (a string as typed, or an already typed value) for `knob`.

    Raises ValidationError when the value has the wrong type or is out of bounds.
    """
    value: float | bool | str | list[str]
    if knob.type == NUMBER:
        value = _parse_number(knob, str(raw)) if not isinstance(raw, int | float) else raw
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if knob.integer and isinstance(value, float):
            raise ValidationError("Enter a whole number.")
        _check_bounds(knob, value, str)
    elif knob.type == DURATION:
        value = float(raw) if isinstance(raw, int | float) else parse_duration(str(raw))
        _check_bounds(knob, value, format_duration)
    elif knob.type == BOOLEAN:
        if isinstance(raw, bool):
            value = raw
        else:
            text = str(raw).strip().lower()
            if text not in TRUE | FALSE:
                raise ValidationError("Enter true or false.")
            value = text in TRUE
    elif knob.type == STRING:
        value = str(raw).strip()
        if knob.choices and value not in knob.choices:
            raise ValidationError(
                "“%(value)s” is not one of %(choices)s.",
                params={"value": value, "choices": ", ".join(knob.choices)},
            )
    elif knob.type == LIST:
        items = raw if isinstance(raw, list | tuple) else re.split(r"[,\n]", str(raw))
        value = [str(item).strip() for item in items if str(item).strip()]
        _check_bounds(knob, len(value), lambda n: f"{n:g} items")
    else:  # pragma: no cover - the registry test guards the types
        raise ValidationError(f"Unknown knob type {knob.type}.")
    return value


def _check_bounds(knob: Knob, value: float, show) -> None:
    if knob.minimum is not None and value < knob.minimum:
        raise ValidationError(
            "The smallest allowed value is %(limit)s.", params={"limit": show(knob.minimum)}
        )
    if knob.maximum is not None and value > knob.maximum:
        raise ValidationError(
            "The largest allowed value is %(limit)s.", params={"limit": show(knob.maximum)}
        )


def format_value(knob: Knob, value: Any) -> str:
    """How a typed value is written back (what the admin shows and stores)."""
    if value is None:
        return ""
    if knob.type == DURATION:
        return format_duration(float(value))
    if knob.type == BOOLEAN:
        return "true" if value else "false"
    if knob.type == LIST:
        return ", ".join(str(item) for item in value)
    if knob.type == NUMBER and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def bounds_label(knob: Knob) -> str:
    show = format_duration if knob.type == DURATION else (lambda v: f"{v:g}")
    if knob.type == LIST:
        show = lambda v: f"{v:g} items"  # noqa: E731
    if knob.minimum is not None and knob.maximum is not None:
        return f"{show(knob.minimum)} – {show(knob.maximum)}"
    if knob.minimum is not None:
        return f"≥ {show(knob.minimum)}"
    if knob.maximum is not None:
        return f"≤ {show(knob.maximum)}"
    if knob.choices:
        return " | ".join(knob.choices)
    return ""


__all__ = [
    "BOOLEAN",
    "DURATION",
    "LIST",
    "NUMBER",
    "STRING",
    "bounds_label",
    "format_duration",
    "format_value",
    "parse",
    "parse_duration",
]
