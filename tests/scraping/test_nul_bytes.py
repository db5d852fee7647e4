"""NUL bytes in upstream text (Postgres text and jsonb cannot hold them) are removed before
anything is saved: a search over bodies with a NUL in every string, keys included, saves
exactly what the same search saves over clean bodies, on SQLite and on Postgres."""

import json

import pytest

from fake_scrapecreators import api as fake_api_module
from scraping.models import ApiCall, ProfileCache
from scraping.services import job_create
from scraping.transform import instagram, tiktok, youtube
from scraping.transform.values import clean_json, clean_text
from tests.factories import make_campaign

SEARCHES = [
    ("tiktok", "keyword", ["running"], "/v1/tiktok/profile"),
    ("instagram", "hashtag", ["trailrunning"], "/v1/instagram/profile"),
    ("youtube", "keyword", ["trail running"], "/v1/youtube/channel"),
]
SAVED_FIELDS = (
    "external_id",
    "username",
    "display_name",
    "bio",
    "profile_url",
    "avatar_url",
    "content_title",
    "content_description",
    "content_url",
    "emails",
    "email_details",
    "links",
    "social_handles",
    "hashtags",
    "followers",
    "views",
    "published_at",
)
UPSTREAM_500 = "Something went wrong scraping the platform. Please try again."


def with_nul(value):
    """A JSON value with a NUL after the first character of every string, keys included."""
    if isinstance(value, str):
        return value[:1] + "\x00" + value[1:]
    if isinstance(value, list):
        return [with_nul(item) for item in value]
    if isinstance(value, dict):
        return {with_nul(key): with_nul(item) for key, item in value.items()}
    return value


@pytest.fixture
def nul_upstream(monkeypatch):
    """The fake server's JSON answers (errors included) with NULs in every string."""
    real_handle = fake_api_module.handle

    def handle(*args):
        result = real_handle(*args)
        if result.content_type == "application/json" and result.body:
            result.body = json.dumps(with_nul(json.loads(result.body))).encode()
        return result

    monkeypatch.setattr(fake_api_module, "handle", handle)


def run_search(user, platform, search_type, keywords):
    job = job_create(
        owner=user,
        campaign=make_campaign(user, name=f"{platform} {search_type}"),
        platform=platform,
        search_type=search_type,
        keywords=keywords,
        target_results=20,
    )
    job.refresh_from_db()
    return job


def saved(job) -> list[tuple]:
    return list(job.creators.order_by("external_id").values_list(*SAVED_FIELDS))


def no_nul(value) -> bool:
    return "\\u0000" not in json.dumps(value)  # json.dumps writes a NUL as \u0000


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("platform", "search_type", "keywords", "profile_path"), SEARCHES)
def test_nul_bytes_upstream_are_removed_before_saving(
    fake_api, knobs, user, platform, search_type, keywords, profile_path, request
):
    knobs["scraping.profile_cache_ttl"] = 0  # the second search fetches every profile again
    clean = run_search(user, platform, search_type, keywords)
    request.getfixturevalue("nul_upstream")
    fake_api.configure(faults=[{"path": profile_path, "fault": "500", "times": 1}])

    dirty = run_search(user, platform, search_type, keywords)

    assert (clean.status, dirty.status) == ("completed", "completed")
    assert saved(dirty) == saved(clean)
    # Real text was compared, not blanks: names, bios and captions or titles.
    rows = list(
        dirty.creators.values_list("display_name", "bio", "content_title", "content_description")
    )
    assert any(name for name, _, _, _ in rows)
    assert any(bio for _, bio, _, _ in rows)
    assert any(title or caption for _, _, title, caption in rows)
    for creator in dirty.creators.all():
        assert creator.raw and no_nul(creator.raw)
    assert no_nul(dirty.state)
    payloads = ProfileCache.objects.filter(platform=platform).values_list("payload", flat=True)
    assert payloads and all(no_nul(payload) for payload in payloads)
    errors = ApiCall.objects.filter(job=dirty).exclude(error="").values_list("error", flat=True)
    assert list(errors) == [UPSTREAM_500]


def test_transforms_remove_control_characters_from_text():
    body = {
        "user": {
            "id": "4\x002",
            "uniqueId": "ma\x00ya",
            "nickname": "Ma\x00ya\x07 Runs",
            "signature": "Trail\x00 runner\x1b\n\tColorado\r\n",
        }
    }

    profile = tiktok.profile(body)

    assert (profile["external_id"], profile["username"], profile["display_name"]) == (
        "42",
        "maya",
        "Maya Runs",
    )
    assert profile["bio"] == "Trail runner\n\tColorado"  # tab and newlines are text, kept
    assert profile["profile_url"] == "https://www.tiktok.com/@maya"


def test_instagram_and_youtube_text_is_cleaned_too():
    post = {"caption": "Hi\x00lls #tr\x00ail", "owner": {"id": "7", "username": "b\x00en"}}
    video = {"title": "R\x00un", "channel": {"id": "UC\x001", "title": "Ma\x00ya"}}

    seed = instagram.post_seed(post)
    channel_seed = youtube.video_seed(video)

    assert (seed["username"], seed["content_description"], seed["hashtags"]) == (
        "ben",
        "Hills #trail",
        ["trail"],
    )
    assert (channel_seed["external_id"], channel_seed["display_name"]) == ("UC1", "Maya")
    assert channel_seed["content_title"] == "Run"


def test_clean_text_keeps_tab_newline_and_carriage_return():
    every_c0 = "".join(chr(c) for c in range(0x20))
    assert clean_text(f"a{every_c0}b") == "a\t\n\rb"
    assert clean_text("ünï\u200bcödé 🏃") == "ünï\u200bcödé 🏃"


def test_clean_json_cleans_every_string_and_key():
    body = {
        "us\x00er": {"bio": "a\x00b", "links": ["x\x00", {"url\x00": "h\x00ttps://a.b"}]},
        "count": 3,
        "flags": [True, None, 1.5],
    }

    assert clean_json(body) == {
        "user": {"bio": "ab", "links": ["x", {"url": "https://a.b"}]},
        "count": 3,
        "flags": [True, None, 1.5],
    }


def test_clean_json_does_not_recurse():
    depth = 5_000  # deeper than Python's recursion limit
    value = ["a\x00b"]
    for _ in range(depth):
        value = [value]

    cleaned = clean_json(value)

    for _ in range(depth):
        cleaned = cleaned[0]
    assert cleaned == ["ab"]
