"""The six searches end to end: job creation → steps over real HTTP against the fake
ScrapeCreators server → a terminal status with exactly the expected creators."""

from collections import Counter

import pytest

from fake_scrapecreators import universe as fake
from fake_scrapecreators.universe.pools import community
from scraping.models import ApiCall, Creator, ScrapingJob
from scraping.services import job_create

pytestmark = pytest.mark.django_db(transaction=True)


def run(user, campaign, **kwargs) -> ScrapingJob:
    # Test settings run the task queue synchronously: job_create returns after the last step.
    job = job_create(owner=user, campaign=campaign, **kwargs)
    job.refresh_from_db()
    return job


def usernames(job) -> list[str]:
    return list(job.creators.order_by("position").values_list("username", flat=True))


def successful_pages(job, endpoint: str) -> list[tuple]:
    calls = ApiCall.objects.filter(job=job, endpoint=endpoint, status_code=200)
    return [tuple(sorted(c.params.items())) for c in calls]


def assert_no_page_fetched_twice(job, endpoint: str) -> None:
    pages = successful_pages(job, endpoint)
    assert pages, f"no {endpoint} calls"
    assert [p for p, n in Counter(pages).items() if n > 1] == []


def test_tiktok_keyword_delivers_exactly_the_first_distinct_authors(fake_api, user, campaign):
    job = run(
        user,
        campaign,
        platform="tiktok",
        search_type="keyword",
        keywords=["running"],
        target_results=40,
    )
    assert (job.status, job.progress, job.processed_results) == ("completed", 100, 40)
    assert usernames(job) == fake.tiktok_keyword_unique_authors("running")[:40]
    assert_no_page_fetched_twice(job, "/v1/tiktok/search/keyword")
    cursors = [dict(p).get("cursor") for p in successful_pages(job, "/v1/tiktok/search/keyword")]
    assert cursors[:3] == [None, 30, 60]  # the returned cursor is sent back as is
    assert job.creators.filter(enrichment="ok").count() == 40
    profile_calls = ApiCall.objects.filter(job=job, endpoint="/v1/tiktok/profile", status_code=200)
    assert profile_calls.count() == 40  # one enrichment per delivered creator, no more


def test_tiktok_keyword_enriches_bio_and_emails_from_the_profile(fake_api, user, campaign):
    job = run(
        user,
        campaign,
        platform="tiktok",
        search_type="keyword",
        keywords=["running"],
        target_results=20,
    )
    for creator in job.creators.all():
        truth = fake.tiktok_profile_truth(creator.username)
        # Keyword-search authors carry no bio: it comes from the profile call.
        assert creator.bio == fake.tiktok_profile(creator.username)["user"]["signature"].strip()
        assert creator.emails == truth["emails"], creator.username
        sources = [d["source"] for d in creator.email_details]
        assert sources == [truth["sources"][e][0] for e in truth["emails"]]


def test_instagram_hashtag_delivers_the_first_distinct_owners(fake_api, user, campaign):
    job = run(
        user,
        campaign,
        platform="instagram",
        search_type="hashtag",
        keywords=["#trailrunning"],
        target_results=25,
    )
    assert (job.status, job.processed_results) == ("completed", 25)
    assert job.keywords == ["trailrunning"]
    assert usernames(job) == fake.instagram_hashtag_unique_owners("trailrunning")[:25]
    assert_no_page_fetched_twice(job, "/v1/instagram/search/hashtag")


def test_youtube_keyword_carries_the_continuation_token(fake_api, user, campaign):
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
    assert list(job.creators.order_by("position").values_list("external_id", flat=True)) == expected
    pages = successful_pages(job, "/v1/youtube/search")
    tokens = [dict(p).get("continuationToken") for p in pages]
    assert tokens[0] is None and all(tokens[1:])
    assert len(set(tokens)) == len(tokens)
    assert_no_page_fetched_twice(job, "/v1/youtube/search")


def test_instagram_similar_walks_related_profiles_and_excludes_the_target(fake_api, user, campaign):
    target = "maya.trailruns"
    related = fake.instagram_related_handles(target)
    job = run(
        user,
        campaign,
        platform="instagram",
        search_type="similar",
        target_username="@" + target,
        target_results=30,
    )
    assert (job.status, job.processed_results) == ("completed", 30)
    assert usernames(job) == [h for h in related if h != target][:30]
    assert all(c.similarity_score is not None for c in job.creators.all())


