"""Real upstream data is messy: profiles that 404, sources that fail, lists that repeat, and
users who cancel mid-step. A creator a search found is never lost, one failing source never
fails the search, and cancel stops spending within a second. Everything over real HTTP against
the fake ScrapeCreators server."""

import threading
import time

import pytest
from django.db import connections

from fake_scrapecreators import universe as fake
from fake_scrapecreators.universe.tiktok import tiktok_users_page
from scraping import engine
from scraping.client import default_client
from scraping.models import ApiCall, ScrapingJob
from scraping.searches import SEARCHES, StepCancelled, StepContext
from scraping.services import job_cancel, job_create
from scraping.state import Chain

pytestmark = pytest.mark.django_db(transaction=True)

ALL_TIMES = 10_000
NOT_FOUND = "Profile not found upstream (404)."


def run(user, campaign, **kwargs) -> ScrapingJob:
    job = job_create(owner=user, campaign=campaign, **kwargs)
    job.refresh_from_db()
    return job


def rows(job, *fields):
    return list(job.creators.order_by("position").values_list(*fields))


def test_a_keyword_search_whose_profiles_all_404_keeps_every_author(fake_api, user, campaign):
    fake_api.configure(faults=[{"path": "/v1/tiktok/profile", "fault": "404", "times": ALL_TIMES}])
    job = run(
        user,
        campaign,
        platform="tiktok",
        search_type="keyword",
        keywords=["running"],
        target_results=30,
    )
    assert (job.status, job.processed_results, job.progress) == ("completed", 30, 100)
    expected = fake.tiktok_keyword_unique_authors("running")[:30]
    assert [r[0] for r in rows(job, "username")] == expected
    assert set(rows(job, "enrichment", "enrichment_error")) == {("unavailable", NOT_FOUND)}
    # What the search itself returned is kept: the name, the avatar and the video that found it.
    first = job.creators.get(username=expected[0])
    assert first.display_name and first.avatar_url.startswith("http")
    assert first.content_url.startswith("https://www.tiktok.com/@")
    assert first.keyword == "running"


def test_only_the_profiles_that_fail_are_flagged(fake_api, user, campaign):
    expected = fake.tiktok_keyword_unique_authors("running")[:30]
    missing = [expected[3], expected[17]]
    fake_api.configure(
        faults=[
            {"path": "/v1/tiktok/profile", "params": {"handle": h}, "fault": "404", "times": 9}
            for h in missing
        ]
    )
    job = run(
        user,
        campaign,
        platform="tiktok",
        search_type="keyword",
        keywords=["running"],
        target_results=30,
    )
    assert [r[0] for r in rows(job, "username")] == expected
    flagged = job.creators.filter(enrichment="unavailable").order_by("position")
    assert list(flagged.values_list("username", flat=True)) == missing
    assert job.creators.filter(enrichment="ok").count() == 28


def test_instagram_related_accounts_keep_their_node_when_the_profile_fails(
    fake_api, user, campaign
):
    target = "maya.trailruns"
    related = [h for h in fake.instagram_related_handles(target) if h != target]
    body = fake.instagram_profile(target, base_url=fake_api.base_url)
    node = next(
        e["node"]
        for e in body["data"]["user"]["edge_related_profiles"]["edges"]
        if e["node"]["username"] == related[0]
    )
    fake_api.configure(
        faults=[
            {
                "path": "/v1/instagram/profile",
                "params": {"handle": related[0]},
                "fault": "404",
                "times": 9,
            }
        ]
    )
    job = run(
        user,
        campaign,
        platform="instagram",
        search_type="similar",
        target_username=target,
        target_results=30,
    )
    assert (job.status, [r[0] for r in rows(job, "username")]) == ("completed", related[:30])
    kept = job.creators.get(username=related[0])
    assert (kept.enrichment, kept.enrichment_error) == ("unavailable", NOT_FOUND)
    assert (kept.display_name, kept.verified) == (node["full_name"], node["is_verified"])
    assert kept.avatar_url == node["profile_pic_url"]


