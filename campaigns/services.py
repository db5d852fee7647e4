"""Writes for campaigns."""

import logging

from django.db import transaction

from scraping.services import jobs_cancel_for_campaign
from trials.services import entitlement_check

from .models import Campaign

logger = logging.getLogger(__name__)


@transaction.atomic
def campaign_create(*, owner, name: str, description: str = "", search_type: str) -> Campaign:
    # Checked in the same transaction as the insert: two requests cannot take the last slot.
    entitlement_check(user=owner, action="campaign")
    campaign = Campaign(
        owner=owner, name=name.strip(), description=description.strip(), search_type=search_type
    )
    campaign.full_clean()
    campaign.save()
    logger.info("campaign created", extra={"campaign_id": str(campaign.pk)})
    return campaign


def campaign_update(*, campaign: Campaign, **fields) -> Campaign:
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
