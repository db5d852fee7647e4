"""TikTok keyword searches that also search related hashtags ("expand with related hashtags"):
the ranking, the choice, the state, over real HTTP against the fake server, and the search page
where the user removes or adds hashtags while the search runs."""

import json
import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fake_scrapecreators import universe as fake
from scraping import engine
from scraping.models import ApiCall, ScrapingJob
from scraping.searches import related
from scraping.searches.tiktok import TikTokKeyword
from scraping.services import job_create, related_hashtag_add, related_hashtag_remove
from scraping.state import Chain, JobState, Related
from scraping.transform import tiktok
from scraping.validation import normalize_hashtag
from tests.factories import make_campaign, make_job

pytestmark = pytest.mark.django_db(transaction=True)

KEYWORD_ENDPOINT = "/v1/tiktok/search/keyword"

# The hashtags of five creators' videos, as their seeds carry them.
ITEMS = [
    ["running", "fyp", "marathontraining", "runtok"],
    ["Running", "#MarathonTraining", "viral", "trailrunning"],
    ["runningshoes", "trailrunning", "trailrunning", "ForYou"],
    ["ultrarunning", "runtok"],
    ["tiktok", "ultra_running", "marathon-training"],
]


def counted(items) -> Related:
    found = Related()
    related.count(found, items)
    return found


# --- ranking -----------------------------------------------------------------------------------


def test_hashtags_are_counted_once_per_creator_normalised():
    found = counted(ITEMS)
    assert found.creators == 5
    assert found.counts == {
        "running": 2,
        "fyp": 1,
        "marathontraining": 3,  # "#MarathonTraining" and "marathon-training" too
        "runtok": 2,
        "viral": 1,
        "trailrunning": 2,  # twice on one video: one creator
        "runningshoes": 1,
        "foryou": 1,
        "ultrarunning": 1,
        "tiktok": 1,
        "ultra_running": 1,
    }


def test_the_ranking_leaves_out_the_stop_list_and_the_search_terms_and_breaks_ties_by_name():
    counts = counted(ITEMS).counts
    assert related.rank(counts, exclude=["running", "Running Shoes"]) == [
        ("marathontraining", 3),
        ("runtok", 2),
        ("trailrunning", 2),
        ("ultra_running", 1),
        ("ultrarunning", 1),
    ]
    assert related.rank(counts, exclude=["running"], limit=3) == [
        ("marathontraining", 3),
        ("runtok", 2),
        ("trailrunning", 2),
    ]
    # Without excluded terms the most frequent tags of all come first; the stop list never.
    assert related.rank(counts, limit=2) == [("marathontraining", 3), ("running", 2)]
    assert {"fyp", "foryou", "viral", "tiktok"} <= related.STOP_TAGS
    assert related.rank({"fyp": 50, "fypシ": 40, "xyzbca": 9}) == []
    assert related.rank(counts, limit=0) == []


def test_a_tag_is_written_as_it_is_searched():
    assert related.tag_of("#Trail_Running!") == "trail_running"
    assert related.tag_of("Running Shoes") == "runningshoes"
    assert related.tag_of(" #Läufer ") == "läufer"
    assert related.tag_of("#") == related.tag_of("🏃‍♀️") == ""


# --- the choice --------------------------------------------------------------------------------


def seeds(items, keyword="running", start=0) -> list[dict]:
    return [
        {"external_id": str(start + n), "keyword": keyword, "hashtags": tags}
        for n, tags in enumerate(items)
    ]


def keyword_state(limit=3, *terms) -> JobState:
    return JobState(
        chains=[Chain(term=t) for t in terms or ("running",)],
        prepared=True,
        related=Related(limit=limit),
    )


def related_terms(state: JobState) -> list[str]:
    return [c.term for c in state.chains if c.is_related]


def test_the_related_chains_are_chosen_after_each_terms_first_page():
    state = keyword_state(3)
    assert related.learn(state, seeds(ITEMS), pages_left=10) == []  # no page of "running" yet
    assert (state.related.creators, state.related.chosen) == (5, False)
    state.chains[0].pages = 1
    added = related.learn(state, seeds(ITEMS[:3], start=10), pages_left=10)
    assert [c.term for c in added] == ["marathontraining", "trailrunning", "runtok"]
    assert state.related.counts["marathontraining"] == 5


