from django.apps import AppConfig


class ToyConfig(AppConfig):
    name = "tests.toyapp"
    label = "toyapp"
    verbose_name = "玩具应用"
