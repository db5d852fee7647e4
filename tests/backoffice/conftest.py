import pytest

from sysconfig import config


@pytest.fixture(autouse=True)
def fresh_config():
    """Each test starts as a freshly started process would, and leaves nothing behind."""
    config.reset()
    yield
    config.reset()
