import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_up_creates_user_logs_in_and_sends_confirmation(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "New.Person@Example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get()
    assert user.email == "new.person@example.com"
    # Signed in, and sent to onboarding before the app pages (trials).
    assert response["Location"] == "/onboarding/"
    assert client.get("/dashboard/")["Location"] == "/onboarding/"
    assert len(mail.outbox) == 1
    assert "Confirm" in mail.outbox[0].subject


def test_sign_up_rejects_mismatched_passwords_inline(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "x@example.com", "password1": PASSWORD, "password2": "other-Password-1"},
    )
    assert response.status_code == 200
    assert "You must type the same password each time." in response.content.decode()
    assert not get_user_model().objects.exists()


def test_log_in_by_email_and_log_out(client, user):
    response = client.post("/accounts/login/", {"login": "owner@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/dashboard/").status_code == 302


def test_wrong_password_is_an_inline_error(client, user):
    response = client.post("/accounts/login/", {"login": "owner@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )


def test_password_reset_sends_an_email(client, user):
    response = client.post("/accounts/password/reset/", {"email": "owner@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner@example.com"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_password_change(auth_client, user):
    response = auth_client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "Another-long-pw-77",
            "password2": "Another-long-pw-77",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-long-pw-77")


@pytest.mark.parametrize(
    "path", ["/dashboard/", "/campaigns/new/", "/accounts/password/change/", "/admin/"]
)
def test_pages_need_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/healthz"]
)
def test_landing_and_auth_pages_are_public(client, path):
    assert client.get(path).status_code == 200


def test_admin_email_becomes_staff_on_login_when_verified(client, make_user):
    make_user("boss@example.com")  # listed in the test settings' ADMIN_EMAILS
    client.post("/accounts/login/", {"login": "boss@example.com", "password": PASSWORD})
    boss = get_user_model().objects.get(email="boss@example.com")
    assert boss.is_staff is True
    assert list(boss.groups.values_list("name", flat=True)) == ["Staff"]
    assert client.get("/admin/").status_code == 200


def test_unverified_admin_email_does_not_become_staff(client, make_user):
    make_user("boss@example.com", verified=False)
    client.post("/accounts/login/", {"login": "boss@example.com", "password": PASSWORD})
    assert get_user_model().objects.get(email="boss@example.com").is_staff is False


def test_admin_email_becomes_staff_when_it_is_confirmed(client, make_user):
    boss = make_user("boss@example.com", verified=False)
    client.post("/accounts/login/", {"login": "boss@example.com", "password": PASSWORD})
    address = EmailAddress.objects.get(user=boss)
    from allauth.account.models import EmailConfirmationHMAC

    key = EmailConfirmationHMAC(address).key
    client.post(f"/accounts/confirm-email/{key}/")
    boss.refresh_from_db()
    assert boss.is_staff is True


def test_other_users_are_not_staff(client, user):
    client.post("/accounts/login/", {"login": "owner@example.com", "password": PASSWORD})
    user.refresh_from_db()
    assert user.is_staff is False
    response = client.get("/admin/")
    assert response.status_code == 302


# --- the admin's login is allauth's, with its lockout -------------------------------------------


@pytest.fixture
def fresh_rate_limits():
    """allauth counts attempts in the default cache: start and end with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_the_admin_login_page_sends_staff_to_the_account_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    # From any admin page, the sign-in page is the account one and keeps the page asked for.
    response = client.get("/admin/scraping/scrapingjob/", follow=True)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/accounts/login/"
    assert response.wsgi_request.GET["next"] == "/admin/scraping/scrapingjob/"
    # Somewhere else than this site is never kept.
    response = client.get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_the_admin_login_form_never_signs_anyone_in(client, make_user, fresh_rate_limits):
    make_user("boss@example.com", is_staff=True)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "boss@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session


def test_staff_sign_in_to_the_admin_through_the_account_login(client, make_user):
    make_user("boss@example.com", is_staff=True)
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": "boss@example.com", "password": PASSWORD}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/?next=/admin/tools/")["Location"] == "/admin/tools/"


def test_a_signed_in_user_who_is_not_staff_is_refused_not_looped(auth_client):
    assert auth_client.get("/admin/login/?next=/admin/").status_code == 403


def test_failed_logins_lock_the_address_even_against_the_right_password(
    client, make_user, fresh_rate_limits
):
    make_user("boss@example.com", is_staff=True)
    for _ in range(5):
        wrong = client.post(
            "/accounts/login/?next=/admin/", {"login": "boss@example.com", "password": "guess"}
        )
        assert "are not correct" in wrong.content.decode()
    right = client.post(
        "/accounts/login/?next=/admin/", {"login": "boss@example.com", "password": PASSWORD}
    )
    assert right.status_code == 200
    assert "Too many failed login attempts. Try again later." in right.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    # The admin's login route is no way around it.
    client.post("/admin/login/", {"username": "boss@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_a_flood_of_cached_images_cannot_wipe_a_lockout(client, make_user, fresh_rate_limits):
    """Images are culled when their cache is full; the failed-login counters live elsewhere."""
    from django.core.cache import caches

    make_user("boss@example.com", is_staff=True)
    for _ in range(5):
        client.post("/accounts/login/", {"login": "boss@example.com", "password": "guess"})
    images = caches["images"]
    for n in range(2_100):  # past the image cache's 2,000 entries: it culls
        images.set(f"image-{n}", b"x", timeout=3600)
    right = client.post("/accounts/login/", {"login": "boss@example.com", "password": PASSWORD})
    assert "Too many failed login attempts. Try again later." in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_password_change_page_is_the_account_one(client, make_user):
    client.force_login(make_user("boss@example.com", is_staff=True))
    response = client.get("/admin/password_change/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/"
