"""DRF throttles whose rates are sysconfig knobs."""

from django.core.cache import caches
from rest_framework.throttling import UserRateThrottle

from . import config


class ConfigRateThrottle(UserRateThrottle):
    """A per-user throttle whose rate (requests per minute) is a sysconfig knob."""

    knob = ""

    def get_rate(self) -> str:
        return f"{int(config.get(self.knob))}/min"


class PollThrottle(ConfigRateThrottle):
    """Polls are frequent cheap reads: their history lives in the "throttle" cache (Redis, or
    process memory), never in the database cache, so a poll does not write to the database."""

    scope = "poll"
    knob = "api.throttle_poll_per_minute"
    cache = caches["throttle"]
