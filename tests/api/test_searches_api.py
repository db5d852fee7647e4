"""The search endpoints scripts use: POST then poll, for all six searches, plus jobs."""

import pytest
import time_machine
from rest_framework.test import APIClient

from fake_scrapecreators import universe as fake
from scraping.models import ScrapingJob
from tests.factories import make_campaign, make_creator, make_job

pytestmark = pytest.mark.django_db(transaction=True)

FOLLOWERS_ERROR = "Use a whole number from 0 to 1,000,000,000,000, like 1,200, 10k or 2.5m."
ENGAGEMENT_ERROR = "Use a percentage from 0 to 100, like 2 or 2.5%."

SIX = [
    ("tiktok", {"keywords": ["running"]}, "TikTok", "keyword"),
    ("tiktok-similar", {"username": "@trailrunner_maya"}, "TikTok", "similar"),
    (
        "instagram",
        {"username": "https://www.instagram.com/maya.trailruns/"},
        "Instagram",
        "similar",
    ),
    ("instagram-hashtag", {"hashtags": ["#trailrunning"]}, "Instagram", "hashtag"),
    ("youtube", {"keywords": ["trail running"]}, "YouTube", "keyword"),
    ("youtube-similar", {"username": "TrailRunnerMaya"}, "YouTube", "similar"),
]
POLL_KEYS = {
    "jobId",
    "campaignId",
    "platform",
    "searchType",
    "keywords",
    "expandRelated",
    "targetUsername",
    "status",
    "progress",
    "processedResults",
    "targetResults",
    "processedRuns",
    "creditsUsed",
    "error",
    "message",
    "finishing",
    "canRetry",
    "createdAt",
    "startedAt",
    "completedAt",
    "creators",
    "next",
}


