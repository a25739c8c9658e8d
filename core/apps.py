from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: quarters and months, the command base, the import base classes and the
    registries through which the other apps plug in. It imports no domain app."""

    name = "core"
    verbose_name = "公共基础"
