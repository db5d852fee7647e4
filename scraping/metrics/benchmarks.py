"""Follower tiers and the typical (median) engagement of each tier, per platform.

Engagement falls as audiences grow, so a creator is compared with its own tier, never with a
platform-wide average. The numbers are APPROXIMATE, rounded from published benchmarks:

- Instagram, (likes + comments) ÷ followers: Modash's Instagram engagement-rate benchmarks by
  follower count (the "Average" band: about 1 % from 10k followers up) and, for nano creators,
  HypeAuditor's "State of Influencer Marketing 2023" (2.78 %, between Modash's two nano bands).
- TikTok, (likes + comments + shares) ÷ views: Modash's TikTok engagement-rate benchmarks
  (November 2025, engagements ÷ views, the middle of the "Average" band of each tier).
- YouTube, (likes + comments) ÷ views: the published YouTube tier tables (Modash,
  InfluencerHero) are far below any likes-per-view ratio (they look subscriber-based), so they
  do not fit this definition. These are our own rounding of the view-based averages the analytics
  tools quote for YouTube (about 1–4 %, higher for small channels): a rough yardstick only.

They answer "well above / about / well below typical", not "exactly median"; the same table is
in docs/ARCHITECTURE.md ("Metrics"). Change both together.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Tier:
    key: str
    label: str  # how pages and reasons name it
    followers: str  # its range, in words
    below: int | None  # followers under this belong to the tier (None: no upper bound)


TIERS = (
    Tier("nano", "nano", "under 10k followers", 10_000),
    Tier("micro", "micro", "10k–100k followers", 100_000),
    Tier("mid", "mid-tier", "100k–500k followers", 500_000),
    Tier("macro", "macro", "500k–1M followers", 1_000_000),
    Tier("mega", "mega", "1M+ followers", None),
)

# Typical engagement (a fraction) by platform and tier key.
TYPICAL_ENGAGEMENT: dict[str, dict[str, float]] = {
    "instagram": {"nano": 0.028, "micro": 0.010, "mid": 0.010, "macro": 0.010, "mega": 0.011},
    "tiktok": {"nano": 0.115, "micro": 0.083, "mid": 0.070, "macro": 0.065, "mega": 0.065},
    "youtube": {"nano": 0.040, "micro": 0.035, "mid": 0.030, "macro": 0.025, "mega": 0.020},
}


def tier_for(followers: int | None) -> Tier | None:
    """The follower tier (nano < 10k ≤ micro < 100k ≤ mid < 500k ≤ macro < 1M ≤ mega)."""
    if followers is None or followers < 0:
        return None
    return next(t for t in TIERS if t.below is None or followers < t.below)


def typical_engagement(platform: str, tier: Tier) -> float:
    return TYPICAL_ENGAGEMENT[platform][tier.key]