@pytest.mark.parametrize(("kind", "body", "platform", "search_type"), SIX)
def test_post_then_poll_each_search(fake_api, api, user, kind, body, platform, search_type):
    campaign = make_campaign(user)
    created = api.post(
        f"/api/scraping/{kind}", {"campaignId": str(campaign.pk), **body}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert set(created.json()) == {"jobId", "status", "warning"}
    assert created.json()["warning"] is None  # a fresh trial has 1,000 left
    job_id = created.json()["jobId"]

    poll = api.get(f"/api/scraping/{kind}", {"jobId": job_id})
    assert poll.status_code == 200
    assert poll["Cache-Control"] == "no-store"
    data = poll.json()
    assert set(data) == POLL_KEYS
    assert (data["platform"], data["searchType"], data["status"]) == (
        platform,
        search_type,
        "completed",
    )
    assert (data["progress"], data["processedResults"], data["targetResults"]) == (100, 100, 100)
    assert len(data["creators"]) == 50
    assert data["next"] == f"http://testserver/api/jobs/{job_id}/creators/?page=2"
    item = data["creators"][0]
    assert set(item) == {
        "id",
        "creator",
        "video",
        "hashtags",
        "platform",
        "similarity",
        "keyword",
        "enrichment",
        "profileUnavailable",
        "profileUnavailableReason",
        "foundAt",
    }
    assert item["creator"]["uniqueId"] == item["creator"]["username"]
    assert item["creator"]["avatarUrl"].startswith("http://testserver/api/proxy/image?s=")
    assert (item["similarity"] is not None) == (search_type == "similar")
    # The same shape from the job endpoint and the slash variant of the original path.
    same = api.get(f"/api/jobs/{job_id}/").json()
    assert set(same) == POLL_KEYS and same["processedResults"] == 100
    assert api.get(f"/api/scraping/{kind}/", {"jobId": job_id}).status_code == 200


def test_tiktok_keyword_creators_match_the_source(fake_api, api, user):
    campaign = make_campaign(user)
    job_id = api.post(
        "/api/scraping/tiktok",
        {"campaignId": str(campaign.pk), "keywords": ["running"], "targetResults": 100},
        format="json",
    ).json()["jobId"]
    page1 = api.get(f"/api/jobs/{job_id}/creators/").json()
    page2 = api.get(page1["next"]).json()
    handles = [i["creator"]["username"] for i in page1["results"] + page2["results"]]
    assert handles == fake.tiktok_keyword_unique_authors("running")[:100]
    assert (page1["count"], page1["pageSize"], page2["previous"] is not None) == (100, 50, True)
    first = page1["results"][0]
    truth = fake.tiktok_profile_truth(first["creator"]["username"])
    assert first["creator"]["emails"] == truth["emails"]
    assert [d["email"] for d in first["creator"]["emailDetails"]] == truth["emails"]


def test_a_tiktok_keyword_search_can_expand_with_related_hashtags(fake_api, api, user):
    campaign = make_campaign(user)
    body = {"campaignId": str(campaign.pk), "keywords": ["running"], "targetResults": 100}
    created = api.post("/api/scraping/tiktok", {**body, "expandRelated": True}, format="json")
    assert created.status_code == 201, created.json()
    job_id = created.json()["jobId"]
    detail = api.get(f"/api/jobs/{job_id}/").json()
    assert (detail["expandRelated"], detail["status"], detail["processedResults"]) == (
        True,
        "completed",
        100,
    )
    chains = ScrapingJob.objects.get(pk=job_id).state["chains"]
    assert [(c["term"], c.get("kind")) for c in chains] == [
        ("running", None),
        ("ultrarunning", "related"),
        ("marathontraining", "related"),
        ("runtok", "related"),
        ("trailrunning", "related"),
    ]
    plain = api.post("/api/scraping/tiktok", body, format="json").json()["jobId"]
    assert api.get(f"/api/jobs/{plain}/").json()["expandRelated"] is False
    assert [c["term"] for c in ScrapingJob.objects.get(pk=plain).state["chains"]] == ["running"]


@pytest.mark.parametrize(
    ("kind", "body", "errors"),
    [
        ("tiktok", {"keywords": []}, {"keywords": ["Enter at least one keyword."]}),
        ("tiktok", {"keywords": ["  ", "#"]}, {"keywords": ["Enter at least one keyword."]}),
        (
            "tiktok",
            {"keywords": [f"k{i}" for i in range(11)]},
            {"keywords": ["Use at most 10 keywords (you gave 11)."]},
        ),
        (
            "youtube",
            {"keywords": ["x" * 101]},
            {
                "keywords": [
                    "“xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…” is too long: a keyword has at most 100 characters."
                ]
            },
        ),
        (
            "instagram-hashtag",
            {"hashtags": []},
            {"hashtags": ["Enter at least one hashtag."]},
        ),
        (
            "instagram-hashtag",
            {"hashtags": ["#trail running"]},
            {
                "hashtags": [
                    "“trail running” has a space, and a hashtag is one word: write "
                    "“trailrunning”, or separate hashtags with commas."
                ]
            },
        ),
        (
            "instagram-hashtag",
            {"hashtags": ["🏃‍♀️🔥"]},
            {"hashtags": ["“🏃‍♀️🔥” is not a hashtag: use letters or digits, like “trailrunning”."]},
        ),
        (
            "tiktok",
            {"keywords": "running"},
            {"keywords": ['Expected a list of items but got type "str".']},
        ),
        (
            "tiktok",
            {"keywords": ["a"], "targetResults": 50},
            {"targetResults": ['"50" is not a valid choice.']},
        ),
        (
            "tiktok-similar",
            {"username": "not a handle!"},
            {
                "username": [
                    "“not a handle!” is not a valid TikTok handle (2–24 letters, digits, dots or underscores)."
                ]
            },
        ),
        (
            "youtube-similar",
            {"username": "https://vimeo.com/someone"},
            {"username": ["That link is not a valid YouTube profile URL."]},
        ),
        ("instagram", {}, {"username": ["This field is required."]}),
        (
            "youtube",
            {"keywords": ["trail running"], "expandRelated": True},
            {"expandRelated": ["A YouTube keyword search cannot add related hashtags."]},
        ),
        (
            "tiktok",
            {"keywords": ["running"], "expandRelated": "sometimes"},
            {"expandRelated": ["Must be a valid boolean."]},
        ),
    ],
)
def test_invalid_bodies_are_400_with_field_errors(api, user, kind, body, errors):
    campaign = make_campaign(user)
    response = api.post(
        f"/api/scraping/{kind}", {"campaignId": str(campaign.pk), **body}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"message": "Invalid input.", "errors": errors}


def test_campaign_id_is_required_and_must_be_a_uuid(api):
    response = api.post("/api/scraping/tiktok", {"keywords": ["a"]}, format="json")
    assert response.json()["errors"] == {"campaignId": ["This field is required."]}
    response = api.post(
        "/api/scraping/tiktok", {"campaignId": "7", "keywords": ["a"]}, format="json"
    )
    assert response.json()["errors"] == {"campaignId": ["Must be a valid UUID."]}


def test_malformed_json_is_a_400(api):
    response = api.post("/api/scraping/tiktok", "{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"].startswith("JSON parse error")


def test_a_completed_campaign_refuses_new_searches(api, user):
    campaign = make_campaign(user, status="completed")
    response = api.post(
        "/api/scraping/tiktok", {"campaignId": str(campaign.pk), "keywords": ["a"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "campaignId": ["This campaign is completed. Reopen it to run new searches."]
    }


def test_unknown_search_kind_is_404(api):
    response = api.post("/api/scraping/tiktok-hashtag", {}, format="json")
    assert response.status_code == 404
    assert response.json()["message"].startswith("Unknown search. Use one of:")


def test_poll_needs_a_job_id(api):
    assert api.get("/api/scraping/tiktok").json() == {
        "message": "Invalid input.",
        "errors": {"jobId": ["Give the id of one of your searches."]},
    }


def test_another_users_ids_are_404_and_never_leak(api, user, stranger_api, other_user):
    campaign = make_campaign(user)
    job = make_job(user, campaign)
    make_creator(job, username="secret.creator")
    not_found = {"message": "Not found.", "errors": {}}
    for method, url, body in [
        ("post", "/api/scraping/tiktok", {"campaignId": str(campaign.pk), "keywords": ["a"]}),
        ("get", f"/api/scraping/tiktok?jobId={job.pk}", None),
        ("get", f"/api/jobs/{job.pk}/", None),
        ("get", f"/api/jobs/{job.pk}/creators/", None),
        ("post", f"/api/jobs/{job.pk}/cancel/", None),
        ("post", f"/api/jobs/{job.pk}/retry/", None),
        ("get", f"/api/campaigns/{campaign.pk}/", None),
        ("patch", f"/api/campaigns/{campaign.pk}/", {"name": "mine now"}),
        ("delete", f"/api/campaigns/{campaign.pk}/", None),
        ("get", f"/api/campaigns/{campaign.pk}/creators/", None),
    ]:
        response = getattr(stranger_api, method)(url, body, format="json")
        assert response.status_code == 404, url
        assert response.json() == not_found, url
        assert b"secret.creator" not in response.content
    assert stranger_api.get("/api/jobs/").json() == {"count": 0, "results": []}
    assert stranger_api.get("/api/campaigns/").json() == {"results": []}


def test_anonymous_requests_are_401(db):
    client = APIClient()
    for url in ["/api/jobs/", "/api/campaigns/", "/api/scraping/tiktok?jobId=x"]:
        response = client.get(url)
        assert response.status_code == 401
        assert response.json() == {
            "message": "Authentication credentials were not provided.",
            "errors": {},
        }
    assert APIClient(HTTP_AUTHORIZATION="Token wrong").get("/api/jobs/").status_code == 401


def test_cancel_and_retry_conflicts_are_409(api, user):
    campaign = make_campaign(user)
    done = make_job(user, campaign, status="completed")
    response = api.post(f"/api/jobs/{done.pk}/cancel/")
    assert response.status_code == 409
    assert response.json() == {"message": "A completed search cannot be cancelled.", "errors": {}}
    running = make_job(user, campaign, status="processing")
    assert api.post(f"/api/jobs/{running.pk}/retry/").json()["message"] == (
        "A processing search cannot be retried."
    )
    cancelled = api.post(f"/api/jobs/{running.pk}/cancel/")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")


def test_creator_filters_sort_and_paging(api, user):
    campaign = make_campaign(user)
    job = make_job(user, campaign, status="completed", processed_results=3)
    make_creator(
        job, username="small", followers=900, has_email=True, emails=["a@b.co"], position=0
    )
    make_creator(job, username="big", followers=90_000, verified=True, position=1)
    make_creator(
        job, username="mid", followers=9_000, has_email=True, emails=["c@d.co"], position=2
    )
    names = lambda r: [i["creator"]["username"] for i in r.json()["results"]]  # noqa: E731
    base = f"/api/jobs/{job.pk}/creators/"
    assert names(api.get(base)) == ["small", "big", "mid"]
    assert names(api.get(base, {"has_email": "true"})) == ["small", "mid"]
    assert names(api.get(base, {"min_followers": 1000, "sort": "-followers"})) == ["big", "mid"]
    assert names(api.get(base, {"max_followers": 1000})) == ["small"]
    assert names(api.get(base, {"verified": "true"})) == ["big"]
    assert names(api.get(base, {"q": "MI"})) == ["mid"]
    assert names(api.get(base, {"min_followers": "9k", "max_followers": "90,000"})) == [
        "big",
        "mid",
    ]
    paged = api.get(base, {"page_size": 2, "page": 2}).json()
    assert (paged["count"], len(paged["results"]), paged["next"]) == (3, 1, None)
    assert paged["previous"] == f"http://testserver{base}?page_size=2&page=1"


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"page_size": 201}, {"page_size": ["Use a whole number from 1 to 200."]}),
        ({"page": 0}, {"page": ["Use a page number from 1 to 1,000,000."]}),
        ({"page": 10**18}, {"page": ["Use a page number from 1 to 1,000,000."]}),
        ({"page": "²"}, {"page": ["Use a page number from 1 to 1,000,000."]}),
        ({"page_size": "٣"}, {"page_size": ["Use a whole number from 1 to 200."]}),
        (
            {"min_followers": "many"},
            {"min_followers": [FOLLOWERS_ERROR]},
        ),
        (
            {"max_followers": "9" * 30},
            {"max_followers": [FOLLOWERS_ERROR]},
        ),
        ({"min_engagement": "high"}, {"min_engagement": [ENGAGEMENT_ERROR]}),
        ({"min_engagement": "100.5"}, {"min_engagement": [ENGAGEMENT_ERROR]}),
        ({"min_engagement": "1e-05"}, {"min_engagement": [ENGAGEMENT_ERROR]}),
        ({"has_email": "maybe"}, {"has_email": ["Use true or false."]}),
        (
            {"sort": "name"},
            {"sort": ["Sort by one of: -followers, -views, -engagement, -similarity"]},
        ),
        (
            {"min_followers": 10, "max_followers": 5},
            {"max_followers": ["The maximum must be at least the minimum."]},
        ),
    ],
)
def test_bad_creator_query_parameters_are_400(api, user, params, errors):
    job = make_job(user, make_campaign(user))
    response = api.get(f"/api/jobs/{job.pk}/creators/", params)
    assert response.status_code == 400
    assert response.json() == {"message": "Invalid input.", "errors": errors}


