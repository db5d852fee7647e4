"""Sign up, onboard, see the countdown, subscribe in mock mode, see the plan active."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from trials.models import StripeEvent, UserProfile


def test_sign_up_onboard_countdown_subscribe_in_mock_mode(page, transactional_db):
    page.goto("/")
    page.get_by_role("link", name="Start your 7-day trial").click()
    page.get_by_label("Email:").fill("trialist@example.com")
    page.get_by_label("Password:", exact=True).fill("a-Long-test-pw-42")
    page.get_by_label("Password (again):").fill("a-Long-test-pw-42")
    page.get_by_role("button", name="Sign Up").click()

    # Onboarding: step 1 (with a validation error first), step 2, start the trial.
    expect(page.get_by_role("heading", name="Welcome to Creatorscope")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Tell us your name.")).to_be_visible()
    page.get_by_label("Your full name").fill("Maya Lind")
    page.get_by_label("Business name").fill("Trailhead Running")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Tell us about your brand")).to_be_visible()
    page.get_by_label("Describe your brand").fill("Trail running shoes for long distances.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Start my 7-day trial").click()

    # The dashboard, with the countdown banner.
    expect(page.get_by_role("heading", name="Your campaigns")).to_be_visible()
    expect(page.get_by_text("Your 7-day free trial has started.")).to_be_visible()
    banner = page.get_by_test_id("trial-banner")
    expect(banner).to_contain_text("Free trial: 7 days left")

    # Billing: trial usage, then subscribe through the mock checkout.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Billing").click()
    expect(page.get_by_role("heading", name="Plan and billing")).to_be_visible()
    expect(page.get_by_text("Campaigns: 0 of 5")).to_be_visible()
    page.get_by_role("button", name="Subscribe to Starter").click()
    expect(page.get_by_role("heading", name="Subscribe to Starter")).to_be_visible()
    page.get_by_role("button", name="Pay and subscribe").click()

    expect(page.get_by_text("Thank you! Your Starter plan is active.")).to_be_visible()
    expect(page.get_by_test_id("current-plan")).to_contain_text(re.compile(r"Starter\s+Active"))
    expect(page.get_by_text("Campaigns: 0 of 20")).to_be_visible()
    expect(page.get_by_role("button", name="Manage billing")).to_be_visible()
    expect(page.get_by_test_id("trial-banner")).to_have_count(0)
    screenshot(page, "trial-billing.png")

    profile = UserProfile.objects.get(user__email="trialist@example.com")
    assert (profile.plan, profile.subscription_status) == ("starter", "active")
    assert StripeEvent.objects.filter(user=profile.user).count() == 2
