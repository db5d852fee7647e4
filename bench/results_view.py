"""Server time of the results table: a search with 10,000 creators, through the real view.

Run from the repository root::

    .venv/bin/python bench/results_view.py [--creators 10000] [--runs 40] [--json]

It builds a throw-away SQLite database (``DATABASE_URL`` is set to a temporary file before
``django.setup()``; test settings: DEBUG off, no static manifest needed), migrates it and
bulk-inserts one onboarded user, one campaign and two searches: a TikTok keyword search
holding ``--creators`` creators with realistic field sizes (bios of ~200 characters, emails
with their provenance, hashtags, top-video statistics, a ~1 KB ``raw`` payload the page never
reads), and a TikTok similar search that found every seventh of them again (so every page has
"also found in" badges to compute).

Then, for each scenario below, it requests the page with Django's test client (session login,
the whole middleware stack, template rendering; no network), three warm-up requests and then
``--runs`` timed ones, and reports the median and 95th percentile of the server time, the
number of SQL queries of one request (the page must not grow with the search) and the HTML size:

- the search's first page (default order, 50 rows);
- the search sorted by followers, page 100;
- the search filtered (has email, min followers, text) and sorted by engagement;
- the campaign's de-duplicated creators, sorted by views.

``bench/`` numbers are written to docs/benchmarks.md by hand, with the machine they ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402 - after the path is set

WORDS = [
    *("run", "marathon", "coach", "yoga", "trail", "fit", "life", "daily", "vegan", "café"),
    *("strong", "miles", "pace", "tempo", "recovery", "mobility", "stretch", "gym", "lift"),
    *("protein", "morning", "sunrise", "journey", "story", "☀️", "💪", "🏃‍♀️", "naïve", "über"),
]


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    # Test settings: DEBUG off and static files without a manifest (no collectstatic needed);
    # everything else (middleware, templates, database options) is the production stack.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "influencer.settings.test")
    import django

    django.setup()


def _text(r: random.Random, words: int) -> str:
    return " ".join(r.choice(WORDS) for _ in range(words))


def seed(creators: int) -> dict:
    from django.core.management import call_command
    from django.db import transaction

    from scraping.models import Creator, ScrapingJob

    call_command("migrate", verbosity=0)
    user, campaign = common.make_owner(campaign_name="Bench campaign")

    def job(search_type: str, **fields) -> ScrapingJob:
        return ScrapingJob.objects.create(
            owner=user,
            campaign=campaign,
            platform="tiktok",
            search_type=search_type,
            status="completed",
            progress=100,
            target_results=1000,
            **fields,
        )

    keyword = job("keyword", keywords=["running", "marathon"], processed_results=creators)
    similar = job("similar", target_username="maya.runs", processed_results=creators // 7)
    r = random.Random(7)
    started = time.perf_counter()
    with transaction.atomic():
        batch = []
        for i in range(creators):
            batch.append(_creator(r, keyword, i))
            if i % 7 == 0:
                twin = _creator(r, similar, i)
                twin.similarity_score = round(r.uniform(20, 95), 1)
                twin.similarity_reasons = ["shares topics: running, trail"]
                batch.append(twin)
            if len(batch) >= 2000:
                Creator.objects.bulk_create(batch)
                batch = []
        Creator.objects.bulk_create(batch)
    return {
        "campaign_id": str(campaign.pk),
        "job_id": str(keyword.pk),
        "creator_rows": Creator.objects.count(),
        "seed_seconds": round(time.perf_counter() - started, 1),
    }


def _creator(r: random.Random, job, i: int):
    from scraping.models import Creator

    handle = f"{r.choice(WORDS[:20])}.{r.choice(WORDS[:20])}{i}"
    emails = [f"{handle.replace('.', '')}@example.com"] if r.random() < 0.4 else []
    details = [
        {
            "email": e,
            "source": r.choice(["bio", "bio_link"]),
            "deobfuscated": False,
            "roleBased": False,
        }
        for e in emails
    ]
    views = r.randint(0, 5_000_000)
    likes, comments, shares = views // 12, views // 300, views // 500
    return Creator(
        job=job,
        platform="tiktok",
        external_id=f"tt-{i}",
        position=i,
        username=handle,
        display_name=_text(r, 2).title(),
        profile_url=f"https://www.tiktok.com/@{handle}",
        avatar_url=f"https://p16-sign-va.tiktokcdn.com/{'a' * 40}/{handle}.heic?x-expires=1",
        followers=r.randint(100, 10_000_000) if r.random() < 0.95 else None,
        bio=f"{_text(r, 14)}\n{_text(r, 14)}" + (f"\n📩 {emails[0]}" if emails else ""),
        emails=emails,
        email_details=details,
        has_email=bool(emails),
        links=[f"https://linktr.ee/{handle}"],
        verified=r.random() < 0.1,
        is_private=r.random() < 0.03,
        content_description=_text(r, 20) + " #running #marathon",
        content_url=f"https://www.tiktok.com/@{handle}/video/{r.randrange(10**18)}",
        views=views,
        likes=likes,
        comments=comments,
        shares=shares,
        engagement=(likes + comments + shares) / views if views else None,
        published_at="2026-03-01T10:00:00Z",
        duration_seconds=r.randint(5, 600),
        hashtags=r.sample(WORDS[:20], r.randint(0, 6)),
        keyword="running",
        raw={"id": i, "blob": _text(r, 120)},
    )


def scenarios(ids: dict) -> list[tuple[str, str]]:
    job, campaign = ids["job_id"], ids["campaign_id"]
    return [
        ("search, page 1", f"/searches/{job}/"),
        ("search, -followers, page 100", f"/searches/{job}/?sort=-followers&page=100"),
        (
            "search, filtered, -engagement",
            f"/searches/{job}/?has_email=true&min_followers=10000&q=run&sort=-engagement",
        ),
        ("campaign creators, -views", f"/campaigns/{campaign}/creators/?sort=-views"),
    ]


def measure(url: str, runs: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    client = Client(SERVER_NAME="localhost")
    client.force_login(get_user_model().objects.get(email="bench@example.com"))
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    queries = []

    def count(execute, sql, params, many, context):
        # (CaptureQueriesContext would miss them: each request resets the query log.)
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    body = response.content.decode()
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
        "min_ms": round(times[0], 1),
        "queries": len(queries),
        "rows": body.count("<tr data-creator="),
        "html_kb": round(len(response.content) / 1024, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creators", type=int, default=10_000, help="creators in the search")
    parser.add_argument("--runs", type=int, default=40, help="timed requests per scenario")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    opts = parser.parse_args(argv)

    tmp = tempfile.mkdtemp(prefix="bench-results-")
    try:
        setup_django(f"sqlite:///{tmp}/bench.sqlite3")
        ids = seed(opts.creators)
        results = [
            {"scenario": name, "url": url, **measure(url, opts.runs)}
            for name, url in scenarios(ids)
        ]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    info = common.machine()
    if opts.json:
        print(json.dumps({"machine": info, "seed": ids, "results": results}, indent=2))
        return
    print(
        f"Results view — {ids['creator_rows']:,} creator rows ({opts.creators:,} in the search), "
        f"{opts.runs} runs each; {common.machine_line(info)}"
    )
    print(
        f"{'scenario':<34}{'median ms':>10}{'p95 ms':>9}{'min ms':>8}{'queries':>9}"
        f"{'rows':>6}{'HTML KB':>9}"
    )
    for r in results:
        print(
            f"{r['scenario']:<34}{r['median_ms']:>10}{r['p95_ms']:>9}{r['min_ms']:>8}"
            f"{r['queries']:>9}{r['rows']:>6}{r['html_kb']:>9}"
        )


if __name__ == "__main__":
    main()
