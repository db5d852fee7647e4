import pytest

from sysconfig import config


@pytest.fixture(autouse=True)
def fresh_config():
    """Each test starts as a freshly started process would, and leaves nothing behind."""
    config.reset()
    yield
    config.reset()


@pytest.fixture
def staff(make_user):
    """A staff member as ADMIN_EMAILS makes them: staff, in the Staff group, not superuser."""
    from influencer.services import staff_group

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