def test_the_related_chains_are_chosen_once_with_enough_creators():
    assert related.MIN_CREATORS == 8
    state = keyword_state(3)
    state.chains[0].pages = 1
    assert related.learn(state, seeds(ITEMS[:4]), pages_left=10) == []  # 4 < 8
    added = related.learn(state, seeds(ITEMS[:4], start=4), pages_left=10)
    assert [c.term for c in added] == ["marathontraining", "runtok", "trailrunning"]
    assert all(c.kind == "related" and c.added_by is None for c in added)
    assert state.related.chosen and state.related.creators == 8
    assert related.learn(state, seeds(ITEMS, start=20), pages_left=10) == []  # once only
    assert state.related.creators == 8  # and counting stopped
    assert related_terms(state) == ["marathontraining", "runtok", "trailrunning"]


def test_creators_of_related_chains_are_not_counted_and_a_dry_keyword_chooses_at_once():
    state = keyword_state(5)
    state.chains.append(Chain(term="mytag", kind="related", added_by="user"))
    state.chains[0].done = True  # the keyword ran dry on its first page
    added = related.learn(
        state, seeds(ITEMS[:1]) + seeds(ITEMS[1:], keyword="#mytag", start=1), pages_left=10
    )
    assert state.related.creators == 1
    assert [c.term for c in added] == ["marathontraining", "runtok"]  # "running" and fyp out


def test_the_page_budget_and_removed_hashtags_bound_the_choice():
    state = keyword_state(5)
    state.chains[0].pages = 1
    state.chains.append(Chain(term="marathontraining", kind="related", removed=True, done=True))
    added = related.learn(state, seeds(ITEMS * 2), pages_left=2)
    assert [c.term for c in added] == ["runtok", "trailrunning"]  # never a removed one again
    state = keyword_state(5)
    state.chains[0].pages = 1
    assert related.learn(state, seeds(ITEMS * 2), pages_left=0) == []
    assert state.related.chosen


def test_at_most_ten_related_hashtags():
    state = keyword_state(5)
    state.chains[0].pages = 1
    state.chains += [Chain(term=f"mine{n}", kind="related", added_by="user") for n in range(9)]
    added = related.learn(state, seeds(ITEMS * 2), pages_left=50)
    assert [c.term for c in added] == ["marathontraining"]


# --- the state -----------------------------------------------------------------------------------

OLD_KEYWORD_STATE = {
    "chains": [{"term": "running", "cursor": 60, "done": False, "pages": 2, "failures": 0}],
    "pending": [{"external_id": "7", "username": "seven", "keyword": "running"}],
    "seen": ["5", "6", "7"],
    "prepared": True,
    "seen_before_step": 3,
    "next_chain": 2,
    "new_per_page": 8.2,
}
EXPANDING_STATE = {
    "chains": [
        {"term": "running", "cursor": 30, "done": False, "pages": 1, "failures": 0},
        {"term": "runtok", "kind": "related", "cursor": None, "done": False, "pages": 0},
        {
            "term": "trailrunning",
            "kind": "related",
            "cursor": 30,
            "done": True,
            "pages": 1,
            "failures": 0,
            "removed": True,
        },
        {
            "term": "halfmarathon",
            "kind": "related",
            "cursor": None,
            "done": False,
            "pages": 0,
            "added_by": "user",
        },
    ],
    "pending": [],
    "seen": ["1"],
    "prepared": True,
    "related": {
        "limit": 5,
        "counts": {"runtok": 3, "trailrunning": 2},
        "creators": 8,
        "chosen": True,
    },
}


def test_an_old_keyword_state_loads_without_the_new_fields_and_saves_the_same():
    state = JobState.from_json(json.loads(json.dumps(OLD_KEYWORD_STATE)))
    assert state.related is None
    chain = state.chains[0]
    assert (chain.kind, chain.added_by, chain.removed, chain.is_related) == (
        None,
        None,
        False,
        False,
    )
    assert state.to_json() == OLD_KEYWORD_STATE


def test_an_expanding_state_round_trips_exactly():
    state = JobState.from_json(json.loads(json.dumps(EXPANDING_STATE)))
    assert state.related == Related(
        limit=5, counts={"runtok": 3, "trailrunning": 2}, creators=8, chosen=True
    )
    _, runtok, trail, mine = state.chains
    assert (runtok.is_related, trail.removed, trail.done, mine.added_by) == (
        True,
        True,
        True,
        "user",
    )
    assert state.to_json() == EXPANDING_STATE


