"""Row builders for tests: explicit defaults, override anything by keyword."""

from campaigns.models import Campaign


def make_campaign(owner, **fields) -> Campaign:
    defaults = {"name": "Summer launch", "description": "", "search_type": "keyword"}
    return Campaign.objects.create(owner=owner, **{**defaults, **fields})
