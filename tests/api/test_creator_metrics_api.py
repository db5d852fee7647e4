"""Creator metrics and deep enrichment through the REST API, against the fake ScrapeCreators
server over HTTP (tasks run inline in tests, as soon as the request's transaction commits)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from fake_scrapecreators import universe as fake
from fake_scrapecreators.universe import instagram, tiktok
from fake_scrapecreators.universe.youtube import channel, channel_id_for_handle
from scraping.models import ApiCall, CreatorMetrics, ScrapingJob
from tests.factories import make_campaign, make_creator, make_job

pytestmark = pytest.mark.django_db(transaction=True)

# The fake universe's "now": its feeds are dated up to here.
FAKE_NOW = datetime(2026, 11, 1, tzinfo=UTC)
NOT_FOUND = {"message": "Not found.", "errors": {}}
VIDEOS = "/v3/tiktok/profile/videos"


@pytest.fixture(autouse=True)
def at_the_fake_universes_now():
    with time_machine.travel(FAKE_NOW):
        yield


def tiktok_creator(job, handle: str, **fields):
    c = tiktok.creator(handle)
    return make_creator(job, external_id=c.uid, username=handle, followers=c.followers, **fields)


def metrics_url(creator) -> str:
    return f"/api/creators/{creator.pk}/metrics/"


# --- one creator ---------------------------------------------------------------------------------


def test_metrics_of_a_tiktok_creator_from_its_recent_videos(fake_api, api, user):
    job = make_job(user, make_campaign(user), "tiktok")
    maya = tiktok_creator(job, "trailrunner_maya")

    started = api.post(metrics_url(maya))
    assert started.status_code == 202
    assert started["Cache-Control"] == "no-store"
    assert (started.json()["status"], started.json()["metrics"]) == ("pending", None)

    data = api.get(metrics_url(maya)).json()
    assert (data["status"], data["fresh"], data["error"]) == ("ready", True, "")
    assert (data["creatorId"], data["platform"], data["username"]) == (
        str(maya.pk),
        "TikTok",
        "trailrunner_maya",
    )
    assert data["followers"] == 2_059_071
    assert data["fetchedAt"].startswith("2026-11-01T00:00:")
    assert data["metrics"] == {
        "medianViews": 829_106,
        "medianEngagement": 0.085209,
        "postsPerWeek": 0.98,
        "lastPostedAt": "2026-10-23T20:17:07Z",
        "postsConsidered": 12,
        "quality": "average",
        "reasons": [
            "Median engagement 8.5% is close to the typical 6.5% for TikTok mega creators "
            "(1M+ followers).",
            "Median views are 40% of followers.",
            "Posted 8 days ago (on 2026-10-23).",
        ],
    }
    # The whole first page, newest first: the pinned video from 2025 goes last.
    posts = data["posts"]
    assert len(posts) == 21
    assert posts[0]["publishedAt"] == "2026-10-23T20:17:07Z"
    assert posts[-1]["publishedAt"] == "2025-09-15T11:02:58Z"
    assert set(posts[0]) == {
        "url",
        "publishedAt",
        "views",
        "likes",
        "comments",
        "shares",
        "caption",
        "engagement",
    }
    # One upstream call, recorded on the search that found the creator and paid by it.
    [call] = fake_api.calls_to(VIDEOS)
    assert call["params"] == {"handle": "trailrunner_maya", "sort_by": "latest"}
    assert list(ApiCall.objects.filter(job=job).values_list("endpoint", "credits_charged")) == [
        (VIDEOS, 1)
    ]
    assert ScrapingJob.objects.get(pk=job.pk).credits_used == 1


def test_rows_without_a_rate_take_the_median_engagement_of_the_recent_posts(fake_api, api, user):
    """A TikTok similar row has no video, so no rate of its own: once its recent posts are read,
    the row (column, sort, filter, export) has their median engagement. A rate the search
    measured stays; a later search's row gets it from the cache, with no call."""
    campaign = make_campaign(user)
    similar = make_job(user, campaign, "tiktok", "similar")
    maya = tiktok_creator(similar, "trailrunner_maya")
    measured = tiktok_creator(similar, fake.tiktok_keyword_unique_authors("running")[0])
    measured.engagement = 0.02
    measured.save()
    assert maya.engagement is None
    assert api.post(metrics_url(maya)).status_code == 202
    assert api.post(metrics_url(measured)).status_code == 202
    maya.refresh_from_db()
    measured.refresh_from_db()
    assert (maya.engagement, measured.engagement) == (0.085209, 0.02)
    rows = api.get(f"/api/jobs/{similar.pk}/creators/", {"min_engagement": "5"}).json()
    assert [r["creator"]["username"] for r in rows["results"]] == ["trailrunner_maya"]

    later = make_job(user, campaign, "tiktok", "similar", target_username="someone_else")
    again = tiktok_creator(later, "trailrunner_maya")
    calls = len(fake_api.calls_to(VIDEOS))
    deep = api.post(f"/api/jobs/{later.pk}/deep-enrichment/", format="json")
    assert (deep.status_code, deep.json()["queued"]) == (200, 0)
    again.refresh_from_db()
    assert again.engagement == 0.085209
    assert len(fake_api.calls_to(VIDEOS)) == calls


