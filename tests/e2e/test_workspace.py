"""The campaign workspace in headless Chromium: the six searches end to end against the fake
ScrapeCreators server, the live progress poller against the real status endpoint, the results
table (filter, sort, open a creator, export), and the screenshots in docs/screenshots/.

In tests the task queue is synchronous: the "Start search" POST returns once the job has run
every step, so the search page opens on a finished job. The poller is exercised separately on
jobs whose rows the test moves along while the page watches.
"""

import csv
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from exports.writers import job_headers
from scraping.models import Creator, ScrapingJob
from scraping.services import job_create
from tests.e2e.conftest import screenshot
from tests.factories import make_campaign, make_creator, make_job

# The fake ScrapeCreators server's fixtures (fake_api needs fake_server and knobs).
from tests.scraping.conftest import fake_api, fake_server, knobs  # noqa: F401

PROFILE_HOSTS = re.compile(r"^https://(www\.)?(tiktok|instagram|youtube)\.com/")
FAST_POLL_MS = 300

# (form key, tab name, field label, what the user types, what the job stores)
SEARCHES = [
    ("tiktok_keyword", "TikTok keywords", "Keywords", "running", ["running"]),
    (
        "tiktok_similar",
        "TikTok similar",
        "Creator handle or profile URL",
        "https://www.tiktok.com/@trailrunner_maya",
        "trailrunner_maya",
    ),
    ("instagram_hashtag", "Instagram hashtags", "Hashtags", "#trailrunning", ["trailrunning"]),
    (
        "instagram_similar",
        "Instagram similar",
        "Creator handle or profile URL",
        "@maya.trailruns",
        "maya.trailruns",
    ),
    ("youtube_keyword", "YouTube keywords", "Keywords", "trail running", ["trail running"]),
    (
        "youtube_similar",
        "YouTube similar",
        "Creator handle or profile URL",
        "https://www.youtube.com/@TrailRunnerMaya",
        "TrailRunnerMaya",
    ),
]


@pytest.fixture
def owner(make_user, transactional_db):
    return make_user("browser@example.com")


@pytest.fixture
def signed_in(page, owner, live_server):
    """The page, logged in as `owner` (the session cookie of a forced login), with creator
    profile sites answered locally: tests never reach the internet."""
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
    page.context.route(
        PROFILE_HOSTS,
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>Creator profile</title>"
        ),
    )
    return page


@pytest.fixture
def fast_polls(monkeypatch):
    monkeypatch.setattr("workspace.views.searches.POLL_INTERVAL_MS", FAST_POLL_MS)
    monkeypatch.setattr("workspace.views.campaigns.POLL_INTERVAL_MS", FAST_POLL_MS)


def table_values(page, attribute: str) -> list[str]:
    return page.locator("table.creators tbody tr").evaluate_all(
        f"rows => rows.map(r => r.getAttribute('{attribute}'))"
    )


