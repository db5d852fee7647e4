"""CSV export throughput and memory: a campaign of 100,000 creators through the real view.

Run from the repository root::

    .venv/bin/python bench/export_csv.py [--rows 100000] [--rows 10000 100000] [--json]
    .venv/bin/python bench/export_csv.py --postgres postgres://postgres@127.0.0.1:5432/

It builds a throw-away database (a temporary SQLite file by default, or a scratch database
created and dropped on the given Postgres server), migrates it, and bulk-inserts one user, one
campaign with five searches and ``--rows`` creator rows with realistic field sizes (bios of a
few hundred characters with commas, quotes, newlines and emoji; emails with their provenance;
links; captions; hashtags; an upstream ``raw`` payload of about 1 KB that the export never reads).
About 5% of the rows are the same creator found by a second search, so the campaign file has
fewer rows than the database.

Then, each in a fresh process (so that peak RSS belongs to the export alone), it downloads
``GET /api/export/csv?campaignId=…`` and ``?jobId=…`` (the largest search) with Django's test
client, consuming ``streaming_content`` chunk by chunk and keeping nothing:

- ``rows/s`` and ``seconds``: a plain timed pass;
- ``peak MB (tracemalloc)``: a second pass under tracemalloc (Python allocations only);
- ``RSS delta MB``: the process's peak RSS during the timed pass minus its RSS before it;
- ``naive peak MB``: for contrast, the same campaign rows materialised in a list and joined
  into one string, as a non-streaming ``HttpResponse`` would;
- a third pass parses the stream with the csv module and checks the row count.

``bench/`` numbers are written to docs/benchmarks.md by hand, with the machine they ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402 - after the path is set

SEARCHES = (  # (platform, search type, share of the rows, terms or target)
    ("tiktok", "keyword", 0.35, ["running", "marathon training", "yoga"]),
    ("tiktok", "similar", 0.15, "maya.runs"),
    ("instagram", "hashtag", 0.20, ["fitness", "gymlife"]),
    ("youtube", "keyword", 0.20, ["marathon"]),
    ("youtube", "similar", 0.10, "runnerchannel"),
)
OVERLAP = 0.33  # share of a similar search's rows that are creators of the keyword search


# --- the parent: orchestration only, never imports Django -----------------------------------
def run(rows_list: Sequence[int] = (100_000,), postgres: str | None = None) -> list[dict]:
    """Seed and measure once per size; ``[{"rows": n, "seed": {...}, "campaign": {...}, ...}]``."""
    results = []
    for rows in rows_list:
        with _scratch_database(postgres) as database_url:
            env = {**os.environ, "DATABASE_URL": database_url}
            env.setdefault("DJANGO_SETTINGS_MODULE", "influencer.settings.dev")
            env.setdefault("DJANGO_DEBUG", "False")
            seed = _child(env, "--seed", str(rows))
            result = {"rows": rows, "seed": seed}
            result["campaign"] = _child(
                env, "--measure", "campaign", seed["campaign_id"], str(seed["campaign_file_rows"])
            )
            result["job"] = _child(
                env, "--measure", "job", seed["job_id"], str(seed["job_file_rows"])
            )
            result["naive"] = _child(env, "--naive", seed["campaign_id"])
            results.append(result)
    return results


def _child(env: dict, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


class _scratch_database:
    """A temporary SQLite file, or a Postgres database created and dropped on the server."""

    def __init__(self, postgres: str | None) -> None:
        self.postgres = postgres.rstrip("/") if postgres else None
        self.name = f"bench_export_{os.getpid()}_{random.randrange(10**6)}"

    def __enter__(self) -> str:
        if self.postgres:
            self._admin(f'CREATE DATABASE "{self.name}"')
            return f"{self.postgres}/{self.name}"
        self.tmp = tempfile.mkdtemp(prefix="bench-export-")
        return f"sqlite:///{self.tmp}/bench.sqlite3"

    def __exit__(self, *exc) -> None:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.postgres}/postgres", autocommit=True) as conn:
            conn.execute(sql)


# --- the children: one Django process per step ----------------------------------------------
def _setup() -> None:
    import django

    django.setup()


def child_seed(rows: int) -> dict:
    _setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from scraping.models import Creator, ScrapingJob

    call_command("migrate", verbosity=0)
    # A Pro subscriber: exports need a plan since trials landed (a plain user gets a 402).
    user, campaign = common.make_owner(campaign_name="Bench campaign 100k")
    r = random.Random(42)
    started = time.perf_counter()
    jobs = []
    for platform_code, search_type, _share, terms in SEARCHES:
        jobs.append(
            ScrapingJob.objects.create(
                owner=user,
                campaign=campaign,
                platform=platform_code,
                search_type=search_type,
                keywords=terms if isinstance(terms, list) else [],
                target_username=terms if isinstance(terms, str) else "",
                status="completed",
                progress=100,
            )
        )
    keyword_ids = {"tiktok": [], "youtube": []}
    duplicates = 0
    with transaction.atomic():
        for job, (platform_code, search_type, share, _terms) in zip(jobs, SEARCHES, strict=True):
            count = round(rows * share)
            batch = []
            for position in range(1, count + 1):
                pool = keyword_ids.get(platform_code)
                if search_type == "similar" and pool and r.random() < OVERLAP:
                    external_id = pool.pop(r.randrange(len(pool)))  # once per search
                    duplicates += 1
                else:
                    external_id = f"{platform_code}-{job.search_type}-{position}"
                    if search_type == "keyword" and pool is not None:
                        pool.append(external_id)
                batch.append(_creator(r, job, external_id, position))
                if len(batch) == 2000:
                    Creator.objects.bulk_create(batch, ignore_conflicts=True)
                    batch = []
            Creator.objects.bulk_create(batch, ignore_conflicts=True)
    total = Creator.objects.filter(job__campaign=campaign).count()
    unique = (
        Creator.objects.filter(job__campaign=campaign)
        .values("platform", "external_id")
        .distinct()
        .count()
    )
    biggest = max(jobs, key=lambda j: j.creators.count())
    size = None
    if connection.vendor == "sqlite":
        size = Path(connection.settings_dict["NAME"]).stat().st_size
    return {
        "campaign_id": str(campaign.pk),
        "job_id": str(biggest.pk),
        "job_kind": biggest.search_key,
        "creator_rows": total,
        "repeat_rows": duplicates,
        "campaign_file_rows": unique,
        "job_file_rows": biggest.creators.count(),
        "seed_seconds": round(time.perf_counter() - started, 1),
        "database": connection.vendor,
        "database_bytes": size,
    }


WORDS = [
    *("run", "marathon", "coach", "yoga", "trail", "fit", "life", "daily", "vegan", "café"),
    *("olé", "plant", "strong", "miles", "pace", "tempo", "recovery", "mobility", "stretch"),
    *("gym", "lift", "protein", "morning", "sunrise", "☀️", "💪", "🏃‍♀️", "❤️", "naïve"),
    *("über", "東京", "journey", "story"),
]
SOURCES = ["bio", "bio_link", "business_email", "external_url"]


def _text(r: random.Random, words: int) -> str:
    return " ".join(r.choice(WORDS) for _ in range(words))


def _creator(r: random.Random, job, external_id: str, position: int):
    from scraping.models import Creator

    handle = f"{r.choice(WORDS[:20])}.{r.choice(WORDS[:20])}{position}"
    emails, details = [], []
    if r.random() < 0.45:
        for source in r.sample(SOURCES, r.randint(1, 2)):
            email = f"{handle.replace('.', '')}+{source}@example.com"
            emails.append(email)
            details.append(
                {"email": email, "source": source, "deobfuscated": False, "roleBased": False}
            )
    bio = f'{_text(r, 12)}, "{_text(r, 3)}"\n{_text(r, 15)}'
    if emails:
        bio += f"\n📩 {emails[0]}"
    if r.random() < 0.01:
        bio = '=HYPERLINK("http://evil.example")' + bio
    links = [f"https://linktr.ee/{handle}", f"https://www.instagram.com/{handle}"]
    links = links[: r.randint(0, 2)]
    hashtags = r.sample(WORDS[:20], r.randint(0, 6))
    numbers = (lambda: r.randint(0, 5_000_000)) if job.search_type != "similar" else (lambda: None)
    return Creator(
        job=job,
        platform=job.platform,
        external_id=external_id,
        position=position,
        username=handle,
        display_name=_text(r, 3).title(),
        profile_url=f"https://www.{job.platform}.com/@{handle}",
        avatar_url=f"https://p16-sign-va.tiktokcdn.com/{'a' * 40}/{handle}.heic?x-expires=17000",
        followers=r.randint(100, 10_000_000) if r.random() < 0.9 else None,
        bio=bio,
        emails=emails,
        email_details=details,
        has_email=bool(emails),
        links=links,
        social_handles={"instagram": handle} if links else {},
        verified=r.random() < 0.1,
        is_private=r.random() < 0.05,
        content_title=_text(r, 8) if job.platform == "youtube" else "",
        content_description=_text(r, 25) + " " + " ".join(f"#{t}" for t in hashtags),
        content_url=f"https://www.{job.platform}.com/@{handle}/video/{r.randrange(10**18)}",
        views=numbers(),
        likes=numbers(),
        comments=numbers(),
        shares=numbers() if job.platform == "tiktok" else None,
        published_at=None if job.search_type == "similar" else "2025-03-01T10:00:00Z",
        duration_seconds=r.randint(5, 3600) if job.platform != "instagram" else None,
        hashtags=hashtags,
        keyword=r.choice(job.keywords) if job.keywords else job.target_username,
        similarity_score=round(r.uniform(20, 95), 1) if job.search_type == "similar" else None,
        raw={"id": external_id, "blob": _text(r, 120), "stats": [r.random() for _ in range(10)]},
    )


def _download(client, url: str, *, parse: bool = False) -> tuple[int, int, int]:
    """Consume the streamed response: (bytes, chunks, parsed data rows or -1)."""
    import csv
    import io

    response = client.get(url)
    assert response.status_code == 200, response.status_code
    size = chunks = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        chunks += 1
        if parse:
            # Chunks always end at a row boundary (exports.csv_file.iter_csv).
            text = chunk.decode("utf-8-sig")
            lines += sum(1 for _ in csv.reader(io.StringIO(text, newline="")))
    response.close()
    return size, chunks, lines - 1 if parse else -1  # minus the header


def _client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(SERVER_NAME="localhost")
    client.force_login(get_user_model().objects.get(email="bench@example.com"))
    return client


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child_measure(kind: str, object_id: str, expected: int) -> dict:
    import resource
    import tracemalloc

    _setup()
    client = _client()
    url = f"/api/export/csv?{'campaignId' if kind == 'campaign' else 'jobId'}={object_id}"
    client.get("/api/export/csv?jobId=warm-up")  # loads the URLconf and the view's modules
    rss_before = _rss_mb()
    started = time.perf_counter()
    size, chunks, _ = _download(client, url)
    seconds = time.perf_counter() - started
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    tracemalloc.reset_peak()
    _download(client, url)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    _, _, parsed = _download(client, url, parse=True)
    assert parsed == expected, (parsed, expected)
    return {
        "rows": parsed,
        "seconds": round(seconds, 2),
        "rows_per_second": round(parsed / seconds),
        "bytes": size,
        "chunks": chunks,
        "rss_before_mb": round(rss_before, 1),
        "rss_delta_mb": round(max(0.0, peak_rss - rss_before), 1),
        "tracemalloc_peak_mb": round(traced_peak / 2**20, 2),
    }


def child_naive(campaign_id: str) -> dict:
    """What a non-streaming export would hold: every row in a list, then the whole file."""
    import tracemalloc

    _setup()
    from campaigns.models import Campaign
    from exports.columns import HEADERS
    from exports.csv_file import iter_csv
    from exports.writers import campaign_rows

    campaign = Campaign.objects.get(pk=campaign_id)
    tracemalloc.start()
    rows = list(campaign_rows(campaign))
    body = "".join(iter_csv(HEADERS, rows)).encode()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"rows": len(rows), "bytes": len(body), "tracemalloc_peak_mb": round(peak / 2**20, 1)}


# --- output ---------------------------------------------------------------------------------
def print_table(results: list[dict]) -> None:
    info = common.machine()
    print(f"CSV export — {common.machine_line(info)}")
    header = (
        f"{'db':<8}{'creators':>10}{'export':>20}{'file rows':>11}{'seconds':>9}{'rows/s':>9}"
        f"{'MB out':>8}{'tracemalloc MB':>16}{'RSS Δ MB':>10}"
    )
    print(header)
    for result in results:
        seed = result["seed"]
        for kind in ("campaign", "job"):
            m = result[kind]
            label = "campaign (unified)" if kind == "campaign" else seed["job_kind"]
            print(
                f"{seed['database']:<8}{seed['creator_rows']:>10}{label:>20}{m['rows']:>11}"
                f"{m['seconds']:>9}{m['rows_per_second']:>9}{m['bytes'] / 1e6:>8.1f}"
                f"{m['tracemalloc_peak_mb']:>16}{m['rss_delta_mb']:>10}"
            )
        naive = result["naive"]
        print(
            f"{'':<8}{'':>10}{'naive (list)':>20}{naive['rows']:>11}{'':>9}{'':>9}"
            f"{naive['bytes'] / 1e6:>8.1f}{naive['tracemalloc_peak_mb']:>16}"
        )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        step, args = argv[1], argv[2:]
        if step == "--seed":
            out = child_seed(int(args[0]))
        elif step == "--measure":
            out = child_measure(args[0], args[1], int(args[2]))
        else:
            out = child_naive(args[0])
        print(json.dumps(out))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000], help="creator rows")
    parser.add_argument("--postgres", metavar="SERVER_URL", help="use a scratch Postgres database")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    opts = parser.parse_args(argv)
    results = run(opts.rows, postgres=opts.postgres)
    if opts.json:
        print(json.dumps({"machine": common.machine(), "results": results}, indent=2))
    else:
        print_table(results)


if __name__ == "__main__":
    main()