def test_instagram_views_come_from_the_reels_when_the_posts_have_none(fake_api, api, user):
    job = make_job(user, make_campaign(user), "instagram", "hashtag")
    c = instagram.creator("maya.trailruns")
    creator = make_creator(job, external_id=c.id, username=c.handle, followers=c.followers)
    assert api.post(metrics_url(creator)).status_code == 202
    metrics = api.get(metrics_url(creator)).json()["metrics"]
    assert (metrics["medianViews"], metrics["medianEngagement"], metrics["postsPerWeek"]) == (
        2_863,
        0.011695,
        3.51,
    )
    assert [c["path"] for c in fake_api.calls()] == [
        "/v2/instagram/user/posts",
        "/v1/instagram/user/reels",
    ]
    assert ScrapingJob.objects.get(pk=job.pk).credits_used == 2


def test_youtube_likes_come_with_include_extras(fake_api, api, user):
    job = make_job(user, make_campaign(user), "youtube")
    channel_id = channel_id_for_handle("mayaruns")
    creator = make_creator(
        job,
        external_id=channel_id,
        username="mayaruns",
        followers=channel(channel_id).subscribers,
    )
    assert api.post(metrics_url(creator)).status_code == 202
    metrics = api.get(metrics_url(creator)).json()["metrics"]
    assert (metrics["medianViews"], metrics["medianEngagement"], metrics["quality"]) == (
        360,
        0.021279,
        "average",
    )
    [call] = fake_api.calls_to("/v1/youtube/channel-videos")
    assert call["params"] == {"channelId": channel_id, "sort": "latest", "includeExtras": "true"}


def test_fresh_metrics_are_reused_across_searches_and_users(fake_api, api, user, make_user):
    maya = tiktok_creator(make_job(user, make_campaign(user), "tiktok"), "trailrunner_maya")
    assert api.post(metrics_url(maya)).status_code == 202
    assert len(fake_api.calls_to(VIDEOS)) == 1

    again = api.post(metrics_url(maya))
    assert (again.status_code, again.json()["status"], again.json()["fresh"]) == (
        200,
        "ready",
        True,
    )

    # Another user's search found the same creator: public data, the same cached answer.
    someone = make_user("someone@example.com")
    theirs = tiktok_creator(make_job(someone, make_campaign(someone), "tiktok"), "trailrunner_maya")
    client = APIClient()
    client.force_authenticate(someone)
    reused = client.post(metrics_url(theirs))
    assert reused.status_code == 200
    assert reused.json()["metrics"] == api.get(metrics_url(maya)).json()["metrics"]
    assert len(fake_api.calls_to(VIDEOS)) == 1  # no second upstream call
    assert ApiCall.objects.filter(job=theirs.job).count() == 0
    assert CreatorMetrics.objects.count() == 1


def test_metrics_older_than_the_ttl_are_fetched_again(fake_api, api, user, knobs):
    knobs["metrics.cache_ttl"] = 3600
    maya = tiktok_creator(make_job(user, make_campaign(user), "tiktok"), "trailrunner_maya")
    api.post(metrics_url(maya))
    with time_machine.travel(FAKE_NOW + timedelta(minutes=59)):
        assert api.get(metrics_url(maya)).json()["fresh"] is True
        assert api.post(metrics_url(maya)).status_code == 200
    with time_machine.travel(FAKE_NOW + timedelta(minutes=61)):
        stale = api.get(metrics_url(maya)).json()
        assert (stale["status"], stale["fresh"]) == ("ready", False)
        assert api.post(metrics_url(maya)).status_code == 202
        assert api.get(metrics_url(maya)).json()["fresh"] is True
    assert len(fake_api.calls_to(VIDEOS)) == 2


