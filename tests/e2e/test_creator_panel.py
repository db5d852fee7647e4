"""The creator panel in headless Chromium: a row's "Details" opens it beside the results table
as a modal side panel, Escape closes it and gives the focus back. Screenshot for the README:
docs/screenshots/creator-panel.png.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from scraping.models import CreatorMetrics
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import make_campaign, make_creator, make_job


@pytest.fixture
def owner(make_user, transactional_db):
    return make_user("judge@example.com", plan="pro")


@pytest.fixture
def signed_in(page, owner, live_server):
    client = Client()
    client.force_login(owner)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


def test_details_opens_the_creator_panel_beside_the_table(signed_in, owner, live_server):
    page = signed_in
    now = timezone.now()
    job = make_job(
        owner,
        make_campaign(owner, name="Runners"),
        keywords=["trail running"],
        status="partial",
        processed_results=2,
        finish_reason="The source ran dry: found 2 of 100 creators.",
    )
    make_creator(job, external_id="leo-1", username="leo.runs", display_name="Leo Runs Far")
    make_creator(
        job,
        external_id="maya-1",
        username="maya.trails",
        display_name="Maya Trails",
        followers=184_220,
        verified=True,
        bio="Trail runner and coach in Chamonix.\nTwo-time UTMB finisher.",
        emails=["maya@mayatrails.example", "info@mayatrails.example"],
        email_details=[
            {"email": "maya@mayatrails.example", "source": "bio", "deobfuscated": True},
            {"email": "info@mayatrails.example", "source": "external_url", "roleBased": True},
        ],
        has_email=True,
        content_title="Sunrise hill repeats: my full session",
        views=98_210,
        likes=9_120,
        comments=301,
        engagement=0.0959,
    )
    CreatorMetrics.objects.create(
        platform="tiktok",
        external_id="maya-1",
        status="ready",
        fetched_at=now,
        followers=184_220,
        metrics={
            "median_views": 112_400,
            "median_engagement": 0.0852,
            "posts_per_week": 2.5,
            "last_posted_at": (now - timedelta(days=3)).isoformat(),
            "posts_considered": 12,
            "quality": "strong",
            "reasons": ["Median views are 61% of followers: a wide reach."],
        },
        posts=[
            {
                "url": "https://www.tiktok.com/@maya.trails/video/3",
                "published_at": (now - timedelta(days=3)).isoformat(),
                "views": 120_500,
                "likes": 10_200,
                "comments": 410,
                "engagement": 0.0881,
            }
        ],
    )

    page.goto(f"/searches/{job.pk}/")
    row = page.locator('tr[data-creator="maya.trails"]')
    expect(row.locator("td[data-label='Median views']")).to_have_text("112.4K")
    details = row.get_by_role("link", name="Details about Maya Trails")
    details.click()

    panel = page.get_by_role("dialog", name="Maya Trails")
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("aria-modal", "true")
    assert page.url.endswith(f"/searches/{job.pk}/")  # beside the table, not a new page
    expect(panel.locator("#creator-panel-title")).to_be_focused()
    expect(panel.locator(".panel-emails li")).to_have_count(2)
    expect(panel.locator(".panel-metrics")).to_contain_text("112.4K")
    expect(panel.locator(".panel-found li")).to_have_text(
        ["TikTok keyword: trail running in Runners (" + job.created_at.strftime("%b %-d, %Y") + ")"]
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "creator-panel.png"))

    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(details).to_be_focused()

    # The close button closes it too; without the script the link is the panel's own page.
    details.click()
    page.get_by_role("dialog").get_by_role("button", name="Close").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.goto(details.get_attribute("href"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Maya Trails")
