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
        from trials.services.onboarding import (
            onboarding_complete,
            onboarding_save_step1,
            onboarding_save_step2,
        )
        from trials.services.subscriptions import subscription_set_for_tests

        email = email or f"user{next(_counter)}@example.com"
        user = get_user_model().objects.create_user(
            username=f"user-{email}", email=email, password=PASSWORD, **fields
        )
        EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
        if onboarded:
            onboarding_save_step1(user=user, full_name="Test Person", business_name="Acme")
            onboarding_save_step2(user=user, brand_description="Trail running shoes.")
            onboarding_complete(user=user)
        if plan:
            subscription_set_for_tests(user=user, plan=plan)
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


# Staff and superusers (the back office and knob tests).
@pytest.fixture
def staff(make_user):
    """A staff member as ADMIN_EMAILS makes them: staff, in the Staff group, not superuser."""
    from backoffice.staff import staff_group

    user = make_user("ops@example.com", is_staff=True)
    user.groups.add(staff_group())
    return user


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def superuser(make_user):
    return make_user("root@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def super_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def commit_hooks(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (the config stamp bump) in non-transactional tests."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def django_assert_num_queries(django_assert_num_queries, monkeypatch):
    """pytest-django's, with the knob registry's look at the shared config stamp (at most once
    a second) held off: whether a counted request includes that look would depend on how long
    the machine took since the last one."""
    monkeypatch.setattr("sysconfig.config.CHECK_INTERVAL", 3600)
    return django_assert_num_queries