def test_youtube_channels_whose_details_404_are_kept(fake_api, user, campaign):
    fake_api.configure(faults=[{"path": "/v1/youtube/channel", "fault": "404", "times": ALL_TIMES}])
    job = run(
        user,
        campaign,
        platform="youtube",
        search_type="keyword",
        keywords=["trail running"],
        target_results=30,
    )
    assert (job.status, job.processed_results) == ("completed", 30)
    expected = fake.youtube_search_unique_channels("trail running")[:30]
    assert [r[0] for r in rows(job, "external_id")] == expected
    assert job.creators.filter(enrichment="unavailable").count() == 30


def test_a_404_on_the_following_list_ends_only_that_source(fake_api, user, campaign):
    target = "trailrunner_maya"
    fake_api.configure(
        faults=[{"path": "/v1/tiktok/user/following", "fault": "404", "times": ALL_TIMES}]
    )
    job = run(
        user,
        campaign,
        platform="tiktok",
        search_type="similar",
        target_username=target,
        target_results=60,
    )
    assert (job.status, job.processed_results, job.error) == ("completed", 60, "")
    following = next(c for c in job.state["chains"] if c["kind"] == "following")
    assert (following["done"], following["error"]) == (True, "not found upstream (404)")
    topics = job.state["target"]["topics"]
    assert len(topics) == 4

    def users(topic: str, page: int) -> list[str]:
        body = tiktok_users_page(topic, page * 10)
        return [u["user_info"]["unique_id"] for u in body["users"]]

    # Step 1 reads the first page of all five sources (the following list answers 404); step 2
    # reads the next two topics in turn (round robin from where step 1 stopped), enough for the
    # 20 creators still missing. Nobody from the following list.
    found: list[str] = []
    for handle in (
        [h for t in topics for h in users(t, 0)] + users(topics[1], 1) + users(topics[2], 1)
    ):
        if handle not in found and handle != target:
            found.append(handle)
    assert [r[0] for r in rows(job, "username")] == found[:60]
    # Never retried blindly: one 404 and the source is over.
    calls = ApiCall.objects.filter(job=job, endpoint="/v1/tiktok/user/following")
    assert list(calls.values_list("status_code", flat=True)) == [404]


@pytest.mark.parametrize(
    ("fault", "why"),
    [("404", "not found upstream (404)"), ("400", "failed (400): Upstream error")],
)
def test_a_failed_source_is_named_in_the_finish_reason_never_ran_dry(
    fake_api, user, campaign, fault, why
):
    """A page chain answered 404 or 400 ends at once, never retried, and only that chain."""
    fake_api.configure(
        faults=[
            {
                "path": "/v1/tiktok/search/keyword",
                "params": {"query": "gone keyword"},
                "fault": fault,
                "times": ALL_TIMES,
            }
        ]
    )
    job = run(
        user,
        campaign,
        platform="tiktok",
        search_type="keyword",
        keywords=["niche pottery", "gone keyword"],
        target_results=100,
    )
    pool = fake.tiktok_keyword_unique_authors("niche pottery")
    assert (job.status, job.processed_results) == ("partial", len(pool))
    assert sorted(r[0] for r in rows(job, "username")) == sorted(pool)
    assert job.finish_reason == (
        f"1 of 2 sources ran dry; the others failed (“gone keyword” {why}): "
        f"found {len(pool)} of 100 creators."
    )
    gone = fake_api.calls_to("/v1/tiktok/search/keyword")
    assert [c["status"] for c in gone if c["params"]["query"] == "gone keyword"] == [int(fault)]


@pytest.mark.parametrize("quirk", ["repeat", "empty"])
def test_a_following_list_ends_when_its_next_page_repeats_or_is_empty(fake_api, quirk):
    fake_api.configure(page_quirks={"/v1/tiktok/user/following": quirk})
    search = SEARCHES["tiktok_similar"]
    ctx = StepContext(client=default_client(), on_record=lambda record: None)
    chain = Chain.from_json(
        {"term": "@trailrunner_maya", "kind": "following", "cursor": None, "done": False}
    )
    first = search.fetch_page(ctx, chain)
    expected = list(fake.tiktok_following_handles("trailrunner_maya"))
    assert [s["username"] for s in first.seeds] == expected[:20]
    assert first.done is False
    chain.cursor = first.cursor
    second = search.fetch_page(ctx, chain)
    assert (second.seeds, second.done) == ([], True)


