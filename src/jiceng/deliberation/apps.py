from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "jiceng.deliberation"
    label = "deliberation"
    verbose_name = "议事协商"
