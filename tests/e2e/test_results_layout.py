"""Judging creators in headless Chromium: the compact results table on a 1,440 × 900 screen,
filters that apply on change as removable chips, the phone layout at 390 × 844, and a failed
search form that lands on its field. Screenshots for the README: results-desktop.png,
filters.png and results-phone.png in docs/screenshots/.
"""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from scraping.models import Creator
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import make_campaign, make_job

PROFILE_HOSTS = re.compile(r"^https://(www\.)?(tiktok|instagram|youtube)\.com/")
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}

NAMES = ["Maya Trails", "Leo Runs Far", "Ana Ultra", "Sam Pace", "Kai Miles", "Noor Tempo"]
BIOS = [
    "Trail runner and coach · mountains, races and recovery tips. Collabs: hello at mayatrails "
    "dot com. Based in Chamonix, running since 2009, two-time UTMB finisher.",
    "Marathons on every continent 🌍",
    "",
    "Physio & ultra runner. I test shoes so you don't have to: long reviews every Sunday, "
    "short ones on Wednesdays, and race-day vlogs from the Alps and the Dolomites.",
]
TITLES = [
    "Sunrise hill repeats: my full session, warm-up to cool-down, and why it works",
    "Race day at Western States 100 — every aid station",
    "",
    "Shoe review: five trail shoes after 500 km each",
]


def make_creators(job, count: int, *, similar: bool = False) -> None:
    """`count` creators with what a real search brings: long bios, several emails, unknowns."""
    now = timezone.now()
    Creator.objects.bulk_create(
        Creator(
            job=job,
            platform=job.platform,
            external_id=f"ext-{n}",
            position=n,
            username=f"runner.{n:02d}",
            display_name=NAMES[n % len(NAMES)],
            profile_url=f"https://www.tiktok.com/@runner.{n:02d}",
            followers=None if n % 9 == 4 else (n + 1) * 12_345,
            bio=BIOS[n % len(BIOS)],
            has_email=n % 3 != 2,
            emails=(
                [f"hello+{n}@runner{n:02d}.example.com", f"team{n}@agency.example", "info@x.io"][
                    : 1 + n % 3
                ]
                if n % 3 != 2
                else []
            ),
            verified=n % 4 == 0,
            is_private=n % 11 == 5,
            content_title=TITLES[n % len(TITLES)],
            content_url=f"https://www.tiktok.com/@runner.{n:02d}/video/{n + 1}"
            if TITLES[n % len(TITLES)]
            else "",
            views=None if n % 7 == 3 else (n + 3) * 91_000,
            likes=(n + 3) * 6_100,
            comments=(n + 3) * 140,
            shares=(n + 3) * 55,
            engagement=None if n % 7 == 3 else (n % 8) / 100 + 0.005,
            published_at=now - timedelta(days=n + 2),
            duration_seconds=30 + n,
            hashtags=["running", "trailrunning", "ultramarathon", "mountains"][: n % 5],
            similarity_score=(97 - n) if similar else None,
            similarity_reasons=["shares topics: running, trail", "similar audience size"]
            if similar
            else [],
        )
        for n in range(count)
    )


@pytest.fixture
def owner(make_user, transactional_db):
    return make_user("judge@example.com", plan="pro")


@pytest.fixture
def signed_in(page, owner, live_server):
    """The page, logged in as `owner`, with creator profile sites answered locally."""
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
        lambda route: route.fulfill(status=200, content_type="text/html", body="<title>x</title>"),
    )
    return page


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def reloaded(page, pattern: re.Pattern[str], *, absent: bool = False) -> None:
    """The filters reloaded the page to an address (not) matching `pattern`, and the new page
    is parsed: reading rows at the URL change alone can catch a half-parsed table."""
    if absent:
        expect(page).not_to_have_url(pattern)
    else:
        expect(page).to_have_url(pattern)
    page.wait_for_load_state("domcontentloaded")


def chips(page) -> list[str]:
    return page.locator(".chips a.chip").evaluate_all(
        "links => links.map(a => a.firstChild.textContent)"
    )