PROFILE = "/v1/tiktok/profile"


def test_a_cancel_during_a_retrys_wait_sends_no_retry(fake_api):
    """A call answered 429 would be retried after Retry-After; cancelled in between, it is not."""
    fake_api.configure(faults=[{"path": PROFILE, "fault": "429", "times": 3, "retry_after": 2}])
    stop = threading.Event()
    ctx = StepContext(client=default_client(), on_record=lambda record: stop.set(), stop=stop)
    with pytest.raises(StepCancelled):
        ctx.get(PROFILE, {"handle": "trailrunner_maya"})
    assert [c["status"] for c in fake_api.calls_to(PROFILE)] == [429]


def test_a_cancel_while_waiting_for_a_limiter_slot_sends_nothing(fake_api, knobs):
    """Every slot is taken (by another job): a cancelled call stops waiting and never goes out."""
    knobs["api_limits.max_concurrent_requests"] = 1
    client = default_client()
    stop = threading.Event()
    ctx = StepContext(client=client, on_record=None, stop=stop)
    outcome: list[str] = []

    def call() -> None:
        try:
            ctx.get(PROFILE, {"handle": "trailrunner_maya"})
            outcome.append("sent")
        except StepCancelled:
            outcome.append("cancelled")
        finally:
            connections.close_all()  # this thread's connection (the limiter's cache)

    with client.limiter.slot(timeout=5):  # the only slot, held elsewhere
        waiting = threading.Thread(target=call)
        waiting.start()
        stop.set()
        waiting.join(timeout=10)
    assert outcome == ["cancelled"]
    assert fake_api.calls_to(PROFILE) == []


def test_cancel_stops_new_calls_within_a_second_and_keeps_what_was_paid_for(
    fake_api, user, campaign, knobs, monkeypatch
):
    """A step in flight when the user cancels starts no new upstream call once the cancel is
    seen (at most CANCEL_CHECK_SECONDS later); the profiles already fetched are kept."""
    monkeypatch.setattr("scraping.services.enqueue", lambda *a, **k: None)
    monkeypatch.setattr("scraping.engine.enqueue", lambda *a, **k: None)
    knobs["scraping.enrichment_concurrency"] = 2
    knobs["scraping.enrichment_batch_rounds"] = 20  # one long step: all pending, 2 at a time
    fake_api.configure(latency={"/v1/tiktok/profile": 0.3})
    job = job_create(
        owner=user,
        campaign=campaign,
        platform="tiktok",
        search_type="keyword",
        keywords=["running", "marathon", "trail running", "yoga", "hiking", "cycling"],
        target_results=100,
    )
    engine.job_step(job.pk)  # the first page of each keyword: authors pending, no profile yet
    engine.job_step(job.pk)  # a job's first batch is one round: 2 creators
    job.refresh_from_db()
    assert job.processed_results == 2 and len(job.state["pending"]) >= 30
    before = len(fake_api.calls_to("/v1/tiktok/profile"))

    step = threading.Thread(target=engine.job_step, args=(job.pk,))
    step.start()
    deadline = time.monotonic() + 20
    while len(fake_api.calls_to("/v1/tiktok/profile")) < before + 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert step.is_alive(), "the step ended before the cancel"
    job_cancel(job=job)
    cancelled_at = time.time()
    step.join(timeout=30)
    assert not step.is_alive()

    calls = fake_api.calls_to("/v1/tiktok/profile")
    started = [c["ts"] - c["duration_ms"] / 1000 for c in calls]
    assert max(started) < cancelled_at + 1.0  # nothing started a second after the cancel
    assert len(calls) - before < 20  # far from the step's 30-odd
    job.refresh_from_db()
    fetched = [c["params"]["handle"] for c in calls if c["status"] == 200]
    # Every profile paid for is delivered, and the job's numbers say so.
    assert job.status == "cancelled"
    assert job.processed_results == len(fetched) == job.creators.count()
    assert sorted(r[0] for r in rows(job, "username")) == sorted(fetched)
    assert (job.locked_until, job.worker_id) == (None, "")
