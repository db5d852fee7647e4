"""A search's page (progress and results table) and the campaign's de-duplicated creators."""

import re
from datetime import UTC, datetime
from html import unescape

import pytest

from scraping.models import Creator
from scraping.views import compact_number, duration_text
from tests.factories import make_campaign, make_creator, make_job

pytestmark = pytest.mark.django_db


def rows(page: str) -> list[str]:
    """The usernames of the table's rows, in order."""
    return re.findall(r'<tr data-creator="([^"]*)"', page)


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def campaign(user):
    return make_campaign(user, name="Runners")


@pytest.fixture
def job(user, campaign):
    return make_job(user, campaign, keywords=["running"], processed_results=3)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (0, "0"),
        (999, "999"),
        (1000, "1K"),
        (1234, "1.2K"),
        (45_678, "45.7K"),
        (1_200_000, "1.2M"),
        (1_250_000, "1.2M"),
        (3_000_000_000, "3B"),
    ],
)
def test_compact_numbers(value, text):
    assert compact_number(value) == text


@pytest.mark.parametrize(
    ("seconds", "text"), [(None, ""), (5, "0:05"), (205, "3:25"), (3725, "1:02:05")]
)
def test_durations(seconds, text):
    assert duration_text(seconds) == text


def test_the_table_shows_everything_about_a_creator(auth_client, user, campaign, job):
    make_creator(
        job,
        username="maya.runs",
        display_name="Maya Runs",
        profile_url="https://www.tiktok.com/@maya.runs",
        avatar_url="https://p16-sign-va.tiktokcdn.com/avatar.heic",
        followers=1_234_567,
        bio="Trail runner. " + "Long bio words " * 12,
        emails=["maya@example.com", "info@maya.example"],
        email_details=[
            {
                "email": "maya@example.com",
                "source": "bio",
                "deobfuscated": True,
                "roleBased": False,
            },
            {
                "email": "info@maya.example",
                "source": "bio_link",
                "deobfuscated": False,
                "roleBased": True,
            },
        ],
        has_email=True,
        verified=True,
        is_private=True,
        content_title="My first ultra",
        content_url="https://www.tiktok.com/@maya.runs/video/1",
        views=2_500_000,
        likes=120_000,
        comments=3_400,
        shares=None,
        engagement=0.0494,
        published_at=datetime(2026, 3, 7, 12, 0, tzinfo=UTC),
        duration_seconds=205,
        hashtags=["running", "ultra", "trail"],
    )
    page = get(auth_client, f"/searches/{job.pk}/")
    text = unescape(page)
    assert rows(page) == ["maya.runs"]
    assert re.search(r'<img src="/api/proxy/image\?s=[^"]+" alt=""', page)
    assert 'data-initial="M"' in page
    assert (
        '<a class="creator-name" href="https://www.tiktok.com/@maya.runs" target="_blank" '
        'rel="noopener noreferrer">Maya Runs' in page
    )
    assert "@maya.runs" in page
    assert ">1.2M</td>" in page and 'title="1234567 followers"' in page
    assert '<a href="mailto:maya@example.com" title="Found written in the bio; written out' in text
    assert 'title="Found on a page linked from the bio; a role address (info@, contact@…)."' in text
    assert 'data-copy="maya@example.com"' in page and 'aria-label="Copy maya@example.com"' in page
    assert 'class="bio clamped"' in page and 'aria-expanded="false"' in page
    assert ">My first ultra</a>" in page
    assert '<time datetime="2026-03-07T12:00:00+00:00">Mar 7, 2026</time>' in page
    assert ">3:25</span>" in page
    assert (
        ">2.5M views</li>" in page and ">120K likes</li>" in page and ">3.4K comments</li>" in page
    )
    assert ">— shares</li>" in page  # unknown, never a made-up 0
    assert "4.9% engagement" in page
    assert "#running" in page and "#ultra" in page
    assert "✓ Verified" in page and ">Private</span>" in page
    assert "Similarity" not in page  # keyword searches have no similarity column
    assert f"/api/export/csv?jobId={job.pk}" in page
    assert "Completed: found 3 of 100 creators." in page


