"""Reads: every queryset here is already scoped to its owner."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Campaign


def campaign_list(*, user) -> QuerySet[Campaign]:
    return Campaign.objects.filter(owner=user)


def campaign_get(*, user, campaign_id) -> Campaign:
    """The user's campaign, or Http404 (another user's campaign does not exist for them)."""
    return get_object_or_404(campaign_list(user=user), pk=campaign_id)
