"""Start a search from the command line, watch it with a progress bar, print a summary."""

import time
import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from campaigns.services import search_start
from core import catalogue
from core.errors import PaymentRequired, StartThrottled
from exports.writers import write_job_csv
from scraping import engine, selectors
from scraping.models import ScrapingJob


class Command(BaseCommand):
    help = "Start a search for a user and campaign; wait for it unless --no-wait."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="the owner's email")
        parser.add_argument("--campaign", required=True, help="campaign name or id")
        parser.add_argument("--platform", required=True, choices=catalogue.PLATFORMS)
        parser.add_argument("--type", required=True, choices=catalogue.SEARCH_TYPES)
        terms = parser.add_mutually_exclusive_group(required=True)
        terms.add_argument("--keywords", nargs="+")
        terms.add_argument("--hashtags", nargs="+")
        terms.add_argument("--username")
        parser.add_argument("--target", type=int, default=100)
        parser.add_argument(
            "--expand-related",
            action="store_true",
            help="TikTok keyword: also search the hashtags found in the search's first results",
        )
        parser.add_argument("--no-wait", action="store_true", help="start it and return")
        parser.add_argument(
            "--inline",
            action="store_true",
            help="run the steps in this process instead of waiting for a worker",
        )
        parser.add_argument("--csv", metavar="PATH", help="write the results as CSV when done")

    def handle(self, *args, **opts):
        user = get_user_model().objects.filter(email__iexact=opts["user"]).first()
        if user is None:
            raise CommandError(f"No user with email {opts['user']}.")
        campaign = self._campaign(user, opts["campaign"])
        try:
            job = search_start(
                owner=user,
                campaign=campaign,
                platform=opts["platform"],
                search_type=opts["type"],
                keywords=opts["keywords"] or opts["hashtags"],
                target_username=opts["username"],
                target_results=opts["target"],
                expand_related=opts["expand_related"],
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from None
        except PaymentRequired as exc:
            raise CommandError(f"{exc.message} ({exc.upgrade_url})") from None
        except StartThrottled as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Started {job.get_platform_display()} {job.search_type} search {job.pk}")
        if opts["no_wait"]:
            return
        job = self._wait(job, inline=opts["inline"])
        self._summary(job)
        if opts["csv"]:
            self._write_csv(job, opts["csv"])

    def _campaign(self, user, name_or_id: str) -> Campaign:
        campaigns = Campaign.objects.filter(owner=user)
        try:
            found = campaigns.filter(pk=uuid.UUID(name_or_id)).first()
        except ValueError:
            found = campaigns.filter(name__iexact=name_or_id).order_by("-created_at").first()
        if found is None:
            raise CommandError(f"{user.email} has no campaign “{name_or_id}”.")
        return found

    def _wait(self, job: ScrapingJob, *, inline: bool) -> ScrapingJob:
        while True:
            if inline:
                engine.job_step(job.pk)
            job.refresh_from_db()
            self._bar(job)
            if job.is_terminal:
                self.stdout.write("")
                return job
            if not inline:
                time.sleep(1)

    def _bar(self, job: ScrapingJob) -> None:
        width = 30
        filled = width * job.progress // 100
        line = (
            f"\r[{'#' * filled}{'.' * (width - filled)}] {job.progress:3d}%  "
            f"{job.processed_results}/{job.target_results} creators  "
            f"{job.processed_runs} calls  {job.status:<10}"
        )
        self.stdout.write(line, ending="")
        self.stdout.flush()

    def _summary(self, job: ScrapingJob) -> None:
        with_email = job.creators.filter(has_email=True).count()
        self.stdout.write(
            f"Status: {job.status}. Creators: {job.processed_results} "
            f"(with email: {with_email}). Upstream calls: {job.processed_runs}, "
            f"credits: {job.credits_used}."
        )
        if job.finish_reason:
            self.stdout.write(job.finish_reason)
        related = selectors.job_related(job=job)
        if related is not None:
            tags = [
                f"#{c.term} ({related.found.get(c.term, 0)}{', removed' if c.removed else ''})"
                for c in related.chains
            ]
            self.stdout.write(f"Related hashtags (creators found): {', '.join(tags) or 'none'}.")

    def _write_csv(self, job: ScrapingJob, path: str) -> None:
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            rows = write_job_csv(job, handle)
        self.stdout.write(f"Wrote {rows} rows to {path}")