@pytest.mark.usefixtures("fake_api")
@pytest.mark.parametrize(
    ("key", "tab", "label", "typed", "stored"), SEARCHES, ids=[s[0] for s in SEARCHES]
)
def test_each_search_from_form_to_csv(signed_in, owner, key, tab, label, typed, stored):
    page = signed_in
    campaign = make_campaign(owner, name="Trail season")
    page.goto(f"/campaigns/{campaign.pk}/")

    # Fill the form of this search and start it.
    page.get_by_role("tab", name=tab).click()
    panel = page.locator(f"#panel-{key}")
    expect(panel).to_be_visible()
    panel.get_by_label(label).fill(typed)
    panel.get_by_label("100 creators").check()
    panel.get_by_role("button", name="Start search").click()

    # The search page: the progress bar at its end, in plain words.
    expect(page).to_have_url(re.compile(r"/searches/[0-9a-f-]{36}/$"))
    job = ScrapingJob.objects.get(campaign=campaign)
    assert (job.platform, job.search_type) == tuple(key.split("_"))
    assert (job.keywords or job.target_username) == stored
    bar = page.locator("#job-status").get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "100")
    status = page.locator("#job-status")
    expect(status.locator('[data-field="status"]')).to_have_text("Completed")
    expect(status.locator('[data-field="message"]')).to_contain_text("found 100 of 100 creators")
    expect(page.get_by_text("Showing 1–50 of 100 creators.")).to_be_visible()

    # Filter: only creators with an email.
    with_email = Creator.objects.filter(job=job, has_email=True).count()
    assert 0 < with_email < 100
    # Filters apply as soon as they change (no Apply needed): wait for the new page.
    page.get_by_label("Has email").check()
    expect(page).to_have_url(re.compile(r"has_email=true"))
    expect(page.get_by_text(f"of {with_email} creators matching the filters")).to_be_visible()
    page.wait_for_load_state("load")
    expect(page.locator('table.creators tbody tr[data-has-email="true"]').first).to_be_visible()
    assert set(table_values(page, "data-has-email")) == {"true"}

    # Sort: most followers first.
    page.get_by_label("Sort by").select_option("-followers")
    expect(page).to_have_url(re.compile(r"sort=-followers"))
    expect(page.get_by_label("Sort by")).to_have_value("-followers")
    expect(page.locator("table.creators tbody tr").first).to_be_visible()
    assert "has_email=true" in page.url and "sort=-followers" in page.url
    followers = [int(f) for f in table_values(page, "data-followers") if f]
    assert followers == sorted(followers, reverse=True) and len(followers) > 1
    if key == "tiktok_keyword":
        page.goto(page.url + "&page_size=8")  # a screenshot of a readable height
        expect(page.locator("table.creators tbody tr")).to_have_count(8)
        screenshot(page, "results.png")
        # Copy an email, expand a bio.
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        page.wait_for_function("() => window.creatorscope")  # the script has run
        copy = page.locator("button[data-copy]").first
        copy.click()
        expect(copy).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == copy.get_attribute("data-copy")
        toggle = page.locator("button.bio-toggle:visible").first
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(toggle).to_have_text("Show less")

    # Open the first creator: their profile in a new tab.
    first = page.locator("table.creators tbody tr").first
    creator = Creator.objects.get(job=job, username=first.get_attribute("data-creator"))
    link = first.locator("a.creator-name")
    expect(link).to_have_attribute("href", creator.profile_url)
    expect(link).to_have_attribute("target", "_blank")
    with page.expect_popup() as popup_info:
        link.click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.url == creator.profile_url
    popup.close()

    # Export the search's CSV.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    with open(download_info.value.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == list(job_headers(job))
    assert len(rows) == 101


