from django.apps import AppConfig
from django.db.models.signals import post_migrate


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = "Back office"

    def ready(self) -> None:
        from . import receivers  # connects the allauth signals

        post_migrate.connect(
            receivers.resync_staff_group_after_migrate,
            sender=self,
            dispatch_uid="backoffice.resync_staff_group",
        )
