import itertools

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

PASSWORD = "a-Long-test-pw-42"
_counter = itertools.count(1)


@pytest.fixture
def make_user(db):
    def make(
        email: str | None = None,
        *,
        verified: bool = True,
        onboarded: bool = True,
        plan: str | None = None,
        **fields,
    ):
        """A user; by default onboarded with a 7-day trial starting now (pass onboarded=False
        for a fresh sign-up, plan="starter"/"pro" for an active subscription)."""
        from trials import services as trials

        email = email or f"user{next(_counter)}@example.com"
        user = get_user_model().objects.create_user(
            username=f"user-{email}", email=email, password=PASSWORD, **fields
        )
        EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
        if onboarded:
            trials.onboarding_save_step1(user=user, full_name="Test Person", business_name="Acme")
            trials.onboarding_save_step2(user=user, brand_description="Trail running shoes.")
            trials.onboarding_complete(user=user)
        if plan:
            trials.subscription_set_for_tests(user=user, plan=plan)
        return user

    return make


@pytest.fixture
def user(make_user):
    return make_user("owner@example.com")


@pytest.fixture
def other_user(make_user):
    return make_user("stranger@example.com")


@pytest.fixture
def auth_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    """The poll throttle's histories live in process memory: never carry them between tests."""
    from django.core.cache import caches

    caches["throttle"].clear()
    yield
    caches["throttle"].clear()
