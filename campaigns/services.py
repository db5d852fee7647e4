"""Writes for campaigns."""

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from scraping.models import ScrapingJob
from scraping.services import job_create, jobs_cancel_for_campaign
from trials.services.entitlements import entitlement_check

from .models import Campaign

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)


@transaction.atomic
def campaign_create(
    *, owner: "User", name: str, description: str = "", search_type: str
) -> Campaign:
    # Checked in the same transaction as the insert: two requests cannot take the last slot.
    entitlement_check(user=owner, action="campaign")
    campaign = Campaign(
        owner=owner, name=name.strip(), description=description.strip(), search_type=search_type
    )
    campaign.full_clean()
    campaign.save()
    logger.info("campaign created", extra={"campaign_id": str(campaign.pk)})
    return campaign


@transaction.atomic
def search_start(*, owner: "User", campaign: Campaign, **search: Any) -> ScrapingJob:
    """Start a search in a campaign: the owner's own, not completed. The first search makes a
    draft campaign active. `search` is job_create's arguments."""
    if campaign.owner_id != owner.pk:
        raise ValidationError({"campaign": "Campaign not found."})
    if campaign.status == Campaign.Status.COMPLETED:
        raise ValidationError(
            {"campaign": "This campaign is completed. Reopen it to run new searches."}
        )
    job = job_create(owner=owner, campaign=campaign, **search)
    if campaign.status == Campaign.Status.DRAFT:
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.ACTIVE)
        campaign.status = Campaign.Status.ACTIVE
    return job


def campaign_update(*, campaign: Campaign, **fields: Any) -> Campaign:
    allowed = {"name", "description", "search_type"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    for field, value in fields.items():
        setattr(campaign, field, value.strip() if isinstance(value, str) else value)
    campaign.full_clean()
    campaign.save(update_fields=[*fields, "updated_at"])
    return campaign


def campaign_set_status(*, campaign: Campaign, status: str) -> Campaign:
    """Mark completed, or reopen (back to active, or draft if it never ran a search)."""
    if status not in Campaign.Status.values:
        raise ValueError(f"unknown status {status!r}")
    campaign.status = status
    campaign.save(update_fields=["status", "updated_at"])
    return campaign


@transaction.atomic
def campaign_delete(*, campaign: Campaign) -> None:
    # Running searches stop first, so no worker writes into a campaign that is going away.
    jobs_cancel_for_campaign(campaign=campaign)
    campaign.delete()


def campaign_reopen(*, campaign: Campaign) -> Campaign:
    """Back to active, or to draft if it never ran a search."""
    status = Campaign.Status.ACTIVE if campaign.jobs.exists() else Campaign.Status.DRAFT
    return campaign_set_status(campaign=campaign, status=status)
