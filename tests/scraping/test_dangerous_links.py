"""Only http(s) upstream URLs become links: the transforms refuse the rest, and pages and the
API refuse them again for rows stored before (javascript:, data:, vbscript:, however written)."""

import re
from html import unescape

import pytest
from rest_framework.test import APIClient

from scraping.contacts import extract_contacts
from scraping.transform import instagram, tiktok, youtube
from scraping.transform.values import first_url, safe_http_url
from tests.factories import make_campaign, make_creator, make_job

# Each one is a script or data link to a browser once it strips and drops what it ignores.
DANGEROUS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "\x00javascript:alert(1)",
    " \x01\x1f javascript:alert(1)",
    "\tjava\nscript:alert(1)",
    "java\r\nscript:alert(1)",
    "javascript:alert(1)\x00 ",
    "javascript://example.com/%0Aalert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "VbScRiPt:msgbox(1)",
]
# Not links to a script, but not http(s) either: refused as well.
NOT_HTTP = [
    "javascript&colon;alert(1)",
    "&#106;avascript:alert(1)",
    "%6Aavascript:alert(1)",
    "ｊａｖａｓｃｒｉｐｔ:alert(1)",
    "//evil.example/x.jpg",
    "/relative/path",
    "www.example.com",
    "ftp://example.com/file",
    "file:///etc/passwd",
    "mailto:jane@example.com",
    "",
    "   ",
]


@pytest.mark.parametrize("value", DANGEROUS + NOT_HTTP)
def test_safe_http_url_refuses_anything_but_http(value):
    assert safe_http_url(value) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.tiktok.com/@maya", "https://www.tiktok.com/@maya"),
        ("http://example.com/a?b=c#d", "http://example.com/a?b=c#d"),
        ("HTTPS://EXAMPLE.COM/Path", "HTTPS://EXAMPLE.COM/Path"),
        # Cleaned the way a browser reads it.
        ("  https://example.com/x \n", "https://example.com/x"),
        ("\x00https://example.com/x", "https://example.com/x"),
        ("ht\ttps://exa\nmple.com/x", "https://example.com/x"),
    ],
)
def test_safe_http_url_keeps_http_urls(value, expected):
    assert safe_http_url(value) == expected


@pytest.mark.parametrize("value", [None, 12, ["https://example.com"], {"url": "https://x.com"}])
def test_safe_http_url_refuses_non_strings(value):
    assert safe_http_url(value) == ""


def test_first_url_skips_to_the_first_http_url():
    assert first_url(["javascript:alert(1)", {"url_list": ["data:,x", "https://cdn/a.jpg"]}]) == (
        "https://cdn/a.jpg"
    )
    assert first_url({"url_list": DANGEROUS}) == ""


# --- transforms ------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", DANGEROUS)
def test_tiktok_video_seed_refuses_them(bad):
    item = {
        "aweme_id": "7001",
        "url": bad,
        "desc": "Trail day",
        "author": {"uid": "42", "unique_id": "maya", "avatar_larger": {"url_list": [bad]}},
    }

    seed = tiktok.video_seed(item)

    assert seed["avatar_url"] == ""
    # The video's own address is rebuilt from its id instead.
    assert seed["content_url"] == "https://www.tiktok.com/@maya/video/7001"
    assert seed["profile_url"] == "https://www.tiktok.com/@maya"


@pytest.mark.parametrize("bad", DANGEROUS)
def test_tiktok_profile_refuses_them(bad):
    body = {
        "user": {
            "id": "42",
            "uniqueId": "maya",
            "avatarLarger": bad,
            "avatarMedium": "https://cdn.example/m.jpg",
            "bioLink": {"link": bad, "risk": 0},
        }
    }

    profile = tiktok.profile(body)

    assert profile["avatar_url"] == "https://cdn.example/m.jpg"