def test_the_poller_follows_a_running_search_to_the_end(signed_in, owner, fast_polls, live_server):
    page = signed_in
    campaign = make_campaign(owner, name="Trail season")
    started = timezone.now() - timedelta(seconds=20)
    job = make_job(
        owner,
        campaign,
        keywords=["running"],
        status="processing",
        progress=30,
        processed_results=30,
        processed_runs=9,
        credits_used=9,
        started_at=started,
    )
    names = ["Maya Trails", "Leo Runs", "Ana Ultra", "Sam Pace", "Kai Miles", "Noor Tempo"]
    for n in range(30):
        make_creator(
            job,
            username=f"early{n:02d}",
            display_name=names[n % len(names)],
            followers=(n + 1) * 48_317,
            bio="Trail runner and coach · mountains, races and recovery tips. Collabs by email.",
            has_email=n % 2 == 0,
            emails=[f"hello+{n}@example.com"] if n % 2 == 0 else [],
            content_title="Sunrise hill repeats: my full session",
            content_url=f"https://www.tiktok.com/@early{n:02d}/video/{n + 1}",
            views=(n + 3) * 91_000,
            likes=(n + 3) * 6_100,
            comments=(n + 3) * 140,
            shares=(n + 3) * 55,
            duration_seconds=30 + n,
            published_at=timezone.now() - timedelta(days=n + 2),
            hashtags=["running", "trailrunning"],
        )
    polls = []
    page.on("request", lambda r: polls.append(r.url) if "/api/jobs/" in r.url else None)

    page.goto(f"/searches/{job.pk}/?page_size=6")
    status = page.locator("#job-status")
    expect(status.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "30")
    expect(status.locator('[data-field="status"]')).to_have_text("Processing")
    # 30 of 100 in 20 s: about 47 s more at that rate.
    expect(status.locator('[data-field="estimate"]')).to_have_text("Less than a minute left")
    expect(page.get_by_role("button", name="Cancel search")).to_be_visible()
    page.wait_for_function("() => window.creatorscope && window.creatorscope.pollers")
    screenshot(page, "progress.png")

    # The worker moves on: the page follows.
    ScrapingJob.objects.filter(pk=job.pk).update(
        progress=60, processed_results=60, processed_runs=20, credits_used=20
    )
    expect(status.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "60")
    expect(status.locator('[data-field="runs"]')).to_have_count(0)  # upstream costs: staff only
    expect(status.locator('[data-field="found"]')).to_have_text("60")

    # It finishes: the bar reaches the end, the poller stops, the final table appears.
    for n in range(70):
        make_creator(job, username=f"late{n:02d}", followers=n)
    ScrapingJob.objects.filter(pk=job.pk).update(
        status="completed",
        progress=100,
        processed_results=100,
        processed_runs=31,
        credits_used=31,
        completed_at=timezone.now(),
    )
    expect(status.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(status.locator('[data-field="status"]')).to_have_text("Completed")
    expect(status.locator('[data-field="message"]')).to_have_text(
        "Completed: found 100 of 100 creators."
    )
    expect(page.get_by_text("Showing 1–6 of 100 creators.")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel search")).to_have_count(0)
    expect(page.get_by_role("button", name="Retry search")).to_have_count(0)
    assert page.evaluate(f"window.creatorscope.pollers['{job.pk}'].done") is True
    count = len(polls)
    page.wait_for_timeout(FAST_POLL_MS * 4)
    assert len(polls) == count  # stopped
    assert all(url == f"{live_server.url}/api/jobs/{job.pk}/" for url in polls)


TERMINAL = [  # (status, row fields, badge, the words the workspace row says)
    ("completed", {"progress": 100, "processed_results": 100}, "Completed", ""),
    (
        "partial",
        {
            "progress": 45,
            "processed_results": 45,
            "finish_reason": "The source ran dry: found 45 of 100 creators.",
        },
        "Partial",
        "The source ran dry: found 45 of 100 creators.",
    ),
    (
        "error",
        {
            "progress": 10,
            "error": "ScrapeCreators rejected the API key.",
            "finish_reason": "ScrapeCreators rejected the API key.",
        },
        "Error",
        "ScrapeCreators rejected the API key.",
    ),
    (
        "timeout",
        {
            "progress": 30,
            "processed_results": 30,
            "finish_reason": "The search timed out; kept the 30 creators found of 100.",
        },
        "Timed out",
        "The search timed out; kept the 30 creators found of 100.",
    ),
    (
        "cancelled",
        {"progress": 20, "processed_results": 20, "finish_reason": "Cancelled by the user."},
        "Cancelled",
        "Cancelled by the user. Kept 20 of 100 creators.",
    ),
]


def test_one_poller_per_job_and_every_terminal_state_stops_it(
    signed_in, owner, fast_polls, live_server
):
    page = signed_in
    campaign = make_campaign(owner, name="Five endings")
    jobs = {
        status: make_job(
            owner,
            campaign,
            keywords=[status],
            status="processing",
            progress=5,
            processed_results=5,
            started_at=timezone.now(),
        )
        for status, *_ in TERMINAL
    }
    polls = []
    page.on("request", lambda r: polls.append(r.url) if "/api/jobs/" in r.url else None)
    page.goto(f"/campaigns/{campaign.pk}/")
    page.wait_for_function("() => Object.keys(window.creatorscope.pollers).length === 5")
    page.evaluate("window.creatorscope.enhance(document)")  # a second pass starts no poller
    assert page.evaluate("Object.keys(window.creatorscope.pollers).length") == 5
    page.wait_for_timeout(FAST_POLL_MS * 3)
    per_job = {job.pk: sum(str(job.pk) in url for url in polls) for job in jobs.values()}
    assert all(1 <= n <= 5 for n in per_job.values()), per_job  # ~3 each, never doubled

    for status, fields, _, _ in TERMINAL:
        ScrapingJob.objects.filter(pk=jobs[status].pk).update(
            status=status, completed_at=timezone.now(), **fields
        )
    for status, fields, label, words in TERMINAL:
        widget = page.locator(f'.job-progress[data-job-id="{jobs[status].pk}"]')
        expect(widget.locator('[data-field="status"]')).to_have_text(label)
        expect(widget.locator('[data-field="message"]')).to_have_text(words)
        expect(widget.get_by_role("progressbar")).to_have_attribute(
            "aria-valuenow", str(fields["progress"])
        )
    page.wait_for_function("() => Object.values(window.creatorscope.pollers).every(p => p.done)")
    count = len(polls)
    page.wait_for_timeout(FAST_POLL_MS * 4)
    assert len(polls) == count


def test_the_poller_backs_off_when_the_server_fails_and_recovers(signed_in, owner, fast_polls):
    page = signed_in
    job = make_job(
        owner,
        make_campaign(owner),
        status="processing",
        progress=50,
        processed_results=50,
        started_at=timezone.now(),
    )
    answers = iter([500, 500])

    def flaky(route):
        status = next(answers, None)
        if status:
            route.fulfill(status=status, body="boom")
        else:
            route.continue_()

    page.route(f"**/api/jobs/{job.pk}/", flaky)
    page.goto(f"/searches/{job.pk}/")
    note = page.locator('#job-status [data-field="note"]')
    expect(note).to_contain_text("Can't reach the server; trying again in")
    ScrapingJob.objects.filter(pk=job.pk).update(
        status="completed", progress=100, processed_results=100, completed_at=timezone.now()
    )
    expect(page.locator("#job-status").get_by_role("progressbar")).to_have_attribute(
        "aria-valuenow", "100", timeout=10_000
    )
    expect(note).to_be_hidden()


@pytest.mark.usefixtures("fake_api")
def test_inline_errors_and_the_workspace_screenshot(signed_in, owner):
    page = signed_in
    campaign = make_campaign(
        owner, name="Autumn trail running", description="Trail and ultra runners, 10k+ followers."
    )
    job_create(
        owner=owner,
        campaign=campaign,
        platform="tiktok",
        search_type="keyword",
        keywords=["running", "trail running"],
        target_results=100,
    )
    job_create(
        owner=owner,
        campaign=campaign,
        platform="tiktok",
        search_type="keyword",
        keywords=["niche pottery"],
        target_results=100,
    )  # runs dry: partial
    job_create(
        owner=owner,
        campaign=campaign,
        platform="youtube",
        search_type="similar",
        target_username="TrailRunnerMaya",
        target_results=100,
    )
    make_job(
        owner,
        campaign,
        "instagram",
        "hashtag",
        keywords=["ultramarathon"],
        status="processing",
        progress=40,
        processed_results=200,
        target_results=500,
        started_at=timezone.now() - timedelta(seconds=50),
    )

    page.goto(f"/campaigns/{campaign.pk}/")
    page.get_by_role("tab", name="Instagram hashtags").click()
    panel = page.locator("#panel-instagram_hashtag")
    panel.get_by_label("Hashtags").fill(", ".join(f"#tag{i}" for i in range(12)))
    panel.get_by_role("button", name="Start search").click()
    expect(panel.get_by_text("Use at most 10 hashtags (you gave 12).")).to_be_visible()
    expect(panel.get_by_label("Hashtags")).to_have_attribute("aria-invalid", "true")

    page.get_by_role("tab", name="TikTok similar").click()
    panel = page.locator("#panel-tiktok_similar")
    panel.get_by_label("Creator handle or profile URL").fill("https://www.instagram.com/maya")
    panel.get_by_role("button", name="Start search").click()
    expect(panel.get_by_text("That link is not a valid TikTok profile URL.")).to_be_visible()
    assert ScrapingJob.objects.filter(campaign=campaign).count() == 4

    # Keyboard: arrows move between the search tabs.
    page.wait_for_function("() => window.creatorscope")  # the script has run
    page.get_by_role("tab", name="TikTok similar").focus()
    page.keyboard.press("ArrowRight")
    # (document.activeElement: headless Chromium may report the window itself unfocused.)
    assert page.evaluate("document.activeElement.id") == "tab-instagram_hashtag"
    expect(page.locator("#panel-instagram_hashtag")).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#panel-tiktok_similar")).to_be_visible()
    panel.get_by_label("Creator handle or profile URL").fill("")

    page.get_by_role("tab", name="TikTok keywords").click()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "workspace.png")

    page.get_by_role("link", name=re.compile(r"All creators \(\d+ found, distinct\)")).click()
    expect(page.get_by_role("heading", name="All creators")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Showing 1–50 of \d+ creators\."))).to_be_visible()

    # On a phone nothing is wider than the screen (wide tables scroll inside their box).
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (f"/campaigns/{campaign.pk}/", f"/campaigns/{campaign.pk}/creators/", "/dashboard/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
