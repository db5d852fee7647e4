from datetime import UTC, datetime

import pytest

from trials.models import UserProfile

# A fixed instant mid-month, so month arithmetic is visible in the tests that need it.
T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    """The frozen clock, at T0. clock.shift(timedelta(...)) moves it."""
    time_machine.move_to(T0, tick=False)
    return time_machine


def profile_of(user) -> UserProfile:
    return UserProfile.objects.get(user=user)
