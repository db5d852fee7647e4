"""A search's page (progress and results table) and the campaign's de-duplicated creators."""

import re
from datetime import UTC, datetime
from html import unescape
from urllib.parse import quote

import pytest

from scraping.models import Creator
from tests.factories import make_campaign, make_creator, make_job
from workspace.views.searches import compact_number, duration_text

pytestmark = pytest.mark.django_db


def rows(page: str) -> list[str]:
    """The usernames of the table's rows, in order."""
    return re.findall(r'<tr data-creator="([^"]*)"', page)


def headers(page: str) -> list[str]:
    """The table's column names, in order."""
    head = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", th) for th in re.findall(r"<th [^>]*>(.*?)</th>", head)]


def chips(page: str) -> list[tuple[str, str]]:
    """(label, link that removes it) of each filter shown above the table."""
    return [
        (unescape(label), unescape(href))
        for href, label in re.findall(r'<a class="chip" href="([^"]*)"[^>]*>([^<]*)<', page)
    ]


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
    assert headers(page) == [
        "Creator",
        "Followers",
        "Views",
        "Engagement",
        "Emails",
        "Bio",
        "Top content",
        "Hashtags",
    ]  # keyword searches have no similarity column
    assert 'data-label="Followers" title="1234567 followers">1.2M</td>' in page
    assert 'data-label="Views" title="2500000 views of the top content">2.5M</td>' in page
    assert 'data-label="Engagement" title="Engagement rate">4.9%</td>' in page
    # The first email with its copy button; the others behind their count.
    assert (
        '<div class="email-line"><a class="email" href="mailto:maya@example.com" '
        'title="Found written in the bio; written out' in text
    )
    assert 'data-copy="maya@example.com"' in page and 'aria-label="Copy maya@example.com"' in page
    assert "<summary>+1 more</summary>" in page
    assert (
        '<a class="email" href="mailto:info@maya.example" title="Found on a page linked from the '
        'bio; a role address (info@, contact@…)."' in text
    )
    assert 'data-copy="info@maya.example"' in page
    assert 'class="bio clamped"' in page and 'aria-expanded="false"' in page
    # The top content in one line; its date, duration and numbers in its tooltip.
    assert (
        'title="My first ultra — Mar 7, 2026 · 3:25 · 2.5M views · 120K likes · 3.4K comments · '
        '— shares">My first ultra</a>' in text
    )  # unknown shares: "—", never a made-up 0
    assert '<span class="tag">#running</span> <span class="tag">#ultra</span>' in page
    assert 'title="#trail ">+1</span>' in page
    assert 'class="verified-mark" title="Verified account">✓' in page
    assert ">Private</span>" in page
    assert f"/api/export/csv?jobId={job.pk}" in page
    assert "Completed: found 3 of 100 creators." in page


def test_a_creator_without_extras_shows_plain_placeholders(auth_client, job):
    make_creator(job, username="bare")
    make_creator(job, username="fuller", views=10, engagement=0.0, content_title="A run")
    page = get(auth_client, f"/searches/{job.pk}/")
    assert rows(page) == ["bare", "fuller"]
    assert "No bio" in page and "No content" in page
    assert 'data-initial="B"' in page
    assert 'data-label="Engagement" title="Engagement unknown">—</td>' in page  # never 0.0%
    assert 'data-label="Engagement" title="Engagement rate">0.0%</td>' in page
    assert 'data-label="Followers" title="Follower count unknown">—</td>' not in page


