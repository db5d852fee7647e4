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
        # Invisible characters a spreadsheet or an import tool may drop before the trigger.
        ("\u200b=1+1", "'\u200b=1+1"),  # zero-width space
        ("\ufeff=1+1", "'\ufeff=1+1"),  # byte-order mark
        ("\u2028+1", "'\u2028+1"),  # line separator
        ("\u2029-1", "'\u2029-1"),  # paragraph separator
        ("\u00a0=1+1", "'\u00a0=1+1"),  # no-break space
        ("\x00=1+1", "'\x00=1+1"),  # NUL
        ("\x01@SUM(1)", "'\x01@SUM(1)"),  # another C0 control
        ("\x85=1", "'\x85=1"),  # a C1 control (next line)
        ("\u2060=1", "'\u2060=1"),  # word joiner
        ("\u200e\u202e-1", "'\u200e\u202e-1"),  # bidi marks
        ("\u200b \ufeff\x00=1+1", "'\u200b \ufeff\x00=1+1"),  # several, mixed
        ("\u200b\t=1", "'\u200b\t=1"),
        ("\u200b＝1", "'\u200b＝1"),
        # Harmless text is left alone, including triggers that are not first.
        ("\u200bhello", "\u200bhello"),
        ("\ufeff", "\ufeff"),
        ("\x00plain", "\x00plain"),
        ("\u200b#tag=1", "\u200b#tag=1"),
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
