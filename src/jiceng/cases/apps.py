from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jiceng.cases"
    label = "cases"
    verbose_name = "诉求与事件"
