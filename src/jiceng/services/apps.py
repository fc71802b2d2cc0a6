from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "jiceng.services"
    label = "services"
    verbose_name = "社区服务"
