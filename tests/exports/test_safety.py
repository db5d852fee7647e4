import math
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from exports.safety import iso_date, neutralise, safe_cell


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2 kg", "'-2 kg"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("\tTabbed", "'\tTabbed"),
        ("\rCarriage", "'\rCarriage"),
        ("\nLine", "'\nLine"),
        ("＝1+1", "'＝1+1"),
        ("  =1+1", "'  =1+1"),
        ("\u00a0@cmd", "'\u00a0@cmd"),
        (" -5", "' -5"),
        # Harmless text is left alone, including triggers that are not first.
        ("", ""),
        ("   ", "   "),
        ("a=b", "a=b"),
        ('Runner, coach & "dreamer"\n💌', 'Runner, coach & "dreamer"\n💌'),
        ("#running", "#running"),
        ("'quoted'", "'quoted'"),
        (" plain", " plain"),
    ],
)
def test_neutralise(text, expected):
    assert neutralise(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, "Yes"),
        (False, "No"),
        (0, 0),
        (-2, -2),  # a real negative number stays a number, not neutralised text
        (12500, 12500),
        (72.5, 72.5),
        (math.nan, ""),
        (math.inf, ""),
        ("-2", "'-2"),  # the same characters as text are neutralised
        (date(2025, 3, 1), "2025-03-01"),
        (datetime(2025, 3, 1, 23, 30, tzinfo=UTC), "2025-03-01"),
    ],
)
def test_safe_cell(value, expected):
    cell = safe_cell(value)
    assert cell == expected
    assert type(cell) is type(expected)


def test_iso_date_uses_the_utc_date():
    plus_two = timezone(timedelta(hours=2))
    assert iso_date(datetime(2025, 3, 2, 1, 0, tzinfo=plus_two)) == "2025-03-01"
    assert iso_date(None) == ""
