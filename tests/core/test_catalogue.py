"""One catalogue of the six searches: every place that lists them derives from it."""

import json

from django.template import Context, Template

from core import catalogue
from scraping.searches import SEARCHES as ADAPTERS
from sysconfig.registry import REGISTRY
from workspace.api import SEARCH_KINDS as API_PATHS


def test_the_catalogue_holds_the_six_searches_in_page_order():
    assert [spec.key for spec in catalogue.SEARCHES] == [
        "tiktok_keyword",
        "tiktok_similar",
        "instagram_hashtag",
        "instagram_similar",
        "youtube_keyword",
        "youtube_similar",
    ]
    assert catalogue.PLATFORMS == ("tiktok", "instagram", "youtube")
    assert catalogue.SEARCH_TYPES == ("keyword", "similar", "hashtag")


def test_each_search_has_its_adapter_and_no_adapter_is_left_out():
    assert set(ADAPTERS) == set(catalogue.BY_KEY)
    for key, adapter in ADAPTERS.items():
        assert (adapter.platform, adapter.search_type) == (
            catalogue.BY_KEY[key].platform,
            catalogue.BY_KEY[key].search_type,
        )


def test_each_search_has_a_page_budget_knob_defaulting_to_its_cap():
    budgets = {
        name.removeprefix("api_limits.max_api_calls_"): knob.default
        for name, knob in REGISTRY.items()
        if name.startswith("api_limits.max_api_calls_")
    }
    assert budgets == {
        "tiktok_keyword": 300,
        "tiktok_similar": 150,
        "instagram_hashtag": 200,
        "instagram_similar": 60,
        "youtube_keyword": 300,
        "youtube_similar": 150,
    }
    knob = REGISTRY["api_limits.max_api_calls_instagram_similar"]
    assert knob.description == (
        "Most search-page calls one Instagram similar search may make (enrichment not counted)."
    )


def test_the_api_keeps_the_original_platforms_paths():
    assert {path: kind[:2] for path, kind in API_PATHS.items()} == {
        "tiktok": ("tiktok", "keyword"),
        "tiktok-similar": ("tiktok", "similar"),
        "instagram": ("instagram", "similar"),
        "instagram-hashtag": ("instagram", "hashtag"),
        "youtube": ("youtube", "keyword"),
        "youtube-similar": ("youtube", "similar"),
    }


def test_labels_name_the_platform_and_what_is_searched():
    spec = catalogue.BY_KEY["youtube_similar"]
    assert (spec.label, spec.short_label, spec.term, spec.is_similar) == (
        "YouTube similar creators",
        "YouTube similar",
        "keyword",
        True,
    )
    assert catalogue.BY_KEY["instagram_hashtag"].term == "hashtag"
    assert catalogue.search_for("instagram", "keyword") is None


def test_pages_hand_the_job_statuses_to_the_script():
    html = Template("{% load job_statuses %}{% job_statuses_script %}").render(Context())
    payload = json.loads(html.split(">", 1)[1].rsplit("<", 1)[0])
    assert payload == {
        "labels": {
            "pending": "Pending",
            "processing": "Processing",
            "completed": "Completed",
            "partial": "Partial",
            "error": "Error",
            "timeout": "Timed out",
            "cancelled": "Cancelled",
        },
        "terminal": ["completed", "partial", "error", "timeout", "cancelled"],
    }
