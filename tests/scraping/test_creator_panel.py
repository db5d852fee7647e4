"""The creator panel (`/creators/<id>/`), its "Fetch recent posts" button, and the results
filters and column that read the creators' recent-content metrics."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import time_machine

from scraping.models import CreatorMetrics
from tests.factories import make_campaign, make_creator, make_job

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def items(page: str, css_class: str) -> list[str]:
    """The text of each <li> of the list with this class."""
    block = re.search(rf'<ul class="{css_class}[^"]*">(.*?)</ul>', page, re.S).group(1)
    return [text(li) for li in re.findall(r"<li>(.*?)</li>", block, re.S)]


def metrics_row(external_id: str, *, median_views, last_posted_at, **fields):
    return CreatorMetrics.objects.create(
        platform="tiktok",
        external_id=external_id,
        status=CreatorMetrics.Status.READY,
        fetched_at=fields.pop("fetched_at", NOW - timedelta(hours=1)),
        metrics={
            "median_views": median_views,
            "median_engagement": 0.0852,
            "posts_per_week": 2.5,
            "last_posted_at": last_posted_at,
            "posts_considered": 2,
            "quality": "strong",
            "reasons": ["Median views are 61% of followers: a wide reach."],
        },
        **fields,
    )


@pytest.fixture
def job(user):
    return make_job(user, make_campaign(user, name="Runners"), keywords=["running"])


@pytest.fixture
def maya(user, job):
    creator = make_creator(
        job,
        external_id="maya-1",
        username="maya.runs",
        display_name="Maya Runs",
        profile_url="https://www.tiktok.com/@maya.runs",
        followers=184_220,
        verified=True,
        bio="Trail runner.\nCoach in Lyon.",
        emails=["maya@example.com", "info@mayaruns.com"],
        email_details=[
            {"email": "maya@example.com", "source": "bio", "deobfuscated": True},
            {"email": "info@mayaruns.com", "source": "external_url", "roleBased": True},
        ],
        has_email=True,
        links=["https://mayaruns.com/", "javascript:alert(1)"],
        social_handles={"instagram": "maya.runs", "tiktok": "maya_runs", "twitter": "mayaruns"},
        content_title="Gear check for 100 miles",
        content_url="https://www.tiktok.com/@maya.runs/video/1",
        views=98_210,
        likes=9_120,
        comments=301,
        shares=210,
        engagement=0.0981,
    )
    metrics_row(
        "maya-1",
        median_views=112_400,
        last_posted_at="2026-10-28T12:00:00+00:00",
        followers=184_220,
        posts=[
            {
                "url": "https://www.tiktok.com/@maya.runs/video/3",
                "published_at": "2026-10-28T12:00:00+00:00",
                "views": 120_500,
                "likes": 10_200,
                "comments": 410,
                "shares": 90,
                "caption": "",
                "engagement": 0.0888,
            },
            {
                "url": "javascript:alert(1)",
                "published_at": "2026-10-21T12:00:00+00:00",
                "views": None,
                "likes": 8_000,
                "comments": None,
                "shares": None,
                "caption": "",
                "engagement": None,
            },
        ],
    )
    # The same creator found again, by another campaign's similar search.
    other_job = make_job(
        user, make_campaign(user, name="Trail brands"), "tiktok", "similar", target_username="kim"
    )
    make_creator(
        other_job, external_id="maya-1", username="maya.runs", created_at=NOW + timedelta(hours=1)
    )
    return creator


def test_the_panel_shows_everything_known_about_a_creator(auth_client, maya, make_user):
    # Another user's search found Maya too: not theirs to see here.
    stranger = make_user("someone@example.com")
    make_creator(make_job(stranger, make_campaign(stranger, name="Secret")), external_id="maya-1")

    response = auth_client.get(f"/creators/{maya.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 id="creator-panel-title" class="panel-title">Maya Runs</h1>' in page
    assert "@maya.runs · TikTok" in text(page)
    assert "184.2K followers (184220)" in text(page)
    assert "✓ Verified" in page
    assert 'href="https://www.tiktok.com/@maya.runs" target="_blank"' in page
    assert '<p class="panel-bio">Trail runner.<br>Coach in Lyon.</p>' in page
    assert items(page, "panel-emails") == [
        "maya@example.com Copy Found written in the bio; written out (like “name at domain”) "
        "and rebuilt.",
        "info@mayaruns.com Copy Found on the profile's website; a role address (info@, contact@…).",
    ]
    assert re.findall(r'data-copy="([^"]+)"', page) == ["maya@example.com", "info@mayaruns.com"]
    assert items(page, "panel-links") == ["https://mayaruns.com/"]  # javascript: is dropped
    assert items(page, "panel-handles") == [
        "Instagram: maya.runs",
        "TikTok: maya_runs",
        "X (Twitter): mayaruns",
    ]
    assert "Gear check for 100 miles" in page
    assert "98.2K views · 9.1K likes · 301 comments · 210 shares" in page
    assert "Engagement: 9.8%" in text(page)
    metrics = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page)
    assert [(label, text(value)) for label, value in metrics] == [
        ("Median views", "112.4K"),
        ("Median engagement", "8.5%"),
        ("Posts per week", "2.5"),
        ("Last posted", "Oct 28, 2026"),
        ("Quality", "Strong"),
    ]
    assert items(page, "panel-reasons") == ["Median views are 61% of followers: a wide reach."]
    posts = re.search(r'<table class="panel-posts">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    assert [text(tr) for tr in re.findall(r"<tr>(.*?)</tr>", posts, re.S)] == [
        "Oct 28, 2026 120.5K 10.2K 410 8.9% Open",
        "Oct 21, 2026 — 8K — — —",
    ]
    assert 'href="https://www.tiktok.com/@maya.runs/video/3"' in page
    assert "javascript:" not in page
    assert "Fetch recent posts" not in page  # fresh: nothing to fetch
    assert items(page, "panel-found") == [
        "TikTok keyword: running in Runners (Nov 1, 2026)",
        "TikTok similar: @kim in Trail brands (Nov 1, 2026)",
    ]


def test_the_side_panel_gets_the_fragment_only(auth_client, maya):
    response = auth_client.get(f"/creators/{maya.pk}/", headers={"X-Requested-With": "fetch"})

    page = response.content.decode()
    assert page.lstrip().startswith('<div class="creator-panel"')
    assert '<h2 id="creator-panel-title" class="panel-title">Maya Runs</h2>' in page
    assert "<html" not in page
    assert "X-Requested-With" in response["Vary"]


def test_another_users_creator_does_not_exist(client, other_user, maya):
    client.force_login(other_user)

    assert client.get(f"/creators/{maya.pk}/").status_code == 404
    assert client.post(f"/creators/{maya.pk}/fetch-posts/").status_code == 404
    assert CreatorMetrics.objects.get(external_id="maya-1").status == "ready"


def test_without_fresh_metrics_the_panel_offers_to_fetch_them(auth_client, job):
    lina = make_creator(job, external_id="lina-1", display_name="Lina", engagement=None)
    page = auth_client.get(f"/creators/{lina.pk}/").content.decode()

    assert "Fetch recent posts (1 credit)" in page
    assert f'action="/creators/{lina.pk}/fetch-posts/"' in page
    assert "Engagement: —" in text(page)
    assert "<dt>" not in page

    # Stale metrics are not shown as current.
    metrics_row(
        "lina-1",
        median_views=5_000,
        last_posted_at="2026-01-02T12:00:00+00:00",
        fetched_at=NOW - timedelta(days=60),
    )
    page = auth_client.get(f"/creators/{lina.pk}/").content.decode()
    assert "The recent posts fetched on Sep 2, 2026 are out of date." in text(page)
    assert "Fetch recent posts (1 credit)" in page
    assert "<dt>" not in page


def test_fetching_recent_posts_leaves_the_panel_pending(auth_client, job):
    lina = make_creator(job, external_id="lina-1", username="lina")

    response = auth_client.post(f"/creators/{lina.pk}/fetch-posts/")

    assert response.status_code == 302
    assert response["Location"] == f"/creators/{lina.pk}/"
    row = CreatorMetrics.objects.get(platform="tiktok", external_id="lina-1")
    assert (row.status, row.requested_at) == ("pending", NOW)
    page = auth_client.get(response["Location"]).content.decode()
    assert "Fetching recent posts… This updates when they arrive." in text(page)
    assert f'data-metrics-url="/api/creators/{lina.pk}/metrics/"' in page
    assert "Fetch recent posts (1 credit)" not in page


def test_the_panel_takes_a_fixed_number_of_queries(
    auth_client, user, maya, django_assert_num_queries
):
    for n in range(5):  # more searches that found her cost no more queries
        other = make_job(user, make_campaign(user, name=f"C{n}"), keywords=[f"k{n}"])
        make_creator(other, external_id="maya-1")
    auth_client.get(f"/creators/{maya.pk}/")  # the first request also loads the knob registry
    # Session, user, profile (twice: onboarding and the trial banner), the creator with its
    # search, its metrics row, every search of the user that found it, and the user's lists
    # (which of them hold the creator, and the lists to add it to).
    with django_assert_num_queries(9):
        response = auth_client.get(f"/creators/{maya.pk}/")
    assert len(items(response.content.decode(), "panel-found")) == 7


# --- filters and column on the results table ----------------------------------------------------


def rows(page: str) -> list[str]:
    return re.findall(r'<tr data-creator="([^"]*)"', page)


@pytest.fixture
def four(job):
    """Fresh, quiet, low-views and never-fetched creators of one search."""
    for name, views, last in [
        ("fresh", 50_000, "2026-10-20T12:00:00+00:00"),
        ("quiet", 80_000, "2026-06-01T12:00:00+00:00"),
        ("small", 900, "2026-10-30T12:00:00+00:00"),
    ]:
        make_creator(job, external_id=name, username=name)
        metrics_row(name, median_views=views, last_posted_at=last)
    make_creator(job, external_id="unknown", username="unknown")
    return job


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["fresh", "quiet", "small", "unknown"]),
        ("min_median_views=10k", ["fresh", "quiet"]),
        ("min_median_views=80000", ["quiet"]),
        ("posted_within_days=30", ["fresh", "small"]),
        ("posted_within_days=180", ["fresh", "quiet", "small"]),
        ("min_median_views=10k&posted_within_days=30", ["fresh"]),
    ],
)
def test_metric_filters_keep_only_creators_whose_metrics_pass(auth_client, four, query, expected):
    page = auth_client.get(f"/searches/{four.pk}/?{query}").content.decode()
    assert rows(page) == expected


def test_metric_filters_have_chips_and_the_api_reads_them(auth_client, four):
    page = auth_client.get(
        f"/searches/{four.pk}/?min_median_views=10k&posted_within_days=90"
    ).content.decode()
    chips = re.findall(r'<a class="chip" href="([^"]*)"[^>]*>([^<]*)<', page)
    assert [(unescape(href), label) for href, label in chips] == [
        ("?posted_within_days=90", "Median views ≥ 10K"),
        ("?min_median_views=10k", "Posted in the last 90 days"),
    ]
    api = auth_client.get(f"/api/jobs/{four.pk}/creators/?min_median_views=10k").json()
    assert [c["creator"]["username"] for c in api["results"]] == ["fresh", "quiet"]
    bad = auth_client.get(f"/api/jobs/{four.pk}/creators/?posted_within_days=7")
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"posted_within_days": ["Use 30, 90 or 180 (days)."]}


def test_a_bad_days_value_is_said_next_to_its_field(auth_client, four):
    page = auth_client.get(f"/searches/{four.pk}/?posted_within_days=45").content.decode()
    assert '<p class="error" role="alert">Use 30, 90 or 180 (days).</p>' in page
    assert rows(page) == ["fresh", "quiet", "small", "unknown"]


def test_the_median_views_column_shows_only_when_a_row_has_metrics(auth_client, four, user):
    page = auth_client.get(f"/searches/{four.pk}/").content.decode()
    cells = re.findall(r'data-label="Median views"[^>]*>([^<]*)<', page)
    assert cells == ["50K", "80K", "900", "—"]
    assert re.findall(r'href="(/creators/[^"]+/)" data-panel>Details', page)[0].startswith(
        "/creators/"
    )

    bare = make_job(user, make_campaign(user), keywords=["swim"])
    make_creator(bare, username="nometrics")
    page = auth_client.get(f"/searches/{bare.pk}/").content.decode()
    assert "Median views" not in re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
