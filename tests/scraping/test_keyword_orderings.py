"""A big TikTok keyword search pages each keyword in more than one order (relevance, most liked,
newest), each order a cursor chain of its own, so it is not held to one chain of 3-4 s pages.
Over real HTTP against the fake server, whose `sort_by` gives the same creators in another
order."""

import pytest
import requests
from django.core.cache import caches

from fake_scrapecreators import universe as fake
from fake_scrapecreators.universe.pools import search_pool
from scraping import engine
from scraping.client import default_client
from scraping.engine import chain_label
from scraping.models import ApiCall, ScrapingJob
from scraping.searches.tiktok import orderings
from scraping.services import job_create
from scraping.state import Chain, JobState

pytestmark = pytest.mark.django_db(transaction=True)

KEYWORD = "/v1/tiktok/search/keyword"
cache = caches["coordination"]


def test_the_fake_sorts_the_same_creators_otherwise_and_refuses_an_unknown_order(fake_api):
    pool = set(search_pool("tiktok", "keyword", "running"))
    orders = {
        sort: fake.tiktok_keyword_unique_authors("running", sort)
        for sort in ("relevance", "most-liked", "date-posted")
    }
    assert all(set(order) == pool for order in orders.values())
    firsts = [order[:100] for order in orders.values()]
    assert len({tuple(first) for first in firsts}) == 3
    # Each order's first 100 are mostly creators the others show later.
    assert len(set(firsts[0]) & set(firsts[1])) < 20

    def page(**params):
        return requests.get(
            f"{fake_api.base_url}{KEYWORD}",
            {"query": "running", **params},
            headers={"x-api-key": "k"},
            timeout=10,
        )

    default, relevance = page().json(), page(sort_by="relevance").json()
    assert default["search_item_list"] == relevance["search_item_list"]
    bad = page(sort_by="oldest")
    assert bad.status_code == 400
    assert bad.json()["message"] == "sort_by must be one of: relevance, most-liked, date-posted"


@pytest.mark.parametrize(
    ("target", "keywords", "orders"),
    [
        (100, 1, 1),
        (150, 1, 1),
        (151, 1, 2),
        (300, 1, 2),
        (301, 1, 3),
        (1000, 1, 3),
        (1000, 3, 3),  # 334 a keyword
        (1000, 4, 2),  # 250 a keyword
        (1000, 7, 1),  # 143 a keyword
    ],
)
def test_one_order_per_150_creators_wanted_per_keyword_three_at_most(
    knobs, target, keywords, orders
):
    assert orderings(target, keywords) == orders


def test_the_knob_sets_the_creators_per_order_and_0_keeps_relevance_only(knobs):
    knobs["scraping.creators_per_ordering"] = 50
    assert orderings(100, 1) == 2
    knobs["scraping.creators_per_ordering"] = 0
    assert orderings(1000, 1) == 1


def _search(user, campaign, keywords: list[str], target: int):
    return job_create(
        owner=user,
        campaign=campaign,
        platform="tiktok",
        search_type="keyword",
        keywords=keywords,
        target_results=target,
    )


def _big_search(user, campaign):
    return _search(user, campaign, ["running", "yoga", "hiking"], 1000)


def orders_of(job) -> list[tuple[str, str | None]]:
    job.refresh_from_db()
    return [(c.term, c.sort) for c in JobState.from_json(job.state).chains]


def test_while_enrichment_waits_for_pages_each_step_opens_the_next_order(
    fake_api, no_queue, user, campaign
):
    """Upstream takes 64 profile calls at once: three keywords' first pages (about 30 new
    creators) cannot feed the next step's calls, so the search pages each keyword by most liked
    too, then, still short, by newest."""
    cache.set(default_client().limiter.adaptive.key, 64.0)
    job = _big_search(user, campaign)
    assert orders_of(job) == [("running", None), ("yoga", None), ("hiking", None)]
    engine.job_step(job.pk)
    assert orders_of(job)[3:] == [
        ("running", "most-liked"),
        ("yoga", "most-liked"),
        ("hiking", "most-liked"),
    ]
    engine.job_step(job.pk)
    assert orders_of(job)[6:] == [
        ("running", "date-posted"),
        ("yoga", "date-posted"),
        ("hiking", "date-posted"),
    ]
    engine.job_step(job.pk)
    assert len(orders_of(job)) == 9  # three orders at most
    assert [chain_label(c) for c in JobState.from_json(job.state).chains[::3]] == [
        "“running”",
        "“running” (most liked)",
        "“running” (date posted)",
    ]


def test_where_upstream_takes_few_calls_the_search_stays_in_relevance_order(
    fake_api, no_queue, user, campaign, knobs
):
    """Two profile calls at once: the pages keep more creators waiting than the calls can
    take, so no page is spent on another order's repeats."""
    knobs["api_limits.max_concurrent_requests"] = 2
    job = _big_search(user, campaign)
    for _ in range(4):
        engine.job_step(job.pk)
    assert orders_of(job) == [("running", None), ("yoga", None), ("hiking", None)]


def test_a_small_search_never_opens_another_order(fake_api, no_queue, user, campaign):
    cache.set(default_client().limiter.adaptive.key, 64.0)
    job = _search(user, campaign, ["running"], 100)
    engine.job_step(job.pk)
    engine.job_step(job.pk)
    assert orders_of(job) == [("running", None)]


def test_a_saved_order_survives_the_state_round_trip():
    chain = Chain(term="running", sort="most-liked", cursor=60, pages=2)
    assert chain.to_json() == {
        "term": "running",
        "cursor": 60,
        "done": False,
        "pages": 2,
        "sort": "most-liked",
    }
    assert Chain.from_json(chain.to_json()) == chain
    assert "sort" not in Chain(term="running").to_json()  # relevance: saved as it always was


def test_a_search_paged_in_two_orders_delivers_its_target_once_each(fake_api, user, campaign):
    job = _search(user, campaign, ["running"], 250)
    job = ScrapingJob.objects.get(pk=job.pk)
    assert (job.status, job.processed_results) == ("completed", 250)
    names = list(job.creators.order_by("position").values_list("username", flat=True))
    assert len(set(names)) == 250
    pages = {
        (c.params.get("sort_by", "relevance"), c.params.get("cursor", 0))
        for c in ApiCall.objects.filter(job=job, endpoint=KEYWORD, status_code=200)
    }
    chains = {c.get("sort", "relevance"): c for c in job.state["chains"]}
    assert set(chains) == {"relevance", "most-liked"}
    # Each order paged from its first page on, one page at a time, none fetched twice.
    for sort, chain in chains.items():
        assert {int(p) for s, p in pages if s == sort} == {30 * n for n in range(chain["pages"])}
    # Only creators those pages showed.
    shown = {
        handle
        for sort, cursor in pages
        for handle, _, _ in fake.keyword_page_plan("running", int(cursor), sort)
    }
    assert set(names) <= shown
    relevance = fake.tiktok_keyword_unique_authors("running")
    liked = fake.tiktok_keyword_unique_authors("running", "most-liked")
    assert set(names) - set(relevance[:200]) - set(liked[:200]) == set()