def test_a_creator_without_extras_shows_plain_placeholders(auth_client, job):
    make_creator(job, username="bare")
    page = get(auth_client, f"/searches/{job.pk}/")
    assert rows(page) == ["bare"]
    assert "No bio" in page and "No content" in page
    assert 'data-initial="B"' in page


def test_similar_search_shows_score_and_reasons_and_sorts_by_similarity(
    auth_client, user, campaign
):
    job = make_job(user, campaign, "instagram", "similar", target_username="maya")
    make_creator(job, username="low", similarity_score=12.0, position=1)
    make_creator(
        job,
        username="high",
        similarity_score=87.4,
        position=2,
        similarity_reasons=["shares topics: running, trail", "similar audience size"],
    )
    make_creator(job, username="unknown", similarity_score=None, position=3)
    page = get(auth_client, f"/searches/{job.pk}/")
    assert rows(page) == ["high", "low", "unknown"]  # -similarity by default, unknown last
    assert "<strong>87</strong>" in page
    assert "<li>shares topics: running, trail</li>" in page
    assert 'aria-sort="descending"' in page
    assert '<option value="-similarity" selected>Most similar</option>' in page
    page = get(auth_client, f"/searches/{job.pk}/?sort=position")
    assert rows(page) == ["low", "high", "unknown"]


def test_also_found_in_names_the_other_searches_of_the_campaign(auth_client, user, campaign):
    first = make_job(user, campaign, keywords=["running"])
    second = make_job(user, campaign, "tiktok", "similar", target_username="maya")
    other_campaign_job = make_job(user, make_campaign(user, name="Other"), keywords=["x"])
    make_creator(first, external_id="shared", username="shared_one")
    make_creator(second, external_id="shared", username="shared_one")
    make_creator(other_campaign_job, external_id="alone", username="alone_here")
    make_creator(first, external_id="alone", username="alone_here")

    page = get(auth_client, f"/searches/{first.pk}/")
    assert page.count("Also found in") == 1
    assert f'<a href="/searches/{second.pk}/">TikTok similar: @maya</a>' in page
    page = get(auth_client, f"/searches/{second.pk}/")
    assert f'<a href="/searches/{first.pk}/">TikTok keyword: running</a>' in page


def test_filters_and_sorts(auth_client, user, campaign, job):
    make_creator(job, username="a", followers=500, has_email=True, emails=["a@x.io"], views=9)
    make_creator(
        job,
        username="b",
        followers=50_000,
        verified=True,
        bio="Marathon coach",
        views=1_000,
        engagement=0.2,
    )
    make_creator(
        job,
        username="c",
        followers=2_000_000,
        has_email=True,
        emails=["c@x.io"],
        display_name="Trail Queen",
        views=None,
        engagement=0.05,
    )
    make_creator(job, username="d", followers=None)
    url = f"/searches/{job.pk}/"
    assert rows(get(auth_client, url)) == ["a", "b", "c", "d"]
    assert rows(get(auth_client, url + "?has_email=true")) == ["a", "c"]
    assert rows(get(auth_client, url + "?verified=true")) == ["b"]
    assert rows(get(auth_client, url + "?verified=false")) == ["a", "c", "d"]
    assert rows(get(auth_client, url + "?min_followers=1000&max_followers=100000")) == ["b"]
    assert rows(get(auth_client, url + "?q=marathon")) == ["b"]
    assert rows(get(auth_client, url + "?q=queen")) == ["c"]
    assert rows(get(auth_client, url + "?sort=-followers")) == ["c", "b", "a", "d"]
    assert rows(get(auth_client, url + "?sort=-views")) == ["b", "a", "c", "d"]
    assert rows(get(auth_client, url + "?sort=-engagement")) == ["b", "c", "a", "d"]
    page = get(auth_client, url + "?has_email=true&sort=-followers")
    assert rows(page) == ["c", "a"]
    assert "Showing 1–2 of 2 creators matching the filters." in page
    assert 'id="f-email" name="has_email" value="true" checked' in page
    page = get(auth_client, url + "?q=nobody-matches")
    assert "No creators match these filters" in page


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("min_followers=lots", "Use a whole number from 0 to 1,000,000,000,000."),
        ("min_followers=²", "Use a whole number from 0 to 1,000,000,000,000."),
        ("min_followers=99999999999999999999", "Use a whole number from 0 to 1,000,000,000,000."),
        ("max_followers=-5", "Use a whole number from 0 to 1,000,000,000,000."),
        ("min_followers=10&max_followers=5", "The maximum must be at least the minimum."),
        ("has_email=maybe", "Use true or false."),
        ("verified=perhaps", "Use true or false."),
        ("sort=-vibes", "Sort by one of: -followers, -views, -engagement, -similarity"),
    ],
)
def test_bad_filters_are_inline_errors_and_the_list_stays(auth_client, job, query, error):
    make_creator(job, username="still_here")
    page = get(auth_client, f"/searches/{job.pk}/?{query}")
    assert error in page
    assert "Some filters could not be used" in page
    assert rows(page) == ["still_here"]


