import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.scraping.conftest import FakeControl, fake_api, fake_server, knobs  # noqa: F401


@pytest.fixture
def api(user):
    client = APIClient()
    token = Token.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def stranger_api(other_user):
    client = APIClient()
    client.force_authenticate(other_user)
    return client