def test_a_step_keeps_the_users_edits_made_while_it_ran():
    step = JobState.from_json(json.loads(json.dumps(EXPANDING_STATE)))
    step.chains[1].cursor, step.chains[1].pages = 30, 1  # the step paged runtok
    saved = json.loads(json.dumps(EXPANDING_STATE))  # meanwhile the user...
    saved["chains"][1] |= {"removed": True, "done": True}  # removed runtok,
    saved["chains"][2] |= {"removed": False, "done": False}  # added trailrunning again,
    saved["chains"].append(  # and a hashtag of their own
        {"term": "sub3", "kind": "related", "cursor": None, "done": False, "pages": 0}
    )
    step.keep_related_edits(saved)
    chains = {c.term: c for c in step.chains}
    assert list(chains) == ["running", "runtok", "trailrunning", "halfmarathon", "sub3"]
    assert (chains["runtok"].removed, chains["runtok"].done, chains["runtok"].pages) == (
        True,
        True,
        1,
    )
    assert (chains["trailrunning"].removed, chains["trailrunning"].done) == (False, False)
    assert chains["trailrunning"].cursor == 30  # it goes on from where it stopped
    assert not chains["sub3"].done
    again = step.to_json()
    step.keep_related_edits(saved)  # nothing new: nothing changes
    assert step.to_json() == again


# --- hashtags of an item, and what the user may type ---------------------------------------------


def test_an_items_hashtags_come_from_text_extra_cha_list_and_the_caption():
    item = {
        "aweme_id": "1",
        "author": {"uid": "9", "unique_id": "maya"},
        "desc": "long run #TrailRunning #sub3 and #Fyp",
        "text_extra": [{"type": 1, "hashtag_name": "TrailRunning"}, {"type": 0, "user_id": "3"}],
        "cha_list": [{"cha_name": "ultra"}],
    }
    assert tiktok.video_seed(item)["hashtags"] == ["trailrunning", "ultra", "sub3", "fyp"]
    trimmed = {"author": {"uid": "9", "unique_id": "maya"}, "desc": "#마라톤 #trailrunning"}
    assert tiktok.video_seed(trimmed)["hashtags"] == ["마라톤", "trailrunning"]


def test_a_typed_hashtag_follows_the_hashtag_rules():
    assert normalize_hashtag(" #HalfMarathon ") == "halfmarathon"
    for value, message in [
        ("", "Enter a hashtag, like “trailrunning”."),
        ("#", "Enter a hashtag, like “trailrunning”."),
        (None, "Enter a hashtag, like “trailrunning”."),
        (
            "half marathon",
            "“half marathon” has a space, and a hashtag is one word: write “halfmarathon”, "
            "or separate hashtags with commas.",
        ),
        ("🏃", "“🏃” is not a hashtag: use letters or digits, like “trailrunning”."),
    ]:
        with pytest.raises(ValidationError) as error:
            normalize_hashtag(value)
        assert error.value.messages == [message]


# --- over HTTP against the fake server ----------------------------------------------------------


def expected_related(keyword: str, k: int) -> list[str]:
    """The fake's answer, read on its own: the tags of the first page's creators (each from the
    first video that shows it), ranked."""
    first_videos: dict[str, list[str]] = {}
    for item in fake.tiktok_keyword_page(keyword, 0)["search_item_list"]:
        aweme = item["aweme_info"]
        tags = [t["hashtag_name"] for t in aweme["text_extra"] if t["type"] == 1]
        first_videos.setdefault(aweme["author"]["uid"], tags)
    counts = Counter(tag for tags in first_videos.values() for tag in set(tags))
    ranked = sorted((tag for tag in counts if tag != keyword), key=lambda tag: (-counts[tag], tag))
    return ranked[:k]


def queries(job, step=None) -> list[str]:
    calls = ApiCall.objects.filter(job=job, endpoint=KEYWORD_ENDPOINT, status_code=200)
    if step is not None:
        calls = calls.filter(step=step)
    return [c.params["query"] for c in calls]


def start(user, campaign, **kwargs) -> ScrapingJob:
    params = {"platform": "tiktok", "search_type": "keyword", "keywords": ["running"]}
    job = job_create(owner=user, campaign=campaign, **{**params, **kwargs})
    job.refresh_from_db()
    return job