def test_unavailable_profiles_are_flagged_with_why_and_the_filter_hides_them(auth_client, job):
    make_creator(job, username="read")
    gone = make_creator(
        job,
        username="gone",
        enrichment=Creator.Enrichment.UNAVAILABLE,
        enrichment_error="Profile not found upstream (404).",
    )
    page = get(auth_client, f"/searches/{job.pk}/")
    assert rows(page) == ["read", "gone"]
    assert page.count(">Profile unavailable</span>") == 1
    assert (
        '<span class="badge unavailable" title="Profile not found upstream (404). Shown with '
        'what the search itself returned.">Profile unavailable</span>'
    ) in page
    assert rows(get(auth_client, f"/searches/{job.pk}/?profile_unavailable=false")) == ["read"]
    assert rows(get(auth_client, f"/searches/{job.pk}/?profile_unavailable=true")) == ["gone"]
    panel = " ".join(get(auth_client, f"/creators/{gone.pk}/").split())
    assert (
        '<span class="badge unavailable">Profile unavailable</span> Profile not found upstream '
        "(404). Shown with what the search itself returned."
    ) in panel


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({}, ["Creator", "Emails", "Bio"]),
        ({"followers": 0}, ["Creator", "Followers", "Emails", "Bio"]),
        ({"views": 0}, ["Creator", "Views", "Emails", "Bio", "Top content"]),
        ({"engagement": 0.0}, ["Creator", "Engagement", "Emails", "Bio"]),
        (
            {"content_url": "https://www.tiktok.com/@x/video/1"},
            ["Creator", "Emails", "Bio", "Top content"],
        ),
        ({"hashtags": ["run"]}, ["Creator", "Emails", "Bio", "Hashtags"]),
        ({"similarity_score": 40.0}, ["Creator", "Emails", "Bio"]),  # not a similar search
    ],
)
def test_a_column_shows_when_a_row_of_the_page_has_a_value_for_it(auth_client, job, fields, shown):
    make_creator(job, username="bare")
    make_creator(job, username="some", **fields)
    assert headers(get(auth_client, f"/searches/{job.pk}/")) == shown


def test_columns_are_decided_per_page(auth_client, job):
    for n in range(3):
        make_creator(job, username=f"plain{n}")
    make_creator(job, username="tagged", followers=1_000, hashtags=["trail"])
    url = f"/searches/{job.pk}/?page_size=3"
    assert headers(get(auth_client, url)) == ["Creator", "Emails", "Bio"]
    page = get(auth_client, url + "&page=2")
    assert rows(page) == ["tagged"]
    assert headers(page) == ["Creator", "Followers", "Emails", "Bio", "Hashtags"]


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


FOLLOWERS_ERROR = "Use a whole number from 0 to 1,000,000,000,000, like 1,200, 10k or 2.5m."
ENGAGEMENT_ERROR = "Use a percentage from 0 to 100, like 2 or 2.5%."


@pytest.mark.parametrize(
    ("query", "field", "error"),
    [
        ("min_followers=lots", "min_followers", FOLLOWERS_ERROR),
        ("min_followers=²", "min_followers", FOLLOWERS_ERROR),
        ("min_followers=99999999999999999999", "min_followers", FOLLOWERS_ERROR),
        ("min_followers=2,5m", "min_followers", FOLLOWERS_ERROR),  # not read as 25 million
        ("min_followers=1.5", "min_followers", FOLLOWERS_ERROR),
        ("max_followers=-5", "max_followers", FOLLOWERS_ERROR),
        ("max_followers=2tb", "max_followers", FOLLOWERS_ERROR),
        ("min_engagement=lots", "min_engagement", ENGAGEMENT_ERROR),
        ("min_engagement=101", "min_engagement", ENGAGEMENT_ERROR),
        ("min_engagement=-1", "min_engagement", ENGAGEMENT_ERROR),
        ("min_engagement=2.555", "min_engagement", ENGAGEMENT_ERROR),
        ("has_email=maybe", "has_email", "Use true or false."),
        ("verified=perhaps", "verified", "Use true or false."),
        ("sort=-vibes", "sort", "Sort by one of: -followers, -views, -engagement, -similarity"),
    ],
)
def test_bad_filters_are_inline_errors_and_the_list_leaves_them_out(
    auth_client, job, query, field, error
):
    make_creator(job, username="still_here", followers=1000, engagement=0.02)
    page = get(auth_client, f"/searches/{job.pk}/?{query}")
    assert error in unescape(page)
    assert "Some filters could not be used (see above), so the list below leaves them out." in page
    assert rows(page) == ["still_here"]
    assert chips(page) == []  # a filter that could not be read is not in use


