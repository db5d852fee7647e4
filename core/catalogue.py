"""The six searches: the one list the engine, forms, API, knobs and command derive from.

A search is a platform and a search type; its key (`tiktok_keyword`) names it everywhere: the
job's `search_key`, the search adapter, the form prefix and panel id, and the page-budget knob
`api_limits.max_api_calls_<key>`. Adding a search starts here (docs/ARCHITECTURE.md).
"""

from dataclasses import dataclass

PLATFORM_LABELS = {"tiktok": "TikTok", "instagram": "Instagram", "youtube": "YouTube"}
SEARCH_TYPE_NOUNS = {"keyword": "keywords", "hashtag": "hashtags", "similar": "similar creators"}


@dataclass(frozen=True)
class SearchSpec:
    """One of the six searches."""

    platform: str
    search_type: str
    api_path: str  # the original platform's route: POST /api/scraping/<api_path>
    page_calls_cap: int  # default of the knob api_limits.max_api_calls_<key>
    # It can also search the hashtags found in its own results ("expand with related
    # hashtags": ScrapingJob.expand_related, scraping/searches/related.py).
    related_hashtags: bool = False

    @property
    def key(self) -> str:
        return f"{self.platform}_{self.search_type}"

    @property
    def platform_label(self) -> str:
        return PLATFORM_LABELS[self.platform]

    @property
    def is_similar(self) -> bool:
        return self.search_type == "similar"

    @property
    def label(self) -> str:
        """ "TikTok keywords", "Instagram similar creators"."""
        return f"{self.platform_label} {SEARCH_TYPE_NOUNS[self.search_type]}"

    @property
    def short_label(self) -> str:
        """ "TikTok keyword", "Instagram similar"."""
        return f"{self.platform_label} {self.search_type}"

    @property
    def term(self) -> str:
        """What the user types for a term search: a keyword or a hashtag."""
        return "hashtag" if self.search_type == "hashtag" else "keyword"


SEARCHES: tuple[SearchSpec, ...] = (
    SearchSpec("tiktok", "keyword", api_path="tiktok", page_calls_cap=300, related_hashtags=True),
    SearchSpec("tiktok", "similar", api_path="tiktok-similar", page_calls_cap=150),
    SearchSpec("instagram", "hashtag", api_path="instagram-hashtag", page_calls_cap=200),
    SearchSpec("instagram", "similar", api_path="instagram", page_calls_cap=60),
    SearchSpec("youtube", "keyword", api_path="youtube", page_calls_cap=300),
    SearchSpec("youtube", "similar", api_path="youtube-similar", page_calls_cap=150),
)
BY_KEY: dict[str, SearchSpec] = {spec.key: spec for spec in SEARCHES}
BY_API_PATH: dict[str, SearchSpec] = {spec.api_path: spec for spec in SEARCHES}
PLATFORMS: tuple[str, ...] = tuple(dict.fromkeys(spec.platform for spec in SEARCHES))
SEARCH_TYPES: tuple[str, ...] = tuple(dict.fromkeys(spec.search_type for spec in SEARCHES))


def search_for(platform: str, search_type: str) -> SearchSpec | None:
    """The search of this platform and type, or None when the platform has no such search."""
    return BY_KEY.get(f"{platform}_{search_type}")
