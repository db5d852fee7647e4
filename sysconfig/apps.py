from django.apps import AppConfig


class SysconfigConfig(AppConfig):
    name = "sysconfig"
    verbose_name = "System configuration"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
