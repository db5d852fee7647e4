"""Serve the bundled fake ScrapeCreators API (development, demos and tests)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the fake ScrapeCreators server (deterministic synthetic data, fault knobs)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--latency-profile",
            choices=["none", "real"],
            default="none",
            help="'real' adds the real API's median latencies (scaled by --time-scale).",
        )
        parser.add_argument("--time-scale", type=float, default=1.0)

    def handle(self, *args, host: str, port: int, latency_profile: str, time_scale: float, **kw):
        from scraping.fake.server import run

        self.stdout.write(f"Fake ScrapeCreators API on http://{host}:{port}")
        run(host, port, latency_profile=latency_profile, time_scale=time_scale)