def test_instagram_similar_goes_past_80_with_related_of_related(fake_api, user, campaign):
    target = "maya.trailruns"
    job = run(
        user,
        campaign,
        platform="instagram",
        search_type="similar",
        target_username=target,
        target_results=100,
    )
    assert (job.status, job.processed_results) == ("completed", 100)
    names = usernames(job)
    assert len(set(names)) == 100 and target not in names
    assert names[:80] == list(fake.instagram_related_handles(target))[:80]


def test_instagram_similar_in_a_closed_community_ends_with_no_more_related_accounts(
    fake_api, user, campaign
):
    """A "niche" account's related accounts, and theirs, stay among its 45 peers."""
    target = "niche.potter"
    job = run(
        user,
        campaign,
        platform="instagram",
        search_type="similar",
        target_username=target,
        target_results=100,
    )
    assert (job.status, job.processed_results) == ("partial", 45)
    assert set(usernames(job)) == set(community("instagram", target)) - {target}
    assert job.finish_reason == "No more related accounts to explore: found 45 of 100 creators."


@pytest.mark.parametrize(
    ("platform", "target"),
    [("tiktok", "trailrunner_maya"), ("youtube", "TrailRunnerMaya")],
)
def test_similar_searches_rank_candidates_and_never_return_the_target(
    fake_api, user, campaign, platform, target
):
    job = run(
        user,
        campaign,
        platform=platform,
        search_type="similar",
        target_username=target,
        target_results=25,
    )
    assert (job.status, job.processed_results) == ("completed", 25)
    creators = list(job.creators.all())
    assert target.lower() not in {c.username.lower() for c in creators}
    assert len({c.external_id for c in creators}) == 25
    assert all(c.similarity_score is not None and c.similarity_reasons for c in creators)
    topics = job.state["target"]["topics"]
    assert 1 <= len(topics) <= 4
    # Every candidate comes from the sources derived from the target, and nowhere else.
    if platform == "tiktok":
        sources = set(fake.tiktok_following_handles(target))
        for topic in topics:
            sources |= set(fake.tiktok_users_unique(topic))
        assert {c.username for c in creators} <= sources
    else:
        sources = set()
        for topic in topics:
            sources |= set(fake.youtube_search_unique_channels(topic))
        assert {c.external_id for c in creators} <= sources
    scores = list(
        job.creators.order_by("-similarity_score").values_list("similarity_score", flat=True)
    )
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


def test_a_niche_query_runs_dry_and_ends_partial(fake_api, user, campaign):
    job = run(
        user,
        campaign,
        platform="tiktok",
        search_type="keyword",
        keywords=["niche pottery"],
        target_results=100,
    )
    pool = fake.tiktok_keyword_unique_authors("niche pottery")
    assert len(pool) == 45
    assert (job.status, job.processed_results, job.progress) == ("partial", 45, 45)
    assert job.finish_reason == "The source ran dry: found 45 of 100 creators."
    assert sorted(usernames(job)) == sorted(pool)


def test_several_keywords_keep_their_own_cursor_chains(fake_api, user, campaign):
    job = run(
        user,
        campaign,
        platform="tiktok",
        search_type="keyword",
        keywords=["niche pottery", "niche knitting"],
        target_results=100,
    )
    pools = set(fake.tiktok_keyword_unique_authors("niche pottery")) | set(
        fake.tiktok_keyword_unique_authors("niche knitting")
    )
    assert job.status == "partial"
    assert set(usernames(job)) == pools
    assert job.processed_results == len(pools)
    assert_no_page_fetched_twice(job, "/v1/tiktok/search/keyword")
    by_query = Counter(dict(p)["query"] for p in successful_pages(job, "/v1/tiktok/search/keyword"))
    assert set(by_query) == {"niche pottery", "niche knitting"}


def test_duplicates_are_merged_one_row_per_creator(fake_api, user, campaign):
    job = run(
        user,
        campaign,
        platform="tiktok",
        search_type="keyword",
        keywords=["running"],
        target_results=60,
    )
    rows = Creator.objects.filter(job=job)
    assert rows.count() == rows.values("external_id").distinct().count() == 60
