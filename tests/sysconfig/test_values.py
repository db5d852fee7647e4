"""Knob values: parsing and validation by type and bounds, formatting, the registry itself."""

import dataclasses
import logging

import pytest
from django.core.exceptions import ValidationError

from sysconfig import checks, config
from sysconfig.registry import BOOLEAN, DURATION, LIST, NUMBER, REGISTRY, STRING, TYPES, Knob
from sysconfig.values import bounds_label, format_duration, format_value, parse, parse_duration

NUM = Knob("t.count", NUMBER, 5, "", minimum=1, maximum=100)
FRACTION = Knob("t.rate", NUMBER, 2.5, "", minimum=0.5, maximum=10, integer=False)
DUR = Knob("t.wait", DURATION, 2.0, "", minimum=0.5, maximum=86400)
FLAG = Knob("t.flag", BOOLEAN, False, "")
TEXT = Knob("t.age", STRING, "7d", "", choices=("1d", "7d"))
ANY_TEXT = Knob("t.text", STRING, "", "")
HOSTS = Knob("t.hosts", LIST, ["a.com"], "", maximum=3)


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        ("500ms", 0.5),
        ("90s", 90.0),
        ("2m", 120.0),
        ("1h", 3600.0),
        ("7d", 604800.0),
        ("1h30m", 5400.0),
        ("1.5h", 5400.0),
        (" 2 m ", 120.0),
        ("45", 45.0),
        ("0.25", 0.25),
        ("0s", 0.0),
    ],
)
def test_durations_parse_to_seconds(raw, seconds):
    assert parse_duration(raw) == seconds


@pytest.mark.parametrize("raw", ["", "ten seconds", "5x", "m5", "1h foo", "-", "1..5s", "s"])
def test_bad_durations_are_refused(raw):
    with pytest.raises(ValidationError):
        parse_duration(raw)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.5, "500ms"),
        (90, "90s"),
        (120, "2m"),
        (3600, "1h"),
        (5400, "90m"),
        (604800, "7d"),
        (2.5, "2500ms"),
        (86400 * 30, "30d"),
    ],
)
def test_durations_format_in_the_largest_exact_unit(seconds, text):
    assert format_duration(seconds) == text
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("knob", "raw", "value"),
    [
        (NUM, "42", 42),
        (NUM, " 7 ", 7),
        (NUM, "100", 100),
        (NUM, "1", 1),
        (NUM, 3, 3),
        (NUM, "3.0", 3),
        (FRACTION, "2.5", 2.5),
        (FRACTION, "4", 4),
        (DUR, "90s", 90.0),
        (DUR, "500ms", 0.5),
        (DUR, "1d", 86400.0),
        (DUR, 30, 30.0),
        (FLAG, "true", True),
        (FLAG, "Yes", True),
        (FLAG, "on", True),
        (FLAG, "1", True),
        (FLAG, "false", False),
        (FLAG, "NO", False),
        (FLAG, "0", False),
        (FLAG, True, True),
        (TEXT, "1d", "1d"),
        (TEXT, " 7d ", "7d"),
        (ANY_TEXT, "anything at all", "anything at all"),
        (HOSTS, "a.com, b.com", ["a.com", "b.com"]),
        (HOSTS, "a.com\nb.com,\n", ["a.com", "b.com"]),
        (HOSTS, ["x.com", " "], ["x.com"]),
        (HOSTS, "", []),
    ],
)
def test_valid_values_parse_to_their_type(knob, raw, value):
    parsed = parse(knob, raw)
    assert parsed == value
    assert type(parsed) is type(value)


@pytest.mark.parametrize(
    ("knob", "raw", "message"),
    [
        (NUM, "abc", "“abc” is not a number."),
        (NUM, "", "“” is not a number."),
        (NUM, "2.5", "Enter a whole number."),
        (NUM, "0", "The smallest allowed value is 1."),
        (NUM, "101", "The largest allowed value is 100."),
        (NUM, "-5", "The smallest allowed value is 1."),
        (NUM, "nan", "“nan” is not a number."),
        (NUM, "1e999", "Enter a finite number."),
        (FRACTION, "0.4", "The smallest allowed value is 0.5."),
        (DUR, "100ms", "The smallest allowed value is 500ms."),
        (DUR, "2d", "The largest allowed value is 1d."),
        (DUR, "soon", "“soon” is not a duration. Write it like 500ms, 90s, 2m, 1h or 7d."),
        (FLAG, "maybe", "Enter true or false."),
        (FLAG, "", "Enter true or false."),
        (TEXT, "5d", "“5d” is not one of 1d, 7d."),
        (HOSTS, "a, b, c, d", "The largest allowed value is 3 items."),
    ],
)
def test_invalid_values_are_refused_with_a_clear_message(knob, raw, message):
    with pytest.raises(ValidationError) as exc:
        parse(knob, raw)
    assert exc.value.messages == [message]


