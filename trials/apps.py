from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "trials"
    verbose_name = "Trials and billing"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from . import checks, receivers  # noqa: F401  (registers checks, connects signals)
        from .accounts import user_label

        # Everywhere a user is shown (admin lists, filters, read-only fields, selects), show the
        # address people know, not the internal "u-…" username sign-up gives.
        get_user_model().__str__ = user_label  # type: ignore[method-assign]