def test_a_minimum_above_the_maximum_is_said_at_the_maximum_and_the_minimum_applies(
    auth_client, job
):
    make_creator(job, username="small", followers=5_000)
    make_creator(job, username="big", followers=50_000)
    page = get(auth_client, f"/searches/{job.pk}/?min_followers=10k&max_followers=5k")
    assert (
        # A text keyboard: a phone's numeric keypad has no "k" or "m".
        '<input type="text" id="f-max" name="max_followers" pattern=' in page
        and 'value="5k" aria-invalid="true" aria-describedby="f-max-error">' in page
    )
    assert (
        '<p class="error" id="f-max-error" role="alert">The maximum must be at least the '
        "minimum.</p>" in page
    )
    assert 'value="10k">' in page  # the minimum is kept as typed, and used
    assert rows(page) == ["big"]
    assert chips(page) == [("Followers ≥ 10K", "?max_followers=5k")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("min_followers=10k", ["mid", "big"]),
        ("min_followers=10K&max_followers=1,200,000", ["mid", "big"]),
        ("min_followers=1,200&max_followers=2.5m", ["small", "mid", "big"]),
        ("max_followers=9 999", ["small"]),
        ("min_followers=1.2m", ["big"]),
    ],
)
def test_follower_counts_are_read_as_people_write_them(auth_client, job, query, expected):
    make_creator(job, username="small", followers=1_200)
    make_creator(job, username="mid", followers=10_000)
    make_creator(job, username="big", followers=1_200_000)
    make_creator(job, username="unknown", followers=None)
    assert rows(get(auth_client, f"/searches/{job.pk}/?{query}")) == expected


@pytest.mark.parametrize("value", ["2", "2%", " 2 % ", "2.0", "2.00"])
def test_min_engagement_is_a_percentage_and_unknown_never_passes(auth_client, job, value):
    make_creator(job, username="low", engagement=0.0199)
    make_creator(job, username="exact", engagement=0.02)
    make_creator(job, username="high", engagement=0.25)
    make_creator(job, username="unknown", engagement=None)
    page = get(auth_client, f"/searches/{job.pk}/?min_engagement={quote(value)}")
    assert rows(page) == ["exact", "high"]
    assert chips(page) == [("Engagement ≥ 2%", "?")]


def test_min_engagement_compares_decimals_exactly(auth_client, job):
    make_creator(job, username="just_below", engagement=0.0493)
    make_creator(job, username="exactly", engagement=0.0494)  # 4.94 / 100 is 0.049400000000000006
    assert rows(get(auth_client, f"/searches/{job.pk}/?min_engagement=4.94")) == ["exactly"]


