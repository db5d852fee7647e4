"""Signal receivers: thin hooks that call services."""

from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from .services.lifecycle_emails import signup_emails_schedule


@receiver(user_signed_up)
def schedule_signup_emails(sender, request, user, **kwargs) -> None:
    signup_emails_schedule(user=user)
