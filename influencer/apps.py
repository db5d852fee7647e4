from django.apps import AppConfig


class InfluencerConfig(AppConfig):
    name = "influencer"
    verbose_name = "Platform"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects allauth signals)