def test_refresh_answers_202_while_the_fetch_is_pending(fake_api, api, user, monkeypatch):
    queued = []
    monkeypatch.setattr("scraping.metrics.services.enqueue", lambda *args: queued.append(args))
    maya = tiktok_creator(make_job(user, make_campaign(user), "tiktok"), "trailrunner_maya")
    assert api.get(metrics_url(maya)).json()["status"] == "missing"

    first, second = api.post(metrics_url(maya)), api.post(metrics_url(maya))
    assert (first.status_code, second.status_code) == (202, 202)
    assert second.json()["status"] == "pending"
    assert len(queued) == 1  # asked twice, queued once
    polled = api.get(metrics_url(maya))
    assert (polled.status_code, polled.json()["status"]) == (200, "pending")
    assert fake_api.calls() == []
    # A fetch that never finished (a worker died) may be asked for again after 10 minutes.
    with time_machine.travel(FAKE_NOW + timedelta(minutes=11)):
        lost = api.get(metrics_url(maya)).json()
        assert (lost["status"], lost["error"]) == (
            "failed",
            "The fetch did not finish. Ask for the metrics again.",
        )
        assert api.post(metrics_url(maya)).status_code == 202
    assert len(queued) == 2


def test_an_upstream_failure_is_reported_and_keeps_nothing_made_up(fake_api, api, user):
    job = make_job(user, make_campaign(user), "tiktok")
    ghost = make_creator(job, external_id="404", username="someone.missing", followers=10)
    assert api.post(metrics_url(ghost)).status_code == 202
    data = api.get(metrics_url(ghost)).json()
    assert (data["status"], data["metrics"], data["posts"]) == ("failed", None, [])
    assert data["error"] == "The account was not found upstream (404): it may be gone or renamed."


def test_out_of_upstream_credits_keeps_the_earlier_metrics(fake_api, api, user, knobs):
    knobs["metrics.cache_ttl"] = 3600
    maya = tiktok_creator(make_job(user, make_campaign(user), "tiktok"), "trailrunner_maya")
    api.post(metrics_url(maya))
    before = api.get(metrics_url(maya)).json()
    fake_api.configure(credits={"test-key": 0})
    with time_machine.travel(FAKE_NOW + timedelta(hours=2)):
        assert api.post(metrics_url(maya)).status_code == 202
        after = api.get(metrics_url(maya)).json()
    assert (after["status"], after["fresh"]) == ("failed", False)
    assert after["error"] == (
        "The ScrapeCreators account is out of credits (402). Top it up, then retry."
    )
    assert (after["metrics"], after["posts"], after["fetchedAt"]) == (
        before["metrics"],
        before["posts"],
        before["fetchedAt"],
    )


def test_a_crash_while_reading_one_creator_fails_only_that_creator(
    fake_api, api, user, monkeypatch
):
    job = make_job(user, make_campaign(user), "tiktok")
    maya = tiktok_creator(job, "trailrunner_maya")

    def broken(body):
        raise RuntimeError("parser bug")

    monkeypatch.setattr("scraping.metrics.posts.tiktok_posts", broken)
    assert api.post(metrics_url(maya)).status_code == 202
    data = api.get(metrics_url(maya)).json()
    assert (data["status"], data["error"]) == ("failed", "Internal error: RuntimeError")
    assert ApiCall.objects.filter(job=job, endpoint=VIDEOS).count() == 1  # the call still counts


def test_refresh_needs_a_plan_that_allows_searching(fake_api, make_user):
    fresh_signup = make_user("new@example.com", onboarded=False)
    creator = tiktok_creator(
        make_job(fresh_signup, make_campaign(fresh_signup), "tiktok"), "trailrunner_maya"
    )
    client = APIClient()
    client.force_authenticate(fresh_signup)
    refused = client.post(metrics_url(creator))
    assert refused.status_code == 402
    assert refused.json()["message"] == (
        "Finish onboarding to start your free trial and start new searches."
    )
    assert fake_api.calls() == []
    assert CreatorMetrics.objects.count() == 0


def test_another_users_creator_and_search_are_404(api, user, stranger_api):
    job = make_job(user, make_campaign(user), "tiktok")
    creator = make_creator(job, username="secret.creator")
    for method, url in [
        ("get", metrics_url(creator)),
        ("post", metrics_url(creator)),
        ("get", f"/api/jobs/{job.pk}/deep-enrichment/"),
        ("post", f"/api/jobs/{job.pk}/deep-enrichment/"),
    ]:
        response = getattr(stranger_api, method)(url, format="json")
        assert (response.status_code, response.json()) == (404, NOT_FOUND), url
    assert CreatorMetrics.objects.count() == 0


def test_reading_metrics_takes_two_queries(fake_api, user, django_assert_num_queries):
    maya = tiktok_creator(make_job(user, make_campaign(user), "tiktok"), "trailrunner_maya")
    client = APIClient()
    client.force_authenticate(user)
    client.post(metrics_url(maya))
    with django_assert_num_queries(2):  # the creator with its search, the metrics row
        response = client.get(metrics_url(maya))
    assert response.json()["metrics"]["postsConsidered"] == 12