@pytest.mark.parametrize("bad", DANGEROUS)
def test_instagram_transforms_refuse_them(bad):
    post = {
        "url": bad,
        "caption": "Hills",
        "owner": {"id": "7", "username": "maya.ig", "profile_pic_url": bad},
    }
    body = {
        "data": {
            "user": {
                "id": "7",
                "username": "maya.ig",
                "profile_pic_url_hd": bad,
                "profile_pic_url": bad,
                "edge_related_profiles": {
                    "edges": [{"node": {"id": "8", "username": "ben", "profile_pic_url": bad}}]
                },
            }
        }
    }

    seed = instagram.post_seed(post)
    profile = instagram.profile(body)
    related = instagram.related_seeds(body)

    assert (seed["avatar_url"], seed["content_url"]) == ("", "")
    assert profile["avatar_url"] == ""
    assert related[0]["avatar_url"] == ""


@pytest.mark.parametrize("bad", DANGEROUS)
def test_youtube_transforms_refuse_them(bad):
    video = {
        "url": bad,
        "title": "Run",
        "channel": {"id": "UC1", "handle": "@maya", "thumbnail": bad},
    }
    body = {
        "channelId": "UC1",
        "avatar": {
            "image": {
                "sources": [
                    {"url": bad, "width": 900},
                    {"url": "https://yt.example/176.jpg", "width": 176},
                ]
            }
        },
    }

    seed = youtube.video_seed(video)
    channel = youtube.channel(body)

    assert (seed["avatar_url"], seed["content_url"]) == ("", "")
    assert channel["avatar_url"] == "https://yt.example/176.jpg"


def test_link_fields_and_external_url_give_only_http_links():
    contacts = extract_contacts(
        bio="Shop below",
        link_fields=[*DANGEROUS, {"url": "javascript:alert(1)"}, "https://jane.example/shop"],
        external_url="JaVaScRiPt:alert(1)",
    )

    assert contacts.links == ["https://jane.example/shop"]


# --- rows stored before: pages and the API ---------------------------------------------------

STORED_BAD = {
    "profile_url": "javascript:alert(1)",
    "content_url": " \tJaVaScRiPt:alert(document.cookie)",
    "links": ["javascript:alert(2)", "https://jane.example/shop", "data:text/html,<b>x</b>"],
}


@pytest.fixture
def bad_creator(user):
    job = make_job(user, make_campaign(user), processed_results=1)
    return make_creator(
        job, username="jane", display_name="Jane", content_title="My run", **STORED_BAD
    )


def hrefs(page: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', page)]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["search", "campaign"])
def test_pages_never_link_to_stored_script_urls(auth_client, bad_creator, page):
    url = (
        f"/searches/{bad_creator.job_id}/"
        if page == "search"
        else f"/campaigns/{bad_creator.job.campaign_id}/creators/"
    )

    html = auth_client.get(url).content.decode()

    assert [h for h in hrefs(html) if "script" in h.lower() or h.startswith("data:")] == []
    assert '<span class="creator-name">Jane</span>' in html
    assert "My run" in html  # the content is still named, only not linked


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/jobs/{job}/creators/", "/api/campaigns/{campaign}/creators/"]
)
def test_the_api_never_returns_stored_script_urls(user, bad_creator, path):
    client = APIClient()
    client.force_authenticate(user)
    url = path.format(job=bad_creator.job_id, campaign=bad_creator.job.campaign_id)

    item = client.get(url).json()["results"][0]

    assert item["creator"]["profileUrl"] == ""
    assert item["creator"]["links"] == ["https://jane.example/shop"]
    assert item["video"]["url"] == ""
    assert item["video"]["title"] == "My run"


@pytest.mark.django_db
def test_the_poll_answer_never_returns_stored_script_urls(user, bad_creator):
    client = APIClient()
    client.force_authenticate(user)

    data = client.get("/api/scraping/tiktok", {"jobId": str(bad_creator.job_id)}).json()

    assert data["creators"][0]["creator"]["profileUrl"] == ""
    assert data["creators"][0]["video"]["url"] == ""
    assert data["creators"][0]["creator"]["links"] == ["https://jane.example/shop"]
