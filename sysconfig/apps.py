from django.apps import AppConfig


class SysconfigConfig(AppConfig):
    name = "sysconfig"
    verbose_name = "System configuration"
