from django.apps import AppConfig


class InfluencerConfig(AppConfig):
    """Settings, URL wiring and the cache tables' migrations."""

    name = "influencer"
    verbose_name = "Platform"
