"""What people read: their address (never the internal username), the product's name, plan
prices, and upstream costs only for staff."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.factories import make_campaign, make_job

pytestmark = pytest.mark.django_db


def test_a_confirmation_email_names_the_product_and_the_address_not_the_username(client):
    client.post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "password1": "a-Long-test-pw-42",
            "password2": "a-Long-test-pw-42",
        },
    )
    confirmation = next(m for m in mail.outbox if "onfirm" in m.subject)
    assert confirmation.subject.startswith("[Creatorscope] ")
    assert confirmation.from_email.startswith("Creatorscope <")
    assert "Hello from Creatorscope!" in confirmation.body
    assert "u-" not in confirmation.body


def test_the_admin_greets_staff_by_address(client, make_user):
    staff = make_user("boss@example.com", is_staff=True, is_superuser=True)
    client.force_login(staff)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Signed in as <strong>boss@example.com</strong>." in page
    assert staff.username not in page
    assert "Creatorscope staff" in page


def test_the_admin_lists_people_by_address_not_by_internal_username(client, make_user):
    staff = make_user("boss@example.com", is_staff=True, is_superuser=True)
    owner = make_user("maya@example.com")
    owner.username = "u-0123456789abcdef0123"  # as sign-up names people
    owner.save()
    make_job(owner, make_campaign(owner))
    client.force_login(staff)
    for url in ("/admin/scraping/scrapingjob/", "/admin/campaigns/campaign/"):
        page = client.get(url).content.decode()
        assert "maya@example.com" in page
        assert "u-0123456789abcdef0123" not in page
    assert str(get_user_model()(username="u-no-address")) == "u-no-address"


def test_the_api_docs_carry_the_product_name(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert schema["info"]["title"] == "Creatorscope API"


def test_plan_cards_show_their_price(auth_client):
    page = auth_client.get(reverse("billing")).content.decode()
    assert '<p class="plan-price"><strong>$49</strong> / month</p>' in page
    assert '<p class="plan-price"><strong>$149</strong> / month</p>' in page


def test_upstream_calls_and_credits_are_shown_to_staff_only(client, user, make_user):
    job = make_job(user, make_campaign(user), processed_runs=12, credits_used=11)
    url = reverse("search_detail", args=[job.pk])
    client.force_login(user)
    page = client.get(url).content.decode()
    assert "API calls" not in page and "Credits used" not in page
    workspace = client.get(reverse("campaign_detail", args=[job.campaign_id])).content.decode()
    assert "API calls" not in workspace
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    workspace = client.get(reverse("campaign_detail", args=[job.campaign_id])).content.decode()
    assert '<th scope="col" class="num">API calls</th>' in workspace
    page = client.get(url).content.decode()
    assert '<dt>API calls</dt><dd data-field="runs">12</dd>' in page
    assert '<dt>Credits used</dt><dd data-field="credits">11</dd>' in page
