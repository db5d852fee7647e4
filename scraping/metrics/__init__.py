"""Judging creators: engagement per platform, recent-content metrics, their cache and API.

- `engagement`: the per-platform engagement rate (one definition per platform).
- `benchmarks`: follower tiers and typical engagement per platform and tier.
- `posts`: recent-posts bodies → plain post dicts.
- `compute`: posts → metrics and a quality signal with reasons.
- `fetch`: the upstream calls for one creator.
- `selectors`, `services`, `tasks`: reads, writes, the background entry point.
- `api`, `serializers`: the REST endpoints and their shapes.
"""
