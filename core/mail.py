"""Outgoing email with the extras django-anymail sends to the provider.

anymail reads `tags` and `metadata` off any EmailMessage (other backends ignore them). Its own
AnymailMessage ships no type hints, so these classes only declare the two attributes: they
behave exactly like Django's.
"""

from django.core.mail import EmailMessage, EmailMultiAlternatives


class ProviderEmailMessage(EmailMessage):
    tags: list[str]  # provider-side tagging
    metadata: dict[str, str]  # echoed back by the provider's webhooks


class ProviderEmailMultiAlternatives(ProviderEmailMessage, EmailMultiAlternatives):
    pass
