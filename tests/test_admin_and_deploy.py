import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import make_campaign

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def staff_client(client, make_user):
    client.force_login(make_user("root@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_every_admin_changelist_and_add_page_renders(staff_client, user):
    make_campaign(user)
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = staff_client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert changelist.status_code == 200, info
        if model_admin.has_add_permission(changelist.wsgi_request):
            assert staff_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200, (
                info
            )


@pytest.mark.django_db
def test_admin_campaign_change_page_renders(staff_client, user):
    campaign = make_campaign(user)
    response = staff_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_non_staff_cannot_reach_admin(auth_client):
    response = auth_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "influencer.settings.production",
    "DJANGO_SECRET_KEY": "k" * 10 + "3Fq9!zX#pL0@wR7^tY2&uI5*oP8(aS1)dF4_gH6+jK" + "m" * 10,
    "DJANGO_ALLOWED_HOSTS": "app.example.com",
    "SCRAPECREATORS_API_KEY": "sc-live-key",
    "DATABASE_URL": "sqlite:////tmp/deploy-check.sqlite3",
    "BILLING_MODE": "",  # the default: stripe
    "STRIPE_SECRET_KEY": "sk_live_deploycheck",
    "STRIPE_WEBHOOK_SECRET": "whsec_deploycheck",
    "STRIPE_PRICE_STARTER": "price_starter",
    "STRIPE_PRICE_PRO": "price_pro",
}
NO_STRIPE_KEYS = {
    "STRIPE_SECRET_KEY": "",
    "STRIPE_WEBHOOK_SECRET": "",
    "STRIPE_PRICE_STARTER": "",
    "STRIPE_PRICE_PRO": "",
}


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    ours = ("DJANGO_", "SCRAPECREATORS", "STRIPE_", "BILLING_MODE")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    "missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "SCRAPECREATORS_API_KEY"]
)
def test_production_fails_fast_without_required_setting(missing):
    env = {**PRODUCTION_ENV, missing: ""}
    result = _manage("check", env=env)
    assert result.returncode == 1
    assert f"Missing required environment variables: {missing}" in result.stderr


def test_production_refuses_to_start_without_stripe_keys():
    # Before BILLING_MODE, this started and sold every plan through the mock checkout for free.
    result = _manage("check", env={**PRODUCTION_ENV, **NO_STRIPE_KEYS})
    assert result.returncode == 1
    assert (
        "Missing required environment variables for BILLING_MODE=stripe (the default): "
        "STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_PRICE_STARTER, STRIPE_PRICE_PRO. "
        "Only a demo that takes no payments sets BILLING_MODE=mock." in result.stderr
    )


def test_production_on_stripe_refuses_to_start_without_each_stripe_setting():
    env = {**PRODUCTION_ENV, "BILLING_MODE": "stripe", "STRIPE_WEBHOOK_SECRET": ""}
    result = _manage("check", env=env)
    assert result.returncode == 1
    assert (
        "Missing required environment variables for BILLING_MODE=stripe (the default): "
        "STRIPE_WEBHOOK_SECRET." in result.stderr
    )


def test_production_refuses_an_unknown_billing_mode():
    result = _manage("check", env={**PRODUCTION_ENV, "BILLING_MODE": "free"})
    assert result.returncode == 1
    assert "BILLING_MODE must be stripe or mock, not 'free'" in result.stderr


def test_production_demo_on_mock_billing_starts_but_fails_the_deploy_check():
    env = {**PRODUCTION_ENV, **NO_STRIPE_KEYS, "BILLING_MODE": "mock"}
    assert _manage("check", env=env).returncode == 0
    result = _manage("check", "--deploy", env=env)
    assert result.returncode == 1
    assert (
        "?: (trials.E002) Billing runs in mock mode: anyone can take a paid plan without paying."
        in result.stderr
    )
    # An operator running a demo silences it knowingly.
    silenced = {**env, "DJANGO_SILENCED_SYSTEM_CHECKS": "trials.E002"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=silenced)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_redis_url_moves_every_cache_to_redis():
    code = (
        "from django.conf import settings; from django.core.cache import caches; "
        "caches['default'].set('deploy-check', 'ok', 5); "
        "print(*(c['BACKEND'] for c in settings.CACHES.values()), "
        "caches['default'].get('deploy-check'))"
    )
    env = {**PRODUCTION_ENV, "REDIS_URL": "redis://127.0.0.1:6379/15"}
    result = _manage("shell", "--verbosity", "0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    redis = "django.core.cache.backends.redis.RedisCache"
    assert result.stdout.split() == [redis, redis, redis, redis, "ok"]
