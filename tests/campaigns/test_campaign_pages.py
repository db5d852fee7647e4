import pytest

from campaigns.models import Campaign
from tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def test_create_campaign(auth_client, user):
    response = auth_client.post(
        "/campaigns/new/",
        {"name": "  Spring drop  ", "description": "Runners", "search_type": "similar"},
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    assert (campaign.owner, campaign.name, campaign.description) == (user, "Spring drop", "Runners")
    assert (campaign.search_type, campaign.status) == ("similar", "draft")


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "Give the campaign a name."),
        ("   ", "Give the campaign a name."),
        ("x" * 121, "Keep the name under 120 characters (it has 121)."),
    ],
)
def test_create_campaign_shows_inline_errors(auth_client, name, error):
    response = auth_client.post("/campaigns/new/", {"name": name, "search_type": "keyword"})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Campaign.objects.exists()


def test_unknown_search_type_is_an_inline_error(auth_client):
    response = auth_client.post("/campaigns/new/", {"name": "A", "search_type": "psychic"})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()


def test_dashboard_lists_only_my_campaigns_newest_first(auth_client, user, other_user):
    make_campaign(user, name="Older")
    make_campaign(user, name="Newer")
    make_campaign(other_user, name="Not mine")
    page = auth_client.get("/dashboard/").content.decode()
    assert page.index("Newer") < page.index("Older")
    assert "Not mine" not in page


def test_empty_dashboard_invites_to_create(auth_client):
    assert "Create your first campaign" in auth_client.get("/dashboard/").content.decode()


def test_open_campaign(auth_client, user):
    campaign = make_campaign(user, name="Open me", description="line one")
    response = auth_client.get(f"/campaigns/{campaign.pk}/")
    assert response.status_code == 200
    assert "Open me" in response.content.decode()


def test_edit_campaign(auth_client, user):
    campaign = make_campaign(user)
    response = auth_client.post(
        f"/campaigns/{campaign.pk}/edit/",
        {"name": "Renamed", "description": "New text", "search_type": "similar"},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.description, campaign.search_type) == (
        "Renamed",
        "New text",
        "similar",
    )


def test_edit_with_empty_name_keeps_the_old_one(auth_client, user):
    campaign = make_campaign(user, name="Keep")
    response = auth_client.post(
        f"/campaigns/{campaign.pk}/edit/", {"name": "", "search_type": "keyword"}
    )
    assert response.status_code == 200
    assert "Give the campaign a name." in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.name == "Keep"


def test_delete_campaign_asks_then_deletes(auth_client, user):
    campaign = make_campaign(user)
    assert auth_client.get(f"/campaigns/{campaign.pk}/delete/").status_code == 200
    assert Campaign.objects.count() == 1
    response = auth_client.post(f"/campaigns/{campaign.pk}/delete/")
    assert response["Location"] == "/dashboard/"
    assert not Campaign.objects.exists()


def test_mark_completed_and_reopen(auth_client, user):
    campaign = make_campaign(user)
    auth_client.post(f"/campaigns/{campaign.pk}/status/", {"action": "complete"})
    campaign.refresh_from_db()
    assert campaign.status == "completed"
    auth_client.post(f"/campaigns/{campaign.pk}/status/", {"action": "reopen"})
    campaign.refresh_from_db()
    assert campaign.status == "draft"


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("get", "edit/"),
        ("post", "edit/"),
        ("get", "delete/"),
        ("post", "delete/"),
        ("post", "status/"),
    ],
)
def test_another_users_campaign_is_404_everywhere(client, other_user, user, method, suffix):
    campaign = make_campaign(user, name="Private")
    client.force_login(other_user)
    response = getattr(client, method)(
        f"/campaigns/{campaign.pk}/{suffix}",
        {"name": "hijack", "search_type": "keyword", "action": "complete"},
    )
    assert response.status_code == 404
    campaign.refresh_from_db()
    assert (campaign.name, campaign.status) == ("Private", "draft")


def test_unknown_campaign_id_is_404(auth_client):
    assert auth_client.get("/campaigns/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_the_campaign_limit_is_an_inline_message_with_a_link(auth_client, user):
    for i in range(5):  # the trial allows 5 campaigns
        make_campaign(user, name=f"c{i}")
    response = auth_client.post("/campaigns/new/", {"name": "Sixth", "search_type": "keyword"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The free trial allows 5 campaigns and you have 5." in page
    assert '<a href="/billing/">See plans</a>' in page
    assert Campaign.objects.count() == 5
