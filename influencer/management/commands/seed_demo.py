"""Create the demo user and a sample campaign for `make run` (idempotent)."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from campaigns.models import Campaign
from campaigns.services import campaign_create
from trials.services.onboarding import (
    onboarding_complete,
    onboarding_save_step1,
    onboarding_save_step2,
)

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password-123"  # noqa: S105 (a documented demo login)


class Command(BaseCommand):
    help = "Create a demo user with a sample campaign and print the login."

    def add_arguments(self, parser):
        parser.add_argument("--email", default=DEMO_EMAIL)
        parser.add_argument("--password", default=DEMO_PASSWORD)

    @transaction.atomic
    def handle(self, *args, email: str, password: str, **options):
        User = get_user_model()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(username="demo", email=email, password=password)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            # Onboarded, so the demo opens on the dashboard with its 7-day trial running.
            onboarding_save_step1(user=user, full_name="Demo User", business_name="Demo Co")
            onboarding_save_step2(user=user, brand_description="Running shoes and gear.")
            onboarding_complete(user=user)
        if not Campaign.objects.filter(owner=user).exists():
            campaign_create(
                owner=user,
                name="Spring running shoes",
                description="Running and fitness creators for the spring launch.",
                search_type=Campaign.SearchType.KEYWORD,
            )
        self.stdout.write(self.style.SUCCESS(f"Demo login: {email} / {password}"))
