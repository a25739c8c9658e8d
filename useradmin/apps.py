from django.apps import AppConfig


class UseradminConfig(AppConfig):
    name = "useradmin"
    verbose_name = "账号管理"

    def ready(self):
        from useradmin import signals

        signals.connect()
