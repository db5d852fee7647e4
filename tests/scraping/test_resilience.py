"""Upstream faults, crashes, the sweeper, cancel and retry: a job always ends right."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from fake_scrapecreators import universe as fake
from scraping import engine
from scraping.client import RateLimited, default_client
from scraping.models import ApiCall, ScrapingJob
from scraping.services import InvalidTransition, job_cancel, job_create, job_retry, jobs_sweep

pytestmark = pytest.mark.django_db(transaction=True)
EXPECTED_30 = fake.tiktok_keyword_unique_authors("running")[:30]


def start(user, campaign, target=30, **kwargs) -> ScrapingJob:
    params = {"platform": "tiktok", "search_type": "keyword", "keywords": ["running"]}
    job = job_create(owner=user, campaign=campaign, target_results=target, **{**params, **kwargs})
    job.refresh_from_db()
    return job


@pytest.fixture
def slept(monkeypatch) -> list[float]:
    """The backoffs the client waited (none is really waited)."""
    waits: list[float] = []
    monkeypatch.setattr(default_client(), "_sleep", lambda seconds, stop: waits.append(seconds))
    return waits


def usernames(job) -> list[str]:
    return list(job.creators.order_by("position").values_list("username", flat=True))


def statuses(job, endpoint) -> list[int]:
    return list(
        ApiCall.objects.filter(job=job, endpoint=endpoint).values_list("status_code", flat=True)
    )


# A refused (429) profile call is tried again from a later step: see the tests below.
@pytest.mark.parametrize("fault", ["500", "text500", "malformed", "disconnect"])
def test_transient_faults_are_retried_and_the_job_completes(fake_api, user, campaign, fault):
    fake_api.configure(
        faults=[
            {"path": "/v1/tiktok/search/keyword", "fault": fault, "times": 2, "retry_after": 0},
            {"path": "/v1/tiktok/profile", "fault": fault, "times": 2, "retry_after": 0},
        ]
    )
    job = start(user, campaign)
    assert (job.status, job.processed_results) == ("completed", 30)
    assert usernames(job) == EXPECTED_30
    first_page = statuses(job, "/v1/tiktok/search/keyword")[:3]
    assert first_page[-1] == 200 and len(first_page) == 3


def test_timeouts_are_retried(fake_api, user, campaign, knobs):
    knobs["scraping.read_timeout"] = 0.3
    fake_api.configure(
        timeout_sleep=1.0,
        faults=[{"path": "/v1/tiktok/search/keyword", "fault": "timeout", "times": 1}],
    )
    job = start(user, campaign)
    assert (job.status, job.processed_results) == ("completed", 30)
    first = ApiCall.objects.filter(job=job, endpoint="/v1/tiktok/search/keyword").first()
    assert (first.status_code, first.error) == (None, "upstream did not answer in time")


def page_calls(job) -> list[ApiCall]:
    return list(
        ApiCall.objects.filter(job=job, endpoint="/v1/tiktok/search/keyword").order_by("at")
    )


def test_a_refused_search_page_is_asked_for_again_after_its_retry_after(
    fake_api, user, campaign, slept
):
    """Refused once, the page is asked for again from a later step once its Retry-After has
    passed (no step waits for it); refused again, the call waits it out like any other."""
    fake_api.configure(
        faults=[
            {"path": "/v1/tiktok/search/keyword", "fault": "429", "times": 2, "retry_after": 0.3}
        ]
    )
    job = start(user, campaign)
    assert (job.status, job.processed_results) == ("completed", 30)
    assert usernames(job) == EXPECTED_30
    first, second, third = page_calls(job)[:3]
    assert [c.status_code for c in (first, second, third)] == [429, 429, 200]
    assert (first.step, second.step, third.step) == (1, 2, 2)
    assert (second.at - first.at).total_seconds() >= 0.3
    assert slept == [0.3]
    assert "retry_at" not in job.state["chains"][0]


def refuse_profile(fake_api, handle: str, times: int, retry_after: float) -> None:
    fake_api.configure(
        faults=[
            {
                "path": "/v1/tiktok/profile",
                "params": {"handle": handle},
                "fault": "429",
                "times": times,
                "retry_after": retry_after,
            }
        ]
    )


def profile_calls(job, handle: str) -> list[ApiCall]:
    return list(
        ApiCall.objects.filter(
            job=job, endpoint="/v1/tiktok/profile", params__handle=handle
        ).order_by("at")
    )


def test_a_refused_profile_call_is_made_again_from_a_later_step_not_waited_for(
    fake_api, user, campaign, slept
):
    """A step waits for its slowest call: a 429 waited out at its end would hold up every
    creator of the step. Refused with no round of its step still to start (a job's first batch
    is one round), the creator goes back to the queue until its Retry-After has passed, and is
    found a little later than its neighbours, fully enriched."""
    first = EXPECTED_30[0]
    refuse_profile(fake_api, first, times=1, retry_after=0.4)
    job = start(user, campaign)
    assert (job.status, job.processed_results) == ("completed", 30)
    names = usernames(job)
    assert [n for n in names if n != first] == EXPECTED_30[1:]
    assert names.index(first) > 0
    assert job.creators.get(username=first).enrichment == "ok"
    calls = profile_calls(job, first)
    assert [c.status_code for c in calls] == [429, 200]
    assert (calls[1].at - calls[0].at).total_seconds() >= 0.4  # after its Retry-After
    assert slept == []  # no call waited for a Retry-After


def test_a_profile_refused_while_a_round_of_its_step_is_still_to_start_waits_within_it(
    fake_api, user, campaign, knobs, slept
):
    """2 calls at once, 12 creators a step: the first of the second batch is refused (at once,
    the others take 50 ms) while at least 9 are still to start. Its Retry-After passes while
    they run, so it is asked for again within the step and found in its place."""
    knobs["scraping.enrichment_concurrency"] = 2
    knobs["scraping.enrichment_batch_rounds"] = 6
    refused = EXPECTED_30[2]
    refuse_profile(fake_api, refused, times=1, retry_after=0.4)
    fake_api.configure(latency={"/v1/tiktok/profile": 0.05})
    job = start(user, campaign)
    assert (job.status, job.processed_results) == ("completed", 30)
    assert usernames(job) == EXPECTED_30
    calls = profile_calls(job, refused)
    assert [(c.status_code, c.step) for c in calls] == [(429, 3), (200, 3)]
    assert slept == [0.4]


@pytest.mark.parametrize(
    ("retry_after", "started", "waits"),
    [
        (None, 0, True),  # no Retry-After: 1 s
        (2.0, 4, True),  # 2 of 6 still to start: a round of 2
        (2.5, 0, False),  # longer than about one profile call: it would hold the step up
        (0.1, 5, False),  # 1 still to start: less than a round
    ],
)
def test_a_first_refusal_is_waited_out_within_the_step_only_while_short_and_a_round_is_left(
    retry_after, started, waits
):
    calls = engine.StepCalls(calls=6, concurrency=2)
    for _ in range(started):
        calls.fetch_profile(SimpleNamespace(fetch_profile=lambda ctx, seed: {}), None, {})
    refused = RateLimited("HTTP 429", status=429, retry_after=retry_after)
    assert calls.wait_if_refused(refused) is waits


def test_when_only_a_refused_creator_is_left_the_next_step_waits_for_it(fake_api, user, campaign):
    """Nothing else to do (no page needed, no other creator due): the step waits for the
    Retry-After itself instead of running empty steps until then."""
    last = EXPECTED_30[-1]
    refuse_profile(fake_api, last, times=1, retry_after=0.4)
    job = start(user, campaign)
    assert (job.status, job.processed_results) == ("completed", 30)
    assert usernames(job) == EXPECTED_30
    refused, enriched = profile_calls(job, last)
    assert (refused.status_code, enriched.status_code) == (429, 200)
    assert enriched.step == refused.step + 1
    assert job.steps == enriched.step


def test_a_profile_call_refused_again_waits_like_any_other(fake_api, user, campaign, slept):
    first = EXPECTED_30[0]
    refuse_profile(fake_api, first, times=2, retry_after=0.2)
    job = start(user, campaign)
    assert (job.status, job.processed_results) == ("completed", 30)
    assert [c.status_code for c in profile_calls(job, first)] == [429, 429, 200]
    assert slept == [0.2]
    assert job.creators.get(username=first).enrichment == "ok"


def test_a_profile_refused_every_time_keeps_the_creator_flagged(
    fake_api, user, campaign, knobs, slept
):
    knobs["scraping.max_retries"] = 1
    first = EXPECTED_30[0]
    refuse_profile(fake_api, first, times=100, retry_after=0)
    job = start(user, campaign)
    assert (job.status, job.processed_results) == ("completed", 30)
    assert [c.status_code for c in profile_calls(job, first)] == [429, 429, 429]
    flagged = job.creators.get(username=first)
    assert flagged.enrichment == "unavailable"
    assert flagged.enrichment_error.startswith("The profile call failed (429): ")


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("401", "ScrapeCreators rejected the API key (401). Staff: check SCRAPECREATORS_API_KEY."),
        ("402", "The ScrapeCreators account is out of credits (402). Top it up, then retry."),
    ],
)
def test_401_and_402_end_the_job_with_a_clear_error(fake_api, user, campaign, fault, message):
    fake_api.configure(faults=[{"path": "*", "fault": fault, "times": 1000}])
    job = start(user, campaign)
    assert (job.status, job.error) == ("error", message)
    assert statuses(job, "/v1/tiktok/search/keyword") == [int(fault)]  # never retried blindly


def test_a_404_on_one_profile_keeps_that_creator_flagged(fake_api, user, campaign):
    fake_api.configure(
        faults=[
            {
                "path": "/v1/tiktok/profile",
                "params": {"handle": EXPECTED_30[0]},
                "fault": "404",
                "times": 1,
            }
        ]
    )
    job = start(user, campaign)
    assert (job.status, job.processed_results) == ("completed", 30)
    assert usernames(job) == EXPECTED_30
    unavailable = job.creators.get(enrichment="unavailable")
    assert unavailable.enrichment_error == "Profile not found upstream (404)."
    assert unavailable.username == EXPECTED_30[0]


def test_a_failed_enrichment_keeps_the_creator_and_notes_it(fake_api, user, campaign, knobs):
    knobs["scraping.max_retries"] = 0
    fake_api.configure(faults=[{"path": "/v1/tiktok/profile", "fault": "500", "times": 1}])
    job = start(user, campaign)
    assert usernames(job) == EXPECTED_30
    failed = job.creators.get(enrichment="unavailable")
    assert failed.enrichment_error == (
        "The profile call failed (500): "
        "Something went wrong scraping the platform. Please try again."
    )
    assert failed.bio == ""


def test_a_source_failing_three_steps_in_a_row_ends_and_retry_reopens_it(
    fake_api, user, campaign, knobs
):
    knobs["scraping.max_retries"] = 0
    fake_api.configure(faults=[{"path": "/v1/tiktok/search/keyword", "fault": "500", "times": 3}])
    job = start(user, campaign)
    # The search's only source failed three times in a row: it ends, and with it the search,
    # which says so (not "ran dry") and can be retried.
    assert (job.status, job.error) == ("partial", "")
    assert job.finish_reason == (
        "Every source failed (“running” failed (500): "
        "Something went wrong scraping the platform. Please try again.): found 0 of 30 creators."
    )
    job = job_retry(job=job)
    job.refresh_from_db()
    assert (job.status, usernames(job)) == ("completed", EXPECTED_30)


def test_a_step_that_dies_before_its_commit_is_repeated_without_duplicates_or_loss(
    fake_api, user, campaign, monkeypatch
):
    real_commit = engine._commit
    crashes = []

    class WorkerDied(Exception):
        pass

    def dying_commit(job_id, token, state, outcome, records):
        if len(crashes) < 1 and outcome.creators:
            crashes.append(len(outcome.creators))
            raise WorkerDied  # the process is killed after the upstream calls, before the commit
        return real_commit(job_id, token, state, outcome, records)

    monkeypatch.setattr(engine, "_commit", dying_commit)
    with pytest.raises(WorkerDied):
        start(user, campaign)
    job = ScrapingJob.objects.get()
    assert job.status == "processing" and job.locked_until is not None
    # The lease runs out; the sweeper hands the job to a new worker.
    ScrapingJob.objects.filter(pk=job.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert jobs_sweep() == {"timed_out": 0, "resumed": 1}
    job.refresh_from_db()
    assert (job.status, usernames(job)) == ("completed", EXPECTED_30)
    assert job.creators.values("external_id").distinct().count() == 30


def test_the_sweeper_resumes_a_job_no_worker_picked_up(
    fake_api, user, campaign, no_queue, monkeypatch, knobs
):
    job = start(user, campaign)
    assert job.status == "pending"
    ScrapingJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    monkeypatch.undo()  # the queue works again
    monkeypatch.setattr("sysconfig.config._overrides", lambda: knobs)
    assert jobs_sweep()["resumed"] == 1
    job.refresh_from_db()
    assert (job.status, usernames(job)) == ("completed", EXPECTED_30)


def test_the_sweeper_times_out_stale_jobs_and_keeps_their_results(
    fake_api, user, campaign, no_queue
):
    job = start(user, campaign)
    engine.job_step(job.pk)  # prepared
    engine.job_step(job.pk)  # first page
    engine.job_step(job.pk)  # first creators
    job.refresh_from_db()
    kept = job.processed_results
    assert kept > 0
    ScrapingJob.objects.filter(pk=job.pk).update(timeout_at=timezone.now() - timedelta(seconds=1))
    assert jobs_sweep()["timed_out"] == 1
    job.refresh_from_db()
    assert (job.status, job.processed_results) == ("timeout", kept)
    assert job.error == (
        f"The search timed out; kept the {kept} creators found of 30. "
        "Retry to continue from where it stopped."
    )


def test_cancel_stops_the_job_and_keeps_what_it_found(fake_api, user, campaign, no_queue):
    job = start(user, campaign)
    for _ in range(3):
        engine.job_step(job.pk)
    job.refresh_from_db()
    found = job.processed_results
    job = job_cancel(job=job)
    assert job.status == "cancelled"
    calls_before = ApiCall.objects.filter(job=job).count()
    engine.job_step(job.pk)  # a step still queued does nothing
    job.refresh_from_db()
    assert (job.status, job.processed_results) == ("cancelled", found)
    assert ApiCall.objects.filter(job=job).count() == calls_before
    with pytest.raises(InvalidTransition, match=r"A cancelled search cannot be cancelled\."):
        job_cancel(job=job)


def test_retry_resumes_from_the_cursor_without_refetching_pages(fake_api, user, campaign, no_queue):
    job = start(user, campaign)
    for _ in range(3):
        engine.job_step(job.pk)
    job_cancel(job=job)
    job.refresh_from_db()
    pages_before = statuses(job, "/v1/tiktok/search/keyword")
    job = job_retry(job=job)
    while not job.is_terminal:
        engine.job_step(job.pk)
        job.refresh_from_db()
    assert (job.status, usernames(job)) == ("completed", EXPECTED_30)
    pages = ApiCall.objects.filter(job=job, endpoint="/v1/tiktok/search/keyword", status_code=200)
    params = [tuple(sorted(c.params.items())) for c in pages]
    assert len(params) == len(set(params)) > len(pages_before)


def test_retry_is_refused_while_running(fake_api, user, campaign, no_queue):
    job = start(user, campaign)
    with pytest.raises(InvalidTransition, match=r"A pending search cannot be retried\."):
        job_retry(job=job)


def test_a_missing_similar_target_ends_with_a_clear_error(fake_api, user, campaign):
    job = start(
        user,
        campaign,
        platform="instagram",
        search_type="similar",
        keywords=None,
        target_username="unknown.person",
    )
    assert (job.status, job.error, job.error_code) == (
        "error",
        "The Instagram account @unknown.person was not found. "
        "Check the handle and start a new search.",
        "target_not_found",
    )
    assert job.can_retry is False
    with pytest.raises(InvalidTransition, match=r"was not found\. .* Retrying cannot help\."):
        job_retry(job=job)


def test_the_api_call_budget_ends_the_job_partial(fake_api, user, campaign, knobs):
    knobs["api_limits.max_api_calls_tiktok_keyword"] = 2
    job = start(user, campaign, target=100)
    assert job.status == "partial"
    assert job.search_calls == 2
    assert job.finish_reason == (
        f"API-call budget reached (2 search pages): found {job.processed_results} of 100 creators."
    )
