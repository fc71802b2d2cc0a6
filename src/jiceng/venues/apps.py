from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "jiceng.venues"
    label = "venues"
    verbose_name = "共享阵地"
