import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

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
