"""The typed job state reads and writes exactly the JSON that `ScrapingJob.state` has always
held: a job saved before a deploy resumes after it, and saved states do not change shape."""

import json

from scraping.models import ScrapingJob
from scraping.searches import SEARCHES
from scraping.state import UNSET, Chain, JobState, Seed, Target

# A TikTok similar search a few steps in, as the engine saved it before the state was typed.
TIKTOK_SIMILAR = {
    "chains": [
        {
            "term": "running",
            "kind": "users",
            "cursor": 40,
            "done": False,
            "pages": 2,
            "failures": 0,
        },
        {
            "term": "@trailrunner_maya",
            "kind": "following",
            "cursor": 1714000000,
            "done": True,
            "pages": 3,
            "first_id": None,
            "failures": 0,
        },
        {
            "term": "trail",
            "kind": "users",
            "cursor": None,
            "done": True,
            "pages": 0,
            "failures": 1,
            "error": "not found upstream (404)",
        },
    ],
    "pending": [{"external_id": "7", "username": "seven", "keyword": "running", "_rank": 1}],
    "seen": ["5", "6", "7"],
    "prepared": True,
    "similar_keywords": 4,
    "target": {
        "external_id": "1",
        "username": "trailrunner_maya",
        "followers": 40_000,
        "topics": ["running", "trail"],
    },
    "seen_before_step": 3,
    "next_chain": 5,
    "new_per_page": 6.43,
    "last_failure": "Upstream is busy (429).",
}

YOUTUBE_SIMILAR_PREPARED = {
    "chains": [{"term": "pottery", "cursor": None, "done": False, "pages": 0}],
    "pending": [],
    "seen": [],
    "prepared": True,
    "similar_keywords": 4,
    "target": {
        "external_id": "UCabcdefghijklmnopqrstuv",
        "username": "potter",
        "display_name": "The Potter",
        "followers": None,
        "topics": ["pottery"],
    },
    "seen_before_step": 0,
}

INSTAGRAM_SIMILAR_PREPARED = {
    "chains": [],
    "pending": [{"external_id": "9", "username": "nine", "keyword": "related to @maya"}],
    "seen": ["9"],
    "prepared": True,
    "similar_keywords": 4,
    "target": {"external_id": "1", "username": "maya", "followers": 12, "topics": []},
    "seen_before_step": 1,
}

KEYWORD_NEW = {
    "chains": [
        {"term": "niche pottery", "cursor": None, "done": False, "pages": 0},
        {"term": "wheel throwing", "cursor": None, "done": False, "pages": 0},
    ],
    "pending": [],
    "seen": [],
    "prepared": True,
}


def test_old_states_round_trip_to_the_same_json():
    for saved in (
        TIKTOK_SIMILAR,
        YOUTUBE_SIMILAR_PREPARED,
        INSTAGRAM_SIMILAR_PREPARED,
        KEYWORD_NEW,
    ):
        again = JobState.from_json(json.loads(json.dumps(saved))).to_json()
        assert again == saved
        assert json.dumps(again, sort_keys=True) == json.dumps(saved, sort_keys=True)


def test_a_state_is_read_into_typed_fields():
    state = JobState.from_json(TIKTOK_SIMILAR)
    assert (state.prepared, state.similar_keywords, state.seen) == (True, 4, ["5", "6", "7"])
    assert (state.seen_before_step, state.next_chain, state.new_per_page) == (3, 5, 6.43)
    assert state.last_failure == "Upstream is busy (429)."
    assert state.pending == TIKTOK_SIMILAR["pending"]
    assert state.target == Target(
        external_id="1", username="trailrunner_maya", followers=40_000, topics=["running", "trail"]
    )


def test_a_chains_fields():
    users, following, failed = JobState.from_json(TIKTOK_SIMILAR).chains
    assert users == Chain(term="running", kind="users", cursor=40, pages=2, failures=0)
    assert (following.kind, following.cursor, following.done, following.pages) == (
        "following",
        1714000000,
        True,
        3,
    )
    assert following.first_id is None  # an empty last page, which is not the same as no page
    assert (failed.done, failed.failures, failed.error) == (True, 1, "not found upstream (404)")
    assert (users.first_id, users.error) == (UNSET, None)


def test_missing_keys_get_the_defaults_and_stay_missing():
    state = JobState.from_json({"chains": [{"term": "running"}]})
    assert (state.pending, state.seen, state.prepared, state.target) == ([], [], False, None)
    assert (state.similar_keywords, state.seen_before_step) == (None, None)
    assert (state.next_chain, state.new_per_page, state.last_failure) == (None, None, None)
    chain = state.chains[0]
    assert (chain.cursor, chain.done, chain.pages) == (None, False, 0)
    assert (chain.kind, chain.first_id, chain.failures, chain.error) == (None, UNSET, None, None)
    assert state.to_json() == {
        "chains": [{"term": "running", "cursor": None, "done": False, "pages": 0}],
        "pending": [],
        "seen": [],
        "prepared": False,
    }
    assert JobState.from_json({}).to_json() == {
        "chains": [],
        "pending": [],
        "seen": [],
        "prepared": False,
    }


def test_the_initial_state_is_the_json_it_always_was():
    keyword = ScrapingJob(keywords=["niche pottery", "wheel throwing"], target_username="")
    assert SEARCHES["tiktok_keyword"].initial_state(keyword).to_json() == KEYWORD_NEW
    similar = ScrapingJob(keywords=[], target_username="potter")
    assert SEARCHES["youtube_similar"].initial_state(similar).to_json() == {
        "chains": [],
        "pending": [],
        "seen": [],
        "prepared": False,
    }


def test_a_seed_sets_the_target_chains_and_pending():
    seed = Seed.from_json(INSTAGRAM_SIMILAR_PREPARED)
    assert seed.to_json() == {
        key: INSTAGRAM_SIMILAR_PREPARED[key] for key in ("target", "chains", "pending")
    }
    state = JobState(similar_keywords=4)
    state.apply(seed)
    assert (state.target, state.chains, state.pending) == (seed.target, [], seed.pending)
    assert state.require_target() == Target(
        external_id="1", username="maya", followers=12, topics=[]
    )
