import csv
import io

import pytest
from django.core.management import CommandError, call_command

from fake_scrapecreators import universe as fake
from scraping.models import ScrapingJob

pytestmark = pytest.mark.django_db(transaction=True)


def test_run_search_starts_waits_and_summarises(fake_api, user, campaign, tmp_path):
    out = io.StringIO()
    path = tmp_path / "out.csv"
    call_command(
        "run_search",
        "--user",
        "OWNER@example.com",
        "--campaign",
        "runners",
        "--platform",
        "tiktok",
        "--type",
        "keyword",
        "--keywords",
        "running",
        "--target",
        "30",
        "--csv",
        str(path),
        stdout=out,
    )
    job = ScrapingJob.objects.get()
    text = out.getvalue()
    assert f"Started TikTok keyword search {job.pk}" in text
    assert "] 100%  30/30 creators" in text
    with_email = job.creators.filter(has_email=True).count()
    assert (
        f"Status: completed. Creators: 30 (with email: {with_email}). "
        f"Upstream calls: {job.processed_runs}, credits: {job.credits_used}."
    ) in text
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    assert rows[0][:2] == ["Platform", "Handle"]
    assert [r[1] for r in rows[1:]] == fake.tiktok_keyword_unique_authors("running")[:30]
    assert f"Wrote 30 rows to {path}" in text


def test_run_search_can_expand_with_related_hashtags(fake_api, user, campaign, knobs):
    knobs["scraping.related_hashtags"] = 2
    out = io.StringIO()
    call_command(
        "run_search",
        *("--user", "owner@example.com", "--campaign", "runners", "--platform", "tiktok"),
        *("--type", "keyword", "--keywords", "running", "--target", "100", "--expand-related"),
        stdout=out,
    )
    job = ScrapingJob.objects.get()
    assert (job.expand_related, job.status, job.processed_results) == (True, "completed", 100)
    found = {
        tag: job.creators.filter(keyword=f"#{tag}").count()
        for tag in ("ultrarunning", "marathontraining")
    }
    assert (
        f"Related hashtags (creators found): #ultrarunning ({found['ultrarunning']}), "
        f"#marathontraining ({found['marathontraining']})."
    ) in out.getvalue()


def test_run_search_no_wait_returns_at_once(fake_api, user, campaign, monkeypatch):
    monkeypatch.setattr("scraping.services.enqueue", lambda *a, **k: None)
    out = io.StringIO()
    call_command(
        "run_search",
        "--user",
        "owner@example.com",
        "--campaign",
        str(campaign.pk),
        "--platform",
        "instagram",
        "--type",
        "similar",
        "--username",
        "@maya.trailruns",
        "--no-wait",
        stdout=out,
    )
    job = ScrapingJob.objects.get()
    assert (job.status, job.target_username, job.target_results) == (
        "pending",
        "maya.trailruns",
        100,
    )
    assert out.getvalue() == f"Started Instagram similar search {job.pk}\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody@example.com"], "No user with email nobody@example.com."),
        (["--campaign", "nope"], "owner@example.com has no campaign “nope”."),
        (["--keywords", "x" * 101], "keywords: “xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…” is too long"),
        (["--type", "hashtag"], "search_type: tiktok has no hashtag search."),
    ],
)
def test_run_search_explains_bad_input(fake_api, user, campaign, args, message):
    base = {
        "--user": "owner@example.com",
        "--campaign": "Runners",
        "--platform": "tiktok",
        "--type": "keyword",
        "--keywords": "running",
    }
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    argv = [item for pair in base.items() for item in pair]
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("run_search", *argv)
