import re

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_create_use_and_revoke_a_token_from_the_account_page(auth_client, user):
    assert "You have no token yet." in auth_client.get("/account/api-token/").content.decode()
    auth_client.post("/account/api-token/", {"action": "create"})
    key = Token.objects.get(user=user).key
    assert key in auth_client.get("/account/api-token/").content.decode()
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/campaigns/").status_code == 200
    auth_client.post("/account/api-token/", {"action": "revoke"})
    assert not Token.objects.filter(user=user).exists()
    assert api.get("/api/campaigns/").status_code == 401


def test_replacing_a_token_invalidates_the_old_one(auth_client, user):
    auth_client.post("/account/api-token/", {"action": "create"})
    old = Token.objects.get(user=user).key
    auth_client.post("/account/api-token/", {"action": "create"})
    assert Token.objects.get(user=user).key != old


@pytest.mark.django_db(transaction=True)
def test_drf_create_token_command_works(user, django_db_blocker):
    from django.core.management import call_command

    call_command("drf_create_token", user.username)
    assert Token.objects.filter(user=user).exists()


def test_session_clients_need_csrf_for_writes(client, user):
    csrf_client = APIClient(enforce_csrf_checks=True)
    csrf_client.force_login(user)
    response = csrf_client.post("/api/campaigns/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["message"].startswith("CSRF Failed")


NEW_PASSWORD = "Another-long-pw-77"


def _token_client(user):
    key = Token.objects.create(user=user).key
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/campaigns/").status_code == 200
    return api


def test_changing_the_password_revokes_the_api_token(auth_client, user):
    api = _token_client(user)
    response = auth_client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not Token.objects.filter(user=user).exists()
    assert api.get("/api/campaigns/").status_code == 401


def test_resetting_the_password_revokes_the_api_token(client, user, mailoutbox):
    api = _token_client(user)
    client.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mailoutbox[0].body)
    form_page = client.get(link.group(1), follow=True)  # allauth moves the key into the session
    assert form_page.status_code == 200
    response = client.post(
        form_page.request["PATH_INFO"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not Token.objects.filter(user=user).exists()
    assert api.get("/api/campaigns/").status_code == 401


def test_setting_a_first_password_revokes_the_api_token(client, user):
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    api = _token_client(user)
    response = client.post(
        "/accounts/password/set/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert not Token.objects.filter(user=user).exists()
    assert api.get("/api/campaigns/").status_code == 401


def test_a_password_set_anywhere_else_revokes_the_api_token_too(user):
    """`manage.py changepassword`, a shell, any code: a saved `set_password` is a new password."""
    api = _token_client(user)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert not Token.objects.filter(user=user).exists()
    assert api.get("/api/campaigns/").status_code == 401


def test_a_login_that_only_rehashes_the_password_keeps_the_api_token(client, user, settings):
    """Django re-hashes a password with a newer hasher at login: the same password, no new
    token needed."""
    api = _token_client(user)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert user.password.startswith("md5$")
    assert client.login(email=user.email, password=PASSWORD)
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$")
    assert Token.objects.filter(user=user).exists()
    assert api.get("/api/campaigns/").status_code == 200