@pytest.mark.parametrize(
    ("knob", "value", "text"),
    [
        (NUM, 20, "20"),
        (FRACTION, 2.5, "2.5"),
        (DUR, 0.5, "500ms"),
        (DUR, 300.0, "5m"),
        (FLAG, True, "true"),
        (FLAG, False, "false"),
        (HOSTS, ["a.com", "b.com"], "a.com, b.com"),
        (TEXT, "7d", "7d"),
    ],
)
def test_values_format_back_to_what_parses(knob, value, text):
    assert format_value(knob, value) == text
    assert parse(knob, text) == value


def test_bounds_labels():
    assert bounds_label(NUM) == "1 – 100"
    assert bounds_label(DUR) == "500ms – 1d"
    assert bounds_label(TEXT) == "1d | 7d"
    assert bounds_label(FLAG) == ""


def test_every_registry_default_is_valid_for_its_own_type_and_bounds():
    assert REGISTRY
    for name, knob in REGISTRY.items():
        assert knob.type in TYPES, name
        assert name == f"{knob.category}.{knob.key}"
        for value in (knob.default, *knob.env_defaults.values()):
            assert parse(knob, value) == parse(knob, format_value(knob, parse(knob, value))), name


def test_the_registry_has_the_knobs_the_product_reads():
    expected = {
        "api_limits.max_api_calls_tiktok_keyword": 300,
        "scraping.continuation_delay": 0.0,
        "api_limits.requests_per_second": 20,
        "scraping.job_timeout": 3600.0,
        "scraping.enrichment_concurrency": 64,
        "scraping.enrichment_batch_rounds": 3,
        "image_proxy.image_cache_seconds": 3600.0,
        "api.throttle_search_per_minute": 30,
        "api.throttle_poll_per_minute": 240,
        "ui.poll_interval": 2.5,
        "retention.completed_days": 30,
        "retention.partial_days": 30,
        "retention.failed_days": 7,
    }
    assert {name: REGISTRY[name].default for name in expected} == expected
    assert REGISTRY["ui.poll_interval"].type == DURATION
    assert isinstance(REGISTRY["image_proxy.allowed_hosts"].default, list)


def test_defaults_follow_app_env(settings, monkeypatch):
    knob = dataclasses.replace(
        REGISTRY["retention.failed_days"], env_defaults={"production": 14, "staging": 3}
    )
    monkeypatch.setitem(REGISTRY, knob.name, knob)
    settings.APP_ENV = "production"
    assert config.default(knob) == 14
    settings.APP_ENV = "staging"
    assert config.default(knob) == 3
    settings.APP_ENV = "development"
    assert config.default(knob) == 7


# --- unknown keys -----------------------------------------------------------------------------


def test_an_unknown_key_raises_in_development_and_tests(settings):
    settings.SYSCONFIG_STRICT = True
    with pytest.raises(config.UnknownKnob):
        config.get("scraping.no_such_knob")
    settings.SYSCONFIG_STRICT = False
    settings.DEBUG = True
    with pytest.raises(config.UnknownKnob):
        config.get("scraping.no_such_knob")


def test_an_unknown_key_is_logged_and_none_in_production(settings, caplog):
    settings.SYSCONFIG_STRICT = False
    settings.DEBUG = False
    with caplog.at_level(logging.ERROR, logger="sysconfig.config"):
        assert config.get("scraping.no_such_knob") is None
    assert [r.getMessage() for r in caplog.records] == ["unknown config key"]
    assert caplog.records[0].key == "scraping.no_such_knob"


def test_the_system_check_finds_unknown_literal_keys_in_code(tmp_path, settings):
    app = tmp_path / "someapp"
    (app / "migrations").mkdir(parents=True)
    (app / "views.py").write_text(
        "from sysconfig import config\n"
        "a = config.get('scraping.lease')\n"
        'b = config.get("scraping.leese")\n'
        'c = config.get(f"api_limits.max_api_calls_{kind}")\n'
        "d = other.config.get('not.checked')\n"
    )
    (app / "migrations" / "0001.py").write_text("config.get('ignored.in_migrations')\n")
    settings.BASE_DIR = tmp_path

    class FakeApp:
        path = str(app)

    errors = checks.code_reads_known_knobs(app_configs=[FakeApp()])
    assert [(e.id, e.msg, e.obj) for e in errors] == [
        ("sysconfig.E003", "Unknown config key 'scraping.leese'.", "someapp/views.py:3")
    ]


def test_the_project_passes_its_own_checks():
    assert checks.code_reads_known_knobs() == []
    assert checks.registry_is_consistent() == []


def test_the_registry_check_reports_an_invalid_default(monkeypatch):
    bad = Knob("t.bad", NUMBER, 0, "", minimum=1)
    monkeypatch.setitem(REGISTRY, bad.name, bad)
    errors = checks.registry_is_consistent()
    assert [(e.id, e.msg) for e in errors] == [
        (
            "sysconfig.E002",
            "Knob t.bad: default value 0 is invalid: The smallest allowed value is 1.",
        )
    ]
