from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "trials"
    verbose_name = "Trials and billing"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (registers checks, connects signals)