def test_expansion_adds_k_related_chains_and_reaches_the_target_without_duplicates(
    fake_api, user, campaign, knobs
):
    knobs["scraping.related_hashtags"] = 3
    job = start(user, campaign, target_results=100, expand_related=True)
    expected = expected_related("running", 3)
    assert expected == ["ultrarunning", "marathontraining", "runtok"]
    assert (job.status, job.processed_results, job.expand_related) == ("completed", 100, True)
    chains = job.state["chains"]
    assert [(c["term"], c.get("kind")) for c in chains] == [("running", None)] + [
        (tag, "related") for tag in expected
    ]
    assert job.state["related"]["chosen"] is True
    ids = list(job.creators.values_list("external_id", flat=True))
    assert len(ids) == len(set(ids)) == 100  # zero duplicates, no overshoot
    assert queries(job, step=1) == ["running"]  # the evidence: the keyword's first page
    assert set(queries(job, step=2)) == {"running", *expected}  # then several chains at once
    pages = [
        (c.params["query"], c.params.get("cursor"))
        for c in ApiCall.objects.filter(job=job, endpoint=KEYWORD_ENDPOINT, status_code=200)
    ]
    assert len(pages) == len(set(pages)) == job.search_calls  # no page fetched twice
    found_by = Counter(job.creators.values_list("keyword", flat=True))
    assert set(found_by) == {"running", *(f"#{tag}" for tag in expected)}
    assert all(found_by[f"#{tag}"] > 0 for tag in expected)


def test_without_expansion_a_search_runs_exactly_todays_chains(fake_api, user, campaign):
    job = start(user, campaign, target_results=100)
    assert (job.status, job.processed_results, job.expand_related) == ("completed", 100, False)
    assert [c["term"] for c in job.state["chains"]] == ["running"]
    assert "related" not in job.state and "kind" not in job.state["chains"][0]
    assert set(queries(job)) == {"running"}
    usernames = list(job.creators.order_by("position").values_list("username", flat=True))
    assert usernames == fake.tiktok_keyword_unique_authors("running")[:100]


def test_the_page_budget_bounds_the_related_chains(fake_api, user, campaign, knobs):
    knobs["api_limits.max_api_calls_tiktok_keyword"] = 3
    job = start(user, campaign, target_results=100, expand_related=True)
    assert [c["term"] for c in job.state["chains"] if c.get("kind")] == [
        "ultrarunning",
        "marathontraining",
    ]  # one page spent on the evidence, two left
    assert (job.status, job.search_calls) == ("partial", 3)
    assert job.finish_reason.startswith("API-call budget reached (3 search pages)")
    ids = list(job.creators.values_list("external_id", flat=True))
    assert len(ids) == len(set(ids)) == job.processed_results


def test_only_a_tiktok_keyword_search_expands(user, campaign):
    with pytest.raises(ValidationError) as error:
        job_create(
            owner=user,
            campaign=campaign,
            platform="youtube",
            search_type="keyword",
            keywords=["running"],
            expand_related=True,
        )
    assert error.value.message_dict == {
        "expand_related": ["A YouTube keyword search cannot add related hashtags."]
    }
    assert not ScrapingJob.objects.exists()


# --- the search page: shown, and edited while the search runs -----------------------------------


@pytest.fixture
def running(fake_api, no_queue, user, campaign):
    """A 1,000-creator search with expansion on, after its first step chose its hashtags."""
    job = job_create(
        owner=user,
        campaign=campaign,
        platform="tiktok",
        search_type="keyword",
        keywords=["running"],
        target_results=1000,
        expand_related=True,
    )
    engine.job_step(job.pk)
    job.refresh_from_db()
    assert (job.status, job.state["related"]["chosen"]) == ("pending", True)  # the next step queued
    return job


def page_of(client, job) -> str:
    return client.get(reverse("search_detail", args=[job.pk])).content.decode()


def post(client, job, action, hashtag, **extra):
    url = reverse("search_related_hashtags", args=[job.pk])
    return client.post(url, {"action": action, "hashtag": hashtag}, **extra)


def chains_of(job) -> dict[str, dict]:
    """The keyword's relevance chain and the related hashtags' chains, by term (a big search's
    other orders of the keyword are left out)."""
    job.refresh_from_db()
    return {c["term"]: c for c in job.state["chains"] if "sort" not in c}


def test_the_page_shows_the_related_hashtags_with_the_creators_each_found(auth_client, running):
    page = page_of(auth_client, running)
    assert 'id="related-hashtags" data-refresh data-live' in page
    assert "Related hashtags:" in page
    tags = ["ultrarunning", "marathontraining", "runtok", "trailrunning"]
    assert [t for t in tags if f'data-hashtag="{t}"' in page] == tags
    counts = running.state["related"]["counts"]
    first = running.state["related"]["creators"]
    assert f"0 creators · on {counts['ultrarunning']} of the first {first}" in page
    engine.job_step(running.pk)  # the first creators: the keyword's first page
    engine.job_step(running.pk)  # then creators the hashtags found too
    found = Counter(running.creators.values_list("keyword", flat=True))
    assert sum(found[f"#{tag}"] for tag in tags) > 0
    page = page_of(auth_client, running)
    for tag in tags:
        n = found[f"#{tag}"]
        assert f"{n} creator{'' if n == 1 else 's'} · on {counts[tag]} of the first" in page
    assert "Remove #runtok" in page and 'name="hashtag"' in page


