"""`python -m fake_scrapecreators --port 8765 [--latency-profile real --time-scale 0.1]`.

Development (Procfile.dev), demos and tests; deterministic synthetic data with fault knobs.
Options left out keep the `FakeConfig` defaults.
"""

from __future__ import annotations

import argparse
import logging

from .server import run


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m fake_scrapecreators",
        description="Fake ScrapeCreators API + avatar CDN "
        "(deterministic synthetic data, fault knobs).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--latency-profile",
        choices=["none", "real"],
        default=None,
        help="'real' adds the real API's median latencies (scaled by --time-scale); default none.",
    )
    parser.add_argument(
        "--time-scale", type=float, default=None, help="multiplies every API latency (default 1.0)"
    )
    parser.add_argument("--jitter", type=float, default=None)
    parser.add_argument("--fault-rate", type=float, default=None)
    parser.add_argument("--fault-seed", type=int, default=None)
    parser.add_argument("--default-credits", type=int, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    options = {k: v for k, v in vars(args).items() if k not in ("host", "port")}
    run(args.host, args.port, **options)


if __name__ == "__main__":
    main()
