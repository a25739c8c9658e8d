from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The top floor: demo and benchmark data, built on every other app."""

    name = "demo"
    verbose_name = "演示数据"