def screenshot_viewport(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


def test_the_table_fits_1440_wide_with_ten_rows_and_a_sticky_header(signed_in, owner):
    page = signed_in
    page.set_viewport_size(DESKTOP)
    # A similar search: every column, similarity included.
    job = make_job(
        owner, make_campaign(owner, name="Trail season"), "tiktok", "similar", processed_results=60
    )
    make_creators(job, 60, similar=True)
    page.goto(f"/searches/{job.pk}/")
    headers = page.locator("table.creators thead th").all_inner_texts()
    assert headers == [
        "Creator",
        "Followers",
        "Views",
        "Engagement",
        "Emails",
        "Bio",
        "Top content",
        "Hashtags",
        "Similarity",
    ]

    # Nothing is wider than the screen, and the table needs no sideways scrolling in its box.
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")
    similarity = page.locator("table.creators thead th").last.bounding_box()
    box = wrap.bounding_box()
    assert similarity["x"] + similarity["width"] <= box["x"] + box["width"]

    # Scrolled to the table, at least ten whole rows are on the screen.
    page.locator("#results").evaluate("r => r.scrollIntoView({block: 'start'})")
    wrap.evaluate("w => w.scrollIntoView({block: 'end'})")
    visible = page.evaluate(
        """() => {
            const wrap = document.querySelector('.table-wrap').getBoundingClientRect();
            const head = document.querySelector('table.creators thead').getBoundingClientRect();
            const top = Math.max(0, wrap.top, head.bottom);
            const bottom = Math.min(window.innerHeight, wrap.bottom);
            return [...document.querySelectorAll('table.creators tbody tr')].filter(row => {
                const r = row.getBoundingClientRect();
                return r.top >= top - 1 && r.bottom <= bottom + 1;
            }).length;
        }"""
    )
    assert visible >= 10, visible
    page.locator("#results").evaluate("r => r.scrollIntoView({block: 'start'})")
    screenshot_viewport(page, "results-desktop.png")

    # The header stays at the top of the box while the rows scroll under it.
    wrap.evaluate("w => { w.scrollTop = 600; }")
    offset = page.evaluate(
        """() => document.querySelector('table.creators thead').getBoundingClientRect().top
                 - document.querySelector('.table-wrap').getBoundingClientRect().top"""
    )
    assert abs(offset - 1) <= 1  # below the box's 1 px border

    # Engagement: one decimal, "—" when unknown; a long bio is cut at two lines and opens.
    first = page.locator("table.creators tbody tr").first
    expect(first.locator("td[data-label=Engagement]")).to_have_text("0.5%")
    unknown = page.locator('table.creators tbody tr[data-creator="runner.03"]')
    expect(unknown.locator("td[data-label=Engagement]")).to_have_text("—")
    bio = first.locator(".bio")
    line = bio.evaluate("b => parseFloat(getComputedStyle(b).lineHeight)")
    assert bio.evaluate("b => b.clientHeight") <= 2 * line + 1
    page.wait_for_function("() => window.creatorscope")
    first.get_by_role("button", name="Show more").click()
    assert bio.evaluate("b => b.clientHeight") > 2 * line + 1

    # The first email with a copy button; the others behind a count.
    row = page.locator('table.creators tbody tr[data-creator="runner.01"]')
    expect(row.locator(".email-line a")).to_have_text("hello+1@runner01.example.com")
    expect(row.locator(".email-line button")).to_have_text("Copy")
    expect(row.locator(".more-emails summary")).to_have_text("+1 more")
    expect(row.locator(".more-emails a")).to_be_hidden()
    row.locator(".more-emails summary").click()
    expect(row.locator(".more-emails a")).to_have_text("team1@agency.example")


def test_filters_apply_on_change_as_chips_that_remove_them(signed_in, owner):
    page = signed_in
    job = make_job(owner, make_campaign(owner, name="Trail season"), processed_results=40)
    make_creators(job, 40)
    page.goto(f"/searches/{job.pk}/")
    page.wait_for_function("() => window.creatorscope")
    expect(page.locator(".chips")).to_have_count(0)

    # A checkbox applies at once: no Apply button pressed.
    page.get_by_label("Has email").check()
    reloaded(page, re.compile(r"has_email=true"))
    assert query(page) == {"has_email": ["true"], "sort": ["position"]}  # no empty fields
    assert chips(page) == ["Has email"]
    assert set(
        page.locator("table.creators tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.hasEmail)"
        )
    ) == {"true"}

    # Text applies after a pause in typing, written the way people write follower counts;
    # the caret is back in the field after the page reloads.
    page.get_by_label("Min followers").press_sequentially("200k", delay=40)
    reloaded(page, re.compile(r"min_followers=200k"))
    expect(page.get_by_label("Min followers")).to_be_focused()
    assert chips(page) == ["Has email", "Followers ≥ 200K"]
    followers = page.locator("table.creators tbody tr").evaluate_all(
        "rows => rows.map(r => Number(r.dataset.followers))"
    )
    assert followers and min(followers) >= 200_000
    page.get_by_label("Min engagement").press_sequentially("2.5%", delay=40)
    reloaded(page, re.compile(r"min_engagement=2\.5%25"))
    assert chips(page) == ["Has email", "Followers ≥ 200K", "Engagement ≥ 2.5%"]
    engagement = page.locator("table.creators tbody tr").evaluate_all(
        "rows => rows.map(r => Number(r.dataset.engagement))"
    )
    assert engagement and min(engagement) >= 0.025
    page.get_by_label("Sort by").select_option("-followers")
    reloaded(page, re.compile(r"sort=-followers"))
    assert query(page) == {
        "min_followers": ["200k"],
        "min_engagement": ["2.5%"],
        "has_email": ["true"],
        "sort": ["-followers"],
    }
    page.evaluate("window.scrollTo(0, document.querySelector('#results').offsetTop - 8)")
    screenshot_viewport(page, "filters.png")

    # A chip's link removes that one filter; "Clear all" the rest, keeping the sort.
    page.get_by_role("link", name="Has email (remove this filter)").click()
    reloaded(page, re.compile(r"has_email"), absent=True)
    assert chips(page) == ["Followers ≥ 200K", "Engagement ≥ 2.5%"]
    expect(page.get_by_label("Has email")).not_to_be_checked()
    page.get_by_role("link", name="Clear all").click()
    expect(page.locator(".chips")).to_have_count(0)
    assert query(page) == {"sort": ["-followers"]}
    expect(page.get_by_text("Showing 1–40 of 40 creators.")).to_be_visible()


def test_a_minimum_above_the_maximum_is_said_at_the_field_and_is_no_chip(signed_in, owner):
    page = signed_in
    job = make_job(owner, make_campaign(owner), processed_results=12)
    make_creators(job, 12)
    page.goto(f"/searches/{job.pk}/?min_followers=100k")
    page.wait_for_function("() => window.creatorscope")
    page.get_by_label("Max followers").fill("50k")
    page.get_by_label("Max followers").press("Enter")
    reloaded(page, re.compile(r"max_followers=50k"))

    field = page.locator(".field", has=page.get_by_label("Max followers"))
    expect(field.get_by_role("alert")).to_have_text("The maximum must be at least the minimum.")
    expect(page.get_by_label("Max followers")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Max followers")).to_be_focused()
    expect(page.get_by_label("Max followers")).to_have_value("50k")
    assert chips(page) == ["Followers ≥ 100K"]
    followers = page.locator("table.creators tbody tr").evaluate_all(
        "rows => rows.map(r => Number(r.dataset.followers))"
    )
    assert followers and min(followers) >= 100_000


def test_on_a_phone_cards_a_folded_menu_and_tabs_that_scroll(signed_in, owner):
    page = signed_in
    page.set_viewport_size(PHONE)
    campaign = make_campaign(owner, name="Trail season")
    job = make_job(owner, campaign, processed_results=8)
    make_creators(job, 8)

    page.goto(f"/searches/{job.pk}/")
    page.wait_for_function("() => window.creatorscope")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    # Each creator is a card: no header row, cells stacked with their own labels.
    expect(page.locator("table.creators thead")).to_be_hidden()
    card = page.locator("table.creators tbody tr").nth(1)
    assert card.evaluate("r => getComputedStyle(r).display") == "grid"
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    followers = card.locator("td[data-label=Followers]")
    assert followers.evaluate("td => getComputedStyle(td, '::before').content") == '"Followers"'
    expect(card.locator(".creator-name")).to_contain_text("Leo Runs Far")
    page.evaluate("window.scrollTo(0, document.querySelector('.result-count').offsetTop - 8)")
    screenshot_viewport(page, "results-phone.png")

    # The main menu is folded behind a button.
    nav = page.get_by_role("navigation", name="Main")
    menu = nav.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Billing")).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Billing")).to_be_visible()
    menu.click()
    expect(nav.get_by_role("link", name="Billing")).to_be_hidden()

    # The six search tabs stay on one line and scroll sideways.
    page.goto(f"/campaigns/{campaign.pk}/")
    tabs = page.get_by_role("tablist", name="Kind of search")
    assert tabs.evaluate("t => getComputedStyle(t).overflowX") == "auto"
    assert tabs.evaluate("t => t.scrollWidth > t.clientWidth")
    tops = page.get_by_role("tab").evaluate_all("ts => ts.map(t => t.offsetTop)")
    assert len(tops) == 6 and len(set(tops)) == 1
    last = page.get_by_role("tab", name="YouTube similar")
    last.click()
    expect(last).to_be_in_viewport()
    expect(page.locator("#panel-youtube_similar")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_a_failed_search_lands_on_its_first_field_in_error(signed_in, owner):
    page = signed_in
    page.set_viewport_size(DESKTOP)
    campaign = make_campaign(owner, name="Trail season")
    for n in range(15):  # a long list of searches above the form
        make_job(owner, campaign, keywords=[f"running {n}"], processed_results=100)
    page.goto(f"/campaigns/{campaign.pk}/")
    page.get_by_role("tab", name="Instagram hashtags").click()
    panel = page.locator("#panel-instagram_hashtag")
    panel.get_by_label("Hashtags").fill("trail running")
    panel.get_by_role("button", name="Start search").click()

    field = page.locator("#panel-instagram_hashtag").get_by_label("Hashtags")
    expect(field).to_be_focused()
    expect(field).to_be_in_viewport()
    expect(page.locator("#panel-instagram_hashtag").get_by_role("alert")).to_have_text(
        "“trail running” has a space, and a hashtag is one word: write “trailrunning”, "
        "or separate hashtags with commas."
    )