def test_creators_filtered_by_minimum_engagement_in_percent(api, user):
    campaign = make_campaign(user)
    job = make_job(user, campaign)
    make_creator(job, username="low", engagement=0.015, position=0)
    make_creator(job, username="high", engagement=0.025, position=1)
    make_creator(job, username="unknown", engagement=None, position=2)
    names = lambda r: [i["creator"]["username"] for i in r.json()["results"]]  # noqa: E731
    assert names(api.get(f"/api/jobs/{job.pk}/creators/", {"min_engagement": "2"})) == ["high"]
    assert names(api.get(f"/api/jobs/{job.pk}/creators/", {"min_engagement": "1.5%"})) == [
        "low",
        "high",
    ]
    poll = api.get(f"/api/jobs/{job.pk}/", {"min_engagement": "2"}).json()["creators"]
    assert [c["creator"]["username"] for c in poll] == ["high"]
    campaign_page = api.get(f"/api/campaigns/{campaign.pk}/creators/", {"min_engagement": "2"})
    assert names(campaign_page) == ["high"]


def test_the_schema_documents_every_creator_filter(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/jobs/{job_id}/creators/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    filters = {
        "q",
        "has_email",
        "min_followers",
        "max_followers",
        "min_engagement",
        "verified",
        "profile_unavailable",
        "sort",
    }
    assert filters <= set(parameters)
    assert parameters["min_engagement"]["schema"] == {"type": "number", "format": "double"}


def test_campaign_creators_are_deduplicated_across_searches(api, user):
    campaign = make_campaign(user)
    first = make_job(user, campaign, keywords=["run"])
    second = make_job(user, campaign, platform="tiktok", keywords=["trail"])
    make_creator(first, external_id="1", username="both", position=0)
    make_creator(first, external_id="2", username="only.first", position=1)
    make_creator(second, external_id="1", username="both", position=0)
    data = api.get(f"/api/campaigns/{campaign.pk}/creators/").json()
    assert data["count"] == 2
    assert sorted(i["creator"]["username"] for i in data["results"]) == ["both", "only.first"]


@time_machine.travel("2026-12-04 10:00:00+00:00", tick=False)
def test_search_creation_is_throttled_per_user(fake_api, api, user, knobs):
    knobs["api.throttle_search_per_minute"] = 1
    campaign = make_campaign(user)
    body = {"campaignId": str(campaign.pk), "keywords": ["niche pottery"]}
    assert api.post("/api/scraping/tiktok", body, format="json").status_code == 201
    throttled = api.post("/api/scraping/tiktok", body, format="json")
    assert throttled.status_code == 429
    assert throttled.json()["message"] == (
        "You have started 1 search in the last minute. Try again in 60 seconds."
    )


def test_polls_are_throttled_per_user_without_writing_to_the_database(api, user, knobs):
    from django.db import connection

    knobs["api.throttle_poll_per_minute"] = 3
    job = make_job(user, make_campaign(user))

    def cache_rows():
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM influencer_cache")
            return cursor.fetchone()[0]

    rows_before = cache_rows()
    statuses = [api.get(f"/api/jobs/{job.pk}/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert cache_rows() == rows_before


def test_creators_whose_profile_was_unavailable_are_flagged_and_can_be_hidden(api, user):
    job = make_job(user, make_campaign(user))
    make_creator(job, username="read", position=0)
    make_creator(
        job,
        username="kept",
        position=1,
        enrichment="unavailable",
        enrichment_error="Profile not found upstream (404).",
    )
    url = f"/api/jobs/{job.pk}/creators/"
    items = api.get(url).json()["results"]
    assert [
        (i["creator"]["username"], i["profileUnavailable"], i["profileUnavailableReason"])
        for i in items
    ] == [("read", False, ""), ("kept", True, "Profile not found upstream (404).")]
    hidden = api.get(url, {"profile_unavailable": "false"}).json()["results"]
    assert [i["creator"]["username"] for i in hidden] == ["read"]
    only = api.get(url, {"profile_unavailable": "true"}).json()["results"]
    assert [i["creator"]["username"] for i in only] == ["kept"]


def test_a_missing_similar_target_says_so_and_offers_no_retry(api, user):
    job = make_job(
        user,
        make_campaign(user),
        "tiktok",
        "similar",
        target_username="nobody.here",
        status="error",
        processed_results=0,
        progress=0,
        error="The TikTok account @nobody.here was not found. Check the handle and start a new "
        "search.",
        error_code="target_not_found",
    )
    data = api.get(f"/api/jobs/{job.pk}/").json()
    assert (data["status"], data["canRetry"], data["finishing"]) == ("error", False, False)
    assert data["message"] == job.error
    retry = api.post(f"/api/jobs/{job.pk}/retry/")
    assert retry.status_code == 409
    assert retry.json()["message"] == f"{job.error} Retrying cannot help."
