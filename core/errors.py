"""Errors other apps catch: PaymentRequired becomes a 402 (API) or a page with a link."""


class PaymentRequired(Exception):
    """The user's trial has ended without a subscription, or a plan limit is reached.

    `message` is plain words for the user; `upgrade_url` is absolute (SITE_URL based, for the
    API and emails) and `upgrade_path` the same page as a path (for links in pages). `code` is
    one of trial_expired, subscription_inactive, no_trial (onboarding unfinished: the links go
    to onboarding), campaign_limit, creator_limit.
    """

    def __init__(self, message: str, *, upgrade_url: str, upgrade_path: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.upgrade_url = upgrade_url
        self.upgrade_path = upgrade_path
        self.code = code


class StartThrottled(Exception):
    """The account started (or retried) too many searches in the last minute (HTTP 429).

    `wait_seconds` is when the next start will be accepted.
    """

    def __init__(self, message: str, *, wait_seconds: int) -> None:
        super().__init__(message)
        self.message = message
        self.wait_seconds = wait_seconds
