"""Row builders for tests: explicit defaults, override anything by keyword."""

from campaigns.models import Campaign


def make_campaign(owner, **fields) -> Campaign:
    defaults = {"name": "Summer launch", "description": "", "search_type": "keyword"}
    return Campaign.objects.create(owner=owner, **{**defaults, **fields})


def make_job(
    owner,
    campaign,
    platform: str = "tiktok",
    search_type: str = "keyword",
    *,
    keywords: list[str] | None = None,
    target_username: str = "",
    **fields,
):
    """A ScrapingJob (completed by default). Keyword and hashtag searches get ["running"] unless
    `keywords` is given; similar searches get the target "maya" unless `target_username` is.
    `created_at` may be given (it is auto_now_add, so it is set with an update)."""
    from scraping.models import ScrapingJob

    if search_type == "similar":
        keywords = keywords or []
        target_username = target_username or "maya"
    elif keywords is None:
        keywords = ["running"]
    created_at = fields.pop("created_at", None)
    defaults = {"status": "completed", "progress": 100, "target_results": 100}
    job = ScrapingJob.objects.create(
        owner=owner,
        campaign=campaign,
        platform=platform,
        search_type=search_type,
        keywords=keywords,
        target_username=target_username,
        **{**defaults, **fields},
    )
    if created_at is not None:
        ScrapingJob.objects.filter(pk=job.pk).update(created_at=created_at)
        job.created_at = created_at
    return job


_creator_numbers = iter(range(1, 10**9))


def make_creator(job, **fields):
    """A Creator of `job` with a unique external id, handle and position; every other field is
    the model's default (unknown numbers stay None). `created_at` may be given."""
    from scraping.models import Creator

    n = next(_creator_numbers)
    username = fields.get("username", f"creator{n}")
    created_at = fields.pop("created_at", None)
    defaults = {
        "platform": job.platform,
        "external_id": f"ext-{n}",
        "username": username,
        "position": n,
    }
    creator = Creator.objects.create(job=job, **{**defaults, **fields})
    if created_at is not None:
        Creator.objects.filter(pk=creator.pk).update(created_at=created_at)
        creator.created_at = created_at
    return creator