def test_pagination_is_server_side_50_a_page_and_keeps_filters(auth_client, job):
    Creator.objects.bulk_create(
        Creator(
            job=job,
            platform="tiktok",
            external_id=f"e{i}",
            username=f"u{i:03d}",
            position=i,
            has_email=i % 2 == 0,
        )
        for i in range(130)
    )
    url = f"/searches/{job.pk}/"
    page = get(auth_client, url)
    assert rows(page)[:2] == ["u000", "u001"] and len(rows(page)) == 50
    assert "Showing 1–50 of 130 creators." in page
    assert "Page 1 of 3" in page
    assert 'href="?page=2" rel="next"' in page
    page = get(auth_client, url + "?page=3")
    assert rows(page) == [f"u{i:03d}" for i in range(100, 130)]
    page = get(auth_client, url + "?has_email=true&page=2")
    assert rows(page) == [f"u{i:03d}" for i in range(100, 130, 2)]
    assert 'href="?has_email=true&amp;page=1" rel="prev"' in page
    assert len(rows(get(auth_client, url + "?page_size=200"))) == 130
    assert len(rows(get(auth_client, url + "?page_size=5000"))) == 130  # capped at 200
    assert len(rows(get(auth_client, url + "?page_size=abc"))) == 50
    assert rows(get(auth_client, url + "?page=999"))[-1] == "u129"  # the last page
    assert rows(get(auth_client, url + "?page=zero"))[0] == "u000"


def test_results_of_10000_creators_take_a_bounded_number_of_queries(
    auth_client, user, campaign, django_assert_max_num_queries
):
    job = make_job(
        user, campaign, keywords=["running"], processed_results=10_000, target_results=1000
    )
    other = make_job(user, campaign, "tiktok", "similar", target_username="maya")
    Creator.objects.bulk_create(
        [
            Creator(
                job=job,
                platform="tiktok",
                external_id=f"ext-{i}",
                username=f"user{i}",
                display_name=f"User {i}",
                position=i,
                followers=(i * 7919) % 1_000_000,
                views=i,
                engagement=i / 10_000,
                has_email=i % 3 == 0,
                emails=[f"u{i}@example.com"] if i % 3 == 0 else [],
                email_details=(
                    [
                        {
                            "email": f"u{i}@example.com",
                            "source": "bio",
                            "deobfuscated": False,
                            "roleBased": False,
                        }
                    ]
                    if i % 3 == 0
                    else []
                ),
                bio=f"bio {i} " * 20,
                verified=i % 10 == 0,
                hashtags=["run", "trail"],
                avatar_url=f"https://cdn.example/{i}.jpg",
            )
            for i in range(10_000)
        ],
        batch_size=2000,
    )
    Creator.objects.bulk_create(
        Creator(
            job=other, platform="tiktok", external_id=f"ext-{i}", username=f"user{i}", position=i
        )
        for i in range(0, 10_000, 7)
    )
    urls = [
        f"/searches/{job.pk}/",
        f"/searches/{job.pk}/?sort=-followers&page=37",
        f"/searches/{job.pk}/?has_email=true&min_followers=1000&q=user&sort=-engagement",
        f"/campaigns/{campaign.pk}/creators/?sort=-views",
    ]
    for url in urls:
        with django_assert_max_num_queries(12):
            page = get(auth_client, url)
        assert len(rows(page)) == 50, url
    assert "Also found in" in get(auth_client, f"/searches/{job.pk}/")


