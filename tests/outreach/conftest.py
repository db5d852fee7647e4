import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from outreach import services
from outreach.models import EmailTemplate
from tests.factories import make_campaign, make_creator, make_job


@pytest.fixture
def campaign(user):
    return make_campaign(user, name="Trail season")


@pytest.fixture
def job(user, campaign):
    return make_job(user, campaign)


@pytest.fixture
def maya(job):
    return make_creator(
        job,
        username="maya_runs",
        display_name="Maya Runs",
        profile_url="https://www.tiktok.com/@maya_runs",
        emails=["maya@example.com", "team@maya.example"],
        has_email=True,
        followers=12_500,
        avatar_url="https://cdn.example/maya.jpg",
    )


@pytest.fixture
def leo(job):
    return make_creator(job, username="leo_trails", display_name="Leo", followers=900)


@pytest.fixture
def shortlist(user):
    return services.list_create(owner=user, name="Shortlist")


@pytest.fixture
def template(user):
    return EmailTemplate.objects.create(
        owner=user,
        name="First hello",
        subject="Hi {name}, a {campaign} idea",
        body="Hi {name} ({handle}),\nI'm {sender_name}. Interested in {campaign}? {unknown}",
    )


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run the on-commit work (the synchronous task queue) of what happens inside the block."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def stranger_api(other_user):
    client = APIClient()
    client.force_authenticate(other_user)
    return client
