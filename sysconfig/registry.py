"""Every runtime knob of the product, declared in code.

A knob has a category, a key, a type, a default per environment (`APP_ENV`), bounds, a
description and whether it is hot-reloadable. `SystemConfiguration` rows override defaults;
`sysconfig.config.get("category.key")` is the one way to read a knob.
"""

from dataclasses import dataclass, field
from typing import Any

from core import catalogue

NUMBER, DURATION, BOOLEAN, STRING, LIST = "number", "duration", "boolean", "string", "list"
TYPES = (NUMBER, DURATION, BOOLEAN, STRING, LIST)


@dataclass(frozen=True)
class Knob:
    name: str  # "category.key"
    type: str
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None
    hot_reloadable: bool = True
    # Overrides of the default for one APP_ENV ("development", "staging", "production").
    env_defaults: dict[str, Any] = field(default_factory=dict)
    # STRING knobs: the allowed values (empty: any). NUMBER knobs: whole numbers only?
    choices: tuple[str, ...] = ()
    integer: bool = True

    @property
    def category(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def key(self) -> str:
        return self.name.split(".", 1)[1]

    def default_for(self, app_env: str) -> Any:
        return self.env_defaults.get(app_env, self.default)


KNOBS: tuple[Knob, ...] = (
    *(
        Knob(
            f"api_limits.max_api_calls_{search.key}",
            NUMBER,
            search.page_calls_cap,
            f"Most search-page calls one {search.short_label} search may make "
            "(enrichment not counted).",
            minimum=1,
            maximum=5000,
            env_defaults={"development": search.page_calls_cap},
        )
        for search in catalogue.SEARCHES
    ),
    Knob(
        "api_limits.requests_per_second",
        NUMBER,
        20,
        "Upstream requests per second, shared by every worker process.",
        minimum=1,
        maximum=500,
    ),
    Knob(
        "api_limits.max_concurrent_requests",
        NUMBER,
        64,
        "Most upstream requests in flight at once, shared by every worker process: the ceiling "
        "of the adaptive limit, which rises while upstream answers promptly and halves on a "
        "429, a 5xx, a timeout or a slow answer.",
        minimum=1,
        maximum=500,
    ),
    Knob(
        "api_limits.adaptive_start_concurrency",
        NUMBER,
        8,
        "Upstream requests in flight at once that the adaptive limit starts from (when it "
        "has no value yet: first use, or the coordination cache was emptied).",
        minimum=1,
        maximum=500,
    ),
    Knob(
        "api_limits.adaptive_min_concurrency",
        NUMBER,
        2,
        "The adaptive limit never goes below this many requests in flight. Set it to "
        "api_limits.max_concurrent_requests for a fixed cap.",
        minimum=1,
        maximum=500,
    ),
    Knob(
        "scraping.enrichment_concurrency",
        NUMBER,
        64,
        "Most profile calls one job step runs in parallel; below that, the shared adaptive "
        "limit of upstream requests in flight sets how many.",
        minimum=1,
        maximum=64,
    ),
    Knob(
        "scraping.enrichment_batch_rounds",
        NUMBER,
        3,
        "Profiles one job step enriches, in rounds of the step's parallel calls (a job's first "
        "batch is one round, so its first creators show sooner). More rounds: fewer steps, each "
        "longer.",
        minimum=1,
        maximum=10,
    ),
    Knob(
        "scraping.continuation_delay",
        DURATION,
        0.0,
        "Pause before each following step of a job (slows a job on purpose; 0 = none).",
        minimum=0,
        maximum=300,
    ),
    Knob(
        "scraping.job_timeout",
        DURATION,
        3600.0,
        "A job still running this long after it started ends as timeout, keeping its results.",
        minimum=60,
        maximum=86400,
    ),
    Knob(
        "scraping.lease",
        DURATION,
        300.0,
        "How long a worker owns a job step before the sweeper may hand it to another.",
        minimum=10,
        maximum=3600,
    ),
    Knob(
        "scraping.max_step_failures",
        NUMBER,
        3,
        "A step failing this many times in a row ends the job as error (retryable).",
        minimum=1,
        maximum=20,
    ),
    Knob(
        "scraping.profile_cache_ttl",
        DURATION,
        7 * 86400.0,
        "How long an enriched profile is reused across jobs without an upstream call.",
        minimum=0,
        maximum=90 * 86400,
    ),
    Knob(
        "scraping.upstream_cache_max_age",
        STRING,
        "7d",
        "ScrapeCreators' own cache_max_age sent on cacheable endpoints (1d, 3d, 7d, 14d, 30d).",
        choices=("1d", "3d", "7d", "14d", "30d"),
    ),
    Knob(
        "scraping.connect_timeout",
        DURATION,
        5.0,
        "Upstream connect timeout.",
        minimum=0.1,
        maximum=60,
    ),
    Knob(
        "scraping.read_timeout",
        DURATION,
        30.0,
        "Upstream read timeout per attempt.",
        minimum=0.1,
        maximum=300,
    ),
    Knob(
        "scraping.call_deadline",
        DURATION,
        90.0,
        "Total time one upstream call may take, retries included.",
        minimum=1,
        maximum=600,
    ),
    Knob(
        "scraping.max_retries",
        NUMBER,
        4,
        "Retries of one upstream call on 429, 5xx and timeouts.",
        minimum=0,
        maximum=10,
    ),
    Knob(
        "scraping.retry_base_delay",
        DURATION,
        0.5,
        "First backoff delay; doubles each retry, with jitter.",
        minimum=0,
        maximum=60,
    ),
    Knob(
        "scraping.related_hashtags",
        NUMBER,
        5,
        "Related hashtags a TikTok keyword search with “also search related hashtags” adds "
        "(read when the search starts; never more than its page budget has pages left).",
        minimum=1,
        maximum=10,
    ),
    Knob(
        "scraping.creators_per_ordering",
        NUMBER,
        150,
        "A TikTok keyword search pages each keyword by relevance; while its profile calls wait "
        "for pages it also pages the keyword by most liked, then by newest (each order a chain "
        "of its own, so a big search is not held to one chain of 3-4 s pages): one order more "
        "per this many creators wanted per keyword, three at most. 0: relevance only.",
        minimum=0,
        maximum=10_000,
    ),
    Knob(
        "scraping.similar_keywords",
        NUMBER,
        4,
        "Topic keywords a similar search derives from the target.",
        minimum=1,
        maximum=10,
    ),
)

IMAGE_PROXY_KNOBS: tuple[Knob, ...] = (
    Knob(
        "image_proxy.allowed_hosts",
        LIST,
        [
            "tiktokcdn.com",
            "tiktokcdn-us.com",
            "cdninstagram.com",
            "fbcdn.net",
            "ytimg.com",
            "ggpht.com",
            "googleusercontent.com",
        ],
        "Image hosts the avatar proxy may fetch from (a domain allows its subdomains).",
    ),
    Knob(
        "image_proxy.image_cache_seconds",
        DURATION,
        3600.0,
        "Browser cache lifetime of a proxied image.",
        minimum=0,
        maximum=7 * 86400,
    ),
    Knob(
        "image_proxy.placeholder_cache_seconds",
        DURATION,
        300.0,
        "Browser cache lifetime of a placeholder.",
        minimum=0,
        maximum=86400,
    ),
    Knob(
        "image_proxy.server_cache_seconds",
        DURATION,
        86400.0,
        "How long a converted image stays in the server-side cache.",
        minimum=0,
        maximum=30 * 86400,
    ),
    Knob(
        "image_proxy.max_bytes",
        NUMBER,
        5_000_000,
        "Hard cap on bytes read from an image host.",
        minimum=10_000,
        maximum=50_000_000,
    ),
    Knob(
        "image_proxy.deadline",
        DURATION,
        5.0,
        "Total time for fetching one image, redirects and 403 fallbacks included (a stalling "
        "image host holds a fetch slot this long).",
        minimum=0.5,
        maximum=60,
    ),
    Knob(
        "image_proxy.failure_cache_seconds",
        DURATION,
        300.0,
        "How long the server remembers an image it could not get (error, timeout, 403 on every "
        "fallback, not an image): its placeholder is served without asking the host again. "
        "0 = off.",
        minimum=0,
        maximum=86400,
    ),
    Knob(
        "image_proxy.max_fetches_per_process",
        NUMBER,
        4,
        "Image fetches one web process runs at once (threaded servers); more get a placeholder "
        "at once. Keep it at most half the threads per process.",
        minimum=1,
        maximum=64,
    ),
    Knob(
        "image_proxy.max_fetches_per_machine",
        NUMBER,
        12,
        "Image fetches all web processes of one machine run at once; more get a placeholder at "
        "once. Keep it well below the machine's request threads (WEB_CONCURRENCY × WEB_THREADS, "
        "3 × 8) so a stalling image host never holds them all.",
        minimum=1,
        maximum=256,
    ),
    Knob(
        "image_proxy.max_fetches_per_client",
        NUMBER,
        6,
        "Image fetches one client address (IPv6: its /64) runs at once, on all machines "
        "together; more get a placeholder at once. 6: what a browser asks for in parallel.",
        minimum=1,
        maximum=64,
    ),
    Knob(
        "image_proxy.max_pixels",
        NUMBER,
        16_000_000,
        "Largest decoded image (width x height) the proxy accepts.",
        minimum=10_000,
        maximum=100_000_000,
    ),
)

API_KNOBS: tuple[Knob, ...] = (
    Knob(
        "api.throttle_search_per_minute",
        NUMBER,
        30,
        "Searches one account may start or retry per minute (API, pages, admin, run_search).",
        minimum=1,
        maximum=10_000,
    ),
    Knob(
        "api.throttle_poll_per_minute",
        NUMBER,
        240,
        "Status and result requests one user may make per minute through the API.",
        minimum=1,
        maximum=100_000,
    ),
)

PRODUCT_KNOBS: tuple[Knob, ...] = (
    Knob(
        "retention.completed_days",
        NUMBER,
        30,
        "Days a completed search (with its creators and upstream calls) is kept.",
        minimum=1,
        maximum=3650,
    ),
    Knob(
        "retention.partial_days",
        NUMBER,
        30,
        "Days a partial search (with its creators and upstream calls) is kept.",
        minimum=1,
        maximum=3650,
    ),
    Knob(
        "retention.failed_days",
        NUMBER,
        7,
        "Days an error, timed-out or cancelled search is kept.",
        minimum=1,
        maximum=3650,
    ),
    Knob(
        "ui.poll_interval",
        DURATION,
        2.5,
        "How often a search page polls for progress while a search runs.",
        minimum=0.5,
        maximum=60,
    ),
)

METRICS_KNOBS: tuple[Knob, ...] = (
    Knob(
        "metrics.posts_considered",
        NUMBER,
        12,
        "Most recent posts a creator's metrics (median views and engagement, posting rhythm) "
        "are computed over. At most 12: one page of Instagram posts, so one call per creator.",
        minimum=3,
        maximum=12,
    ),
    Knob(
        "metrics.cache_ttl",
        DURATION,
        7 * 86400.0,
        "How long a creator's recent-content metrics are reused (by every search and user) "
        "before a request fetches them again. 0 = always fetch.",
        minimum=0,
        maximum=90 * 86400,
    ),
    Knob(
        "metrics.batch_size",
        NUMBER,
        8,
        "Creators one deep-enrichment task fetches, in parallel (one background task per "
        "batch; the shared rate limiter paces them all).",
        minimum=1,
        maximum=32,
    ),
)

KNOBS = KNOBS + IMAGE_PROXY_KNOBS + API_KNOBS + PRODUCT_KNOBS + METRICS_KNOBS

REGISTRY: dict[str, Knob] = {knob.name: knob for knob in KNOBS}
