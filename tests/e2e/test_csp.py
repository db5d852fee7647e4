"""The Content-Security-Policy in a real browser: the staff pages, the API docs, the account
page and the redirects to Stripe all work under it. (The `page` fixture fails a test on any
violation Chromium reports.)"""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import make_campaign, make_job

STRIPE_CHECKOUT = "https://checkout.stripe.com/c/pay/cs_test_e2e"
STRIPE_PORTAL = "https://billing.stripe.com/p/session/test_e2e"


def sign_in(page, user, live_server):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.fixture
def stripe_pages(page):
    """Stripe's hosts answered locally: tests never reach the internet."""
    page.context.route(
        re.compile(r"^https://(checkout|billing)\.stripe\.com/"),
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>Stripe (stand-in)</title>"
        ),
    )
    return page


def test_admin_pages_and_staff_tools_break_no_policy(
    page, live_server, make_user, transactional_db
):
    root = make_user("root@example.com", is_staff=True, is_superuser=True)
    member = make_user("member@example.com")
    job = make_job(member, make_campaign(member))
    sign_in(page, root, live_server)

    for url in [
        reverse("admin:index"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_change", args=[member.pk]),
        reverse("admin:auth_user_password_change", args=[member.pk]),
        reverse("admin:scraping_scrapingjob_change", args=[job.pk]),
        reverse("admin:django_q_schedule_add"),  # date and time widgets
        reverse("admin:sysconfig_systemconfiguration_changelist"),
        reverse("staff:overview"),
        reverse("staff:test_users"),
    ]:
        response = page.goto(url)
        assert response.status == 200, url
    # The email preview: the message's HTML in a sandboxed srcdoc frame.
    page.goto(f"{reverse('staff:email_test')}?user={member.email}&email_type=welcome&preview=1")
    frame = page.frame_locator("#email-preview iframe")
    expect(frame.locator("body")).to_contain_text("Creatorscope")
    # The admin's date widget (its own script) still works.
    page.goto(reverse("admin:django_q_schedule_add"))
    page.get_by_role("link", name="Today").first.click()
    expect(page.locator("#id_next_run_0")).not_to_have_value("")


def test_the_api_docs_render_under_the_policy(page, transactional_db):
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Creatorscope API")
    expect(page.locator(".opblock").first).to_be_visible()


def test_the_token_field_selects_itself_without_inline_code(
    page, live_server, make_user, transactional_db
):
    user = make_user("scripter@example.com")
    sign_in(page, user, live_server)
    page.goto("/account/api-token/")
    page.get_by_role("button", name="Create a token").click()
    page.get_by_label("Your token").focus()
    key = page.get_by_label("Your token").input_value()
    assert len(key) == 40
    assert page.evaluate("window.getSelection().toString()") == key


def test_checkout_and_the_billing_portal_redirect_to_stripe(
    stripe_pages, live_server, make_user, monkeypatch, transactional_db
):
    page = stripe_pages
    monkeypatch.setattr("trials.billing.checkout_start", lambda **kwargs: STRIPE_CHECKOUT)
    monkeypatch.setattr("trials.billing.portal_start", lambda **kwargs: STRIPE_PORTAL)
    trialist = make_user("trialist@example.com")
    sign_in(page, trialist, live_server)
    page.goto("/billing/")
    page.get_by_role("button", name="Subscribe to Starter").click()
    expect(page).to_have_url(STRIPE_CHECKOUT)
    expect(page).to_have_title("Stripe (stand-in)")

    from trials.models import UserProfile

    subscriber = make_user("paying@example.com", plan="starter")
    UserProfile.objects.filter(user=subscriber).update(stripe_customer_id="cus_e2e")
    page.context.clear_cookies()
    sign_in(page, subscriber, live_server)
    page.goto("/billing/")
    page.get_by_role("button", name="Manage billing").click()
    expect(page).to_have_url(STRIPE_PORTAL)
