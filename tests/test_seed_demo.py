import io

import pytest
from django.core.management import call_command

from campaigns.models import Campaign
from trials.selectors import trial_status

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_an_onboarded_user_with_a_campaign_once(client):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())
    assert out.getvalue() == "Demo login: demo@example.com / demo-password-123\n"
    campaign = Campaign.objects.get()
    assert campaign.owner.email == "demo@example.com"
    assert trial_status(campaign.owner) == "active"
    client.post("/accounts/login/", {"login": "demo@example.com", "password": "demo-password-123"})
    assert client.get("/dashboard/").status_code == 200
