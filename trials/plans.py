"""Plans and their limits (constants for now; sysconfig may own them later)."""

from dataclasses import dataclass
from datetime import timedelta

TRIAL_LENGTH = timedelta(days=7)


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    campaigns: int | None  # None = unlimited
    creators_per_month: int
    # What the plan card says it costs, in US dollars a month. It must match the Stripe price
    # (STRIPE_PRICE_STARTER/PRO) that checkout charges; the mock checkout uses it as is.
    monthly_price_usd: int | None = None
    # Outreach (`outreach` app): creator lists kept at once (None = unlimited) and emails sent
    # per UTC day.
    lists: int | None = 0
    sends_per_day: int = 0


TRIAL = Plan(
    "trial", "Free trial", campaigns=5, creators_per_month=1_000, lists=3, sends_per_day=20
)
STARTER = Plan(
    "starter",
    "Starter",
    campaigns=20,
    creators_per_month=10_000,
    monthly_price_usd=49,
    lists=50,
    sends_per_day=200,
)
PRO = Plan(
    "pro",
    "Pro",
    campaigns=None,
    creators_per_month=50_000,
    monthly_price_usd=149,
    lists=None,
    sends_per_day=1_000,
)
NO_PLAN = Plan("none", "No plan", campaigns=0, creators_per_month=0)

PAID_PLANS: dict[str, Plan] = {STARTER.code: STARTER, PRO.code: PRO}
PLANS: dict[str, Plan] = {p.code: p for p in (TRIAL, STARTER, PRO, NO_PLAN)}

# Stripe subscription states that keep the paid plan's access. past_due keeps access while
# Stripe retries the payment (its dunning ends in canceled or unpaid, which do not).
ENTITLED_SUBSCRIPTION_STATUSES = frozenset({"active", "trialing", "past_due"})
