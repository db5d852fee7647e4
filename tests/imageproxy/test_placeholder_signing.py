"""The SVG placeholder and the signed proxy URLs."""

import time
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.core import signing as django_signing

from imageproxy import placeholder
from imageproxy.signing import (
    SALT,
    BadProxySignature,
    ExpiredProxySignature,
    proxied_image_url,
    sign,
    unsign,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: bytes) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def test_placeholder_shows_initial_on_derived_colour():
    root = parse(placeholder.placeholder_svg("maria.garcia"))
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}text").text == "M"
    assert root.find(f"{SVG}circle").get("fill") == placeholder.colour("maria.garcia")
    assert root.get("aria-label") == "maria.garcia"
    assert root.find(f"{SVG}title").text == "maria.garcia"


def test_colour_is_deterministic_and_depends_on_the_name():
    assert placeholder.hue("maria") == placeholder.hue("MARIA") == placeholder.hue("maria")
    assert placeholder.colour("maria") == f"hsl({placeholder.hue('maria')}, 55%, 45%)"
    hues = {placeholder.hue(name) for name in ("ann", "bob", "cy", "dee", "eve", "fay")}
    assert len(hues) > 1
    # A fixed value, so every process and every release draws the same colour.
    assert placeholder.hue("maria") == 99


@pytest.mark.parametrize(
    ("name", "letter"),
    [
        ("@zoe", "Z"),
        ("  émile", "É"),
        ("😀 kim", "K"),
        ("42 club", "4"),
        ("", "?"),
        ("!!!", "?"),
        ("<script>", "S"),
    ],
)
def test_initial(name, letter):
    assert placeholder.initial(name) == letter


@pytest.mark.parametrize(
    "name",
    [
        "<script>alert(1)</script>",
        '"><script>alert(1)</script>',
        "' onload='alert(1)",
        "a & b",
        "]]><x/>",
        "tab\tnull\x00bell\x07",
    ],
)
def test_placeholder_escapes_hostile_names(name):
    svg = placeholder.placeholder_svg(name)
    root = parse(svg)  # still well-formed XML
    assert b"<script" not in svg
    assert root.get("aria-label") == placeholder.clean_name(name)
    assert [child.tag for child in root] == [f"{SVG}title", f"{SVG}circle", f"{SVG}text"]
    assert root.find(f"{SVG}title").text == placeholder.clean_name(name)


def test_placeholder_escaping_exact_bytes():
    svg = placeholder.placeholder_svg('<b>"x"</b>').decode()
    assert 'aria-label="&lt;b&gt;&quot;x&quot;&lt;/b&gt;"' in svg
    assert '<title>&lt;b&gt;"x"&lt;/b&gt;</title>' in svg


def test_long_names_are_bounded():
    root = parse(placeholder.placeholder_svg("x" * 500))
    assert root.get("aria-label") == "x" * 64


def test_proxied_image_url_round_trips():
    url = "https://p16-sign-va.tiktokcdn.com/a.heic?x-expires=1&x-signature=abc%2F"
    link = proxied_image_url(url, "Maria")
    assert link.startswith("/api/proxy/image?s=")
    token = link.split("?s=", 1)[1]
    assert unsign(token) == (url, "Maria")


def test_proxied_image_url_without_url_is_a_placeholder_link():
    token = proxied_image_url(None, "Ann").split("?s=", 1)[1]
    assert unsign(token) == ("", "Ann")
    token = proxied_image_url("", "").split("?s=", 1)[1]
    assert unsign(token) == ("", "")


def test_tampered_and_foreign_tokens_are_refused():
    token = sign("https://p16.tiktokcdn.com/a.jpeg", "Ann")
    value, _, signature = token.rpartition(":")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    for bad in (
        value + ":" + flipped,
        "x" + token,
        token[:-1],
        django_signing.dumps(["https://evil.example/a.jpg", "x"], salt="other-salt"),
        django_signing.dumps(["https://evil.example/a.jpg", "x"], salt=SALT, key="other-key"),
        django_signing.dumps({"u": "x"}, salt=SALT),
        django_signing.dumps(["only-one"], salt=SALT),
        "",
        None,
        "a" * 9000,
    ):
        with pytest.raises(BadProxySignature):
            unsign(bad)


def _signed_days_ago(days: int) -> str:
    with time_machine.travel(time.time() - days * 86400):
        return sign("https://p16.tiktokcdn.com/a.jpeg", "Ann")


def test_links_work_for_seven_days_and_expire_on_the_eighth():
    assert unsign(_signed_days_ago(7)) == ("https://p16.tiktokcdn.com/a.jpeg", "Ann")
    with pytest.raises(ExpiredProxySignature):
        unsign(_signed_days_ago(8))


def test_the_same_image_gets_the_same_link_all_day():
    # Browsers cache avatars by URL: a link that changed on every poll would defeat that.
    day = 20_000 * 86400
    with time_machine.travel(day + 60, tick=False):
        morning = proxied_image_url("https://p16.tiktokcdn.com/a.jpeg", "Ann")
    with time_machine.travel(day + 86400 - 60, tick=False):
        evening = proxied_image_url("https://p16.tiktokcdn.com/a.jpeg", "Ann")
        other = proxied_image_url("https://p16.tiktokcdn.com/b.jpeg", "Ann")
    with time_machine.travel(day + 86400 + 60, tick=False):
        next_day = proxied_image_url("https://p16.tiktokcdn.com/a.jpeg", "Ann")
    assert morning == evening
    assert len({evening, other, next_day}) == 3
