from playwright.sync_api import expect

from campaigns.models import Campaign
from tests.e2e.conftest import screenshot


def test_new_user_signs_up_creates_a_campaign_and_sees_it(page, transactional_db):
    page.goto("/")
    page.get_by_role("link", name="Start your 7-day trial").click()
    page.get_by_label("Email:").fill("newbie@example.com")
    page.get_by_label("Password:", exact=True).fill("a-Long-test-pw-42")
    page.get_by_label("Password (again):").fill("a-Long-test-pw-42")
    page.get_by_role("button", name="Sign Up").click()

    # New users finish onboarding first (trials).
    page.get_by_label("Your full name").fill("Nina Newbie")
    page.get_by_label("Business name").fill("Trail Co")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Describe your brand").fill("Trail running gear.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Start my 7-day trial").click()

    expect(page.get_by_role("heading", name="Your campaigns")).to_be_visible()
    page.get_by_role("link", name="Create your first campaign").click()
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_text("Give the campaign a name.")).to_be_visible()

    page.get_by_label("Name").fill("Autumn trail running")
    page.get_by_label("Description").fill("Trail and ultra runners with 10k+ followers.")
    page.get_by_label("Similar creators").check()
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name="Autumn trail running")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Campaigns", exact=True
    ).click()
    expect(page.get_by_role("link", name="Autumn trail running")).to_be_visible()
    screenshot(page, "dashboard.png")
    campaign = Campaign.objects.get()
    assert (campaign.owner.email, campaign.search_type) == ("newbie@example.com", "similar")
