"""A search's page says how it ended and offers only what can help."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_campaign, make_creator, make_job

pytestmark = pytest.mark.django_db

NOT_FOUND = (
    "The TikTok account @nobody.here was not found. Check the handle and start a new search."
)


def test_a_missing_similar_target_says_so_without_retry_or_export(auth_client, user):
    job = make_job(
        user,
        make_campaign(user),
        "tiktok",
        "similar",
        target_username="nobody.here",
        status="error",
        progress=0,
        error=NOT_FOUND,
        finish_reason=NOT_FOUND,
        error_code="target_not_found",
    )
    page = auth_client.get(reverse("search_detail", args=[job.pk])).content.decode()
    assert NOT_FOUND in page
    assert "Retry search" not in page
    assert "Export CSV" not in page


def test_a_retryable_error_offers_retry(auth_client, user):
    job = make_job(
        user, make_campaign(user), status="error", error="Upstream error: boom", processed_results=1
    )
    make_creator(job)
    page = auth_client.get(reverse("search_detail", args=[job.pk])).content.decode()
    assert "Retry search" in page and "Export CSV" in page


def test_a_cancelled_search_still_saving_keeps_being_followed(auth_client, user):
    job = make_job(
        user,
        make_campaign(user),
        status="cancelled",
        processed_results=23,
        finish_reason="Cancelled by the user.",
        worker_id="step-token",
        locked_until=timezone.now() + timezone.timedelta(minutes=5),
    )
    page = auth_client.get(reverse("search_detail", args=[job.pk])).content.decode()
    assert 'data-status="cancelled" data-finishing="true"' in page
    assert "Cancelled by the user. Kept 23 of 100 creators." in page
    poll = auth_client.get(f"/api/jobs/{job.pk}/").json()
    assert (poll["finishing"], poll["message"]) == (
        True,
        "Cancelled by the user. Kept 23 of 100 creators.",
    )


def test_a_cancelled_search_whose_step_has_saved_is_final(auth_client, user):
    job = make_job(
        user,
        make_campaign(user),
        status="cancelled",
        processed_results=23,
        finish_reason="Cancelled by the user.",
    )
    page = auth_client.get(reverse("search_detail", args=[job.pk])).content.decode()
    assert "data-finishing" not in page
    assert auth_client.get(f"/api/jobs/{job.pk}/").json()["finishing"] is False