# --- deep enrichment of a whole search -------------------------------------------------------------


def test_deep_enrichment_estimates_then_fetches_exactly_the_uncached_creators(
    fake_api, api, user, knobs
):
    knobs["metrics.batch_size"] = 2
    job = make_job(user, make_campaign(user), "tiktok")
    handles = fake.tiktok_keyword_unique_authors("running")[:5]
    creators = [tiktok_creator(job, h, position=i) for i, h in enumerate(handles)]
    for cached in creators[:2]:  # fetched earlier (say, from another search)
        assert api.post(metrics_url(cached)).status_code == 202
    url = f"/api/jobs/{job.pk}/deep-enrichment/"

    estimate = api.get(url).json()
    assert estimate == {
        "jobId": str(job.pk),
        "creators": 5,
        "fresh": 2,
        "pending": 0,
        "toFetch": 3,
        "estimatedCredits": 3,
        "maxCredits": 3,
        "batchSize": 2,
        "batches": 2,
        "queued": 0,
    }
    before = len(fake_api.calls_to(VIDEOS))
    started = api.post(url, {"maxCredits": 3}, format="json")
    assert started.status_code == 202
    assert started.json() == {**estimate, "queued": 3}

    fetched = [c["params"]["handle"] for c in fake_api.calls_to(VIDEOS)[before:]]
    assert sorted(fetched) == sorted(handles[2:])
    assert ApiCall.objects.filter(job=job, endpoint=VIDEOS).count() == 5
    statuses = [api.get(metrics_url(c)).json()["status"] for c in creators]
    assert statuses == ["ready"] * 5
    after = api.get(url).json()
    assert (after["fresh"], after["toFetch"], after["estimatedCredits"]) == (5, 0, 0)
    nothing = api.post(url, format="json")
    assert (nothing.status_code, nothing.json()["queued"]) == (200, 0)
    assert len(fake_api.calls_to(VIDEOS)) == 5


def test_deep_enrichment_refuses_a_cost_above_the_confirmed_one(fake_api, api, user):
    job = make_job(user, make_campaign(user), "instagram", "hashtag")
    for i, handle in enumerate(fake.instagram_hashtag_unique_owners("trailrunning")[:3]):
        c = instagram.creator(handle)
        make_creator(job, external_id=c.id, username=handle, followers=c.followers, position=i)
    url = f"/api/jobs/{job.pk}/deep-enrichment/"
    estimate = api.get(url).json()
    # Instagram: one call each, one more for a feed without views.
    assert (estimate["estimatedCredits"], estimate["maxCredits"]) == (3, 6)
    refused = api.post(url, {"maxCredits": 5}, format="json")
    assert refused.status_code == 409
    assert refused.json() == {
        "message": "Deep enrichment now costs up to 6 credits, more than the 5 confirmed. "
        "Check the estimate again.",
        "errors": {},
    }
    assert fake_api.calls() == []


def test_deep_enrichment_waits_for_the_search_to_finish(fake_api, api, user):
    job = make_job(user, make_campaign(user), "tiktok", status="processing")
    tiktok_creator(job, "trailrunner_maya")
    response = api.post(f"/api/jobs/{job.pk}/deep-enrichment/", format="json")
    assert (response.status_code, response.json()["message"]) == (
        409,
        "Deep enrichment starts once the search has finished finding creators.",
    )
    assert fake_api.calls() == []


def test_deep_enrichment_rejects_a_bad_confirmation(api, user):
    job = make_job(user, make_campaign(user), "tiktok")
    response = api.post(f"/api/jobs/{job.pk}/deep-enrichment/", {"maxCredits": -1}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "message": "Invalid input.",
        "errors": {"maxCredits": ["Ensure this value is greater than or equal to 0."]},
    }


@time_machine.travel(FAKE_NOW, tick=False)
def test_a_deep_enrichment_is_one_start_of_the_plans_start_throttle(fake_api, api, user, knobs):
    knobs["api.throttle_search_per_minute"] = 1
    job = make_job(user, make_campaign(user), "tiktok")
    creators = [
        tiktok_creator(job, h, position=i)
        for i, h in enumerate(fake.tiktok_keyword_unique_authors("running")[:3])
    ]
    started = api.post(f"/api/jobs/{job.pk}/deep-enrichment/", format="json")
    assert (started.status_code, started.json()["queued"]) == (202, 3)
    # Fresh now, so free: no start needed.
    assert api.post(metrics_url(creators[0])).status_code == 200
    other = tiktok_creator(job, "trailrunner_maya", position=3)
    throttled = api.post(metrics_url(other))
    assert throttled.status_code == 429
    assert throttled.json()["message"] == (
        "You have started 1 search in the last minute. Try again in 60 seconds."
    )
