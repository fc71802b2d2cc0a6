from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "jiceng.projects"
    label = "projects"
    verbose_name = "项目与资金"
