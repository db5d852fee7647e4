"""Download names: campaign, search, UTC time and a random part, never the same twice."""

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
import time_machine

from exports.filenames import export_filename
from tests.factories import make_campaign, make_creator, make_job

AT = datetime(2025, 7, 4, 12, 0, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("campaign", "search", "extension", "ascii_name", "unicode_name"),
    [
        (
            "Summer launch",
            "TikTok keyword: running, yoga",
            "csv",
            "summer-launch-tiktok-keyword-running-yoga-20250704-120005-3f9a1c.csv",
            "summer-launch-tiktok-keyword-running-yoga-20250704-120005-3f9a1c.csv",
        ),
        (
            "Summer launch",
            "all searches",
            "xlsx",
            "summer-launch-all-searches-20250704-120005-3f9a1c.xlsx",
            "summer-launch-all-searches-20250704-120005-3f9a1c.xlsx",
        ),
        (
            'Été 🌞 "launch"/2025',
            "Instagram hashtag: #café, #gym",
            "csv",
            "ete-launch2025-instagram-hashtag-cafe-gym-20250704-120005-3f9a1c.csv",
            "été-launch2025-instagram-hashtag-café-gym-20250704-120005-3f9a1c.csv",
        ),
        (
            "夏のキャンペーン",
            "TikTok similar: @maya",
            "csv",
            "export-tiktok-similar-maya-20250704-120005-3f9a1c.csv",
            "夏のキャンペーン-tiktok-similar-maya-20250704-120005-3f9a1c.csv",
        ),
        (
            "A" * 100,
            "YouTube keyword: " + "b" * 100,
            "csv",
            "a" * 40 + "-youtube-keyword-" + "b" * 24 + "-20250704-120005-3f9a1c.csv",
            "a" * 40 + "-youtube-keyword-" + "b" * 24 + "-20250704-120005-3f9a1c.csv",
        ),
    ],
)
def test_export_filename(campaign, search, extension, ascii_name, unicode_name):
    assert export_filename(campaign, search, extension, at=AT, token="3f9a1c") == (
        ascii_name,
        unicode_name,
    )


def test_the_time_in_the_name_is_utc():
    two_hours_ahead = AT.astimezone(timezone(timedelta(hours=2)))
    ascii_name, _ = export_filename("x", "y", "csv", at=two_hours_ahead, token="000000")
    assert ascii_name == "x-y-20250704-120005-000000.csv"


# --- in the download ------------------------------------------------------------------------
@pytest.fixture
def job(user):
    job = make_job(user, make_campaign(user), keywords=["running"])
    make_creator(job, username="maya")
    return job


@pytest.mark.django_db
@time_machine.travel(datetime(2025, 7, 4, 12, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize(
    ("url", "name"),
    [
        (
            "/api/export/csv",
            r"summer-launch-tiktok-keyword-running-20250704-120000-[0-9a-f]{6}\.csv",
        ),
        (
            "/api/export/xlsx",
            r"summer-launch-tiktok-keyword-running-20250704-120000-[0-9a-f]{6}\.xlsx",
        ),
    ],
)
def test_a_search_download_is_named_after_campaign_search_and_time(auth_client, job, url, name):
    response = auth_client.get(url, {"jobId": job.pk})
    assert re.fullmatch(f'attachment; filename="{name}"', response["Content-Disposition"])


@pytest.mark.django_db
@time_machine.travel(datetime(2025, 7, 4, 12, 0, tzinfo=UTC), tick=False)
def test_a_campaign_download_says_all_searches_and_keeps_accents(auth_client, user):
    campaign = make_campaign(user, name="Été launch")
    response = auth_client.get("/api/export/csv", {"campaignId": campaign.pk})
    assert re.fullmatch(
        r'attachment; filename="ete-launch-all-searches-20250704-120000-([0-9a-f]{6})\.csv"; '
        r"filename\*=UTF-8''%C3%A9t%C3%A9-launch-all-searches-20250704-120000-\1\.csv",
        response["Content-Disposition"],
    )


@pytest.mark.django_db
@time_machine.travel(datetime(2025, 7, 4, 12, 0, tzinfo=UTC), tick=False)
def test_two_downloads_in_the_same_second_get_different_names(auth_client, job):
    names = {
        auth_client.get("/api/export/csv", {"jobId": job.pk})["Content-Disposition"]
        for _ in range(5)
    }
    assert len(names) == 5