def test_the_user_removes_and_adds_hashtags_while_the_search_runs(auth_client, running):
    response = post(auth_client, running, "remove", "#UltraRunning", follow=True)
    assert response.redirect_chain == [(reverse("search_detail", args=[running.pk]), 302)]
    assert "Stopped searching #ultrarunning. The creators it found are kept." in (
        response.content.decode()
    )
    assert chains_of(running)["ultrarunning"] == {
        "term": "ultrarunning",
        "kind": "related",
        "cursor": None,
        "done": True,
        "pages": 0,
        "removed": True,
    }
    page = post(auth_client, running, "add", " #HalfMarathon", follow=True).content.decode()
    assert "Also searching #halfmarathon: its creators appear as it goes." in page
    assert chains_of(running)["halfmarathon"] == {
        "term": "halfmarathon",
        "kind": "related",
        "cursor": None,
        "done": False,
        "pages": 0,
        "added_by": "user",
    }
    assert "added by you" in page and "Removed: #ultrarunning (0 creators)" in page
    for hashtag, message in [
        ("Running", "#running is one of this search&#x27;s own keywords."),
        ("runtok", "#runtok is already searched."),
        ("half marathon", "“half marathon” has a space"),
    ]:
        page = post(auth_client, running, "add", hashtag, follow=True).content.decode()
        assert message in page, hashtag
    page = post(auth_client, running, "remove", "nothere", follow=True).content.decode()
    assert "#nothere is not one of this search&#x27;s related hashtags." in page

    engine.job_step(running.pk)
    step = ScrapingJob.objects.get(pk=running.pk).steps
    searched = queries(running, step=step)
    assert "halfmarathon" in searched and "ultrarunning" not in searched
    assert "ultrarunning" not in queries(running)  # never paged after it was removed

    # Added again: it goes on from where it stopped.
    post(auth_client, running, "add", "ultrarunning")
    again = chains_of(running)["ultrarunning"]
    assert (again["done"], again.get("removed", False)) == (False, False)


def test_an_edit_made_while_a_step_runs_is_kept_by_its_commit(running, monkeypatch):
    original = TikTokKeyword.fetch_page
    edited, lock = [], threading.Lock()

    def fetch_and_edit(self, ctx, chain):
        with lock:  # the pages are fetched in parallel: the user edits once
            if not edited:  # while the step pages, in a transaction of its own
                edited.append(related_hashtag_remove(job=running, hashtag="runtok"))
                edited.append(related_hashtag_add(job=running, hashtag="sub3"))
        return original(self, ctx, chain)

    monkeypatch.setattr(TikTokKeyword, "fetch_page", fetch_and_edit)
    engine.job_step(running.pk)
    assert edited == ["runtok", "sub3"]
    chains = chains_of(running)
    assert chains["runtok"]["removed"] and chains["runtok"]["done"]
    assert chains["sub3"]["added_by"] == "user"
    assert chains["running"]["pages"] == 2  # and the step's own progress is saved too


def test_another_users_search_is_404_and_unchanged(client, other_user, running):
    client.force_login(other_user)
    assert post(client, running, "remove", "runtok").status_code == 404
    assert post(client, running, "add", "sub3").status_code == 404
    assert "removed" not in chains_of(running)["runtok"] and "sub3" not in chains_of(running)


def test_a_finished_search_cannot_change_its_hashtags(auth_client, user):
    job = make_job(
        user,
        make_campaign(user),
        status="completed",
        expand_related=True,
        state=json.loads(json.dumps(EXPANDING_STATE)),
    )
    page = post(auth_client, job, "add", "sub3", follow=True).content.decode()
    assert "This search is completed: its related hashtags can no longer change." in page
    page = post(auth_client, job, "remove", "runtok", follow=True).content.decode()
    assert "This search is completed: its related hashtags can no longer change." in page
    job.refresh_from_db()
    assert job.state == EXPANDING_STATE
    assert "This search has ended: its related hashtags no longer change." in page
    assert 'name="hashtag"' not in page and "data-live" not in page
    assert "Removed: #trailrunning (0 creators)" in page


def test_a_search_without_expansion_has_no_related_hashtags(auth_client, user):
    job = make_job(user, make_campaign(user), status="processing", state=OLD_KEYWORD_STATE)
    assert "related-hashtags" not in page_of(auth_client, job)
    page = post(auth_client, job, "add", "sub3", follow=True).content.decode()
    assert "This search does not search related hashtags." in page
