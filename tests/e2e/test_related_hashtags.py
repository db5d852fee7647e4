"""Related hashtags in headless Chromium: the option on the TikTok keyword form, then the search
page's hashtags, one removed and one added while the search runs (plain forms: the page fails
on any Content-Security-Policy violation).

Steps run only when the test runs them (the queue is switched off), so the search stays running
while the browser edits it."""

import re

import pytest
from playwright.sync_api import expect

from scraping import engine
from scraping.models import ScrapingJob
from tests.e2e.test_workspace import owner, signed_in  # noqa: F401
from tests.factories import make_campaign

# The fake ScrapeCreators server's fixtures (fake_api needs fake_server and knobs).
from tests.scraping.conftest import fake_api, fake_server, knobs  # noqa: F401


@pytest.mark.usefixtures("fake_api")
def test_related_hashtags_from_the_form_to_the_running_search(signed_in, owner, monkeypatch):  # noqa: F811 (the fixtures imported above)
    monkeypatch.setattr("scraping.services.enqueue", lambda *a, **k: None)
    monkeypatch.setattr("scraping.engine.enqueue", lambda *a, **k: None)
    page = signed_in
    campaign = make_campaign(owner, name="Trail season")
    page.goto(f"/campaigns/{campaign.pk}/")
    panel = page.locator("#panel-tiktok_keyword")
    panel.get_by_label("Keywords").fill("running")
    panel.get_by_label("Also search related hashtags").check()
    panel.get_by_label("1,000 creators").check()
    panel.get_by_role("button", name="Start search").click()

    expect(page).to_have_url(re.compile(r"/searches/[0-9a-f-]{36}/$"))
    job = ScrapingJob.objects.get(campaign=campaign)
    assert (job.keywords, job.expand_related) == (["running"], True)
    related = page.locator("#related-hashtags")
    expect(related).to_contain_text("Looking for the hashtags that come up in the first results")

    engine.job_step(job.pk)  # the keyword's first page: the hashtags are chosen
    page.reload()
    tags = ["ultrarunning", "marathontraining", "runtok", "trailrunning"]
    expect(related.locator("li.chip")).to_have_count(4)
    assert (
        related.locator("li.chip").evaluate_all("chips => chips.map(c => c.dataset.hashtag)")
        == tags
    )

    related.get_by_role("button", name="Remove #runtok").click()
    expect(
        page.get_by_text("Stopped searching #runtok. The creators it found are kept.")
    ).to_be_visible()
    expect(related.locator("li.chip")).to_have_count(3)
    expect(related).to_contain_text("Removed: #runtok (0 creators)")

    related.get_by_label("Also search", exact=True).fill("#HalfMarathon")
    related.get_by_role("button", name="Add hashtag").click()
    expect(page.get_by_text("Also searching #halfmarathon")).to_be_visible()
    expect(related.locator('[data-hashtag="halfmarathon"]')).to_contain_text("added by you")

    engine.job_step(job.pk)
    searched = set(job.api_calls.filter(step=2).values_list("params__query", flat=True))
    assert "halfmarathon" in searched and "runtok" not in searched