def test_campaign_creators_are_de_duplicated_across_searches(auth_client, user, campaign):
    first = make_job(user, campaign, keywords=["running"])
    second = make_job(user, campaign, "tiktok", "similar", target_username="maya")
    youtube = make_job(user, campaign, "youtube", "keyword", keywords=["running"])
    make_creator(first, external_id="1", username="one", followers=10)
    make_creator(first, external_id="2", username="two", followers=30)
    make_creator(second, external_id="2", username="two", followers=30)
    make_creator(second, external_id="3", username="three", followers=20)
    make_creator(youtube, external_id="1", username="yt_one", followers=5)
    page = get(auth_client, f"/campaigns/{campaign.pk}/creators/?sort=-followers")
    assert rows(page) == ["two", "three", "one", "yt_one"]
    assert "Showing 1–4 of 4 creators." in page
    assert page.count("Also found in") == 1
    assert f'Found by <a href="/searches/{first.pk}/">TikTok keyword: running</a>' in page
    assert "YouTube" in page
    assert f"/api/export/csv?campaignId={campaign.pk}" in page
    assert ">Most similar</option>" in page  # the campaign has a similar search


def test_campaign_without_creators_invites_a_search(auth_client, campaign):
    page = get(auth_client, f"/campaigns/{campaign.pk}/creators/")
    assert "No creators yet" in page


def test_a_running_search_polls_and_says_it_is_looking(auth_client, user, campaign):
    job = make_job(
        user,
        campaign,
        status="processing",
        progress=12,
        processed_results=12,
        processed_runs=7,
        credits_used=7,
    )
    page = get(auth_client, f"/searches/{job.pk}/")
    assert f'data-status-url="/api/jobs/{job.pk}/"' in page
    assert 'data-poll-interval="2500"' in page
    assert 'data-status="processing"' in page
    assert 'role="progressbar"' in page and 'aria-valuenow="12"' in page
    assert "Looking for creators…" in page
    assert "Cancel search" in page and "Retry search" not in page
    assert 'id="results" data-refresh data-live' in page
    assert "Estimating time left…" in page


@pytest.mark.parametrize(
    ("status", "fields", "words"),
    [
        ("completed", {"progress": 100, "processed_results": 100}, "Completed: found 100 of 100"),
        (
            "partial",
            {
                "progress": 45,
                "processed_results": 45,
                "finish_reason": "The source ran dry: found 45 of 100 creators.",
            },
            "The source ran dry: found 45 of 100 creators.",
        ),
        (
            "error",
            {"progress": 10, "error": "ScrapeCreators rejected the API key."},
            "ScrapeCreators rejected the API key.",
        ),
        ("timeout", {"progress": 30, "processed_results": 30}, "Timed out after finding 30 of 100"),
        (
            "cancelled",
            {"progress": 5, "finish_reason": "Cancelled by the user."},
            "Cancelled by the user.",
        ),
    ],
)
def test_every_terminal_state_is_finished_in_plain_words(
    auth_client, user, campaign, status, fields, words
):
    job = make_job(user, campaign, status=status, **fields)
    page = get(auth_client, f"/searches/{job.pk}/")
    assert words in page
    assert f'aria-valuenow="{fields["progress"]}"' in page  # partial keeps its progress
    assert "Cancel search" not in page
    assert ("Retry search" in page) == (status != "completed")
    assert "data-live" not in page
    if not fields.get("processed_results"):
        assert "This search found no creators" in page