def test_each_filter_in_use_is_a_chip_whose_link_removes_it(auth_client, job):
    make_creator(
        job,
        username="match",
        followers=20_000,
        engagement=0.05,
        has_email=True,
        emails=["m@x.io"],
        verified=True,
        bio="Trail coach",
    )
    make_creator(job, username="other", followers=20_000)
    query = (
        "q=trail&has_email=true&min_followers=10k&max_followers=2.5m&min_engagement=2.5%25"
        "&verified=true&profile_unavailable=false&sort=-followers&page_size=20&page=1"
    )
    page = get(auth_client, f"/searches/{job.pk}/?{query}")
    assert rows(page) == ["match"]
    rest = "&sort=-followers&page_size=20"
    assert chips(page) == [
        (
            "Name or bio: “trail”",
            "?has_email=true&min_followers=10k&max_followers=2.5m&min_engagement=2.5%25"
            "&verified=true&profile_unavailable=false" + rest,
        ),
        (
            "Has email",
            "?q=trail&min_followers=10k&max_followers=2.5m&min_engagement=2.5%25&verified=true"
            "&profile_unavailable=false" + rest,
        ),
        (
            "Followers ≥ 10K",
            "?q=trail&has_email=true&max_followers=2.5m&min_engagement=2.5%25&verified=true"
            "&profile_unavailable=false" + rest,
        ),
        (
            "Followers ≤ 2.5M",
            "?q=trail&has_email=true&min_followers=10k&min_engagement=2.5%25&verified=true"
            "&profile_unavailable=false" + rest,
        ),
        (
            "Engagement ≥ 2.5%",
            "?q=trail&has_email=true&min_followers=10k&max_followers=2.5m&verified=true"
            "&profile_unavailable=false" + rest,
        ),
        (
            "Verified only",
            "?q=trail&has_email=true&min_followers=10k&max_followers=2.5m&min_engagement=2.5%25"
            "&profile_unavailable=false" + rest,
        ),
        (
            "Hiding unavailable profiles",
            "?q=trail&has_email=true&min_followers=10k&max_followers=2.5m&min_engagement=2.5%25"
            "&verified=true" + rest,
        ),
    ]
    # "Clear all" keeps the sort and the page size.
    assert (
        '<a class="clear-all small" href="?sort=-followers&amp;page_size=20">Clear all</a>' in page
    )
    page = get(auth_client, f"/searches/{job.pk}/?has_email=false&verified=false&q=")
    assert chips(page) == [
        ("No email", "?verified=false"),
        ("Not verified", "?has_email=false"),
    ]
    page = get(auth_client, f"/searches/{job.pk}/?profile_unavailable=true")
    assert chips(page) == [("Unavailable profiles only", "?")]
    page = get(auth_client, f"/searches/{job.pk}/?sort=-views&q=")
    assert chips(page) == [] and "Clear all" not in page


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


@pytest.mark.parametrize("count", [1, 60])
def test_a_search_page_takes_the_same_queries_for_one_row_or_a_full_page(
    auth_client, user, campaign, django_assert_num_queries, count
):
    job = make_job(user, campaign, keywords=["running"], processed_results=count)
    other = make_job(user, campaign, "tiktok", "similar", target_username="maya")
    for n in range(count):
        make_creator(
            job,
            external_id=f"e{n}",
            has_email=True,
            emails=["a@b.co"],
            hashtags=["run"],
            followers=n,
            views=n,
            engagement=n / 1000,
        )
        make_creator(other, external_id=f"e{n}")  # each row is also found elsewhere
    url = f"/searches/{job.pk}/?has_email=true&min_followers=0&min_engagement=0&sort=-followers"
    # Session, user, profile (twice: onboarding and the trial banner), the job, the page's
    # count, its rows, and "also found in", the metrics rows and the user's lists (which of
    # the page's creators are in them, and the lists to add to) for the whole page.
    with django_assert_num_queries(11):
        page = get(auth_client, url)
    assert len(rows(page)) == min(count, 50)


@pytest.mark.parametrize("count", [1, 60])
def test_the_campaign_creators_page_takes_the_same_queries_for_one_row_or_a_full_page(
    auth_client, user, campaign, django_assert_num_queries, count
):
    first = make_job(user, campaign, keywords=["running"])
    second = make_job(user, campaign, "tiktok", "similar", target_username="maya")
    for n in range(count):
        make_creator(first, external_id=f"e{n}", hashtags=["run"], followers=n)
        make_creator(second, external_id=f"e{n}", similarity_score=50.0)
    # As a search's page, with the campaign and its searches instead of the job.
    with django_assert_num_queries(12):
        page = get(auth_client, f"/campaigns/{campaign.pk}/creators/?sort=-followers")
    assert len(rows(page)) == min(count, 50)
