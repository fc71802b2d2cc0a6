from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jiceng.registry"
    label = "registry"
    verbose_name = "人房网格地址"
